package redis

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"log/slog"
	"runtime"
	"strconv"
	"strings"
	"time"

	goredis "github.com/redis/go-redis/v9"

	"github.com/secours/secours/flows"
)

// Defaults of Options.
const (
	// DefaultTTL keeps an idle conversation for 30 days; every step
	// refreshes it (docs/diagnostic.md G.3).
	DefaultTTL = 30 * 24 * time.Hour
	// DefaultPrefix starts every key.
	DefaultPrefix = "secours"
	// DefaultTimeout bounds one operation, connection included: a step
	// must fail fast, not hang, when Redis is down.
	DefaultTimeout = 2 * time.Second
)

// saveScript is the compare-and-set of Save.
//
// Lua rather than WATCH/MULTI/EXEC: the script runs atomically on the
// server in one round trip (EVALSHA), with no optimistic retry loop in the
// client, and it touches a single key, so it runs unchanged on Cluster.
// Rather than a lock (SET NX PX around Load→Save): there is no lock expiry
// to tune against slow steps, and no lock left behind by a replica that
// crashed; a writer that loses the race gets flows.ErrConflict at once.
//
// The value is "<revision>:<session JSON>": GETRANGE reads just the
// revision, and a plain string costs less memory than a hash, whose
// encoding turns into a hashtable once a field exceeds 64 bytes. A value
// without a readable revision counts as revision 0, like Load's answer.
//
// KEYS[1]: the session key. ARGV[1]: the revision the caller loaded (0:
// none). ARGV[2]: the new value. ARGV[3]: the TTL in milliseconds.
const saveScript = `
local rev = tonumber(string.match(redis.call('GETRANGE', KEYS[1], 0, 19), '^(%d+):')) or 0
if rev ~= tonumber(ARGV[1]) then
	return 0
end
redis.call('SET', KEYS[1], ARGV[2], 'PX', ARGV[3])
return 1
`

// Options configure a Store. The zero value is usable.
type Options struct {
	TTL     time.Duration // idle session lifetime, refreshed by each Save; 0: DefaultTTL
	Prefix  string        // key prefix, without "{" or "}"; "": DefaultPrefix
	Timeout time.Duration // bound of each operation; 0: DefaultTimeout
	// Now is the clock of the store's own decisions: whether a page token
	// or a link code has expired, and the age of index entries. Redis
	// still drops expired keys by its own clock, so a clock moved forward
	// (a test's) sees expiry before Redis does. nil: time.Now.
	Now func() time.Time
	// Cache is how many sessions this process keeps after saving them, so
	// that the chat's next step needs no read (cache.go); 0: DefaultCache,
	// negative: none.
	Cache int
}

var _ flows.SessionStore = (*Store)(nil)

// Store is a flows.SessionStore in Redis: one string key per chat,
// "<prefix>:{<chat id>}:s", holding "<revision>:<session JSON>" with a TTL.
// The braces are a hash tag: every key of a chat lands in the same Cluster
// slot. It is also a referral.Store and a flows.StructureStore, whose
// keys referrals.go lists, and a flows.StatsStore (stats.go); it keeps
// the WhatsApp Cloud API's 24-hour window under the chat's hash tag
// (window.go). It is safe for concurrent use.
type Store struct {
	c       goredis.UniversalClient
	save    *goredis.Script
	update  *goredis.Script // of referrals (referrals.go)
	seen    *goredis.Script // of the 24-hour window (window.go)
	hold    *goredis.Script // of held messages (window.go)
	ttl     time.Duration
	prefix  string
	timeout time.Duration
	now     func() time.Time // Options.Now
	pool    int              // connections per server in the client's pool
	cache   *sessionCache    // nil: Options.Cache < 0
}

