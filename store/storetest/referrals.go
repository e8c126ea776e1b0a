package storetest

import (
	"context"
	"errors"
	"reflect"
	"slices"
	"testing"
	"time"

	"github.com/secours/secours/flows"
	"github.com/secours/secours/referral"
)

// ReferralStores is one backend's referral.Store and
// flows.StructureStore, empty, with the hooks RunReferrals needs.
type ReferralStores struct {
	Referrals  referral.Store
	Structures flows.StructureStore
	// Now is the clock that token and link code expiry is measured
	// against: the store's own (memory.New's now, redis.Options.Now), a
	// fake one. For Redis it starts at the real time, by which the server
	// expires keys.
	Now func() time.Time
	// Advance moves Now forward by d; required.
	Advance func(d time.Duration)
	// Corrupt replaces the stored value of the existing referral id with
	// raw, keeping its revision and its index entries, as a bug or an
	// older release might have left it.
	Corrupt func(t *testing.T, id string, raw []byte)
}

// RunReferrals runs the contract of referral.Store and
// flows.StructureStore against the stores newStores returns. newStores is
// called once per subtest and returns empty stores of their own (for
// Redis: their own key prefix, cleaned up by t.Cleanup).
//
// Beyond the interfaces' doc comments, the suite fixes these choices, which
// both stores make:
//   - CreateReferral refuses an empty ID or a V other than
//     flows.ReferralVersion (the value could never be read back).
//   - UpdateReferral refuses an fn that changes the ID, and saves nothing.
//   - Referrals leaves out a referral that does not decode and returns the
//     others with an error wrapping flows.ErrCorruptReferral.
//   - DueReferrals, like Referrals, takes limit 0 as "all".
//   - The empty token hash and the empty link code are never found, and
//     cannot be added.
//   - A link code with a zero expiry lasts until used.
func RunReferrals(t *testing.T, newStores func(t *testing.T) ReferralStores) {
	runCases(t, newStores, []contractCase[ReferralStores]{
		{"RoundTrip", testRefRoundTrip},
		{"Missing", testRefMissing},
		{"CreateInvalid", testRefCreateInvalid},
		{"CreateIdempotent", testRefCreateIdempotent},
		{"Update", testRefUpdate},
		{"UpdateFnError", testRefUpdateFnError},
		{"UpdateConcurrent", testRefUpdateConcurrent},
		{"UpdateFnReadsStore", testRefUpdateFnReadsStore},
		{"ListByPlace", testRefListByPlace},
		{"ChatIndex", testRefChatIndex},
		{"Due", testRefDue},
		{"Delete", testRefDelete},
		{"Corrupt", testRefCorrupt},
		{"Tokens", testTokens},
		{"TokenExpiry", testTokenExpiry},
		{"LinkCodes", testLinkCodes},
		{"StructureChat", testStructureChat},
		{"Canceled", testRefCanceled},
	})
}

// fullReferral returns a referral with every field set. Its times carry
// nanoseconds and two zones, so that a store which loses either fails.
func fullReferral(id, place string, chat flows.ChatID, now time.Time) flows.Referral {
	brussels := time.FixedZone("CET", 3600)
	created := now.Add(-time.Hour)
	return flows.Referral{
		V:             flows.ReferralVersion,
		ID:            id,
		Rev:           7, // the store sets it
		Place:         place,
		Next:          []string{"be-cpas-1060", "be-asbl-0917"},
		Lang:          flows.FR,
		Country:       "BE",
		Postcode:      "1060",
		Area:          "BE:Saint-Gilles",
		SharedBy:      "be-cpas-1060",
		Need:          "procedure",
		Profile:       "besoin_accompagnement",
		Why:           "why.near",
		Confidence:    "high",
		Aidant:        true,
		ConsentBy:     "aidant_for_person",
		ConsentAt:     created.Add(-time.Minute).In(brussels),
		Contact:       flows.ContactPhone,
		ContactAidant: true,
		Phone:         "+32470123456",
		Chat:          chat,
		Status:        flows.StatusAccepted,
		Reason:        "none yet",
		Created:       created,
		Updated:       now.In(brussels),
		History: []flows.Change{
			{At: created, Status: flows.StatusSent, Actor: flows.ActorPerson},
			{At: now.Add(-time.Minute), Status: flows.StatusSeen, Actor: flows.ActorStructure},
			{At: now, Status: flows.StatusAccepted, Actor: flows.ActorStructure, Reason: "r"},
		},
		Thread: []flows.Note{
			{At: now.Add(-30 * time.Second).In(brussels), From: flows.ActorStructure, Text: "Bonjour, « rendez-vous » mardi ?"},
			{At: now, From: flows.ActorPerson, Text: "Oui, merci 🙏"},
		},
		Delivery: flows.Delivery{
			Queue:    []string{flows.MailReply},
			Attempts: 2,
			Next:     now.Add(5 * time.Minute),
			Err:      "smtp: 451",
			Sent:     1,
			Last:     created.Add(time.Second),
		},
		Reminded:    created.Add(72 * time.Hour),
		Unreachable: true,
		DueAt:       now.Add(5 * time.Minute),
	}
}

