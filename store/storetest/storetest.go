package storetest

import (
	"errors"
	"fmt"
	"reflect"
	"strconv"
	"sync"
	"testing"
	"time"

	"github.com/secours/secours/flows"
)

// Corrupt stores raw as the encoded session of chat id at revision rev,
// bypassing Save, as a bug or an older release might have left it.
type Corrupt func(t *testing.T, id flows.ChatID, rev int64, raw []byte)

// Run runs the flows.SessionStore contract against the stores newStore
// returns. newStore is called once per subtest and returns an empty store
// of its own (for Redis: its own key prefix, cleaned up by t.Cleanup) and
// the hook that writes raw values into it.
func Run(t *testing.T, newStore func(t *testing.T) (flows.SessionStore, Corrupt)) {
	tests := []struct {
		name string
		fn   func(t *testing.T, st flows.SessionStore, corrupt Corrupt)
	}{
		{"LoadMissing", testLoadMissing},
		{"RoundTrip", testRoundTrip},
		{"Revisions", testRevisions},
		{"StaleSave", testStaleSave},
		{"Delete", testDelete},
		{"Corrupt", testCorrupt},
		{"LoadedCopyIsolated", testLoadedCopyIsolated},
		{"ConcurrentSameChat", testConcurrentSameChat},
		{"IndependentChats", testIndependentChats},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			st, corrupt := newStore(t)
			tt.fn(t, st, corrupt)
		})
	}
}

// contractCase is one case of a contract on stores of type S.
type contractCase[S any] struct {
	name string
	fn   func(t *testing.T, st S)
}

// runCases runs each case as a subtest, on a store newStore makes for it.
func runCases[S any](t *testing.T, newStore func(t *testing.T) S, cases []contractCase[S]) {
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) { c.fn(t, newStore(t)) })
	}
}

// fullSession returns a session of chat id with every field set, as a
// conversation has it a few steps in.
func fullSession(id flows.ChatID, now time.Time) flows.Session {
	s := flows.NewSession(id, now.Add(-5*time.Minute))
	s.Updated = now
	s.Lang = flows.FR
	s.State = flows.StateLocation
	s.Answers = map[string]string{"need": "health", "who": "self", "device": "smartphone", "country": "BE"}
	s.Trail = []string{flows.StateLang, flows.StateWho, flows.StateNeed, "device"}
	s.Paused = flows.StateNeed
	s.Postcode = "1000"
	s.Lat, s.Lon = 50.8503, 4.3517
	s.Places = []string{"bxl-0012", "bxl-0040"}
	s.Payload = "qr-gare-du-midi"
	s.Retries = 1
	s.Seen = []string{"812345670", "812345671", "812345672"}
	s.ConsentAt = now.Add(-time.Minute)
	s.ConsentBy = "button"
	s.Pick = 1
	s.ContactAidant = true
	s.Ref, s.RefPlace = "k3j5q7x2m4n6p8r0s2t4v6w8y0", "bxl-0040"
	s.SharedBy = "bxl-0012"
	s.Area = "BE:Bruxelles"
	return s
}

// fixedNow is a fixed instant: what the store gives back must not depend on
// the clock, and UTC times survive JSON unchanged, so sessions compare
// with reflect.DeepEqual.
func fixedNow() time.Time {
	return time.Date(2026, 3, 14, 9, 26, 53, 589_793_000, time.UTC)
}

func testLoadMissing(t *testing.T, st flows.SessionStore, _ Corrupt) {
	_, err := st.Load(t.Context(), "tg:404")
	if !errors.Is(err, flows.ErrNoSession) {
		t.Fatalf("Load(missing) error = %v, want ErrNoSession", err)
	}
}

func testRoundTrip(t *testing.T, st flows.SessionStore, _ Corrupt) {
	now := fixedNow()
	ctx := t.Context()
	for _, id := range []flows.ChatID{"tg:812345678", "wa:32470123456", "cli:local", "tg:-1001234567890"} {
		want := fullSession(id, now)
		if err := st.Save(ctx, want); err != nil {
			t.Fatalf("Save(%s) error = %v", id, err)
		}
		got, err := st.Load(ctx, id)
		if err != nil {
			t.Fatalf("Load(%s) error = %v", id, err)
		}
		want.Rev = 1
		if !reflect.DeepEqual(got, want) {
			t.Errorf("Load(%s) =\n%+v\nwant\n%+v", id, got, want)
		}
	}
}

func testRevisions(t *testing.T, st flows.SessionStore, _ Corrupt) {
	now := fixedNow()
	ctx := t.Context()
	s := flows.NewSession("tg:1", now)
	for want := int64(1); want <= 5; want++ {
		if err := st.Save(ctx, s); err != nil {
			t.Fatalf("Save(rev %d) error = %v", s.Rev, err)
		}
		var err error
		if s, err = st.Load(ctx, "tg:1"); err != nil {
			t.Fatalf("Load error = %v", err)
		}
		if s.Rev != want {
			t.Fatalf("Rev after %d saves = %d, want %d", want, s.Rev, want)
		}
	}
}

