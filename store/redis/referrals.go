package redis

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"slices"
	"strconv"
	"time"

	goredis "github.com/redis/go-redis/v9"

	"github.com/secours/secours/flows"
	"github.com/secours/secours/internal/pause"
	"github.com/secours/secours/referral"
	"github.com/secours/secours/store"
)

// Referral and structure keys:
//
//	<prefix>:ref:{<id>}      string "<revision>:<referral JSON>", no TTL
//	<prefix>:pl:{<place>}    zset of referral ids, scored by Created (µs)
//	<prefix>:cr:{<chat>}     set of referral ids
//	<prefix>:{due}:at        zset of referral ids, scored by DueAt (µs)
//	<prefix>:{due}:rev       hash: referral id → revision of its due entry
//	<prefix>:tok:{<hash>}    string: place, expiring at the token's expiry
//	<prefix>:ptok:{<place>}  zset of the place's token hashes, scored by expiry (ms)
//	<prefix>:lc:{<code>}     string: place, expiring at the code's expiry
//	<prefix>:plc:{<place>}   zset of the place's link codes, scored by expiry (ms)
//	<prefix>:sc:{<place>}    string: the structure's chat, JSON flows.ChatLink
//	                         (a bare chat id from before it had a date)
//
// Each key holds its subject in braces, the hash tag, so that a Cluster
// places it by its subject. No command and no script touches keys of two
// slots: index updates go in pipelines, which go-redis splits by node.
// They are not atomic with the referral's value, so the indexes may
// briefly lag it; readers load the referral and check.
//
// Referral keys have no TTL: the application's sweep deletes them after
// flows.Policy.Retain. So Redis must persist (AOF or RDB snapshots), and
// must never evict them: maxmemory-policy noeviction or volatile-*, not
// allkeys-*.

// maxUpdateAttempts bounds the tries of UpdateReferral against concurrent
// writers.
const maxUpdateAttempts = 10

// vanishGrace is how old (by Created) an index entry without a referral
// must be before Referrals drops it. In a Cluster, the pipeline of
// CreateReferral may index a referral on one node a moment before its
// value lands on another; the grace keeps a listing from dropping it
// then. It also absorbs clock skew between replicas.
const vanishGrace = time.Minute

// updateScript is the compare-and-set of UpdateReferral, the same as
// saveScript but without a TTL: a referral lives until deleted. A missing
// key reads as revision 0, which no loaded referral has, so an update
// never brings back a deleted referral.
//
// KEYS[1]: the referral key. ARGV[1]: the revision read. ARGV[2]: the new
// value.
const updateScript = `
local rev = tonumber(string.match(redis.call('GETRANGE', KEYS[1], 0, 19), '^(%d+):')) or 0
if rev ~= tonumber(ARGV[1]) then
	return 0
end
redis.call('SET', KEYS[1], ARGV[2])
return 1
`

// dueScript sets the due entry of a referral at one revision, unless a
// later revision already set it. Index updates follow the compare-and-set
// in a separate pipeline, so two updates' pipelines may land out of
// order; without the guard the older one could overwrite the newer due
// time, or remove it, and the sweep would miss the referral (and its
// purge). Both keys share the hash tag {due}.
//
// KEYS[1]: the due zset. KEYS[2]: the revision hash. ARGV[1]: the
// referral id. ARGV[2]: its revision. ARGV[3]: the score, "" if not due.
const dueScript = `
local cur = tonumber(redis.call('HGET', KEYS[2], ARGV[1])) or 0
if tonumber(ARGV[2]) <= cur then
	return 0
end
redis.call('HSET', KEYS[2], ARGV[1], ARGV[2])
if ARGV[3] == '' then
	redis.call('ZREM', KEYS[1], ARGV[1])
else
	redis.call('ZADD', KEYS[1], ARGV[3], ARGV[1])
end
return 1
`

var (
	_ referral.Store       = (*Store)(nil)
	_ flows.StructureStore = (*Store)(nil)
)

func (s *Store) refKey(id string) string { return s.prefix + ":ref:{" + id + "}" }

func (s *Store) placeKey(place string) string { return s.prefix + ":pl:{" + place + "}" }

func (s *Store) chatRefsKey(chat flows.ChatID) string { return s.prefix + ":cr:{" + string(chat) + "}" }

// dueKeys are the due zset and its revision hash, in dueScript's order.
func (s *Store) dueKeys() []string {
	return []string{s.prefix + ":{due}:at", s.prefix + ":{due}:rev"}
}

