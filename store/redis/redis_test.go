package redis

import (
	"context"
	"errors"
	"fmt"
	"net"
	"os"
	"reflect"
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

// newStore opens a Store on the test Redis with a key prefix of its own
// (redistest.New: cleared when the test ends).
func newStore(tb testing.TB, opt Options) *Store {
	tb.Helper()
	return processes(tb, opt)[0]
}

// openStore opens a Store on rawURL with a prefix of its own; the servers
// die with the test, so no key cleanup.
func openStore(t *testing.T, rawURL string) *Store {
	t.Helper()
	return openWith(t, rawURL, Options{Prefix: redistest.Prefix()})
}

// processes opens a Store for each of opts on the test Redis, under one
// key prefix of the test's own, as the processes of one deployment do:
// each with its client and its cache.
func processes(tb testing.TB, opts ...Options) []*Store {
	tb.Helper()
	u, prefix := redistest.New(tb)
	var out []*Store
	for _, o := range opts {
		o.Prefix = prefix
		out = append(out, openWith(tb, u, o))
	}
	return out
}

// openWith opens a Store, closed when the test ends (a test may close it
// before: a second Close only errs).
func openWith(tb testing.TB, rawURL string, opt Options) *Store {
	tb.Helper()
	s, err := Open(tb.Context(), rawURL, opt)
	if err != nil {
		tb.Fatalf("Open: %v", err)
	}
	tb.Cleanup(func() { _ = s.Close() })
	return s
}

// scanKeys lists the keys that match a glob pattern, with SCAN: tests only,
// the store itself never walks the keyspace.
func scanKeys(ctx context.Context, s *Store, match string) ([]string, error) {
	var keys []string
	iter := s.c.Scan(ctx, 0, match, 1000).Iterator()
	for iter.Next(ctx) {
		keys = append(keys, iter.Val())
	}
	return keys, iter.Err()
}

// TestContract runs the sessions' contract on a Store with its cache of
// saved sessions (the default) and without one.
func TestContract(t *testing.T) {
	for _, c := range []struct {
		name  string
		cache int
	}{{"cached", 0}, {"uncached", -1}} {
		t.Run(c.name, func(t *testing.T) {
			storetest.Run(t, func(t *testing.T) (flows.SessionStore, storetest.Corrupt) {
				s := newStore(t, Options{Cache: c.cache})
				return s, corruptHook(s)
			})
		})
	}
}

// corruptHook writes raw values the way Save frames them, as a process
// holding no copy of the chat would then read them (a restart, or the
// first step after another instance's): the cached copy is dropped.
// TestCacheOtherWriter covers a write that lands while the copy is kept.
func corruptHook(s *Store) storetest.Corrupt {
	return func(t *testing.T, id flows.ChatID, rev int64, raw []byte) {
		v := strconv.FormatInt(rev, 10) + ":" + string(raw)
		if err := s.c.Set(t.Context(), s.sessionKey(id), v, s.ttl).Err(); err != nil {
			t.Fatalf("SET corrupt value: %v", err)
		}
		s.cache.drop(id)
	}
}

func TestKeyLayout(t *testing.T) {
	s := &Store{prefix: "secours"}
	tests := []struct {
		id   flows.ChatID
		want string
	}{
		{"tg:812345678", "secours:{tg:812345678}:s"},
		{"wa:32470123456", "secours:{wa:32470123456}:s"},
		{"cli:local", "secours:{cli:local}:s"},
	}
	for _, tt := range tests {
		if got := s.sessionKey(tt.id); got != tt.want {
			t.Errorf("sessionKey(%q) = %q, want %q", tt.id, got, tt.want)
		}
		for _, k := range s.keys(tt.id) {
			if !strings.HasPrefix(k, "secours:{"+string(tt.id)+"}:") {
				t.Errorf("keys(%q) has %q, outside the chat's hash tag", tt.id, k)
			}
		}
	}
}

func TestSplitValue(t *testing.T) {
	tests := []struct {
		in      string
		rev     int64
		val     string
		ok      bool
		comment string
	}{
		{"1:{}", 1, "{}", true, ""},
		{"42:{\"a\":\"b:c\"}", 42, "{\"a\":\"b:c\"}", true, "colon in the JSON"},
		{"9223372036854775807:x", 9223372036854775807, "x", true, "max int64"},
		{"", 0, "", false, "empty"},
		{"{}", 0, "", false, "no revision"},
		{":{}", 0, "", false, "empty revision"},
		{"+1:{}", 0, "", false, "sign"},
		{"12345678901234567890:{}", 0, "", false, "20 digits: past what the script reads"},
	}
	for _, tt := range tests {
		rev, val, ok := splitValue([]byte(tt.in))
		if rev != tt.rev || string(val) != tt.val || ok != tt.ok {
			t.Errorf("splitValue(%q) = %d, %q, %v; want %d, %q, %v (%s)", tt.in, rev, val, ok, tt.rev, tt.val, tt.ok, tt.comment)
		}
	}
}

// TestCorruptWithoutRevision covers values the contract suite cannot write:
// no "<revision>:" at all. Load and the Save script must agree that such a
// value is revision 0, or the chat could never be saved again.
func TestCorruptWithoutRevision(t *testing.T) {
	ctx := t.Context()
	s := newStore(t, Options{})
	for i, raw := range []string{"", "garbage", "{\"v\":1}", "x1:{}", "12345678901234567890:{}"} {
		id := flows.ChatID("tg:9" + strconv.Itoa(i))
		if err := s.c.Set(ctx, s.sessionKey(id), raw, time.Minute).Err(); err != nil {
			t.Fatal(err)
		}
		got, err := s.Load(ctx, id)
		if !errors.Is(err, flows.ErrCorrupt) || got.Rev != 0 || got.Chat != id {
			t.Errorf("Load(%q) = {Chat: %q, Rev: %d}, %v; want {Chat: %q, Rev: 0}, ErrCorrupt", raw, got.Chat, got.Rev, err, id)
		}
		fresh := flows.NewSession(id, time.Now())
		if err := s.Save(ctx, fresh); err != nil {
			t.Errorf("Save(rev 0) over %q: %v", raw, err)
		}
		if err := s.Save(ctx, fresh); !errors.Is(err, flows.ErrConflict) {
			t.Errorf("second Save(rev 0) over %q: error = %v, want ErrConflict", raw, err)
		}
	}
}

func TestNoSessionIsNotNil(t *testing.T) {
	s := newStore(t, Options{})
	_, err := s.Load(t.Context(), "tg:1")
	if !errors.Is(err, flows.ErrNoSession) || errors.Is(err, goredis.Nil) {
		t.Errorf("Load(missing) error = %v, want ErrNoSession and not goredis.Nil", err)
	}
}

// TestResume checks that a conversation survives a restart of the
// process: a new client on the same Redis finds the session.
func TestResume(t *testing.T) {
	ctx := t.Context()
	two := processes(t, Options{}, Options{})
	first, second := two[0], two[1]
	want := benchSession("tg:812345678", time.Date(2026, 3, 1, 10, 0, 0, 0, time.UTC))
	if err := first.Save(ctx, want); err != nil {
		t.Fatal(err)
	}
	first.Close() // the process stops

	got, err := second.Load(ctx, want.Chat)
	if err != nil {
		t.Fatalf("Load after restart: %v", err)
	}
	want.Rev = 1
	if !reflect.DeepEqual(got, want) {
		t.Errorf("Load after restart =\n%+v\nwant\n%+v", got, want)
	}
	if err := second.Save(ctx, got); err != nil {
		t.Errorf("Save after restart: %v", err)
	}
}

func TestTTL(t *testing.T) {
	ctx := t.Context()
	const ttl = time.Second
	s := newStore(t, Options{TTL: ttl})
	const id = flows.ChatID("tg:1")
	key := s.sessionKey(id)
	if err := s.Save(ctx, flows.NewSession(id, time.Now())); err != nil {
		t.Fatal(err)
	}
	if d := s.c.PTTL(ctx, key).Val(); d <= 0 || d > ttl {
		t.Errorf("PTTL after Save = %v, want in (0, %v]", d, ttl)
	}

	// Each Save refreshes the TTL: shorten it by hand, then save.
	if err := s.c.PExpire(ctx, key, 50*time.Millisecond).Err(); err != nil {
		t.Fatal(err)
	}
	loaded, err := s.Load(ctx, id)
	if err != nil {
		t.Fatal(err)
	}
	if err := s.Save(ctx, loaded); err != nil {
		t.Fatal(err)
	}
	if d := s.c.PTTL(ctx, key).Val(); d < ttl/2 {
		t.Errorf("PTTL after a second Save = %v, want about %v (refreshed)", d, ttl)
	}

	start := time.Now()
	for {
		_, err := s.Load(ctx, id)
		if errors.Is(err, flows.ErrNoSession) {
			break
		}
		if err != nil {
			t.Fatalf("Load while waiting for expiry: %v", err)
		}
		if time.Since(start) > ttl+3*time.Second {
			t.Fatalf("session still there %v after a Save with TTL %v", time.Since(start), ttl)
		}
		time.Sleep(50 * time.Millisecond)
	}
	// Expired is the same as never saved: a new conversation starts at 0.
	if err := s.Save(ctx, flows.NewSession(id, time.Now())); err != nil {
		t.Errorf("Save(rev 0) after expiry: %v", err)
	}
}

func TestDeleteLeavesNoKey(t *testing.T) {
	ctx := t.Context()
	s := newStore(t, Options{})
	const id, other = flows.ChatID("wa:32470000001"), flows.ChatID("wa:32470000002")
	for _, c := range []flows.ChatID{id, other} {
		if err := s.Save(ctx, benchSession(c, time.Now())); err != nil {
			t.Fatal(err)
		}
	}
	if err := s.Delete(ctx, id); err != nil {
		t.Fatal(err)
	}
	keys, err := scanKeys(ctx, s, s.prefix+":{"+string(id)+"}:*")
	if err != nil {
		t.Fatal(err)
	}
	if len(keys) != 0 {
		t.Errorf("after Delete, keys of the chat remain: %q", keys)
	}
	if keys, err := scanKeys(ctx, s, s.prefix+":*"); err != nil || len(keys) != 1 {
		t.Errorf("after Delete of one chat, keys under the prefix = %q, %v; want the other chat's only", keys, err)
	}
}

// TestMemoryPerSession stores 10,000 realistic sessions and measures what
// one costs in Redis. The target is under 1 KiB each.
func TestMemoryPerSession(t *testing.T) {
	ctx := t.Context()
	s := newStore(t, Options{})
	const n, workers = 10_000, 8
	before, err := usedMemory(ctx, s)
	if err != nil {
		t.Fatal(err)
	}
	now := time.Date(2026, 3, 1, 10, 0, 0, 0, time.UTC)
	var wg sync.WaitGroup
	for w := range workers {
		wg.Go(func() {
			for i := w; i < n; i += workers {
				id := flows.ChatID("tg:" + strconv.Itoa(700_000_000+i*7919))
				if err := s.Save(ctx, benchSession(id, now)); err != nil {
					t.Errorf("Save %d: %v", i, err)
					return
				}
			}
		})
	}
	wg.Wait()
	after, err := usedMemory(ctx, s)
	if err != nil {
		t.Fatal(err)
	}

	const sample = 200
	var total, valueLen int64
	for i := range sample {
		key := s.sessionKey(flows.ChatID("tg:" + strconv.Itoa(700_000_000+i*(n/sample)*7919)))
		b, err := s.c.MemoryUsage(ctx, key, 0).Result() // SAMPLES 0: exact
		if err != nil {
			t.Fatalf("MEMORY USAGE: %v", err)
		}
		total += b
		valueLen += s.c.StrLen(ctx, key).Val()
	}
	perKey := total / sample
	// INFO's delta includes the expiry entries and the dictionary growth
	// that MEMORY USAGE leaves out, but other clients of a shared Redis move
	// it too: it is logged, not asserted.
	t.Logf("per session: MEMORY USAGE %d bytes (value %d bytes); used_memory delta %d bytes over %d sessions",
		perKey, valueLen/sample, (after-before)/n, n)
	if perKey >= 1024 {
		t.Errorf("MEMORY USAGE per session = %d bytes, want under 1024", perKey)
	}
}

func usedMemory(ctx context.Context, s *Store) (int64, error) {
	info, err := s.c.Info(ctx, "memory").Result()
	if err != nil {
		return 0, err
	}
	for line := range strings.Lines(info) {
		if v, ok := strings.CutPrefix(strings.TrimSpace(line), "used_memory:"); ok {
			return strconv.ParseInt(v, 10, 64)
		}
	}
	return 0, errors.New("no used_memory in INFO memory")
}

// freePort returns a loopback port that nothing listens on.
func freePort(t *testing.T) string {
	t.Helper()
	_, port, _ := net.SplitHostPort(testkit.FreeAddr(t))
	return port
}

// TestRedisKilled kills Redis in the middle of a conversation: the store
// must fail fast with an error that names no password, then recover by
// itself once Redis is back. Without the cache, so that Load meets Redis
// too: with it, a step fails at its Save just as fast.
func TestRedisKilled(t *testing.T) {
	ctx := t.Context()
	const pw, timeout = "Zq7-hunter2", 500 * time.Millisecond
	srv := redistest.NewServer(t, pw)
	s := openWith(t, srv.URL(), Options{Timeout: timeout, Cache: -1})

	const id = flows.ChatID("tg:812345678")
	if err := s.Save(ctx, benchSession(id, time.Now())); err != nil {
		t.Fatal(err)
	}
	loaded, err := s.Load(ctx, id)
	if err != nil {
		t.Fatal(err)
	}

	srv.Kill()
	// The bound is the timeout, with slack for a loaded CI machine.
	const bound = timeout + time.Second
	for _, op := range []struct {
		name string
		fn   func() error
	}{
		{"Load", func() error { _, err := s.Load(ctx, id); return err }},
		{"Save", func() error { return s.Save(ctx, loaded) }},
		{"Delete", func() error { return s.Delete(ctx, id) }},
		{"Ping", func() error { return s.Ping(ctx) }},
	} {
		start := time.Now()
		err := op.fn()
		d := time.Since(start)
		switch {
		case err == nil:
			t.Errorf("%s with Redis down: no error", op.name)
		case errors.Is(err, flows.ErrNoSession), errors.Is(err, flows.ErrConflict), errors.Is(err, flows.ErrCorrupt):
			t.Errorf("%s with Redis down: error = %v, want a backend error, not a contract one", op.name, err)
		case strings.Contains(err.Error(), "hunter2"):
			t.Errorf("%s with Redis down: error %q names the password", op.name, err)
		}
		if d > bound {
			t.Errorf("%s with Redis down took %v, want at most %v", op.name, d, bound)
		}
		t.Logf("%s with Redis down: %v after %v", op.name, err, d.Round(time.Millisecond))
	}

	srv.Start() // same port, empty: persistence is off
	fresh := flows.NewSession("tg:1", time.Now())
	start := time.Now()
	for {
		err := s.Save(ctx, fresh)
		if err == nil {
			break
		}
		if time.Since(start) > 15*time.Second {
			t.Fatalf("store did not recover %v after Redis came back: %v", time.Since(start), err)
		}
		time.Sleep(50 * time.Millisecond)
	}
	t.Logf("store recovered %v after Redis came back", time.Since(start).Round(time.Millisecond))
	if got, err := s.Load(ctx, "tg:1"); err != nil || got.Rev != 1 {
		t.Errorf("Load after recovery = rev %d, %v; want rev 1", got.Rev, err)
	}
	if _, err := s.Load(ctx, id); !errors.Is(err, flows.ErrNoSession) {
		t.Errorf("Load of the session saved before the crash: error = %v, want ErrNoSession (no persistence)", err)
	}
}

func TestOpenUnreachable(t *testing.T) {
	port := freePort(t) // closed again: nothing listens
	const timeout = 500 * time.Millisecond
	start := time.Now()
	s, err := Open(t.Context(), "redis://:Zq7-hunter2@127.0.0.1:"+port+"/0", Options{Timeout: timeout})
	d := time.Since(start)
	if err == nil {
		s.Close()
		t.Fatal("Open of a closed port: no error")
	}
	if want := "127.0.0.1:" + port; !strings.Contains(err.Error(), want) {
		t.Errorf("Open error = %q, want it to name %s", err, want)
	}
	if strings.Contains(err.Error(), "hunter2") {
		t.Errorf("Open error = %q names the password", err)
	}
	if d > timeout+time.Second {
		t.Errorf("Open of a closed port took %v, want at most %v", d, timeout+time.Second)
	}
}

// TestOpenSilentServer covers a Redis that accepts connections and never
// answers (a hung host, a black-holing proxy): the timeout must still
// bound Open.
func TestOpenSilentServer(t *testing.T) {
	l, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	var conns sync.WaitGroup
	stop := make(chan struct{})
	t.Cleanup(func() { close(stop); l.Close(); conns.Wait() })
	conns.Go(func() {
		for {
			c, err := l.Accept()
			if err != nil {
				return
			}
			conns.Go(func() { <-stop; c.Close() })
		}
	})

	const timeout = 300 * time.Millisecond
	start := time.Now()
	s, err := Open(t.Context(), "redis://"+l.Addr().String(), Options{Timeout: timeout})
	d := time.Since(start)
	if err == nil {
		s.Close()
		t.Fatal("Open of a silent server: no error")
	}
	if !strings.Contains(err.Error(), l.Addr().String()) {
		t.Errorf("Open error = %q, want it to name %s", err, l.Addr())
	}
	if d > timeout+time.Second {
		t.Errorf("Open of a silent server took %v, want at most %v", d, timeout+time.Second)
	}
}

func TestOpenOptions(t *testing.T) {
	if _, err := Open(t.Context(), "redis://127.0.0.1:1", Options{Prefix: "a{b}"}); err == nil || !strings.Contains(err.Error(), "prefix") {
		t.Errorf("Open with prefix %q: error = %v, want one about the prefix", "a{b}", err)
	}
	if _, err := Open(t.Context(), "http://127.0.0.1:1", Options{}); err == nil {
		t.Error("Open of an http:// URL: no error")
	}
}

func ExampleParseURL() {
	o, err := ParseURL("redis+sentinel://:s3cret@10.0.0.1,10.0.0.2:26380/secours/1")
	if err != nil {
		fmt.Println(err)
		return
	}
	fmt.Println(o.Addrs, o.MasterName, o.DB)
	// Output: [10.0.0.1:26379 10.0.0.2:26380] secours 1
}

func TestMain(m *testing.M) {
	// go-redis logs each failed dial through a package-level logger; the
	// tests that kill Redis report what matters themselves.
	goredis.SetLogger(discard{})
	os.Exit(m.Run())
}

type discard struct{}

func (discard) Printf(context.Context, string, ...any) {}
