package redis

import (
	"context"
	"errors"
	"slices"
	"strconv"
	"strings"
	"sync"
	"testing"
	"time"

	goredis "github.com/redis/go-redis/v9"

	"github.com/secours/secours/flows"
	"github.com/secours/secours/internal/testkit"
	"github.com/secours/secours/store/redis/redistest"
	"github.com/secours/secours/store/storetest"
)

// referralStores gives the suite s, with a clock of its own for the
// store's decisions: it starts at the real time, by which Redis expires
// keys, and moves only when the suite advances it.
func referralStores(s *Store) storetest.ReferralStores {
	c := testkit.NewClock(time.Now())
	s.now = c.Now
	return storetest.ReferralStores{
		Referrals:  s,
		Structures: s,
		Now:        c.Now,
		Advance:    c.Add,
		Corrupt: func(t *testing.T, id string, raw []byte) {
			t.Helper()
			ctx := t.Context()
			b, err := s.c.Get(ctx, s.refKey(id)).Bytes()
			if err != nil {
				t.Fatalf("GET referral to corrupt: %v", err)
			}
			rev, _, _ := splitValue(b)
			v := strconv.FormatInt(rev, 10) + ":" + string(raw)
			if err := s.c.Set(ctx, s.refKey(id), v, 0).Err(); err != nil {
				t.Fatalf("SET corrupt referral: %v", err)
			}
		},
	}
}

func testReferral(id, place string, chat flows.ChatID, now time.Time) flows.Referral {
	return flows.Referral{
		V: flows.ReferralVersion, ID: id, Place: place, Chat: chat, Lang: flows.FR,
		Need: "procedure", Profile: "besoin_accompagnement", Why: "why.near",
		ConsentBy: "self", ConsentAt: now, Contact: flows.ContactRelay,
		Status: flows.StatusSent, Created: now, Updated: now,
		History:  []flows.Change{{At: now, Status: flows.StatusSent, Actor: flows.ActorPerson}},
		Delivery: flows.Delivery{Queue: []string{flows.MailNew}},
		DueAt:    now,
	}
}

// countHook counts the round trips of a client: one per command, one per
// pipeline.
type countHook struct {
	mu    sync.Mutex // guards trips
	trips [][]string // command names of each round trip
}

func (h *countHook) DialHook(next goredis.DialHook) goredis.DialHook { return next }

func (h *countHook) ProcessHook(next goredis.ProcessHook) goredis.ProcessHook {
	return func(ctx context.Context, cmd goredis.Cmder) error {
		h.add(cmd)
		return next(ctx, cmd)
	}
}

func (h *countHook) ProcessPipelineHook(next goredis.ProcessPipelineHook) goredis.ProcessPipelineHook {
	return func(ctx context.Context, cmds []goredis.Cmder) error {
		h.add(cmds...)
		return next(ctx, cmds)
	}
}

// add records a round trip, unless it sets up a new connection (HELLO,
// CLIENT SETINFO): that is the pool's doing, not the operation's.
func (h *countHook) add(cmds ...goredis.Cmder) {
	var names []string
	setup := true
	for _, c := range cmds {
		names = append(names, c.Name())
		setup = setup && (c.Name() == "hello" || c.Name() == "client" || c.Name() == "auth" || c.Name() == "select")
	}
	if setup {
		return
	}
	h.mu.Lock()
	h.trips = append(h.trips, names)
	h.mu.Unlock()
}

func (h *countHook) take() [][]string {
	h.mu.Lock()
	defer h.mu.Unlock()
	t := h.trips
	h.trips = nil
	return t
}

