package storetest

import (
	"context"
	"errors"
	"fmt"
	"reflect"
	"slices"
	"strconv"
	"sync"
	"sync/atomic"
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
	tests := []struct {
		name string
		fn   func(t *testing.T, st ReferralStores)
	}{
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
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			tt.fn(t, newStores(t))
		})
	}
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

func testRefRoundTrip(t *testing.T, st ReferralStores) {
	now := fixedNow()
	rs := st.Referrals
	for _, chat := range []flows.ChatID{"tg:812345678", "wa:32470123456", "cli:local"} {
		id := "ref-" + string(chat)
		want := fullReferral(id, "be-epn-0142", chat, now)
		mustCreate(t, rs, want)
		want.Rev = 1
		checkAllSet(t, want)
		got := mustReferral(t, rs, id)
		if !sameReferral(got, want) {
			t.Errorf("Referral(%s) =\n%+v\nwant\n%+v", id, got, want)
		}
		// The stored value is not the caller's: changing what was read
		// changes nothing.
		got.Thread[0].Text = "changed"
		got.History[0].Status = flows.StatusClosed
		got.Next[0] = "changed"
		if again := mustReferral(t, rs, id); !sameReferral(again, want) {
			t.Errorf("changing a read Referral changed the stored one:\n%+v\nwant\n%+v", again, want)
		}
		listed, err := rs.Referrals(t.Context(), "be-epn-0142", 1)
		if err != nil || len(listed) != 1 || !sameReferral(listed[0], mustReferral(t, rs, listed[0].ID)) {
			t.Errorf("Referrals(place, 1) = %+v, %v; want the newest, as Referral reads it", listed, err)
		}
	}
}

func testRefMissing(t *testing.T, st ReferralStores) {
	ctx := t.Context()
	if _, err := st.Referrals.Referral(ctx, "no-such-id"); !errors.Is(err, flows.ErrNoReferral) {
		t.Errorf("Referral(missing) error = %v, want ErrNoReferral", err)
	}
	called := false
	_, err := st.Referrals.UpdateReferral(ctx, "no-such-id", func(*flows.Referral) error { called = true; return nil })
	if !errors.Is(err, flows.ErrNoReferral) {
		t.Errorf("UpdateReferral(missing) error = %v, want ErrNoReferral", err)
	}
	if called {
		t.Error("UpdateReferral(missing) called fn")
	}
	checkPlace(t, st.Referrals, "no-such-place", 0)
	checkChat(t, st.Referrals, "tg:404")
	checkDue(t, st.Referrals, fixedNow(), 0)
}

func testRefCreateInvalid(t *testing.T, st ReferralStores) {
	now := fixedNow()
	noID := simpleReferral("", "p", "tg:1", now, now)
	noV := simpleReferral("r1", "p", "tg:1", now, now)
	noV.V = 0
	for name, r := range map[string]flows.Referral{"empty id": noID, "version 0": noV} {
		if err := st.Referrals.CreateReferral(t.Context(), r); err == nil {
			t.Errorf("CreateReferral(%s) error = nil, want one", name)
		}
	}
	checkPlace(t, st.Referrals, "p", 0)
	checkChat(t, st.Referrals, "tg:1")
	checkDue(t, st.Referrals, now, 0)
}

// testRefCreateIdempotent is a step retried after its referral was
// created: the second create changes nothing, not even the indexes after
// the first referral moved on.
func testRefCreateIdempotent(t *testing.T, st ReferralStores) {
	now := fixedNow()
	rs := st.Referrals
	const chat = flows.ChatID("wa:32470000001")
	r := simpleReferral("r1", "p", chat, now, now.Add(time.Hour))
	mustCreate(t, rs, r)
	want := mustReferral(t, rs, "r1")

	again := r
	again.Need = "job"
	again.Created = now.Add(time.Minute)
	again.DueAt = now.Add(2 * time.Hour)
	if err := rs.CreateReferral(t.Context(), again); err != nil {
		t.Fatalf("CreateReferral(existing id) error = %v, want nil", err)
	}
	if got := mustReferral(t, rs, "r1"); !sameReferral(got, want) {
		t.Errorf("after a second create, Referral =\n%+v\nwant the first\n%+v", got, want)
	}
	checkPlace(t, rs, "p", 0, "r1")
	checkChat(t, rs, chat, "r1")
	checkDue(t, rs, now.Add(time.Hour), 0, "r1")

	// The person withdraws; then the old step is retried once more.
	mustUpdate(t, rs, "r1", func(r *flows.Referral) { r.Scrub(); r.DueAt = time.Time{} })
	if err := rs.CreateReferral(t.Context(), r); err != nil {
		t.Fatalf("CreateReferral(existing id, after an update) error = %v, want nil", err)
	}
	got := mustReferral(t, rs, "r1")
	if got.Rev != 2 || got.Chat != "" {
		t.Errorf("after a create over an updated referral: Rev %d, Chat %q; want 2, empty", got.Rev, got.Chat)
	}
	checkPlace(t, rs, "p", 0, "r1")
	checkChat(t, rs, chat)
	checkDue(t, rs, now.Add(24*time.Hour), 0)
}