// Open connects to the Redis of rawURL (see ParseURL for its forms) and
// pings it. A failure names the address, never the password.
func Open(ctx context.Context, rawURL string, opt Options) (*Store, error) {
	uo, err := ParseURL(rawURL)
	if err != nil {
		return nil, err
	}
	if opt.TTL <= 0 {
		opt.TTL = DefaultTTL
	}
	if opt.Prefix == "" {
		opt.Prefix = DefaultPrefix
	}
	if strings.ContainsAny(opt.Prefix, "{}") {
		return nil, errors.New("redis open: prefix must not hold { or }: they mark the hash tag")
	}
	if opt.Timeout <= 0 {
		opt.Timeout = DefaultTimeout
	}
	if opt.Now == nil {
		opt.Now = time.Now
	}
	if opt.Cache == 0 {
		opt.Cache = DefaultCache
	}
	// Each operation also gets a context deadline of opt.Timeout; these
	// bound what a context does not reach (background dials, pool waits).
	uo.DialTimeout = opt.Timeout
	uo.ReadTimeout = opt.Timeout
	uo.WriteTimeout = opt.Timeout
	uo.PoolTimeout = opt.Timeout
	uo.ContextTimeoutEnabled = true
	// One dial per attempt: the command retries (MaxRetries, with backoff)
	// already dial again, and go-redis' default of 5 dials 100 ms apart per
	// attempt outlasts the timeout, so a refused connection would surface as
	// "context deadline exceeded" after Timeout instead of "connection
	// refused" at once.
	uo.DialerRetries = 1

	s := &Store{
		c:       goredis.NewUniversalClient(uo),
		save:    goredis.NewScript(saveScript),
		update:  goredis.NewScript(updateScript),
		seen:    goredis.NewScript(seenScript),
		hold:    goredis.NewScript(holdScript),
		ttl:     opt.TTL,
		prefix:  opt.Prefix,
		timeout: opt.Timeout,
		now:     opt.Now,
		pool:    uo.PoolSize,
		cache:   newSessionCache(opt.Cache),
	}
	if s.pool <= 0 {
		s.pool = 10 * runtime.GOMAXPROCS(0) // go-redis' default
	}
	pctx, cancel := context.WithTimeout(ctx, s.timeout)
	defer cancel()
	if err := s.c.Ping(pctx).Err(); err != nil {
		s.c.Close()
		return nil, fmt.Errorf("redis open %s: %w", describe(uo), err)
	}
	return s, nil
}

// describe names what Open connects to, without credentials.
func describe(uo *goredis.UniversalOptions) string {
	addrs := strings.Join(uo.Addrs, ",")
	switch {
	case uo.MasterName != "":
		return "sentinel " + addrs + " master " + uo.MasterName
	case uo.IsClusterMode:
		return "cluster " + addrs
	}
	return addrs
}

// Ping checks that Redis answers within the timeout.
func (s *Store) Ping(ctx context.Context) error {
	ctx, cancel := context.WithTimeout(ctx, s.timeout)
	defer cancel()
	if err := s.c.Ping(ctx).Err(); err != nil {
		return fmt.Errorf("redis ping: %w", err)
	}
	return nil
}

// PoolSize is the number of connections the client keeps per server
// (pool_size in the URL, else go-redis' 10 per GOMAXPROCS): a step that
// waits for one of them waits inside its deadline.
func (s *Store) PoolSize() int { return s.pool }

// Close closes the connections.
func (s *Store) Close() error {
	if err := s.c.Close(); err != nil {
		return fmt.Errorf("redis close: %w", err)
	}
	return nil
}

// Load returns the session of chat id in one round trip, or none when
// this process saved it last (cache.go), or flows.ErrNoSession if there
// is none or it expired. If the stored value
// does not decode, Load returns flows.ErrCorrupt with a Session holding
// only Chat and the stored Rev (0 if unreadable), so that saving a fresh
// session at that revision replaces it.
func (s *Store) Load(ctx context.Context, id flows.ChatID) (flows.Session, error) {
	if sess, ok := s.loadCached(id); ok {
		return sess, nil
	}
	ctx, cancel := context.WithTimeout(ctx, s.timeout)
	defer cancel()
	b, err := s.c.Get(ctx, s.sessionKey(id)).Bytes()
	if errors.Is(err, goredis.Nil) {
		return flows.Session{}, flows.ErrNoSession
	}
	if err != nil {
		return flows.Session{}, fmt.Errorf("redis load session: %w", err)
	}
	rev, val, ok := splitValue(b)
	if !ok {
		return flows.Session{Chat: id}, fmt.Errorf("redis load session: no revision: %w", flows.ErrCorrupt)
	}
	sess, err := flows.DecodeSession(val)
	if err == nil && sess.Chat != id {
		err = fmt.Errorf("stored under another chat: %w", flows.ErrCorrupt)
	}
	if err != nil {
		return flows.Session{Chat: id, Rev: rev}, fmt.Errorf("redis load session: %w", err)
	}
	sess.Rev = rev // the key's revision is the authority
	return sess, nil
}