func TestRoundTrips(t *testing.T) {
	ctx := t.Context()
	s := newStore(t, Options{})
	h := &countHook{}
	s.c.AddHook(h)
	now := time.Now()

	r := testReferral("r1", "be-epn-0142", "tg:812345678", now)
	if err := s.CreateReferral(ctx, r); err != nil {
		t.Fatal(err)
	}
	trips := h.take()
	if len(trips) != 1 {
		t.Errorf("CreateReferral made %d round trips %q, want 1", len(trips), trips)
	} else if want := []string{"set", "zadd", "sadd", "eval"}; !slices.Equal(trips[0], want) {
		t.Errorf("CreateReferral pipeline = %q, want %q", trips[0], want)
	}

	if _, err := s.Referral(ctx, "r1"); err != nil {
		t.Fatal(err)
	}
	if trips := h.take(); len(trips) != 1 {
		t.Errorf("Referral made %d round trips %q, want 1", len(trips), trips)
	}
	// The first EVALSHA of a fresh server may add an EVAL (NOSCRIPT).
	if _, err := s.UpdateReferral(ctx, "r1", func(*flows.Referral) error { return nil }); err != nil {
		t.Fatal(err)
	}
	h.take()
	if _, err := s.UpdateReferral(ctx, "r1", func(r *flows.Referral) error { r.DueAt = time.Time{}; return nil }); err != nil {
		t.Fatal(err)
	}
	if trips := h.take(); len(trips) != 3 {
		t.Errorf("UpdateReferral made %d round trips %q, want 3 (GET, EVALSHA, index pipeline)", len(trips), trips)
	}
	if _, err := s.Referrals(ctx, "be-epn-0142", 0); err != nil {
		t.Fatal(err)
	}
	if trips := h.take(); len(trips) != 2 {
		t.Errorf("Referrals made %d round trips %q, want 2", len(trips), trips)
	}
	if err := s.AddToken(ctx, "be-epn-0142", "h", now.Add(time.Hour)); err != nil {
		t.Fatal(err)
	}
	if trips := h.take(); len(trips) != 1 {
		t.Errorf("AddToken made %d round trips %q, want 1", len(trips), trips)
	}
}

func TestReferralKeyLayout(t *testing.T) {
	s := &Store{prefix: "secours"}
	tests := []struct{ got, want string }{
		{s.refKey("Yx3k"), "secours:ref:{Yx3k}"},
		{s.placeKey("be-epn-0142"), "secours:pl:{be-epn-0142}"},
		{s.chatRefsKey("wa:32470123456"), "secours:cr:{wa:32470123456}"},
		{s.dueKeys()[0], "secours:{due}:at"},
		{s.dueKeys()[1], "secours:{due}:rev"},
		{s.tokenKey("9f86d0"), "secours:tok:{9f86d0}"},
		{s.placeTokensKey("be-epn-0142"), "secours:ptok:{be-epn-0142}"},
		{s.linkCodeKey("123456"), "secours:lc:{123456}"},
		{s.structureChatKey("be-epn-0142"), "secours:sc:{be-epn-0142}"},
	}
	for _, tt := range tests {
		if tt.got != tt.want {
			t.Errorf("key = %q, want %q", tt.got, tt.want)
		}
		// Never under a chat's session tag, "<prefix>:{".
		if tt.got != s.dueKeys()[0] && tt.got != s.dueKeys()[1] && strings.HasPrefix(tt.got, "secours:{") {
			t.Errorf("key %q looks like a session key", tt.got)
		}
	}
}

// TestReferralExpiries checks what Redis keeps for how long: referrals and
// their indexes for ever (the sweep deletes them), tokens and link codes
// until their expiry, to the millisecond.
func TestReferralExpiries(t *testing.T) {
	ctx := t.Context()
	s := newStore(t, Options{})
	now := time.Now()
	r := testReferral("r1", "p", "tg:1", now)
	if err := s.CreateReferral(ctx, r); err != nil {
		t.Fatal(err)
	}
	if _, err := s.UpdateReferral(ctx, "r1", func(r *flows.Referral) error { r.Status = flows.StatusSeen; return nil }); err != nil {
		t.Fatal(err)
	}
	for _, k := range append([]string{s.refKey("r1"), s.placeKey("p"), s.chatRefsKey("tg:1")}, s.dueKeys()...) {
		if d, err := s.c.PTTL(ctx, k).Result(); err != nil || d != -1 {
			t.Errorf("PTTL(%s) = %v, %v; want -1 (no expiry)", k, d, err)
		}
	}

	exp := now.Add(time.Hour).Truncate(time.Millisecond).Add(123_456 * time.Nanosecond)
	if err := s.AddToken(ctx, "p", "h", exp); err != nil {
		t.Fatal(err)
	}
	if err := s.AddLinkCode(ctx, "123456", "p", exp); err != nil {
		t.Fatal(err)
	}
	if err := s.AddToken(ctx, "p", "forever", time.Time{}); err != nil {
		t.Fatal(err)
	}
	for _, k := range []string{s.tokenKey("h"), s.linkCodeKey("123456")} {
		if got, err := s.c.PExpireTime(ctx, k).Result(); err != nil || got != time.Duration(exp.UnixMilli())*time.Millisecond {
			t.Errorf("PEXPIRETIME(%s) = %v, %v; want %v", k, got, err, exp.UnixMilli())
		}
	}
	if d, err := s.c.PTTL(ctx, s.tokenKey("forever")).Result(); err != nil || d != -1 {
		t.Errorf("PTTL(token without expiry) = %v, %v; want -1", d, err)
	}
}

