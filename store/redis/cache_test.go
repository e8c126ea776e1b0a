package redis

import (
	"errors"
	"strconv"
	"testing"
	"time"

	"github.com/secours/secours/flows"
	"github.com/secours/secours/referral"
	"github.com/secours/secours/store/memory"
)

// TestCacheOneRoundTrip: once a process has saved a chat, the chat's next
// ordinary step is one round trip, the compare-and-set (issue 22).
func TestCacheOneRoundTrip(t *testing.T) {
	e := benchEngine(t)
	now := time.Date(2026, 11, 24, 9, 0, 0, 0, time.UTC)
	for _, c := range []struct {
		name  string
		cache int
		want  [][]string
	}{
		{"cached", 0, [][]string{{"evalsha"}}},
		{"uncached", -1, [][]string{{"get"}, {"evalsha"}}},
	} {
		t.Run(c.name, func(t *testing.T) {
			st := newStore(t, Options{Cache: c.cache})
			const chat = flows.ChatID("tg:31")
			for i, p := range append([]string{"start"}, script[:3]...) {
				if _, err := e.Handle(t.Context(), flows.Stores{Sessions: st}, press(chat, "a"+strconv.Itoa(i), p), now); err != nil {
					t.Fatal(err)
				}
			}
			h := &countHook{}
			st.c.AddHook(h)
			if _, err := e.Handle(t.Context(), flows.Stores{Sessions: st}, press(chat, "b", script[3]), now); err != nil {
				t.Fatal(err)
			}
			if got := h.take(); !equalTrips(got, c.want) {
				t.Errorf("round trips of a step = %v, want %v", got, c.want)
			}
		})
	}
}

func equalTrips(a, b [][]string) bool {
	if len(a) != len(b) {
		return false
	}
	for i := range a {
		if len(a[i]) != len(b[i]) {
			return false
		}
		for j := range a[i] {
			if a[i][j] != b[i][j] {
				return false
			}
		}
	}
	return true
}

// TestCacheTwoInstances: a conversation whose steps alternate between two
// processes (two Stores with their own caches on one Redis, as behind a
// load balancer, or after a webhook moved) ends exactly as one process's:
// each step on a copy another process has moved past meets a conflict and
// runs again on what Redis holds.
func TestCacheTwoInstances(t *testing.T) {
	e := benchEngine(t)
	now := time.Date(2026, 11, 24, 9, 0, 0, 0, time.UTC)
	const chat = flows.ChatID("tg:32")
	presses := append([]string{"start"}, script...)

	one := memory.New(time.Hour, nil)
	for i, p := range presses {
		if _, err := e.Handle(t.Context(), flows.Stores{Sessions: one}, press(chat, strconv.Itoa(i), p), now); err != nil {
			t.Fatal(err)
		}
	}
	want, err := one.Load(t.Context(), chat)
	if err != nil {
		t.Fatal(err)
	}

	procs := processes(t, Options{}, Options{}, Options{Cache: -1})
	a, b, uncached := procs[0], procs[1], procs[2]
	// a, a, b, b, a, b, …: both a step that follows its own and one that
	// follows the other process's.
	order := []*Store{a, a, b, b, a, b, a, b, b, a, a, b}
	for i, p := range presses {
		st := order[i%len(order)]
		out, err := e.Handle(t.Context(), flows.Stores{Sessions: st}, press(chat, strconv.Itoa(i), p), now)
		if err != nil {
			t.Fatalf("press %d (%s): %v", i, p, err)
		}
		if out.Dup {
			t.Fatalf("press %d (%s) taken for a duplicate", i, p)
		}
	}
	// What Redis holds, read by a process with no copy: a's own copy is
	// one step behind (b made the last step), which only a's next save
	// would find out.
	got, err := uncached.Load(t.Context(), chat)
	if err != nil {
		t.Fatal(err)
	}
	if got.State != want.State || !equalAnswers(got.Answers, want.Answers) {
		t.Errorf("two instances ended in %q %v, one instance in %q %v", got.State, got.Answers, want.State, want.Answers)
	}
	if got.Rev != int64(len(presses)) {
		t.Errorf("stored revision %d, want %d (one save a press)", got.Rev, len(presses))
	}
}

func equalAnswers(a, b map[string]string) bool {
	if len(a) != len(b) {
		return false
	}
	for k, v := range a {
		if b[k] != v {
			return false
		}
	}
	return true
}

// TestCacheOtherWriter: a value another process writes while this one
// keeps its copy is still what counts: Load may answer from the copy, but
// the save after it fails and drops the copy, and the value Redis holds
// is read next (here a corrupt one, which the engine replaces kindly).
func TestCacheOtherWriter(t *testing.T) {
	ctx := t.Context()
	now := time.Date(2026, 11, 24, 9, 0, 0, 0, time.UTC)
	st := newStore(t, Options{})
	const chat = flows.ChatID("tg:33")
	if err := st.Save(ctx, flows.NewSession(chat, now)); err != nil {
		t.Fatal(err)
	}
	if err := st.c.Set(ctx, st.sessionKey(chat), "7:not json", time.Minute).Err(); err != nil {
		t.Fatal(err)
	}
	s, err := st.Load(ctx, chat)
	if err != nil || s.Rev != 1 {
		t.Fatalf("Load with a copy = rev %d, %v; want the copy (rev 1)", s.Rev, err)
	}
	if err := st.Save(ctx, s); !errors.Is(err, flows.ErrConflict) {
		t.Fatalf("Save on the copy: %v, want ErrConflict", err)
	}
	if s, err := st.Load(ctx, chat); !errors.Is(err, flows.ErrCorrupt) || s.Rev != 7 {
		t.Errorf("Load after the conflict = rev %d, %v; want rev 7, ErrCorrupt", s.Rev, err)
	}

	// Through the engine: the person is told, and the chat goes on.
	e := benchEngine(t)
	out, err := e.Handle(ctx, flows.Stores{Sessions: st}, press(chat, "x", "start"), now)
	if err != nil || len(out.Replies) == 0 {
		t.Fatalf("step over a corrupt value: %v %+v", err, out.Replies)
	}
	if got, err := st.Load(ctx, chat); err != nil || got.Rev != 1 {
		t.Errorf("after the step: rev %d, %v; want a fresh session at rev 1", got.Rev, err)
	}
}

