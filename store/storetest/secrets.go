package storetest

import (
	"bytes"
	"context"
	"errors"
	"sync"
	"testing"
)

// SecretStore keeps named secrets that every process on one store must
// share (the key of the structures' forms): the first one kept under a
// name is the one every caller gets, for good.
type SecretStore interface {
	// Secret returns the secret kept under name; with none yet, it keeps
	// fresh and returns it. Of callers racing with different fresh
	// values, all get the same one.
	Secret(ctx context.Context, name string, fresh []byte) ([]byte, error)
}

// RunSecrets runs the contract of SecretStore against the stores
// newStore returns, each empty and of its own.
func RunSecrets(t *testing.T, newStore func(t *testing.T) SecretStore) {
	t.Run("FirstKept", func(t *testing.T) {
		st := newStore(t)
		ctx := t.Context()
		first, err := st.Secret(ctx, "csrf", []byte("first secret, 32 bytes or more.."))
		if err != nil || string(first) != "first secret, 32 bytes or more.." {
			t.Fatalf("Secret(new) = %q, %v; want the fresh value", first, err)
		}
		again, err := st.Secret(ctx, "csrf", []byte("another one, which must be ignored"))
		if err != nil || !bytes.Equal(again, first) {
			t.Errorf("Secret(kept) = %q, %v; want the first %q", again, err, first)
		}
		other, err := st.Secret(ctx, "other", []byte("for another use"))
		if err != nil || string(other) != "for another use" {
			t.Errorf("Secret(other name) = %q, %v; want its own", other, err)
		}
		if _, err := st.Secret(ctx, "", []byte("x")); err == nil {
			t.Error("Secret(empty name) error = nil, want one")
		}
		if _, err := st.Secret(ctx, "empty", nil); err == nil {
			t.Error("Secret(empty fresh) error = nil, want one")
		}
	})
	t.Run("Concurrent", func(t *testing.T) {
		st := newStore(t)
		var wg sync.WaitGroup
		got := make([][]byte, 8)
		for i := range got {
			wg.Go(func() {
				s, err := st.Secret(t.Context(), "csrf", []byte{byte('a' + i), 1, 2, 3})
				if err != nil {
					t.Errorf("Secret = %v", err)
				}
				got[i] = s
			})
		}
		wg.Wait()
		for i := range got {
			if !bytes.Equal(got[i], got[0]) {
				t.Fatalf("racing callers got different secrets: %q and %q", got[0], got[i])
			}
		}
	})
	t.Run("Canceled", func(t *testing.T) {
		st := newStore(t)
		ctx, cancel := context.WithCancel(t.Context())
		cancel()
		if _, err := st.Secret(ctx, "csrf", []byte("x")); !errors.Is(err, context.Canceled) {
			t.Errorf("Secret(canceled) error = %v, want context.Canceled", err)
		}
	})
}
