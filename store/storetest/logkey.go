package storetest

import (
	"bytes"
	"context"
	"sync"
	"testing"

	"github.com/secours/secours/flows"
)

// LogKeyer keeps a deployment's key of the chat hashes in logs
// (flows.SetLogKey).
type LogKeyer interface {
	LogKey(ctx context.Context) ([]byte, error)
}

// RunLogKey runs the LogKey contract. open returns a new store and, when
// the backend is shared between processes (Redis), a second instance on
// the same data; nil otherwise.
func RunLogKey(t *testing.T, open func(t *testing.T) (LogKeyer, LogKeyer)) {
	t.Run("Kept", func(t *testing.T) {
		st, _ := open(t)
		first, err := st.LogKey(t.Context())
		if err != nil {
			t.Fatal(err)
		}
		if len(first) < flows.MinLogKey {
			t.Fatalf("LogKey gave %d bytes, want at least %d", len(first), flows.MinLogKey)
		}
		again, err := st.LogKey(t.Context())
		if err != nil {
			t.Fatal(err)
		}
		if !bytes.Equal(first, again) {
			t.Error("LogKey changed between two calls")
		}
		other, _ := open(t)
		if k, err := other.LogKey(t.Context()); err != nil || bytes.Equal(k, first) {
			t.Errorf("another deployment's LogKey = %v, %v: want a key of its own", k != nil, err)
		}
	})
	t.Run("SharedByInstances", func(t *testing.T) {
		a, b := open(t)
		if b == nil {
			return // one process: nothing shared to check
		}
		// Two instances start at once: both must end with one key.
		keys := make([][]byte, 2)
		var wg sync.WaitGroup
		for i, st := range []LogKeyer{a, b} {
			wg.Go(func() {
				k, err := st.LogKey(t.Context())
				if err != nil {
					t.Error(err)
				}
				keys[i] = k
			})
		}
		wg.Wait()
		if !bytes.Equal(keys[0], keys[1]) || len(keys[0]) < flows.MinLogKey {
			t.Errorf("two instances got keys of %d and %d bytes, not one shared key", len(keys[0]), len(keys[1]))
		}
	})
}
