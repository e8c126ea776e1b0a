package memory

import (
	"context"
	"errors"
	"strconv"
	"testing"
	"time"

	"github.com/secours/secours/flows"
	"github.com/secours/secours/internal/testkit"
)

// clocked is a Store with session TTL ttl on a fake clock, which the
// test moves.
func clocked(ttl time.Duration) (*Store, *testkit.Clock) {
	c := testkit.NewClock(time.Date(2026, 3, 1, 12, 0, 0, 0, time.UTC))
	return New(ttl, c.Now), c
}

// saveNew saves a fresh session for id at now, as the first message of a
// chat does.
func saveNew(t *testing.T, s *Store, id flows.ChatID, now time.Time) {
	t.Helper()
	if err := s.Save(t.Context(), flows.NewSession(id, now)); err != nil {
		t.Fatalf("Save(new %s): %v", id, err)
	}
}

func TestExpiry(t *testing.T) {
	ctx := t.Context()
	s, c := clocked(time.Hour)
	const id = flows.ChatID("tg:1")

	saveNew(t, s, id, c.Now())
	c.Add(50 * time.Minute)
	got, err := s.Load(ctx, id)
	if err != nil {
		t.Fatalf("Load before TTL: %v", err)
	}
	// Save refreshes the TTL: 50 more minutes (100 since the first Save)
	// are within an hour of the second Save.
	if err := s.Save(ctx, got); err != nil {
		t.Fatal(err)
	}
	c.Add(50 * time.Minute)
	if _, err := s.Load(ctx, id); err != nil {
		t.Fatalf("Load 50 min after a refreshing Save: %v", err)
	}
	c.Add(10 * time.Minute)
	if _, err := s.Load(ctx, id); !errors.Is(err, flows.ErrNoSession) {
		t.Fatalf("Load at TTL: error = %v, want ErrNoSession", err)
	}
	// An expired session is no session: a fresh one saves at revision 0.
	if err := s.Save(ctx, flows.NewSession(id, c.Now())); err != nil {
		t.Fatalf("Save(rev 0) after expiry: %v", err)
	}
}

func TestExpiredSavedOver(t *testing.T) {
	ctx := t.Context()
	s, c := clocked(time.Minute)
	const id = flows.ChatID("tg:2")
	saveNew(t, s, id, c.Now())
	stale, err := s.Load(ctx, id)
	if err != nil {
		t.Fatal(err)
	}
	c.Add(time.Minute)
	// Without loading: the expired entry is still in the map, and a save at
	// its old revision must not bring it back to life.
	if err := s.Save(ctx, stale); !errors.Is(err, flows.ErrConflict) {
		t.Errorf("Save(rev 1) over an expired session: error = %v, want ErrConflict", err)
	}
}

func TestNoTTL(t *testing.T) {
	ctx := t.Context()
	s, c := clocked(0)
	saveNew(t, s, "cli:1", c.Now())
	c.Add(10 * 365 * 24 * time.Hour)
	if _, err := s.Load(ctx, "cli:1"); err != nil {
		t.Errorf("Load with ttl 0 after 10 years: %v", err)
	}
}

// TestSweep checks that expired sessions that are never loaded again do
// not stay in memory: each Save reaps a few.
func TestSweep(t *testing.T) {
	s, c := clocked(time.Minute)
	const n = 200
	for i := range n {
		saveNew(t, s, flows.ChatID("tg:old"+strconv.Itoa(i)), c.Now())
	}
	c.Add(time.Hour)
	for i := range n {
		saveNew(t, s, flows.ChatID("tg:new"+strconv.Itoa(i)), c.Now())
	}
	// Each Save examines sweepBatch random entries, so the expired ones
	// fall geometrically; the bound leaves room for chance.
	if got := s.len(); got > n+n/4 {
		t.Errorf("after %d Saves past the TTL, %d entries remain, want at most %d (expired ones are swept)", n, got, n+n/4)
	}
}

func TestCanceledContext(t *testing.T) {
	s := New(time.Hour, nil)
	ctx, cancel := context.WithCancel(t.Context())
	cancel()
	if err := s.Save(ctx, flows.NewSession("tg:1", time.Now())); !errors.Is(err, context.Canceled) {
		t.Errorf("Save(canceled ctx) error = %v, want context.Canceled", err)
	}
	if _, err := s.Load(ctx, "tg:1"); !errors.Is(err, context.Canceled) {
		t.Errorf("Load(canceled ctx) error = %v, want context.Canceled", err)
	}
	if err := s.Delete(ctx, "tg:1"); !errors.Is(err, context.Canceled) {
		t.Errorf("Delete(canceled ctx) error = %v, want context.Canceled", err)
	}
}