// TestCacheDeleteForgets: "/oubli" on one process, then a step on another
// that kept a copy: the person starts afresh, the old answers are not
// brought back.
func TestCacheDeleteForgets(t *testing.T) {
	e := benchEngine(t)
	now := time.Date(2026, 11, 24, 9, 0, 0, 0, time.UTC)
	two := processes(t, Options{}, Options{})
	a, b := two[0], two[1]
	const chat = flows.ChatID("tg:34")
	for i, p := range append([]string{"start"}, script[:4]...) {
		if _, err := e.Handle(t.Context(), flows.Stores{Sessions: a}, press(chat, "a"+strconv.Itoa(i), p), now); err != nil {
			t.Fatal(err)
		}
	}
	if err := b.Delete(t.Context(), chat); err != nil {
		t.Fatal(err)
	}
	if _, err := e.Handle(t.Context(), flows.Stores{Sessions: a}, press(chat, "z", "start"), now); err != nil {
		t.Fatal(err)
	}
	got, err := b.Load(t.Context(), chat)
	if err != nil {
		t.Fatal(err)
	}
	if len(got.Answers) > 0 || got.Rev != 1 {
		t.Errorf("after a delete elsewhere: rev %d answers %v; want a fresh session", got.Rev, got.Answers)
	}
}

// TestCacheBounded: the cache keeps at most Options.Cache sessions.
func TestCacheBounded(t *testing.T) {
	now := time.Date(2026, 11, 24, 9, 0, 0, 0, time.UTC)
	st := newStore(t, Options{Cache: 10})
	for i := range 50 {
		if err := st.Save(t.Context(), flows.NewSession(flows.ChatID("tg:b"+strconv.Itoa(i)), now)); err != nil {
			t.Fatal(err)
		}
	}
	if n := len(st.cache.m); n != 10 {
		t.Errorf("cache holds %d sessions, want 10", n)
	}
	for i := range 50 {
		if _, err := st.Load(t.Context(), flows.ChatID("tg:b"+strconv.Itoa(i))); err != nil {
			t.Errorf("Load(tg:b%d): %v", i, err)
		}
	}
}

// TestCacheStaleCopyWithdrawsNothing: "/annuler" on one process, "non"
// (keep my request) on another, then a late "oui" on the first, whose
// copy still asks the confirmation: the step checks the revision before
// it withdraws, runs on what Redis holds, and the request stays open.
// (A referral created on an old copy needs no check: the retried save
// drops it, flows.dropOrphan.)
func TestCacheStaleCopyWithdrawsNothing(t *testing.T) {
	e := benchEngine(t)
	now := time.Date(2026, 11, 24, 9, 0, 0, 0, time.UTC)
	two := processes(t, Options{}, Options{})
	a, b := two[0], two[1]
	ledger := referral.NewLedger(e, a)
	sa := flows.Stores{Sessions: a, Referrals: ledger, Structures: a}
	sb := flows.Stores{Sessions: b, Referrals: referral.NewLedger(e, b), Structures: b}
	const chat = flows.ChatID("tg:35")
	var ref string
	for i, txt := range append(toConsent, "ici", "/annuler") {
		out, err := e.Handle(t.Context(), sa, typed(chat, strconv.Itoa(i), txt), now)
		if err != nil {
			t.Fatal(err)
		}
		if out.Referral != nil {
			ref = out.Referral.ID
		}
	}
	if ref == "" {
		t.Fatal("no referral made")
	}
	if _, err := e.Handle(t.Context(), sb, typed(chat, "keep", "non"), now); err != nil {
		t.Fatal(err)
	}
	out, err := e.Handle(t.Context(), sa, typed(chat, "late", "oui"), now)
	if err != nil {
		t.Fatal(err)
	}
	if out.Withdraw != "" {
		t.Errorf("the late step withdrew %q", out.Withdraw)
	}
	r, err := a.Referral(t.Context(), ref)
	if err != nil {
		t.Fatal(err)
	}
	if r.Status == flows.StatusClosed {
		t.Errorf("the request was withdrawn from an old copy: %s %s", r.Status, r.Reason)
	}
}

func TestCurrent(t *testing.T) {
	ctx := t.Context()
	st := newStore(t, Options{})
	const chat = flows.ChatID("tg:36")
	if ok, err := st.Current(ctx, chat, 0); !ok || err != nil {
		t.Errorf("Current(none stored, rev 0) = %v, %v; want true", ok, err)
	}
	if err := st.Save(ctx, flows.NewSession(chat, time.Now())); err != nil {
		t.Fatal(err)
	}
	if ok, err := st.Current(ctx, chat, 1); !ok || err != nil {
		t.Errorf("Current(rev 1) = %v, %v; want true", ok, err)
	}
	if ok, err := st.Current(ctx, chat, 0); ok || err != nil {
		t.Errorf("Current(rev 0, 1 stored) = %v, %v; want false", ok, err)
	}
	if _, kept := st.cache.get(chat); kept {
		t.Error("the copy is kept after Current found another revision")
	}
}