// CreateReferral stores r with Rev 1 and indexes it, in one round trip (a
// pipeline). An id that exists is left as it is, and CreateReferral
// returns nil: a retried step must not create a second referral nor undo
// what happened to the first. The pipeline has indexed r by then, so in
// that case a second round trip puts the indexes back in line with the
// stored referral. r must have an ID and V set to flows.ReferralVersion.
func (s *Store) CreateReferral(ctx context.Context, r flows.Referral) error {
	if err := store.CheckNew(r); err != nil {
		return fmt.Errorf("redis create referral: %w", err)
	}
	r.Rev = 1
	val, err := refValue(r)
	if err != nil {
		return fmt.Errorf("redis create referral: %w", err)
	}
	ctx, cancel := context.WithTimeout(ctx, s.timeout)
	defer cancel()
	var created *goredis.BoolCmd
	_, err = s.c.Pipelined(ctx, func(p goredis.Pipeliner) error {
		created = p.SetNX(ctx, s.refKey(r.ID), val, 0)
		s.queueIndexes(ctx, p, r.ID, nil, &r)
		// At revision 1, dueScript refuses this entry over an existing
		// referral's.
		s.queueDue(ctx, p, r.ID, r.Rev, r.DueAt)
		return nil
	})
	if err != nil {
		return fmt.Errorf("redis create referral: %w", err)
	}
	if created.Val() {
		return nil
	}
	if err := s.reindex(ctx, r); err != nil {
		return fmt.Errorf("redis create referral: %w", err)
	}
	return nil
}

// reindex moves the place and chat entries that a create of r added over
// an existing referral to where the stored referral has them: after a
// withdrawal, the retried create must not put the person's chat back in
// the index.
func (s *Store) reindex(ctx context.Context, r flows.Referral) error {
	b, err := s.c.Get(ctx, s.refKey(r.ID)).Bytes()
	var stored *flows.Referral
	switch {
	case errors.Is(err, goredis.Nil):
		// Deleted since: none of r's entries may stay.
	case err != nil:
		return err
	default:
		cur, err := decodeRefValue(r.ID, b)
		if err != nil {
			// Nothing to line up with: Referral reports the value, and
			// DeleteReferral clears what the entries point to.
			return nil
		}
		stored = &cur
	}
	_, err = s.c.Pipelined(ctx, func(p goredis.Pipeliner) error {
		s.queueIndexes(ctx, p, r.ID, &r, stored)
		if stored == nil {
			due := s.dueKeys()
			p.ZRem(ctx, due[0], r.ID)
			p.HDel(ctx, due[1], r.ID)
		}
		return nil
	})
	return err
}

// refValue is the stored form of r: "<revision>:<JSON>", as for sessions.
func refValue(r flows.Referral) ([]byte, error) {
	js, err := r.Encode()
	if err != nil {
		return nil, err
	}
	val := make([]byte, 0, 20+1+len(js))
	val = strconv.AppendInt(val, r.Rev, 10)
	val = append(val, ':')
	return append(val, js...), nil
}

// decodeRefValue reads a value of refValue stored for referral id. The
// revision of the value is the authority, not the one in the JSON.
func decodeRefValue(id string, b []byte) (flows.Referral, error) {
	rev, js, ok := splitValue(b)
	if !ok {
		return flows.Referral{}, fmt.Errorf("no revision: %w", flows.ErrCorruptReferral)
	}
	r, err := flows.DecodeReferral(js)
	if err != nil {
		return flows.Referral{}, err
	}
	if r.ID != id {
		return flows.Referral{}, fmt.Errorf("stored under another id: %w", flows.ErrCorruptReferral)
	}
	r.Rev = rev
	return r, nil
}

// queueIndexes queues on p the place and chat index changes of referral
// id from old to new (nil: none).
func (s *Store) queueIndexes(ctx context.Context, p goredis.Pipeliner, id string, old, new *flows.Referral) {
	var oldPlace, newPlace string
	var oldChat, newChat flows.ChatID
	if old != nil {
		oldPlace, oldChat = old.Place, old.Chat
	}
	if new != nil {
		newPlace, newChat = new.Place, new.Chat
	}
	if old != nil && oldPlace != newPlace {
		p.ZRem(ctx, s.placeKey(oldPlace), id)
	}
	if new != nil && (old == nil || oldPlace != newPlace || !old.Created.Equal(new.Created)) {
		p.ZAdd(ctx, s.placeKey(newPlace), goredis.Z{Score: float64(new.Created.UnixMicro()), Member: id})
	}
	if oldChat != newChat {
		if oldChat != "" {
			p.SRem(ctx, s.chatRefsKey(oldChat), id)
		}
		if newChat != "" {
			p.SAdd(ctx, s.chatRefsKey(newChat), id)
		}
	}
}