// TestDueOutOfOrder replays the index writes of two updates in the wrong
// order, as two pipelines on two connections may land: the newer
// revision's due time must win.
func TestDueOutOfOrder(t *testing.T) {
	ctx := t.Context()
	s := newStore(t, Options{})
	now := time.Date(2026, 3, 1, 12, 0, 0, 0, time.UTC)
	queue := func(rev int64, due time.Time) {
		t.Helper()
		if _, err := s.c.Pipelined(ctx, func(p goredis.Pipeliner) error {
			s.queueDue(ctx, p, "r1", rev, due)
			return nil
		}); err != nil {
			t.Fatal(err)
		}
	}
	due := func(at time.Time) []string {
		t.Helper()
		ids, err := s.DueReferrals(ctx, at, 0)
		if err != nil {
			t.Fatal(err)
		}
		return ids
	}
	queue(3, now.Add(time.Hour))
	queue(2, now) // older, late
	if got := due(now.Add(time.Minute)); len(got) != 0 {
		t.Errorf("after rev 3 (1 h) then rev 2 (now): due now = %q, want none", got)
	}
	queue(4, time.Time{})
	queue(3, now.Add(time.Hour)) // a retried write of rev 3
	if got := due(now.Add(2 * time.Hour)); len(got) != 0 {
		t.Errorf("after rev 4 (not due) then rev 3: due = %q, want none", got)
	}
	queue(5, now)
	if got := due(now); !slices.Equal(got, []string{"r1"}) {
		t.Errorf("after rev 5 (now): due = %q, want [r1]", got)
	}
	// A retried create, at revision 1, never moves the entry.
	queue(1, now.Add(time.Hour))
	if got := due(now); !slices.Equal(got, []string{"r1"}) {
		t.Errorf("after a late rev 1: due = %q, want [r1]", got)
	}
}

// TestReferralsDropVanished covers index entries whose referral value is
// gone (a crash between the pipeline's commands, a manual DEL): Referrals
// leaves them out, and drops them from the index once old enough.
func TestReferralsDropVanished(t *testing.T) {
	ctx := t.Context()
	s := newStore(t, Options{})
	now := time.Now()
	for i, created := range []time.Time{now.Add(-time.Hour), now.Add(-2 * time.Hour), now} {
		r := testReferral("r"+strconv.Itoa(i), "p", "tg:1", created)
		if err := s.CreateReferral(ctx, r); err != nil {
			t.Fatal(err)
		}
	}
	for _, id := range []string{"r1", "r2"} {
		if err := s.c.Del(ctx, s.refKey(id)).Err(); err != nil {
			t.Fatal(err)
		}
	}
	list, err := s.Referrals(ctx, "p", 0)
	if err != nil || !slices.Equal(ids(list), []string{"r0"}) {
		t.Errorf("Referrals = %q, %v; want [r0]", ids(list), err)
	}
	// r1 is an hour old: dropped. r2 is new: its value may be on its way
	// (Cluster), so it stays until it is old.
	members, err := s.c.ZRange(ctx, s.placeKey("p"), 0, -1).Result()
	if err != nil || !slices.Equal(members, []string{"r0", "r2"}) {
		t.Errorf("place index after listing = %q, %v; want [r0 r2]", members, err)
	}
}