func testStaleSave(t *testing.T, st flows.SessionStore, _ Corrupt) {
	now := fixedNow()
	ctx := t.Context()
	const id = flows.ChatID("tg:2")
	if err := st.Save(ctx, flows.NewSession(id, now)); err != nil {
		t.Fatalf("Save(first) error = %v", err)
	}
	a := mustLoad(t, st, id)
	b := mustLoad(t, st, id)
	a.Answers = map[string]string{"need": "banking"}
	if err := st.Save(ctx, a); err != nil {
		t.Fatalf("Save(a) error = %v", err)
	}
	want := mustLoad(t, st, id)

	b.Answers = map[string]string{"need": "job"}
	fresh := flows.NewSession(id, now)
	ahead := want
	ahead.Rev += 3
	for _, tt := range []struct {
		name string
		s    flows.Session
	}{
		{"stale", b},
		{"rev 0 over a stored session", fresh},
		{"rev ahead of the store", ahead},
	} {
		if err := st.Save(ctx, tt.s); !errors.Is(err, flows.ErrConflict) {
			t.Errorf("Save(%s) error = %v, want ErrConflict", tt.name, err)
		}
	}
	if got := mustLoad(t, st, id); !reflect.DeepEqual(got, want) {
		t.Errorf("after conflicts Load =\n%+v\nwant unchanged\n%+v", got, want)
	}

	if err := st.Save(ctx, flows.Session{V: flows.SessionVersion, Chat: "tg:3", Rev: 1, State: flows.StateStart}); !errors.Is(err, flows.ErrConflict) {
		t.Errorf("Save(rev 1, none stored) error = %v, want ErrConflict", err)
	}
	if _, err := st.Load(ctx, "tg:3"); !errors.Is(err, flows.ErrNoSession) {
		t.Errorf("Load after refused Save error = %v, want ErrNoSession", err)
	}
}

func testDelete(t *testing.T, st flows.SessionStore, _ Corrupt) {
	now := fixedNow()
	ctx := t.Context()
	const id, other = flows.ChatID("wa:32470000001"), flows.ChatID("wa:32470000002")
	for _, c := range []flows.ChatID{id, other} {
		if err := st.Save(ctx, fullSession(c, now)); err != nil {
			t.Fatalf("Save error = %v", err)
		}
	}
	if err := st.Delete(ctx, id); err != nil {
		t.Fatalf("Delete error = %v", err)
	}
	if _, err := st.Load(ctx, id); !errors.Is(err, flows.ErrNoSession) {
		t.Errorf("Load after Delete error = %v, want ErrNoSession", err)
	}
	if _, err := st.Load(ctx, other); err != nil {
		t.Errorf("Load(other chat) after Delete error = %v", err)
	}
	if err := st.Delete(ctx, id); err != nil {
		t.Errorf("Delete(missing) error = %v, want nil", err)
	}
	// A deleted chat starts again from revision 0.
	if err := st.Save(ctx, flows.NewSession(id, now)); err != nil {
		t.Errorf("Save(rev 0) after Delete error = %v", err)
	}
}

// rawCase is a stored value a decoder must refuse.
type rawCase struct {
	name string
	raw  []byte
}

// unreadable lists the values no decoder reads (nothing, not JSON, the
// given JSON cut short), then the kind's own cases: sessions and
// referrals refuse the same garbage.
func unreadable(truncated string, more ...rawCase) []rawCase {
	return append([]rawCase{
		{"empty", nil},
		{"not JSON", []byte("\x00\xff garbage")},
		{"truncated", []byte(truncated)},
	}, more...)
}

func testCorrupt(t *testing.T, st flows.SessionStore, corrupt Corrupt) {
	now := fixedNow()
	ctx := t.Context()
	old := flows.NewSession("tg:5", now)
	old.V = flows.SessionVersion - 1
	oldJSON, err := old.Encode()
	if err != nil {
		t.Fatal(err)
	}
	tests := unreadable(`{"v":1,"c":"tg:5","r":3,"s":"`,
		rawCase{"old version", oldJSON},
		rawCase{"unknown state", []byte(`{"v":1,"c":"tg:5","r":3,"s":"no-such-state"}`)},
	)
	for i, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			id := flows.ChatID("tg:5" + strconv.Itoa(i))
			if err := st.Save(ctx, flows.NewSession(id, now)); err != nil {
				t.Fatalf("Save error = %v", err)
			}
			corrupt(t, id, 3, tt.raw)
			got, err := st.Load(ctx, id)
			if !errors.Is(err, flows.ErrCorrupt) {
				t.Fatalf("Load(%s) error = %v, want ErrCorrupt", tt.name, err)
			}
			// The stored revision comes back with ErrCorrupt, so that a
			// fresh session replaces the bad one with an ordinary Save.
			if got.Chat != id || got.Rev != 3 {
				t.Errorf("Load(%s) = {Chat: %q, Rev: %d}, want {Chat: %q, Rev: 3}", tt.name, got.Chat, got.Rev, id)
			}
			fresh := flows.NewSession(id, now)
			fresh.Rev = got.Rev
			if err := st.Save(ctx, fresh); err != nil {
				t.Fatalf("Save(fresh over corrupt) error = %v", err)
			}
			if s := mustLoad(t, st, id); s.Rev != 4 {
				t.Errorf("Rev after replacing = %d, want 4", s.Rev)
			}
		})
	}
}