// queueDue queues on p the due entry of referral id at revision rev. Its
// score is DueAt in microseconds, truncated as the bound of DueReferrals
// is: a due referral is never missed, and one due within the same
// microsecond after now may come early.
func (s *Store) queueDue(ctx context.Context, p goredis.Pipeliner, id string, rev int64, due time.Time) {
	score := ""
	if !due.IsZero() {
		score = strconv.FormatInt(due.UnixMicro(), 10)
	}
	// EVAL, not EVALSHA: a pipeline cannot fall back on NOSCRIPT, and the
	// server caches the compiled script by its hash either way.
	p.Eval(ctx, dueScript, s.dueKeys(), id, rev, score)
}

// Referral returns the referral id in one round trip, or
// flows.ErrNoReferral. A stored value that does not decode gives an error
// wrapping flows.ErrCorruptReferral.
func (s *Store) Referral(ctx context.Context, id string) (flows.Referral, error) {
	ctx, cancel := context.WithTimeout(ctx, s.timeout)
	defer cancel()
	return s.readReferral(ctx, id, "redis referral")
}

// readReferral reads and decodes the referral id: flows.ErrNoReferral as
// is, any other error wrapped in op.
func (s *Store) readReferral(ctx context.Context, id, op string) (flows.Referral, error) {
	b, err := s.c.Get(ctx, s.refKey(id)).Bytes()
	if errors.Is(err, goredis.Nil) {
		return flows.Referral{}, flows.ErrNoReferral
	}
	if err != nil {
		return flows.Referral{}, fmt.Errorf("%s: %w", op, err)
	}
	r, err := decodeRefValue(id, b)
	if err != nil {
		return flows.Referral{}, fmt.Errorf("%s: %w", op, err)
	}
	return r, nil
}

// UpdateReferral reads the referral id, applies fn, and stores the result
// with the next revision by a compare-and-set script on its key, then
// updates the indexes in a pipeline: three round trips. If another update
// came in between, it runs fn again on the newer referral, up to
// maxUpdateAttempts times with a short random wait, then returns an error
// wrapping flows.ErrConflict. fn's error is returned as is and nothing is
// stored. fn must not change the ID.
//
// An error from the index pipeline means the referral was saved but its
// indexes may lag; updating it again brings them in line.
func (s *Store) UpdateReferral(ctx context.Context, id string, fn func(*flows.Referral) error) (flows.Referral, error) {
	ctx, cancel := context.WithTimeout(ctx, s.timeout)
	defer cancel()
	key := s.refKey(id)
	for attempt := range maxUpdateAttempts {
		if attempt > 0 {
			if err := pause.Backoff(ctx, attempt); err != nil {
				return flows.Referral{}, fmt.Errorf("redis update referral: %w", err)
			}
		}
		old, err := s.readReferral(ctx, id, "redis update referral")
		if err != nil {
			return flows.Referral{}, err
		}
		// fn may append to r's slices, which share arrays with old's:
		// only old's scalar fields are read below.
		r := old
		if err := fn(&r); err != nil {
			return flows.Referral{}, err
		}
		if r.ID != id {
			return flows.Referral{}, errors.New("redis update referral: fn changed the id")
		}
		r.Rev = old.Rev + 1
		val, err := refValue(r)
		if err != nil {
			return flows.Referral{}, fmt.Errorf("redis update referral: %w", err)
		}
		ok, err := s.update.Run(ctx, s.c, []string{key}, old.Rev, val).Int()
		if err != nil {
			return flows.Referral{}, fmt.Errorf("redis update referral: %w", err)
		}
		if ok != 1 {
			continue
		}
		_, err = s.c.Pipelined(ctx, func(p goredis.Pipeliner) error {
			s.queueIndexes(ctx, p, id, &old, &r)
			s.queueDue(ctx, p, id, r.Rev, r.DueAt)
			return nil
		})
		if err != nil {
			return flows.Referral{}, fmt.Errorf("redis update referral: saved, but not indexed: %w", err)
		}
		return r, nil
	}
	return flows.Referral{}, fmt.Errorf("redis update referral: %w", flows.ErrConflict)
}

