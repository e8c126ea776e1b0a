package storetest

import (
	"errors"
	"fmt"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/secours/secours/flows"
)

// The cases of RunReferrals on a structure's access: page tokens and
// their expiry, one-time link codes, the linked chat.

func testTokens(t *testing.T, st ReferralStores) {
	ctx := t.Context()
	ss := st.Structures
	now := st.Now()
	add := func(place, hash string, exp time.Time) {
		t.Helper()
		if err := ss.AddToken(ctx, place, hash, exp); err != nil {
			t.Fatalf("AddToken(%s, %s) error = %v", place, hash, err)
		}
	}
	check := func(hash, want string) {
		t.Helper()
		checkFound(t, "TokenPlace("+hash+")", want)(ss.TokenPlace(ctx, hash))
	}
	add("place-a", "h1", now.Add(time.Hour))
	add("place-a", "h2", time.Time{})
	add("place-b", "h3", now.Add(time.Hour))
	add("place-a", "past", now.Add(-time.Second))
	add("place-a", "long-past", time.Unix(0, 0))
	check("h1", "place-a")
	check("h2", "place-a")
	check("h3", "place-b")
	check("past", "")
	check("long-past", "")
	check("unknown", "")
	check("", "")
	for _, bad := range [][2]string{{"", "h"}, {"p", ""}} {
		if err := ss.AddToken(ctx, bad[0], bad[1], time.Time{}); err == nil {
			t.Errorf("AddToken(%q, %q) error = nil, want one", bad[0], bad[1])
		}
	}
	check("", "")

	if err := ss.RevokeAccess(ctx, "place-a"); err != nil {
		t.Fatalf("RevokeAccess error = %v", err)
	}
	check("h1", "")
	check("h2", "")
	check("h3", "place-b")
	if err := ss.RevokeAccess(ctx, "no-such-place"); err != nil {
		t.Errorf("RevokeAccess(unknown place) error = %v", err)
	}
	// A new token after a revocation works.
	add("place-a", "h4", now.Add(time.Hour))
	check("h4", "place-a")
	check("h3", "place-b")
}

// testTokenExpiry moves the store's clock across the expiry of a token
// and of link codes. A second either side: Redis tells a key's expiry as
// its remaining time (PTTL), read over the network, so the store knows the
// instant to a reply's trip, not to the millisecond.
func testTokenExpiry(t *testing.T, st ReferralStores) {
	if st.Advance == nil {
		t.Fatal("ReferralStores.Advance is nil: expiry must be tested on every store")
	}
	ctx := t.Context()
	ss := st.Structures
	exp := st.Now().Add(time.Minute)
	if err := ss.AddToken(ctx, "p", "h", exp); err != nil {
		t.Fatal(err)
	}
	for _, code := range []string{"123456", "234567"} {
		if err := ss.AddLinkCode(ctx, code, "p", exp); err != nil {
			t.Fatal(err)
		}
	}
	st.Advance(time.Minute - time.Second)
	checkFound(t, "TokenPlace just before expiry", "p")(ss.TokenPlace(ctx, "h"))
	checkFound(t, "UseLinkCode just before expiry", "p")(ss.UseLinkCode(ctx, "123456"))
	st.Advance(2 * time.Second)
	checkFound(t, "TokenPlace after expiry", "")(ss.TokenPlace(ctx, "h"))
	checkFound(t, "UseLinkCode after expiry", "")(ss.UseLinkCode(ctx, "234567"))
	// A token without expiry outlives any clock.
	if err := ss.AddToken(ctx, "p", "forever", time.Time{}); err != nil {
		t.Fatal(err)
	}
	st.Advance(10 * 365 * 24 * time.Hour)
	checkFound(t, "TokenPlace(no expiry) after 10 years", "p")(ss.TokenPlace(ctx, "forever"))
}

