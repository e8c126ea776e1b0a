package redis

import (
	"slices"
	"testing"

	"github.com/secours/secours/flows"
)

// TestStatsRoundTrips checks that a tally is one round trip, atomic, and
// that a year of counts is one round trip too.
func TestStatsRoundTrips(t *testing.T) {
	ctx := t.Context()
	s := newStore(t, Options{})
	h := &countHook{}
	s.c.AddHook(h)

	tl := flows.Tally{Month: "2026-03", Area: "BE:Antwerpen", Counts: map[string]int{
		flows.MetricFinished: 1, flows.MetricProfile + "autonome": 1, flows.MetricNeed + "job": 1, flows.MetricAidant: 1}}
	if err := s.Record(ctx, tl); err != nil {
		t.Fatal(err)
	}
	trips := h.take()
	want := []string{"multi", "hincrby", "hincrby", "hincrby", "hincrby", "exec"}
	if len(trips) != 1 || !slices.Equal(trips[0], want) {
		t.Errorf("Record made round trips %q, want one: %q", trips, want)
	}
	if err := s.Record(ctx, flows.Tally{Month: "2026-03", Area: "BE:Gent"}); err != nil {
		t.Fatal(err)
	}
	if trips := h.take(); len(trips) != 0 {
		t.Errorf("an empty tally made round trips %q, want none", trips)
	}

	if _, err := s.Counts(ctx, "2025-04", "2026-03"); err != nil {
		t.Fatal(err)
	}
	trips = h.take()
	if len(trips) != 1 || len(trips[0]) != 12 {
		t.Errorf("Counts of 12 months made round trips %q, want one of 12 HGETALL", trips)
	}
}

// TestStatsKeyLayout checks the documented keys and fields, and that
// they never expire: they are aggregates, with no personal data.
func TestStatsKeyLayout(t *testing.T) {
	ctx := t.Context()
	s := newStore(t, Options{})
	if got, want := (&Store{prefix: "secours"}).statsKey("2026-03"), "secours:obs:{2026-03}"; got != want {
		t.Errorf("statsKey = %q, want %q", got, want)
	}
	if err := s.Record(ctx, flows.Tally{Month: "2026-03", Area: "FR:Lille", Counts: map[string]int{flows.MetricRefSent: 2}}); err != nil {
		t.Fatal(err)
	}
	got, err := s.c.HGetAll(ctx, s.statsKey("2026-03")).Result()
	if err != nil {
		t.Fatal(err)
	}
	if len(got) != 1 || got["FR:Lille|ref.sent"] != "2" {
		t.Errorf("hash = %v, want FR:Lille|ref.sent: 2", got)
	}
	if d, err := s.c.PTTL(ctx, s.statsKey("2026-03")).Result(); err != nil || d != -1 {
		t.Errorf("PTTL = %v, %v; want -1 (no expiry)", d, err)
	}
}

// TestStatsUnreadable checks that a field another program wrote is an
// error, not a wrong count.
func TestStatsUnreadable(t *testing.T) {
	ctx := t.Context()
	s := newStore(t, Options{})
	if err := s.c.HSet(ctx, s.statsKey("2026-03"), "nobar", "1").Err(); err != nil {
		t.Fatal(err)
	}
	if cells, err := s.Counts(ctx, "2026-03", "2026-03"); err == nil {
		t.Errorf("Counts over a foreign field = %v, nil; want an error", cells)
	}
}