func testRefUpdate(t *testing.T, st ReferralStores) {
	now := fixedNow()
	rs := st.Referrals
	mustCreate(t, rs, fullReferral("r1", "p", "tg:1", now))
	for rev := int64(2); rev <= 4; rev++ {
		var seen int64
		got := mustUpdate(t, rs, "r1", func(r *flows.Referral) {
			seen = r.Rev
			r.AddNote(flows.ActorPerson, "note "+strconv.FormatInt(rev, 10), now)
		})
		if seen != rev-1 {
			t.Errorf("fn saw Rev %d, want %d (the stored one)", seen, rev-1)
		}
		if got.Rev != rev {
			t.Errorf("UpdateReferral returned Rev %d, want %d", got.Rev, rev)
		}
		if stored := mustReferral(t, rs, "r1"); !sameReferral(stored, got) {
			t.Errorf("Referral after update =\n%+v\nwant what UpdateReferral returned\n%+v", stored, got)
		}
	}
	// A Rev that fn sets is not the store's.
	got := mustUpdate(t, rs, "r1", func(r *flows.Referral) { r.Rev = 100 })
	if got.Rev != 5 || mustReferral(t, rs, "r1").Rev != 5 {
		t.Errorf("after fn set Rev 100: Rev = %d, want 5", got.Rev)
	}
	// A transition, as the engine makes them.
	got = mustUpdate(t, rs, "r1", func(r *flows.Referral) {
		if _, err := r.Transition(flows.StatusContacted, flows.ActorStructure, "", now); err != nil {
			t.Error(err)
		}
	})
	if got.Status != flows.StatusContacted || mustReferral(t, rs, "r1").Status != flows.StatusContacted {
		t.Errorf("status after Transition = %s, want contacted", got.Status)
	}
}

type fnError struct{ code int }

func (e *fnError) Error() string { return "fn error " + strconv.Itoa(e.code) }

func testRefUpdateFnError(t *testing.T, st ReferralStores) {
	now := fixedNow()
	rs := st.Referrals
	mustCreate(t, rs, fullReferral("r1", "p", "tg:1", now))
	want := mustReferral(t, rs, "r1")

	errStop := errors.New("stop")
	for _, fnErr := range []error{errStop, &fnError{code: 7}, &flows.TransitionError{From: flows.StatusClosed, To: flows.StatusSeen}} {
		_, err := rs.UpdateReferral(t.Context(), "r1", func(r *flows.Referral) error {
			r.Scrub()
			r.DueAt = time.Time{}
			return fnErr
		})
		// "Returned as is": the same error, not wrapped in more text.
		if !errors.Is(err, fnErr) || err.Error() != fnErr.Error() {
			t.Errorf("UpdateReferral error = %v, want fn's error %v as is", err, fnErr)
		}
	}
	// And it still works through errors.Is and errors.AsType.
	_, err := rs.UpdateReferral(t.Context(), "r1", func(r *flows.Referral) error {
		_, err := r.Transition(flows.StatusSent, flows.ActorBot, "", now)
		return err
	})
	if !errors.Is(err, flows.ErrTransition) {
		t.Errorf("UpdateReferral(fn failing a transition) error = %v, want ErrTransition", err)
	}
	if te, ok := errors.AsType[*flows.TransitionError](err); !ok || te.From != flows.StatusAccepted {
		t.Errorf("UpdateReferral error = %v, want a *TransitionError from accepted", err)
	}

	_, err = rs.UpdateReferral(t.Context(), "r1", func(r *flows.Referral) error { r.ID = "r2"; return nil })
	if err == nil {
		t.Error("UpdateReferral(fn changes the ID) error = nil, want one")
	}
	if _, err := rs.Referral(t.Context(), "r2"); !errors.Is(err, flows.ErrNoReferral) {
		t.Errorf("Referral(r2) after fn changed the ID: error = %v, want ErrNoReferral", err)
	}

	if got := mustReferral(t, rs, "r1"); !sameReferral(got, want) {
		t.Errorf("after failed updates Referral =\n%+v\nwant unchanged\n%+v", got, want)
	}
	checkChat(t, rs, "tg:1", "r1")
	checkDue(t, rs, want.DueAt, 0, "r1")
}

