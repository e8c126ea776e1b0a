package redis

import (
	"context"
	"crypto/rand"
	"errors"
	"fmt"
	"sync"
	"time"

	goredis "github.com/redis/go-redis/v9"
)

// ErrLeaseHeld is returned by Store.Lease, wrapped, when another owner
// holds the lease.
var ErrLeaseHeld = errors.New("redis: lease held by another owner")

// renewScript extends the lease only if this owner still holds it: a
// plain PEXPIRE would extend a lease that expired and was taken by
// another process in the meantime. A key found gone is taken again: no
// one holds the lease then, and a Redis restarted without its data (or
// emptied) must not cost the holder its lease.
//
// KEYS[1]: the lease key. ARGV[1]: the owner id. ARGV[2]: the TTL in
// milliseconds.
const renewScript = `
local v = redis.call('GET', KEYS[1])
if v == ARGV[1] then
	return redis.call('PEXPIRE', KEYS[1], ARGV[2])
end
if not v then
	redis.call('SET', KEYS[1], ARGV[1], 'PX', ARGV[2])
	return 1
end
return 0
`

// releaseScript deletes the lease only if this owner still holds it, for
// the same reason.
//
// KEYS[1]: the lease key. ARGV[1]: the owner id.
const releaseScript = `
if redis.call('GET', KEYS[1]) == ARGV[1] then
	return redis.call('DEL', KEYS[1])
end
return 0
`

// Lease is an exclusive, expiring claim on a name, shared by every process
// that uses the same Redis and key prefix: one string key
// "<prefix>:<name>" holding a random owner id, with a TTL. A goroutine
// renews it every third of its TTL until Release. It is safe for
// concurrent use.
//
// A lease is advisory: a process that stalls longer than the TTL (a long
// GC pause, a frozen VM) may go on for a moment after another took over.
// That is enough to keep a second Telegram poller from starting; it is not
// a lock for data, which Save's compare-and-set protects.
type Lease struct {
	s     *Store
	key   string
	owner string
	ttl   time.Duration
	// The scripts live here, not in package variables: the house style
	// keeps those for sentinels and constants.
	renewS, releaseS *goredis.Script

	lost     chan struct{} // closed when the lease is no longer ours
	lostOnce sync.Once
	stop     chan struct{} // closed by Release
	stopOnce sync.Once
	wg       sync.WaitGroup // the renewal goroutine
}

// Lease takes the lease on name for ttl, or returns an error wrapping
// ErrLeaseHeld if another owner holds it. The key is "<prefix>:<name>"; a
// name holds no secret, since keys show in MONITOR and in backups. The
// lease is renewed in the background until Release, and Lost reports if
// that fails.
func (s *Store) Lease(ctx context.Context, name string, ttl time.Duration) (*Lease, error) {
	if name == "" {
		return nil, errors.New("redis lease: empty name")
	}
	if ttl < 3*time.Millisecond {
		// Renewal runs every ttl/3 and PEXPIRE counts whole milliseconds.
		return nil, errors.New("redis lease: ttl under 3 ms")
	}
	l := &Lease{
		s:        s,
		key:      s.prefix + ":" + name,
		owner:    rand.Text(),
		ttl:      ttl,
		renewS:   goredis.NewScript(renewScript),
		releaseS: goredis.NewScript(releaseScript),
		lost:     make(chan struct{}),
		stop:     make(chan struct{}),
	}
	// The renewal counts from before the SET: the key may have been
	// written at any moment of the round trip.
	start := time.Now()
	octx, cancel := context.WithTimeout(ctx, s.timeout)
	defer cancel()
	ok, err := s.c.SetNX(octx, l.key, l.owner, ttl).Result()
	if err != nil {
		return nil, fmt.Errorf("redis lease: %w", err)
	}
	if !ok {
		return nil, fmt.Errorf("redis lease %s: %w", name, ErrLeaseHeld)
	}
	l.wg.Go(func() { l.renew(start) })
	return l, nil
}

// Lost returns a channel closed when the lease is no longer held: the key
// was taken by another owner, or Redis could not be reached in time to
// renew it. A key that expired or went away (a Redis restarted empty) is
// taken again by the renewal, if no one else took it first.
// Release does not close it.
func (l *Lease) Lost() <-chan struct{} { return l.lost }

// Release stops the renewal and deletes the key if this owner still holds
// it, so that another process may take the lease at once rather than
// after the TTL. It may be called more than once.
func (l *Lease) Release(ctx context.Context) error {
	l.stopOnce.Do(func() { close(l.stop) })
	l.wg.Wait()
	ctx, cancel := context.WithTimeout(ctx, l.s.timeout)
	defer cancel()
	if err := l.releaseS.Run(ctx, l.s.c, []string{l.key}, l.owner).Err(); err != nil {
		return fmt.Errorf("redis lease release: %w", err)
	}
	return nil
}

// renew extends the lease every ttl/3 until Release. A failed renewal is
// tried again at the next tick, while the lease surely has not expired:
// the last success's start plus the TTL. Past that, another process may
// already hold it, so the lease counts as lost.
func (l *Lease) renew(held time.Time) {
	every := l.ttl / 3
	t := time.NewTicker(every)
	defer t.Stop()
	for {
		select {
		case <-l.stop:
			return
		case <-t.C:
		}
		start := time.Now()
		ctx, cancel := context.WithTimeout(context.Background(), min(l.s.timeout, every))
		n, err := l.renewS.Run(ctx, l.s.c, []string{l.key}, l.owner, l.ttl.Milliseconds()).Int()
		cancel()
		switch {
		case err == nil && n == 1:
			held = start
		case err == nil:
			// Someone else's now.
			l.markLost()
			return
		case time.Since(held)+every >= l.ttl:
			// The next try would come after the expiry.
			l.markLost()
			return
		}
	}
}

func (l *Lease) markLost() { l.lostOnce.Do(func() { close(l.lost) }) }