// simpleReferral is a referral with what the indexes use.
func simpleReferral(id, place string, chat flows.ChatID, created, due time.Time) flows.Referral {
	return flows.Referral{
		V: flows.ReferralVersion, ID: id, Place: place, Chat: chat, Lang: flows.NL,
		Status: flows.StatusSent, Created: created, Updated: created, DueAt: due,
		History: []flows.Change{{At: created, Status: flows.StatusSent, Actor: flows.ActorPerson}},
	}
}

// sameReferral reports whether a and b are equal, their times compared
// with Equal: a store keeps the instant, not necessarily the zone.
func sameReferral(a, b flows.Referral) bool {
	return reflect.DeepEqual(inUTC(a), inUTC(b))
}

func inUTC(r flows.Referral) flows.Referral {
	r.ConsentAt, r.Created, r.Updated = r.ConsentAt.UTC(), r.Created.UTC(), r.Updated.UTC()
	r.Reminded, r.DueAt = r.Reminded.UTC(), r.DueAt.UTC()
	r.Delivery.Next, r.Delivery.Last = r.Delivery.Next.UTC(), r.Delivery.Last.UTC()
	r.History = slices.Clone(r.History)
	for i := range r.History {
		r.History[i].At = r.History[i].At.UTC()
	}
	r.Thread = slices.Clone(r.Thread)
	for i := range r.Thread {
		r.Thread[i].At = r.Thread[i].At.UTC()
	}
	return r
}

// checkAllSet fails if a field of r, or of r.Delivery, is zero: a field
// added to flows.Referral must be added to fullReferral to be tested.
func checkAllSet(t *testing.T, r flows.Referral) {
	t.Helper()
	for _, v := range []reflect.Value{reflect.ValueOf(r), reflect.ValueOf(r.Delivery)} {
		for i := range v.NumField() {
			if v.Field(i).IsZero() {
				t.Errorf("fullReferral leaves %s.%s zero: set it, so that the round trip covers it", v.Type().Name(), v.Type().Field(i).Name)
			}
		}
	}
}

func mustCreate(t *testing.T, st referral.Store, r flows.Referral) {
	t.Helper()
	if err := st.CreateReferral(t.Context(), r); err != nil {
		t.Fatalf("CreateReferral(%s) error = %v", r.ID, err)
	}
}

func mustReferral(t *testing.T, st referral.Store, id string) flows.Referral {
	t.Helper()
	r, err := st.Referral(t.Context(), id)
	if err != nil {
		t.Fatalf("Referral(%s) error = %v", id, err)
	}
	return r
}

func mustUpdate(t *testing.T, st referral.Store, id string, fn func(*flows.Referral)) flows.Referral {
	t.Helper()
	r, err := st.UpdateReferral(t.Context(), id, func(r *flows.Referral) error { fn(r); return nil })
	if err != nil {
		t.Fatalf("UpdateReferral(%s) error = %v", id, err)
	}
	return r
}

// ids returns the ids of rs, in order.
func ids(rs []flows.Referral) []string {
	out := make([]string, len(rs))
	for i, r := range rs {
		out[i] = r.ID
	}
	return out
}