// testRefUpdateConcurrent is the lost-update check of UpdateReferral: each
// writer adds one note. A writer that still meets ErrConflict after the
// store's own retries tries again, as a caller would.
func testRefUpdateConcurrent(t *testing.T, st ReferralStores) {
	now := fixedNow()
	rs := st.Referrals
	r := simpleReferral("r1", "p", "tg:1", now, time.Time{})
	mustCreate(t, rs, r)
	const writers = 20
	var calls, conflicts atomic.Int64
	var wg sync.WaitGroup
	for w := range writers {
		wg.Go(func() {
			for range 10 {
				_, err := rs.UpdateReferral(t.Context(), "r1", func(r *flows.Referral) error {
					calls.Add(1)
					r.AddNote(flows.ActorStructure, fmt.Sprintf("w%02d", w), now)
					r.DueAt = now.Add(time.Duration(w) * time.Minute)
					return nil
				})
				if errors.Is(err, flows.ErrConflict) {
					conflicts.Add(1)
					continue
				}
				if err != nil {
					t.Errorf("writer %d: UpdateReferral error = %v", w, err)
				}
				return
			}
			t.Errorf("writer %d: ErrConflict 10 times", w)
		})
	}
	wg.Wait()
	t.Logf("%d writers: fn ran %d times, %d ErrConflict", writers, calls.Load(), conflicts.Load())

	got := mustReferral(t, rs, "r1")
	if got.Rev != writers+1 {
		t.Errorf("Rev after %d updates = %d, want %d", writers, got.Rev, writers+1)
	}
	var notes []string
	for _, n := range got.Thread {
		notes = append(notes, n.Text)
	}
	slices.Sort(notes)
	for w := range writers {
		if _, ok := slices.BinarySearch(notes, fmt.Sprintf("w%02d", w)); !ok {
			t.Errorf("writer %d's note was lost; notes %q", w, notes)
		}
	}
	if len(notes) != writers {
		t.Errorf("%d notes, want %d: %q", len(notes), writers, notes)
	}
	// The due index follows the last write, whichever it was.
	checkDue(t, rs, got.DueAt, 0, "r1")
	if !got.DueAt.IsZero() {
		checkDue(t, rs, got.DueAt.Add(-time.Second), 0)
	}
}

func testRefUpdateFnReadsStore(t *testing.T, st ReferralStores) {
	now := fixedNow()
	rs := st.Referrals
	mustCreate(t, rs, simpleReferral("r1", "p", "tg:1", now, time.Time{}))
	mustCreate(t, rs, simpleReferral("r2", "p", "tg:1", now.Add(time.Second), time.Time{}))
	got := mustUpdate(t, rs, "r1", func(r *flows.Referral) {
		other, err := rs.Referral(t.Context(), "r2")
		if err != nil {
			t.Errorf("Referral inside fn: %v", err)
		}
		r.Next = []string{other.ID}
	})
	if !slices.Equal(got.Next, []string{"r2"}) {
		t.Errorf("Next = %q, want [r2]", got.Next)
	}
}

