package web

import (
	"net/netip"
	"sync"
	"time"
)

// Limiter counts bad tokens per client in fixed windows: after limit
// failures within window, Blocked says so until the window ends. A page
// asks it only once a token has proved bad, so a valid token is served
// whoever else failed from the same address (a proxy, a school's NAT):
// the limiter slows guessing, it never locks a structure out.
//
// An IPv6 client counts by its /64, which one subscriber usually gets
// whole. The Limiter remembers at most size clients: when full it drops
// the ended windows, then the oldest one, so that a flood of addresses
// costs memory once and never grows the map. It is safe for concurrent
// use.
type Limiter struct {
	limit  int
	window time.Duration
	size   int

	mu   sync.Mutex // guards seen
	seen map[netip.Prefix]strikes
}

// strikes is one client's failures in the window that began at start.
type strikes struct {
	n     int
	start time.Time
}

// NewLimiter returns a Limiter of limit failures per window, remembering
// at most size clients.
func NewLimiter(limit int, window time.Duration, size int) *Limiter {
	return &Limiter{limit: limit, window: window, size: size, seen: make(map[netip.Prefix]strikes)}
}

// key is the client's counter: its address, or its /64 for IPv6.
func key(a netip.Addr) netip.Prefix {
	if a.Is6() {
		p, _ := a.Prefix(64)
		return p
	}
	return netip.PrefixFrom(a, a.BitLen()) // the invalid Addr gives one shared key
}

// Blocked reports whether a is over the limit, and for how long still.
func (l *Limiter) Blocked(a netip.Addr, now time.Time) (time.Duration, bool) {
	k := key(a)
	l.mu.Lock()
	defer l.mu.Unlock()
	s, ok := l.seen[k]
	if !ok {
		return 0, false
	}
	end := s.start.Add(l.window)
	if !now.Before(end) {
		delete(l.seen, k)
		return 0, false
	}
	if s.n < l.limit {
		return 0, false
	}
	return end.Sub(now), true
}

// Fail counts one bad token from a.
func (l *Limiter) Fail(a netip.Addr, now time.Time) {
	k := key(a)
	l.mu.Lock()
	defer l.mu.Unlock()
	s, ok := l.seen[k]
	if !ok || !now.Before(s.start.Add(l.window)) {
		if !ok && len(l.seen) >= l.size {
			l.evict(now)
		}
		s = strikes{start: now}
	}
	s.n++
	l.seen[k] = s
}

// Len is how many clients the Limiter remembers.
func (l *Limiter) Len() int {
	l.mu.Lock()
	defer l.mu.Unlock()
	return len(l.seen)
}

// evict makes room: ended windows first, else the oldest window.
func (l *Limiter) evict(now time.Time) {
	var (
		oldest netip.Prefix
		first  time.Time
		found  bool
	)
	for k, s := range l.seen {
		if !now.Before(s.start.Add(l.window)) {
			delete(l.seen, k)
			continue
		}
		if !found || s.start.Before(first) {
			oldest, first, found = k, s.start, true
		}
	}
	if len(l.seen) >= l.size && found {
		delete(l.seen, oldest)
	}
}
