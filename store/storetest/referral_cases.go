package storetest

import (
	"errors"
	"fmt"
	"slices"
	"strconv"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/secours/secours/flows"
)

// The cases of RunReferrals on a referral's value and its indexes: round
// trip, create, update, the lists by place, chat and due time, delete and
// corrupt values.

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
	tests := unreadable(`{"v":1,"id":"c","place":"p","status":"`,
		rawCase{"other version", oldJSON},
		rawCase{"another id", other},
	)
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
