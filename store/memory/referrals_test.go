package memory

import (
	"strconv"
	"testing"
	"time"

	"github.com/secours/secours/flows"
)

// TestTokenSweep checks that expired tokens and link codes that are never
// looked up again do not stay in memory: each add reaps a few.
func TestTokenSweep(t *testing.T) {
	ctx := t.Context()
	s, c := clocked(time.Hour)
	const n = 200
	// add gives n tokens and n link codes a minute to live.
	add := func(prefix string) {
		for i := range n {
			k := prefix + strconv.Itoa(i)
			if err := s.AddToken(ctx, "p", k, c.Now().Add(time.Minute)); err != nil {
				t.Fatal(err)
			}
			if err := s.AddLinkCode(ctx, k, "p", c.Now().Add(time.Minute)); err != nil {
				t.Fatal(err)
			}
		}
	}
	add("old")
	c.Add(time.Hour)
	add("new")
	s.rmu.Lock()
	tokens, codes := len(s.tokens), len(s.codes)
	s.rmu.Unlock()
	// As in TestSweep: the expired ones fall geometrically.
	if tokens > n+n/4 || codes > n+n/4 {
		t.Errorf("after %d adds past expiry, %d tokens and %d codes remain, want at most %d each", n, tokens, codes, n+n/4)
	}
}

// TestReferralIndexesEmptied checks that places and chats whose referrals
// are gone leave no empty sets behind.
func TestReferralIndexesEmptied(t *testing.T) {
	ctx := t.Context()
	s := New(time.Hour, nil)
	now := time.Date(2026, 3, 1, 12, 0, 0, 0, time.UTC)
	for i := range 10 {
		r := flows.Referral{V: flows.ReferralVersion, ID: "r" + strconv.Itoa(i), Place: "p" + strconv.Itoa(i%3),
			Chat: flows.ChatID("tg:" + strconv.Itoa(i%4)), Created: now, DueAt: now}
		if err := s.CreateReferral(ctx, r); err != nil {
			t.Fatal(err)
		}
	}
	for i := range 5 {
		if _, err := s.UpdateReferral(ctx, "r"+strconv.Itoa(i), func(r *flows.Referral) error { r.Scrub(); return nil }); err != nil {
			t.Fatal(err)
		}
	}
	for i := range 10 {
		if err := s.DeleteReferral(ctx, "r"+strconv.Itoa(i)); err != nil {
			t.Fatal(err)
		}
	}
	s.rmu.Lock()
	defer s.rmu.Unlock()
	if len(s.refs) != 0 || len(s.byPlace) != 0 || len(s.byChat) != 0 {
		t.Errorf("after deleting every referral: %d referrals, %d places, %d chats; want none", len(s.refs), len(s.byPlace), len(s.byChat))
	}
}