func testRefListByPlace(t *testing.T, st ReferralStores) {
	now := fixedNow()
	rs := st.Referrals
	// Created out of order, in two places with interleaved times.
	for _, i := range []int{3, 0, 4, 1, 2} {
		mustCreate(t, rs, simpleReferral("a"+strconv.Itoa(i), "place-a", "tg:1", now.Add(time.Duration(2*i)*time.Minute), time.Time{}))
	}
	for i := range 3 {
		mustCreate(t, rs, simpleReferral("b"+strconv.Itoa(i), "place-b", "tg:2", now.Add(time.Duration(2*i+1)*time.Minute), time.Time{}))
	}
	checkPlace(t, rs, "place-a", 0, "a4", "a3", "a2", "a1", "a0")
	checkPlace(t, rs, "place-a", 2, "a4", "a3")
	checkPlace(t, rs, "place-a", 5, "a4", "a3", "a2", "a1", "a0")
	checkPlace(t, rs, "place-a", 50, "a4", "a3", "a2", "a1", "a0")
	checkPlace(t, rs, "place-b", 0, "b2", "b1", "b0")
	checkPlace(t, rs, "place-c", 0)

	// Referrals carry whole referrals, of their place only.
	list, err := rs.Referrals(t.Context(), "place-b", 0)
	if err != nil {
		t.Fatal(err)
	}
	for _, r := range list {
		if r.Place != "place-b" || r.Rev != 1 || r.Lang != flows.NL || len(r.History) != 1 {
			t.Errorf("Referrals(place-b) has %+v", r)
		}
	}

	// An update that moves a referral to another place moves it in the
	// index too.
	mustUpdate(t, rs, "a2", func(r *flows.Referral) { r.Place = "place-b" })
	checkPlace(t, rs, "place-a", 0, "a4", "a3", "a1", "a0")
	checkPlace(t, rs, "place-b", 0, "b2", "a2", "b1", "b0")
}

func testRefChatIndex(t *testing.T, st ReferralStores) {
	now := fixedNow()
	rs := st.Referrals
	const x, y = flows.ChatID("tg:812345678"), flows.ChatID("wa:32470123456")
	mustCreate(t, rs, simpleReferral("x1", "p1", x, now, time.Time{}))
	mustCreate(t, rs, simpleReferral("x2", "p2", x, now, time.Time{}))
	mustCreate(t, rs, simpleReferral("y1", "p1", y, now, time.Time{}))
	mustCreate(t, rs, simpleReferral("none", "p1", "", now, time.Time{}))
	checkChat(t, rs, x, "x1", "x2")
	checkChat(t, rs, y, "y1")
	checkChat(t, rs, "")

	// Withdrawn: Scrub empties Chat, and the chat no longer finds it.
	mustUpdate(t, rs, "x1", func(r *flows.Referral) { r.Scrub() })
	checkChat(t, rs, x, "x2")
	checkPlace(t, rs, "p1", 0, "y1", "x1", "none") // still the structure's

	// An update that keeps Chat keeps the entry.
	mustUpdate(t, rs, "x2", func(r *flows.Referral) { r.Status = flows.StatusSeen })
	checkChat(t, rs, x, "x2")

	// One that changes it moves it.
	mustUpdate(t, rs, "x2", func(r *flows.Referral) { r.Chat = y })
	checkChat(t, rs, x)
	checkChat(t, rs, y, "x2", "y1")
	mustUpdate(t, rs, "none", func(r *flows.Referral) { r.Chat = x })
	checkChat(t, rs, x, "none")
}

func testRefDue(t *testing.T, st ReferralStores) {
	now := fixedNow()
	rs := st.Referrals
	at := func(d time.Duration) time.Time { return now.Add(d) }
	mustCreate(t, rs, simpleReferral("r1", "p", "tg:1", now, at(time.Hour)))
	mustCreate(t, rs, simpleReferral("r2", "p", "tg:1", now, at(2*time.Hour)))
	mustCreate(t, rs, simpleReferral("r3", "q", "tg:2", now, at(30*time.Minute)))
	mustCreate(t, rs, simpleReferral("r4", "q", "tg:2", now, time.Time{}))
	mustCreate(t, rs, simpleReferral("r0", "q", "tg:2", now, at(time.Hour))) // ties with r1

	checkDue(t, rs, now, 0)
	checkDue(t, rs, at(30*time.Minute-time.Millisecond), 0)
	checkDue(t, rs, at(30*time.Minute), 0, "r3") // DueAt == now is due
	checkDue(t, rs, at(time.Hour), 0, "r3", "r0", "r1")
	checkDue(t, rs, at(3*time.Hour), 0, "r3", "r0", "r1", "r2")
	checkDue(t, rs, at(3*time.Hour), 2, "r3", "r0")
	checkDue(t, rs, at(3*time.Hour), 1, "r3")
	checkDue(t, rs, at(100*24*time.Hour), 10, "r3", "r0", "r1", "r2")

	// Rescheduled later, sooner, and to nothing.
	mustUpdate(t, rs, "r3", func(r *flows.Referral) { r.DueAt = at(3 * time.Hour) })
	mustUpdate(t, rs, "r2", func(r *flows.Referral) { r.DueAt = at(10 * time.Minute) })
	mustUpdate(t, rs, "r1", func(r *flows.Referral) { r.DueAt = time.Time{} })
	checkDue(t, rs, at(10*time.Minute), 0, "r2")
	checkDue(t, rs, at(time.Hour), 0, "r2", "r0")
	checkDue(t, rs, at(3*time.Hour), 0, "r2", "r0", "r3")
	// As the sweep does it: the schedule comes from the policy.
	mustUpdate(t, rs, "r4", func(r *flows.Referral) { r.DueAt = flows.DefaultPolicy.Due(r) })
	checkDue(t, rs, at(3*24*time.Hour), 0, "r2", "r0", "r3", "r4")
}