// Referrals returns the referrals of place, newest (by Created) first, at
// most limit (0: all), in two round trips: the ids from the place's zset,
// then their values in a pipeline of GETs (not MGET, whose keys would have
// to share a Cluster slot). An id whose referral is gone, or has moved to
// another place, is left out and dropped from the index. A referral that
// does not decode is left out too, and the others are returned with an
// error wrapping flows.ErrCorruptReferral, so that one bad value neither
// hides the rest nor goes unnoticed. Entries left out still count against
// limit.
func (s *Store) Referrals(ctx context.Context, place string, limit int) ([]flows.Referral, error) {
	ctx, cancel := context.WithTimeout(ctx, s.timeout)
	defer cancel()
	stop := int64(-1)
	if limit > 0 {
		stop = int64(limit) - 1
	}
	zs, err := s.c.ZRevRangeWithScores(ctx, s.placeKey(place), 0, stop).Result()
	if err != nil {
		return nil, fmt.Errorf("redis referrals: %w", err)
	}
	if len(zs) == 0 {
		return nil, nil
	}
	gets := make([]*goredis.StringCmd, len(zs))
	// Pipelined's own error is the first command's, goredis.Nil included:
	// each GET is checked below instead.
	_, _ = s.c.Pipelined(ctx, func(p goredis.Pipeliner) error {
		for i, z := range zs {
			gets[i] = p.Get(ctx, s.refKey(z.Member.(string)))
		}
		return nil
	})
	grace := float64(s.now().Add(-vanishGrace).UnixMicro())
	out := make([]flows.Referral, 0, len(zs))
	var stale []any
	bad := 0
	for i, get := range gets {
		id := zs[i].Member.(string)
		b, err := get.Bytes()
		if errors.Is(err, goredis.Nil) {
			if zs[i].Score < grace {
				stale = append(stale, id)
			}
			continue
		}
		if err != nil {
			return nil, fmt.Errorf("redis referrals: %w", err)
		}
		r, err := decodeRefValue(id, b)
		switch {
		case err != nil:
			bad++
		case r.Place != place:
			stale = append(stale, id)
		default:
			out = append(out, r)
		}
	}
	if len(stale) > 0 {
		// Best effort: if it fails, the next listing tries again.
		_ = s.c.ZRem(ctx, s.placeKey(place), stale...).Err()
	}
	if bad > 0 {
		return out, fmt.Errorf("redis referrals: %d unreadable: %w", bad, flows.ErrCorruptReferral)
	}
	return out, nil
}

// ChatReferrals returns the ids of the referrals whose Chat is chat,
// sorted, in one round trip. A referral deleted or scrubbed a moment ago
// may still be listed: callers load each and check.
func (s *Store) ChatReferrals(ctx context.Context, chat flows.ChatID) ([]string, error) {
	ctx, cancel := context.WithTimeout(ctx, s.timeout)
	defer cancel()
	ids, err := s.c.SMembers(ctx, s.chatRefsKey(chat)).Result()
	if err != nil {
		return nil, fmt.Errorf("redis chat referrals: %w", err)
	}
	slices.Sort(ids)
	return ids, nil
}

// DueReferrals returns the ids of the referrals whose DueAt is set and not
// after now, earliest first (ties by id), at most limit (0: all), in one
// round trip. Times compare to the microsecond. An id may belong to a
// referral deleted a moment ago: Referral then gives
// flows.ErrNoReferral, and DeleteReferral of the id clears its entry.
func (s *Store) DueReferrals(ctx context.Context, now time.Time, limit int) ([]string, error) {
	ctx, cancel := context.WithTimeout(ctx, s.timeout)
	defer cancel()
	z := goredis.ZRangeArgs{
		Key:     s.dueKeys()[0],
		Start:   "-inf",
		Stop:    strconv.FormatInt(now.UnixMicro(), 10),
		ByScore: true,
	}
	if limit > 0 {
		z.Count = int64(limit)
	}
	ids, err := s.c.ZRangeArgs(ctx, z).Result()
	if err != nil {
		return nil, fmt.Errorf("redis due referrals: %w", err)
	}
	return ids, nil
}

// DeleteReferral removes the referral id and its index entries, in two
// round trips. Deleting a missing referral is not an error, and clears
// its due entry all the same. Of a value that does not decode, the place
// and chat are read as far as they can be.
func (s *Store) DeleteReferral(ctx context.Context, id string) error {
	ctx, cancel := context.WithTimeout(ctx, s.timeout)
	defer cancel()
	key := s.refKey(id)
	b, err := s.c.Get(ctx, key).Bytes()
	if err != nil && !errors.Is(err, goredis.Nil) {
		return fmt.Errorf("redis delete referral: %w", err)
	}
	var r flows.Referral
	js := b
	if _, v, ok := splitValue(b); ok {
		js = v
	}
	_ = json.Unmarshal(js, &r) // best effort: the fields it finds
	due := s.dueKeys()
	_, err = s.c.Pipelined(ctx, func(p goredis.Pipeliner) error {
		p.Del(ctx, key)
		if r.Place != "" {
			p.ZRem(ctx, s.placeKey(r.Place), id)
		}
		if r.Chat != "" {
			p.SRem(ctx, s.chatRefsKey(r.Chat), id)
		}
		p.ZRem(ctx, due[0], id)
		p.HDel(ctx, due[1], id)
		return nil
	})
	if err != nil {
		return fmt.Errorf("redis delete referral: %w", err)
	}
	return nil
}