// Save stores sess if the stored revision is still sess.Rev (0: none
// stored, or expired), and returns flows.ErrConflict otherwise. On success
// the stored revision is sess.Rev+1 and the TTL starts again. It is one
// EVALSHA round trip.
//
// If a reply is lost and go-redis sends the script again, the second run
// finds the new revision and Save returns ErrConflict for a write that
// was applied: the caller reloads, finds its own step, and Session.Seen
// keeps the message from being handled twice.
func (s *Store) Save(ctx context.Context, sess flows.Session) error {
	loaded := sess.Rev
	sess.Rev++
	js, err := sess.Encode()
	if err != nil {
		return fmt.Errorf("redis save session: %w", err)
	}
	val := make([]byte, 0, 20+1+len(js))
	val = strconv.AppendInt(val, sess.Rev, 10)
	val = append(val, ':')
	val = append(val, js...)

	start := time.Now() // before the write: the copy never outlives the key
	ctx, cancel := context.WithTimeout(ctx, s.timeout)
	defer cancel()
	ok, err := s.save.Run(ctx, s.c, []string{s.sessionKey(sess.Chat)}, loaded, val, s.ttl.Milliseconds()).Int()
	if err != nil {
		s.cache.drop(sess.Chat) // applied or not: Redis decides
		return fmt.Errorf("redis save session: %w", err)
	}
	if ok != 1 {
		s.cache.drop(sess.Chat)
		return flows.ErrConflict
	}
	s.cache.put(sess.Chat, cached{rev: sess.Rev, js: js, until: start.Add(s.ttl)})
	return nil
}

// Delete removes every key of chat id. Deleting a missing session is not
// an error.
func (s *Store) Delete(ctx context.Context, id flows.ChatID) error {
	ctx, cancel := context.WithTimeout(ctx, s.timeout)
	defer cancel()
	s.cache.drop(id)
	if err := s.c.Del(ctx, s.keys(id)...).Err(); err != nil {
		return fmt.Errorf("redis delete session: %w", err)
	}
	return nil
}

// sessionKey is the key of the session of chat id.
func (s *Store) sessionKey(id flows.ChatID) string {
	return s.prefix + ":{" + string(id) + "}:s"
}

// keys lists every key a chat may have, all under "<prefix>:{<chat id>}:"
// so that they share a Cluster slot and one DEL removes them. Delete uses
// this list rather than SCAN, which walks the whole keyspace.
func (s *Store) keys(id flows.ChatID) []string {
	return []string{s.sessionKey(id), s.windowKey(id), s.heldKey(id)}
}

// splitValue splits "<revision>:<session JSON>". It reads the revision
// the way saveScript does: leading digits up to a colon.
func splitValue(b []byte) (rev int64, val []byte, ok bool) {
	digits, val, found := bytes.Cut(b, []byte{':'})
	if !found || len(digits) == 0 || len(digits) > 19 {
		return 0, nil, false
	}
	for _, c := range digits {
		if c < '0' || c > '9' {
			return 0, nil, false
		}
	}
	rev, err := strconv.ParseInt(string(digits), 10, 64)
	if err != nil {
		return 0, nil, false
	}
	return rev, val, true
}

// slogPrintf routes go-redis's own log lines (failed dials, with the
// address only) to the process's structured log.
type slogPrintf struct{ log *slog.Logger }

func (l slogPrintf) Printf(ctx context.Context, format string, v ...any) {
	l.log.WarnContext(ctx, "redis client", slog.String("detail", fmt.Sprintf(format, v...)))
}

// SetLogger sends go-redis's internal log to log. go-redis keeps it in a
// package variable, so call this once, from main.
func SetLogger(log *slog.Logger) {
	goredis.SetLogger(slogPrintf{log: log})
}
