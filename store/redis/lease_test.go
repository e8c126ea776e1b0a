package redis

import (
	"context"
	"errors"
	"testing"
	"time"

	"github.com/secours/secours/store/redis/redistest"
)

func TestLeaseExclusive(t *testing.T) {
	for _, topo := range []struct {
		name string
		open func(t *testing.T) *Store
	}{
		{"single", func(t *testing.T) *Store { return newStore(t, Options{}) }},
		{"cluster", func(t *testing.T) *Store { return openStore(t, redistest.ClusterURL(t)) }},
	} {
		t.Run(topo.name, func(t *testing.T) {
			s := topo.open(t)
			ctx := t.Context()
			a, err := s.Lease(ctx, "poll:{abc}", time.Minute)
			if err != nil {
				t.Fatalf("first Lease: %v", err)
			}
			if _, err := s.Lease(ctx, "poll:{abc}", time.Minute); !errors.Is(err, ErrLeaseHeld) {
				t.Fatalf("second Lease = %v, want ErrLeaseHeld", err)
			}
			b, err := s.Lease(ctx, "poll:{other}", time.Minute)
			if err != nil {
				t.Fatalf("Lease on another name: %v", err)
			}
			defer b.Release(context.Background())
			if err := a.Release(ctx); err != nil {
				t.Fatalf("Release: %v", err)
			}
			if err := a.Release(ctx); err != nil {
				t.Errorf("second Release: %v", err)
			}
			c, err := s.Lease(ctx, "poll:{abc}", time.Minute)
			if err != nil {
				t.Fatalf("Lease after Release = %v, want it free at once", err)
			}
			c.Release(ctx)
			if lost(a) {
				t.Error("Release closed Lost")
			}
		})
	}
}

// TestLeaseRenewed holds a short lease for several TTLs: the renewal keeps
// it, and keeps others out.
func TestLeaseRenewed(t *testing.T) {
	const ttl = 300 * time.Millisecond
	s, l := heldLease(t, "poll:{renew}", ttl)
	ctx := t.Context()
	for range 4 {
		time.Sleep(ttl / 2)
		if _, err := s.Lease(ctx, "poll:{renew}", ttl); !errors.Is(err, ErrLeaseHeld) {
			t.Fatalf("Lease while held = %v, want ErrLeaseHeld", err)
		}
	}
	if lost(l) {
		t.Fatal("lease lost while Redis was up")
	}
}

// TestLeaseLost deletes the key behind the owner's back, then lets another
// owner take it: Lost closes, and the first owner's Release leaves the new
// owner's key alone.
func TestLeaseLost(t *testing.T) {
	const ttl = 150 * time.Millisecond
	s, l := vanishedLease(t, "poll:{lost}", ttl)
	ctx := t.Context()
	other, err := s.Lease(ctx, "poll:{lost}", time.Minute)
	if err != nil {
		t.Fatalf("Lease after the key went: %v", err)
	}
	select {
	case <-l.Lost():
	case <-time.After(2 * ttl):
		t.Fatal("Lost not closed within two TTLs of the key's deletion")
	}
	if err := l.Release(ctx); err != nil {
		t.Fatal(err)
	}
	if got, err := s.c.Get(ctx, l.key).Result(); err != nil || got != other.owner {
		t.Errorf("after the old owner's Release the key holds %q (%v), want the new owner's", got, err)
	}
	other.Release(ctx)
}

// TestLeaseLostWhenRedisDown closes the client under the renewal: with no
// renewal possible before the expiry, the lease counts as lost.
func TestLeaseLostWhenRedisDown(t *testing.T) {
	s := newStore(t, Options{Timeout: 50 * time.Millisecond})
	const ttl = 150 * time.Millisecond
	l := mustLease(t, s, "poll:{down}", ttl)
	s.Close()
	select {
	case <-l.Lost():
	case <-time.After(2 * ttl):
		t.Fatal("Lost not closed within two TTLs of Redis going away")
	}
	if err := l.Release(t.Context()); err == nil {
		t.Error("Release on a closed client reported no error")
	}
}

func TestLeaseArguments(t *testing.T) {
	s := newStore(t, Options{})
	if _, err := s.Lease(t.Context(), "", time.Second); err == nil {
		t.Error("empty name accepted")
	}
	if _, err := s.Lease(t.Context(), "x", time.Millisecond); err == nil {
		t.Error("1 ms TTL accepted")
	}
}

// TestLeaseTakenBackAfterEmptied deletes the lease key, as a Redis
// restarted without its data does, with no one else waiting for it: the
// renewal takes it back, and the lease is not lost.
func TestLeaseTakenBackAfterEmptied(t *testing.T) {
	const ttl = 150 * time.Millisecond
	s, l := vanishedLease(t, "poll:{emptied}", ttl)
	ctx := t.Context()
	for deadline := time.Now().Add(5 * time.Second); ; time.Sleep(10 * time.Millisecond) {
		if got, _ := s.c.Get(ctx, l.key).Result(); got == l.owner {
			break
		}
		if time.Now().After(deadline) {
			t.Fatal("the renewal did not take the emptied key back")
		}
	}
	if lost(l) {
		t.Fatal("lease lost though no one else took it")
	}
	if _, err := s.Lease(ctx, "poll:{emptied}", ttl); !errors.Is(err, ErrLeaseHeld) {
		t.Errorf("Lease by another = %v, want ErrLeaseHeld", err)
	}
}

// heldLease opens a store of the test's own and takes the lease name for
// ttl on it, released when the test ends (a second Release is a no-op).
func heldLease(t *testing.T, name string, ttl time.Duration) (*Store, *Lease) {
	t.Helper()
	s := newStore(t, Options{})
	l := mustLease(t, s, name, ttl)
	t.Cleanup(func() { l.Release(context.Background()) })
	return s, l
}

// vanishedLease is heldLease, whose key is then deleted behind the
// owner's back (an operator, or a Redis restarted without its data).
func vanishedLease(t *testing.T, name string, ttl time.Duration) (*Store, *Lease) {
	t.Helper()
	s, l := heldLease(t, name, ttl)
	if err := s.c.Del(t.Context(), l.key).Err(); err != nil {
		t.Fatal(err)
	}
	return s, l
}

// mustLease takes the lease name for ttl, failing the test if it cannot.
func mustLease(t *testing.T, s *Store, name string, ttl time.Duration) *Lease {
	t.Helper()
	l, err := s.Lease(t.Context(), name, ttl)
	if err != nil {
		t.Fatal(err)
	}
	return l
}

// lost reports whether l's Lost is closed already.
func lost(l *Lease) bool {
	select {
	case <-l.Lost():
		return true
	default:
		return false
	}
}