func ids(rs []flows.Referral) []string {
	out := make([]string, len(rs))
	for i, r := range rs {
		out[i] = r.ID
	}
	return out
}

// TestReferralWithoutRevision covers values the contract suite cannot
// write: no "<revision>:" at all.
func TestReferralWithoutRevision(t *testing.T) {
	ctx := t.Context()
	s := newStore(t, Options{})
	r := testReferral("r1", "p", "tg:1", time.Now())
	if err := s.CreateReferral(ctx, r); err != nil {
		t.Fatal(err)
	}
	js, err := r.Encode()
	if err != nil {
		t.Fatal(err)
	}
	for _, raw := range []string{"", "garbage", string(js), "x1:" + string(js)} {
		if err := s.c.Set(ctx, s.refKey("r1"), raw, 0).Err(); err != nil {
			t.Fatal(err)
		}
		if _, err := s.Referral(ctx, "r1"); !errors.Is(err, flows.ErrCorruptReferral) {
			t.Errorf("Referral(%.20q) error = %v, want ErrCorruptReferral", raw, err)
		}
		if _, err := s.UpdateReferral(ctx, "r1", func(*flows.Referral) error { return nil }); !errors.Is(err, flows.ErrCorruptReferral) {
			t.Errorf("UpdateReferral(%.20q) error = %v, want ErrCorruptReferral", raw, err)
		}
	}
	// Unframed JSON still names its place and chat: delete clears them.
	if err := s.c.Set(ctx, s.refKey("r1"), js, 0).Err(); err != nil {
		t.Fatal(err)
	}
	if err := s.DeleteReferral(ctx, "r1"); err != nil {
		t.Fatal(err)
	}
	checkNoKeys(t, s, "after deleting the only referral")
}

// TestReferralsLeaveNoKeys checks that the indexes empty with the
// referrals: Redis deletes an empty set, zset or hash.
func TestReferralsLeaveNoKeys(t *testing.T) {
	ctx := t.Context()
	s := newStore(t, Options{})
	now := time.Now()
	for i := range 20 {
		r := testReferral("r"+strconv.Itoa(i), "p"+strconv.Itoa(i%3), flows.ChatID("tg:"+strconv.Itoa(i%4)), now)
		if err := s.CreateReferral(ctx, r); err != nil {
			t.Fatal(err)
		}
	}
	for i := range 10 {
		if _, err := s.UpdateReferral(ctx, "r"+strconv.Itoa(i), func(r *flows.Referral) error {
			r.Scrub()
			r.Place = "moved"
			return nil
		}); err != nil {
			t.Fatal(err)
		}
	}
	for i := range 20 {
		if err := s.DeleteReferral(ctx, "r"+strconv.Itoa(i)); err != nil {
			t.Fatal(err)
		}
	}
	checkNoKeys(t, s, "after deleting every referral")
}

// TestTokenIndexPruned checks that a place's token index sheds tokens
// long expired, and that RevokeAccess empties it, with the place's link
// codes and chat.
func TestTokenIndexPruned(t *testing.T) {
	ctx := t.Context()
	s := newStore(t, Options{})
	now := time.Now()
	for i := range 5 {
		if err := s.AddToken(ctx, "p", "old"+strconv.Itoa(i), now.Add(-time.Hour)); err != nil {
			t.Fatal(err)
		}
	}
	if err := s.AddToken(ctx, "p", "recent", now.Add(-time.Second)); err != nil {
		t.Fatal(err)
	}
	if err := s.AddToken(ctx, "p", "live", now.Add(time.Hour)); err != nil {
		t.Fatal(err)
	}
	got, err := s.c.ZRange(ctx, s.placeTokensKey("p"), 0, -1).Result()
	if want := []string{"recent", "live"}; err != nil || !slices.Equal(got, want) {
		t.Errorf("token index = %q, %v; want %q", got, err, want)
	}
	if err := s.AddLinkCode(ctx, "CODE1", "p", now.Add(time.Hour)); err != nil {
		t.Fatal(err)
	}
	if err := s.SetStructureChat(ctx, "p", flows.ChatLink{Chat: "tg:1", Since: now}); err != nil {
		t.Fatal(err)
	}
	if err := s.RevokeAccess(ctx, "p"); err != nil {
		t.Fatal(err)
	}
	checkNoKeys(t, s, "after RevokeAccess")
}