func testRefDelete(t *testing.T, st ReferralStores) {
	now := fixedNow()
	rs := st.Referrals
	mustCreate(t, rs, fullReferral("r1", "p", "tg:1", now))
	mustCreate(t, rs, fullReferral("r2", "p", "tg:1", now.Add(time.Second)))
	if err := rs.DeleteReferral(t.Context(), "r1"); err != nil {
		t.Fatalf("DeleteReferral error = %v", err)
	}
	if _, err := rs.Referral(t.Context(), "r1"); !errors.Is(err, flows.ErrNoReferral) {
		t.Errorf("Referral after Delete error = %v, want ErrNoReferral", err)
	}
	checkPlace(t, rs, "p", 0, "r2")
	checkChat(t, rs, "tg:1", "r2")
	checkDue(t, rs, now.Add(time.Hour), 0, "r2")
	for _, id := range []string{"r1", "never"} {
		if err := rs.DeleteReferral(t.Context(), id); err != nil {
			t.Errorf("DeleteReferral(%s, missing) error = %v, want nil", id, err)
		}
	}
	// The id may be created again, from revision 1, and is indexed anew.
	mustCreate(t, rs, simpleReferral("r1", "q", "", now, now.Add(time.Hour)))
	if got := mustReferral(t, rs, "r1"); got.Rev != 1 || got.Place != "q" {
		t.Errorf("Referral recreated after Delete: Rev %d, Place %q; want 1, q", got.Rev, got.Place)
	}
	checkPlace(t, rs, "p", 0, "r2")
	checkPlace(t, rs, "q", 0, "r1")
	checkChat(t, rs, "tg:1", "r2")
	checkDue(t, rs, now.Add(time.Hour), 0, "r2", "r1") // r2 is due in 5 minutes
}

