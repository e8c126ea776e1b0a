package redis

import (
	"context"
	"fmt"
	"sync"
	"time"

	"github.com/secours/secours/flows"
)

// DefaultCache is how many sessions a Store keeps in its own memory when
// Options.Cache is not set: about 1 KB each.
const DefaultCache = 20_000

// sessionCache holds the sessions this process wrote last, so that the
// next step of the same chat skips its GET: a step is then one round trip,
// the compare-and-set of Save. An entry is only a guess: when another
// instance moved the chat since, Save finds another revision, returns
// flows.ErrConflict, the entry is dropped, and the step is run again on
// what Redis holds (flows.Engine.Handle retries). So the cache never
// decides what is stored; it only saves the read that usually finds what
// this process wrote itself. A Load that is not followed by a Save (none
// in the bot) may read a copy older than Redis' value.
type sessionCache struct {
	mu  sync.Mutex
	max int
	m   map[flows.ChatID]cached
}

// cached is a session as Save wrote it: its revision and its encoding.
// Load decodes it again, so that a step never shares maps or slices with
// the entry (a step changes what it is given).
type cached struct {
	rev   int64
	js    []byte
	until time.Time // when Redis drops the key (its TTL), by the real clock as Redis' own
}

func newSessionCache(max int) *sessionCache {
	if max <= 0 {
		return nil
	}
	return &sessionCache{max: max, m: make(map[flows.ChatID]cached)}
}

func (c *sessionCache) get(id flows.ChatID) (cached, bool) {
	if c == nil {
		return cached{}, false
	}
	c.mu.Lock()
	defer c.mu.Unlock()
	e, ok := c.m[id]
	if ok && !time.Now().Before(e.until) {
		delete(c.m, id) // expired in Redis too: Load must say so
		return cached{}, false
	}
	return e, ok
}

func (c *sessionCache) put(id flows.ChatID, e cached) {
	if c == nil {
		return
	}
	c.mu.Lock()
	defer c.mu.Unlock()
	old, ok := c.m[id]
	if ok && old.rev >= e.rev {
		return // a later save of this process already put a newer copy
	}
	if !ok && len(c.m) >= c.max {
		// Full: drop one entry, any (map order is unspecified). A chat
		// whose entry goes only pays its GET again on its next step.
		for k := range c.m {
			delete(c.m, k)
			break
		}
	}
	c.m[id] = e
}

func (c *sessionCache) drop(id flows.ChatID) {
	if c == nil {
		return
	}
	c.mu.Lock()
	delete(c.m, id)
	c.mu.Unlock()
}

// loadCached returns the session this process saved last for id, if it
// has one.
func (s *Store) loadCached(id flows.ChatID) (flows.Session, bool) {
	e, ok := s.cache.get(id)
	if !ok {
		return flows.Session{}, false
	}
	sess, err := flows.DecodeSession(e.js)
	if err != nil || sess.Chat != id {
		s.cache.drop(id) // cannot happen for what Save encoded; Redis decides
		return flows.Session{}, false
	}
	sess.Rev = e.rev
	return sess, true
}

// Current reports whether rev is still the stored revision of chat id,
// in one short read (the revision only). The engine asks before a step
// that withdraws a referral, since that step may have been computed on
// this process's cached copy.
// A revision that moved drops the cached copy, so the next Load reads
// Redis.
func (s *Store) Current(ctx context.Context, id flows.ChatID, rev int64) (bool, error) {
	ctx, cancel := context.WithTimeout(ctx, s.timeout)
	defer cancel()
	head, err := s.c.GetRange(ctx, s.sessionKey(id), 0, 19).Result()
	if err != nil {
		return false, fmt.Errorf("redis session revision: %w", err)
	}
	// None stored, or unreadable, is revision 0, as saveScript reads it.
	stored, _, _ := splitValue([]byte(head))
	if stored != rev {
		s.cache.drop(id)
		return false, nil
	}
	return true, nil
}