// TestReferralErrorsRedisDown checks that a backend failure is neither a
// contract error nor silent, and names no chat.
func TestReferralErrorsRedisDown(t *testing.T) {
	ctx := t.Context()
	srv := redistest.NewServer(t, "")
	s := openWith(t, srv.URL(), Options{Timeout: 300 * time.Millisecond})
	const chat = flows.ChatID("wa:32470999888")
	if err := s.CreateReferral(ctx, testReferral("r1", "p", chat, time.Now())); err != nil {
		t.Fatal(err)
	}
	srv.Kill()
	for name, fn := range map[string]func() error{
		"CreateReferral": func() error { return s.CreateReferral(ctx, testReferral("r2", "p", chat, time.Now())) },
		"Referral":       func() error { _, err := s.Referral(ctx, "r1"); return err },
		"UpdateReferral": func() error {
			_, err := s.UpdateReferral(ctx, "r1", func(*flows.Referral) error { return nil })
			return err
		},
		"Referrals":      func() error { _, err := s.Referrals(ctx, "p", 0); return err },
		"ChatReferrals":  func() error { _, err := s.ChatReferrals(ctx, chat); return err },
		"DueReferrals":   func() error { _, err := s.DueReferrals(ctx, time.Now(), 0); return err },
		"DeleteReferral": func() error { return s.DeleteReferral(ctx, "r1") },
		"TokenPlace":     func() error { _, err := s.TokenPlace(ctx, "h"); return err },
		"UseLinkCode":    func() error { _, err := s.UseLinkCode(ctx, "1"); return err },
		"StructureChat":  func() error { _, err := s.StructureChat(ctx, "p"); return err },
	} {
		err := fn()
		switch {
		case err == nil:
			t.Errorf("%s with Redis down: no error", name)
		case errors.Is(err, flows.ErrNoReferral), errors.Is(err, flows.ErrNoToken),
			errors.Is(err, flows.ErrConflict), errors.Is(err, flows.ErrCorruptReferral):
			t.Errorf("%s with Redis down: error = %v, want a backend error, not a contract one", name, err)
		case strings.Contains(err.Error(), string(chat)):
			t.Errorf("%s with Redis down: error %q names the chat", name, err)
		case !strings.HasPrefix(err.Error(), "redis "):
			t.Errorf("%s with Redis down: error %q, want it to start with \"redis \"", name, err)
		}
	}
}

// BenchmarkCreateReferral is CreateReferral's pipeline of four commands;
// compare with BenchmarkBareSet, one SET of a value the same size.
func BenchmarkCreateReferral(b *testing.B) {
	s := newStore(b, Options{})
	ctx := b.Context()
	r := testReferral("", "be-epn-0142", "tg:812345678", time.Now())
	i := 0
	for b.Loop() {
		r.ID = "r" + strconv.Itoa(i)
		r.Chat = flows.ChatID("tg:" + strconv.Itoa(812_000_000+i))
		if err := s.CreateReferral(ctx, r); err != nil {
			b.Fatal(err)
		}
		i++
	}
}

// BenchmarkBareSet is the floor of BenchmarkCreateReferral: one SET round
// trip, with no encoding.
func BenchmarkBareSet(b *testing.B) {
	s := newStore(b, Options{})
	ctx := b.Context()
	r := testReferral("r0", "be-epn-0142", "tg:812345678", time.Now())
	val, err := refValue(r)
	if err != nil {
		b.Fatal(err)
	}
	i := 0
	for b.Loop() {
		if err := s.c.Set(ctx, s.refKey("r"+strconv.Itoa(i)), val, 0).Err(); err != nil {
			b.Fatal(err)
		}
		i++
	}
}

// checkNoKeys checks that s's prefix holds no key any more.
func checkNoKeys(t *testing.T, s *Store, after string) {
	t.Helper()
	if keys, err := scanKeys(t.Context(), s, s.prefix+":*"); err != nil || len(keys) != 0 {
		t.Errorf("keys %s = %q, %v; want none", after, keys, err)
	}
}