func checkPlace(t *testing.T, st referral.Store, place string, limit int, want ...string) {
	t.Helper()
	rs, err := st.Referrals(t.Context(), place, limit)
	if err != nil {
		t.Errorf("Referrals(%s, %d) error = %v", place, limit, err)
	}
	if got := ids(rs); !slices.Equal(got, want) {
		t.Errorf("Referrals(%s, %d) = %q, want %q", place, limit, got, want)
	}
}

// checkChat compares as sets: the contract does not order ChatReferrals.
func checkChat(t *testing.T, st referral.Store, chat flows.ChatID, want ...string) {
	t.Helper()
	got, err := st.ChatReferrals(t.Context(), chat)
	if err != nil {
		t.Errorf("ChatReferrals(%s) error = %v", chat, err)
	}
	got = slices.Sorted(slices.Values(got))
	want = slices.Sorted(slices.Values(want))
	if !slices.Equal(got, want) {
		t.Errorf("ChatReferrals(%s) = %q, want %q", chat, got, want)
	}
}

func checkDue(t *testing.T, st referral.Store, now time.Time, limit int, want ...string) {
	t.Helper()
	got, err := st.DueReferrals(t.Context(), now, limit)
	if err != nil {
		t.Errorf("DueReferrals(%v, %d) error = %v", now, limit, err)
	}
	if !slices.Equal(got, want) {
		t.Errorf("DueReferrals(%v, %d) = %q, want %q", now, limit, got, want)
	}
}

func testRefCanceled(t *testing.T, st ReferralStores) {
	now := fixedNow()
	mustCreate(t, st.Referrals, simpleReferral("r1", "p", "tg:1", now, now))
	ctx, cancel := context.WithCancel(t.Context())
	cancel()
	rs, ss := st.Referrals, st.Structures
	called := false
	for name, fn := range map[string]func() error{
		"CreateReferral": func() error { return rs.CreateReferral(ctx, simpleReferral("r2", "p", "tg:1", now, now)) },
		"Referral":       func() error { _, err := rs.Referral(ctx, "r1"); return err },
		"UpdateReferral": func() error {
			_, err := rs.UpdateReferral(ctx, "r1", func(*flows.Referral) error { called = true; return nil })
			return err
		},
		"Referrals":        func() error { _, err := rs.Referrals(ctx, "p", 0); return err },
		"ChatReferrals":    func() error { _, err := rs.ChatReferrals(ctx, "tg:1"); return err },
		"DueReferrals":     func() error { _, err := rs.DueReferrals(ctx, now, 0); return err },
		"DeleteReferral":   func() error { return rs.DeleteReferral(ctx, "r1") },
		"AddToken":         func() error { return ss.AddToken(ctx, "p", "h", time.Time{}) },
		"TokenPlace":       func() error { _, err := ss.TokenPlace(ctx, "h"); return err },
		"RevokeAccess":     func() error { return ss.RevokeAccess(ctx, "p") },
		"AddLinkCode":      func() error { return ss.AddLinkCode(ctx, "1", "p", time.Time{}) },
		"UseLinkCode":      func() error { _, err := ss.UseLinkCode(ctx, "1"); return err },
		"SetStructureChat": func() error { return ss.SetStructureChat(ctx, "p", flows.ChatLink{Chat: "tg:1"}) },
		"StructureChat":    func() error { _, err := ss.StructureChat(ctx, "p"); return err },
	} {
		if err := fn(); !errors.Is(err, context.Canceled) {
			t.Errorf("%s(canceled ctx) error = %v, want context.Canceled", name, err)
		}
	}
	if called {
		t.Error("UpdateReferral(canceled ctx) called fn")
	}
	// Nothing happened.
	if got := mustReferral(t, rs, "r1"); got.Rev != 1 {
		t.Errorf("Rev after canceled calls = %d, want 1", got.Rev)
	}
	if _, err := rs.Referral(t.Context(), "r2"); !errors.Is(err, flows.ErrNoReferral) {
		t.Errorf("Referral(r2) after a canceled create: error = %v, want ErrNoReferral", err)
	}
}