func testLoadedCopyIsolated(t *testing.T, st flows.SessionStore, _ Corrupt) {
	now := fixedNow()
	ctx := t.Context()
	const id = flows.ChatID("cli:iso")
	if err := st.Save(ctx, fullSession(id, now)); err != nil {
		t.Fatalf("Save error = %v", err)
	}
	want := mustLoad(t, st, id)
	got := mustLoad(t, st, id)
	got.Answers["need"] = "changed"
	got.Seen[0] = "changed"
	got.Trail = append(got.Trail[:0], "changed")
	if again := mustLoad(t, st, id); !reflect.DeepEqual(again, want) {
		t.Errorf("changing a loaded Session changed the stored one:\n%+v\nwant\n%+v", again, want)
	}
}

// testConcurrentSameChat is the lost-update check: every writer reloads and
// retries on ErrConflict, so each of its increments lands exactly once.
func testConcurrentSameChat(t *testing.T, st flows.SessionStore, _ Corrupt) {
	now := fixedNow()
	ctx := t.Context()
	const id, writers = flows.ChatID("tg:777"), 50
	var wg sync.WaitGroup
	for w := range writers {
		wg.Go(func() {
			for attempt := 0; ; attempt++ {
				if attempt > 10*writers {
					t.Errorf("writer %d: no Save succeeded in %d attempts", w, attempt)
					return
				}
				s, err := st.Load(ctx, id)
				switch {
				case errors.Is(err, flows.ErrNoSession):
					s = flows.NewSession(id, now)
				case err != nil:
					t.Errorf("writer %d: Load error = %v", w, err)
					return
				}
				n, _ := strconv.Atoi(s.Answers["n"])
				if s.Answers == nil {
					s.Answers = make(map[string]string)
				}
				s.Answers["n"] = strconv.Itoa(n + 1)
				s.Answers[fmt.Sprintf("w%02d", w)] = "done"
				err = st.Save(ctx, s)
				if errors.Is(err, flows.ErrConflict) {
					continue
				}
				if err != nil {
					t.Errorf("writer %d: Save error = %v", w, err)
				}
				return
			}
		})
	}
	wg.Wait()

	s := mustLoad(t, st, id)
	if got := s.Answers["n"]; got != strconv.Itoa(writers) {
		t.Errorf("counter after %d writers = %s, want %d (lost updates)", writers, got, writers)
	}
	if s.Rev != writers {
		t.Errorf("Rev after %d writers = %d, want %d", writers, s.Rev, writers)
	}
	for w := range writers {
		if k := fmt.Sprintf("w%02d", w); s.Answers[k] != "done" {
			t.Errorf("writer %d's update was lost", w)
		}
	}
}

func testIndependentChats(t *testing.T, st flows.SessionStore, _ Corrupt) {
	now := fixedNow()
	ctx := t.Context()
	const chats, steps = 20, 10
	var wg sync.WaitGroup
	for c := range chats {
		wg.Go(func() {
			id := flows.ChatID("wa:3247000" + strconv.Itoa(1000+c))
			s := flows.NewSession(id, now)
			for i := range steps {
				if err := st.Save(ctx, s); err != nil {
					t.Errorf("chat %d step %d: Save error = %v, want nil (chats must not conflict)", c, i, err)
					return
				}
				var err error
				if s, err = st.Load(ctx, id); err != nil {
					t.Errorf("chat %d step %d: Load error = %v", c, i, err)
					return
				}
			}
			if s.Rev != steps {
				t.Errorf("chat %d: Rev = %d, want %d", c, s.Rev, steps)
			}
		})
	}
	wg.Wait()
}

func mustLoad(t *testing.T, st flows.SessionStore, id flows.ChatID) flows.Session {
	t.Helper()
	s, err := st.Load(t.Context(), id)
	if err != nil {
		t.Fatalf("Load(%s) error = %v", id, err)
	}
	return s
}