func testRefCorrupt(t *testing.T, st ReferralStores) {
	now := fixedNow()
	rs := st.Referrals
	old := simpleReferral("c", "p", "tg:1", now, time.Time{})
	old.V = flows.ReferralVersion + 1
	oldJSON, err := old.Encode()
	if err != nil {
		t.Fatal(err)
	}
	other, err := simpleReferral("someone-else", "p", "tg:1", now, time.Time{}).Encode()
	if err != nil {
		t.Fatal(err)
	}
	tests := []struct {
		name string
		raw  []byte
	}{
		{"empty", nil},
		{"not JSON", []byte("\x00\xff garbage")},
		{"truncated", []byte(`{"v":1,"id":"c","place":"p","status":"`)},
		{"other version", oldJSON},
		{"another id", other},
	}
	for i, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			place := "p" + strconv.Itoa(i)
			for j := range 3 {
				mustCreate(t, rs, simpleReferral(place+"-"+strconv.Itoa(j), place, "tg:1", now.Add(time.Duration(j)*time.Minute), now))
			}
			id := place + "-1"
			st.Corrupt(t, id, tt.raw)

			if _, err := rs.Referral(t.Context(), id); !errors.Is(err, flows.ErrCorruptReferral) {
				t.Errorf("Referral(%s) error = %v, want ErrCorruptReferral", tt.name, err)
			}
			called := false
			_, err := rs.UpdateReferral(t.Context(), id, func(*flows.Referral) error { called = true; return nil })
			if !errors.Is(err, flows.ErrCorruptReferral) || called {
				t.Errorf("UpdateReferral(%s) error = %v, fn called %v; want ErrCorruptReferral, not called", tt.name, err, called)
			}
			// The listing keeps the others, and says one is unreadable.
			list, err := rs.Referrals(t.Context(), place, 0)
			if !errors.Is(err, flows.ErrCorruptReferral) {
				t.Errorf("Referrals with a corrupt one: error = %v, want ErrCorruptReferral", err)
			}
			if got, want := ids(list), []string{place + "-2", place + "-0"}; !slices.Equal(got, want) {
				t.Errorf("Referrals with a corrupt one = %q, want %q", got, want)
			}

			// Deleting it is how the sweep gets rid of it.
			if err := rs.DeleteReferral(t.Context(), id); err != nil {
				t.Fatalf("DeleteReferral(corrupt) error = %v", err)
			}
			if _, err := rs.Referral(t.Context(), id); !errors.Is(err, flows.ErrNoReferral) {
				t.Errorf("Referral after deleting the corrupt one: error = %v, want ErrNoReferral", err)
			}
			checkPlace(t, rs, place, 0, place+"-2", place+"-0")
		})
	}
}

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
		got, err := ss.TokenPlace(ctx, hash)
		switch {
		case want == "" && !errors.Is(err, flows.ErrNoToken):
			t.Errorf("TokenPlace(%s) = %q, %v; want ErrNoToken", hash, got, err)
		case want != "" && (err != nil || got != want):
			t.Errorf("TokenPlace(%s) = %q, %v; want %q", hash, got, err, want)
		}
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
	if got, err := ss.TokenPlace(ctx, "h"); err != nil || got != "p" {
		t.Errorf("TokenPlace just before expiry = %q, %v; want p", got, err)
	}
	if got, err := ss.UseLinkCode(ctx, "123456"); err != nil || got != "p" {
		t.Errorf("UseLinkCode just before expiry = %q, %v; want p", got, err)
	}
	st.Advance(2 * time.Second)
	if _, err := ss.TokenPlace(ctx, "h"); !errors.Is(err, flows.ErrNoToken) {
		t.Errorf("TokenPlace after expiry error = %v, want ErrNoToken", err)
	}
	if _, err := ss.UseLinkCode(ctx, "234567"); !errors.Is(err, flows.ErrNoToken) {
		t.Errorf("UseLinkCode after expiry error = %v, want ErrNoToken", err)
	}
	// A token without expiry outlives any clock.
	if err := ss.AddToken(ctx, "p", "forever", time.Time{}); err != nil {
		t.Fatal(err)
	}
	st.Advance(10 * 365 * 24 * time.Hour)
	if got, err := ss.TokenPlace(ctx, "forever"); err != nil || got != "p" {
		t.Errorf("TokenPlace(no expiry) after 10 years = %q, %v; want p", got, err)
	}
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
		got, err := ss.UseLinkCode(ctx, tt.code)
		switch {
		case tt.want == "" && !errors.Is(err, flows.ErrNoToken):
			t.Errorf("UseLinkCode(%q) = %q, %v; want ErrNoToken", tt.code, got, err)
		case tt.want != "" && (err != nil || got != tt.want):
			t.Errorf("UseLinkCode(%q) = %q, %v; want %q", tt.code, got, err, tt.want)
		}
	}
	// Codes are not tokens.
	if _, err := ss.TokenPlace(ctx, "333333"); !errors.Is(err, flows.ErrNoToken) {
		t.Errorf("TokenPlace(a link code) error = %v, want ErrNoToken", err)
	}
	// A revocation ends the place's unused codes too: one made on a page
	// the old link opened must not link a chat after it. Other places'
	// codes stay.
	if err := ss.AddLinkCode(ctx, "666666", "place-b", now.Add(10*time.Minute)); err != nil {
		t.Fatal(err)
	}
	if err := ss.RevokeAccess(ctx, "place-a"); err != nil {
		t.Fatal(err)
	}
	if got, err := ss.UseLinkCode(ctx, "333333"); !errors.Is(err, flows.ErrNoToken) {
		t.Errorf("UseLinkCode after RevokeAccess = %q, %v; want ErrNoToken", got, err)
	}
	if got, err := ss.UseLinkCode(ctx, "666666"); err != nil || got != "place-b" {
		t.Errorf("UseLinkCode(another place's) after RevokeAccess = %q, %v; want place-b", got, err)
	}
	// A code made after the revocation works.
	if err := ss.AddLinkCode(ctx, "888888", "place-a", now.Add(10*time.Minute)); err != nil {
		t.Fatal(err)
	}
	if got, err := ss.UseLinkCode(ctx, "888888"); err != nil || got != "place-a" {
		t.Errorf("UseLinkCode(new code) after RevokeAccess = %q, %v; want place-a", got, err)
	}
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