func testLinkCodes(t *testing.T, st ReferralStores) {
	ctx := t.Context()
	ss := st.Structures
	now := st.Now()
	for code, place := range map[string]string{"111111": "place-a", "222222": "place-b", "333333": "place-a"} {
		if err := ss.AddLinkCode(ctx, code, place, now.Add(10*time.Minute)); err != nil {
			t.Fatalf("AddLinkCode(%s) error = %v", code, err)
		}
	}
	if err := ss.AddLinkCode(ctx, "444444", "place-a", now.Add(-time.Second)); err != nil {
		t.Fatalf("AddLinkCode(past) error = %v", err)
	}
	if err := ss.AddLinkCode(ctx, "555555", "place-c", time.Time{}); err != nil {
		t.Fatalf("AddLinkCode(no expiry) error = %v", err)
	}
	if err := ss.AddLinkCode(ctx, "", "place-a", now.Add(time.Hour)); err == nil {
		t.Error("AddLinkCode(empty code) error = nil, want one")
	}
	for _, tt := range []struct{ code, want string }{
		{"111111", "place-a"},
		{"111111", ""}, // one time only
		{"222222", "place-b"},
		{"444444", ""},
		{"555555", "place-c"},
		{"999999", ""},
		{"", ""},
	} {
		checkFound(t, fmt.Sprintf("UseLinkCode(%q)", tt.code), tt.want)(ss.UseLinkCode(ctx, tt.code))
	}
	// Codes are not tokens.
	checkFound(t, "TokenPlace(a link code)", "")(ss.TokenPlace(ctx, "333333"))
	// A revocation ends the place's unused codes too: one made on a page
	// the old link opened must not link a chat after it. Other places'
	// codes stay.
	if err := ss.AddLinkCode(ctx, "666666", "place-b", now.Add(10*time.Minute)); err != nil {
		t.Fatal(err)
	}
	if err := ss.RevokeAccess(ctx, "place-a"); err != nil {
		t.Fatal(err)
	}
	checkFound(t, "UseLinkCode after RevokeAccess", "")(ss.UseLinkCode(ctx, "333333"))
	checkFound(t, "UseLinkCode(another place's) after RevokeAccess", "place-b")(ss.UseLinkCode(ctx, "666666"))
	// A code made after the revocation works.
	if err := ss.AddLinkCode(ctx, "888888", "place-a", now.Add(10*time.Minute)); err != nil {
		t.Fatal(err)
	}
	checkFound(t, "UseLinkCode(new code) after RevokeAccess", "place-a")(ss.UseLinkCode(ctx, "888888"))
}

func testStructureChat(t *testing.T, st ReferralStores) {
	ctx := t.Context()
	ss := st.Structures
	now := st.Now()
	since := map[flows.ChatID]time.Time{}
	check := func(place string, want flows.ChatID) {
		t.Helper()
		got, err := ss.StructureChat(ctx, place)
		if err != nil || got.Chat != want || !got.Since.Equal(since[want]) {
			t.Errorf("StructureChat(%s) = %q since %v, %v; want %q since %v", place, got.Chat, got.Since, err, want, since[want])
		}
	}
	set := func(place string, chat flows.ChatID) {
		t.Helper()
		if chat != "" {
			since[chat] = now.Add(-time.Duration(len(since)+1) * time.Hour).Truncate(time.Millisecond)
		}
		if err := ss.SetStructureChat(ctx, place, flows.ChatLink{Chat: chat, Since: since[chat]}); err != nil {
			t.Fatalf("SetStructureChat(%s) error = %v", place, err)
		}
	}
	check("a", "")
	set("a", "tg:1")
	set("b", "wa:32470000001")
	check("a", "tg:1")
	check("b", "wa:32470000001")
	set("a", "tg:2")
	check("a", "tg:2")
	set("a", "")
	check("a", "")
	check("b", "wa:32470000001")
	set("never-linked", "")
	check("never-linked", "")

	// A revocation unlinks the place's chat, and only that place's.
	set("a", "tg:3")
	if err := ss.RevokeAccess(ctx, "a"); err != nil {
		t.Fatal(err)
	}
	check("a", "")
	check("b", "wa:32470000001")

	// Of several chats using the same code at once, exactly one gets it.
	if err := ss.AddLinkCode(ctx, "777777", "c", now.Add(time.Minute)); err != nil {
		t.Fatal(err)
	}
	var won atomic.Int64
	var wg sync.WaitGroup
	for range 10 {
		wg.Go(func() {
			place, err := ss.UseLinkCode(ctx, "777777")
			switch {
			case err == nil && place == "c":
				won.Add(1)
			case !errors.Is(err, flows.ErrNoToken):
				t.Errorf("UseLinkCode = %q, %v", place, err)
			}
		})
	}
	wg.Wait()
	if won.Load() != 1 {
		t.Errorf("%d of 10 concurrent UseLinkCode got the place, want 1", won.Load())
	}
}

// checkFound returns a check of a TokenPlace or UseLinkCode result, call:
// the place want, or flows.ErrNoToken when want is "".
func checkFound(t *testing.T, call, want string) func(got string, err error) {
	t.Helper()
	return func(got string, err error) {
		t.Helper()
		switch {
		case want == "" && !errors.Is(err, flows.ErrNoToken):
			t.Errorf("%s = %q, %v; want ErrNoToken", call, got, err)
		case want != "" && (err != nil || got != want):
			t.Errorf("%s = %q, %v; want %q", call, got, err, want)
		}
	}
}
