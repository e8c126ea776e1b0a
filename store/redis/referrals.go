package redis

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"math"
	"math/rand/v2"
	"slices"
	"strconv"
	"strings"
	"time"

	goredis "github.com/redis/go-redis/v9"

	"github.com/secours/secours/flows"
	"github.com/secours/secours/referral"
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

func (s *Store) tokenKey(hash string) string { return s.prefix + ":tok:{" + hash + "}" }

func (s *Store) placeTokensKey(place string) string { return s.prefix + ":ptok:{" + place + "}" }

func (s *Store) linkCodeKey(code string) string { return s.prefix + ":lc:{" + code + "}" }

func (s *Store) structureChatKey(place string) string { return s.prefix + ":sc:{" + place + "}" }

func (s *Store) placeCodesKey(place string) string { return s.prefix + ":plc:{" + place + "}" }

// CreateReferral stores r with Rev 1 and indexes it, in one round trip (a
// pipeline). An id that exists is left as it is, and CreateReferral
// returns nil: a retried step must not create a second referral nor undo
// what happened to the first. The pipeline has indexed r by then, so in
// that case a second round trip puts the indexes back in line with the
// stored referral. r must have an ID and V set to flows.ReferralVersion.
func (s *Store) CreateReferral(ctx context.Context, r flows.Referral) error {
	if err := checkNew(r); err != nil {
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

// checkNew refuses a referral that could not be read back.
func checkNew(r flows.Referral) error {
	if r.ID == "" {
		return errors.New("empty id")
	}
	if r.V != flows.ReferralVersion {
		return fmt.Errorf("version %d, want %d", r.V, flows.ReferralVersion)
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
	b, err := s.c.Get(ctx, s.refKey(id)).Bytes()
	if errors.Is(err, goredis.Nil) {
		return flows.Referral{}, flows.ErrNoReferral
	}
	if err != nil {
		return flows.Referral{}, fmt.Errorf("redis referral: %w", err)
	}
	r, err := decodeRefValue(id, b)
	if err != nil {
		return flows.Referral{}, fmt.Errorf("redis referral: %w", err)
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
			if err := backoff(ctx, attempt); err != nil {
				return flows.Referral{}, fmt.Errorf("redis update referral: %w", err)
			}
		}
		b, err := s.c.Get(ctx, key).Bytes()
		if errors.Is(err, goredis.Nil) {
			return flows.Referral{}, flows.ErrNoReferral
		}
		if err != nil {
			return flows.Referral{}, fmt.Errorf("redis update referral: %w", err)
		}
		old, err := decodeRefValue(id, b)
		if err != nil {
			return flows.Referral{}, fmt.Errorf("redis update referral: %w", err)
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

// backoff waits a random time under attempt milliseconds, so that writers
// that collided do not collide again in step.
func backoff(ctx context.Context, attempt int) error {
	t := time.NewTimer(rand.N(time.Duration(attempt) * time.Millisecond))
	defer t.Stop()
	select {
	case <-ctx.Done():
		return ctx.Err()
	case <-t.C:
		return nil
	}
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

// expireArgs are the SET arguments of an expiry: none for the zero time.
// PXAT rather than PX: the expiry is an instant, and no time passes
// between computing a duration and the server reading it. A time before
// 1970 would be refused; it is as past as 1 ms after.
func expireArgs(expires time.Time) []any {
	if expires.IsZero() {
		return nil
	}
	return []any{"pxat", max(expires.UnixMilli(), 1)}
}

// AddToken stores a token hash for place until expires (zero: until
// revoked), in one round trip, and indexes it for RevokeAccess.
func (s *Store) AddToken(ctx context.Context, place, hash string, expires time.Time) error {
	if place == "" || hash == "" {
		return errors.New("redis add token: empty place or hash")
	}
	if err := s.addIndexed(ctx, s.tokenKey(hash), s.placeTokensKey(place), hash, place, expires); err != nil {
		return fmt.Errorf("redis add token: %w", err)
	}
	return nil
}

// addIndexed sets key to place until expires and adds member to the
// place's index idx (a zset scored by expiry, which RevokeAccess reads),
// in one round trip. The index sheds the members that expired over
// vanishGrace ago, so it does not grow with every token or code ever
// issued.
func (s *Store) addIndexed(ctx context.Context, key, idx, member, place string, expires time.Time) error {
	ctx, cancel := context.WithTimeout(ctx, s.timeout)
	defer cancel()
	score := math.Inf(1)
	if !expires.IsZero() {
		score = float64(expires.UnixMilli())
	}
	_, err := s.c.Pipelined(ctx, func(p goredis.Pipeliner) error {
		p.Do(ctx, append([]any{"set", key, place}, expireArgs(expires)...)...)
		p.ZAdd(ctx, idx, goredis.Z{Score: score, Member: member})
		p.ZRemRangeByScore(ctx, idx, "-inf", "("+strconv.FormatInt(s.now().Add(-vanishGrace).UnixMilli(), 10))
		return nil
	})
	return err
}

// TokenPlace returns the place of a token hash in one round trip, or
// flows.ErrNoToken if it is unknown, revoked or expired. The empty hash
// is never a token.
func (s *Store) TokenPlace(ctx context.Context, hash string) (string, error) {
	if hash == "" {
		if err := ctx.Err(); err != nil {
			return "", fmt.Errorf("redis token place: %w", err)
		}
		return "", flows.ErrNoToken
	}
	ctx, cancel := context.WithTimeout(ctx, s.timeout)
	defer cancel()
	var get *goredis.StringCmd
	var ttl *goredis.DurationCmd
	_, err := s.c.Pipelined(ctx, func(p goredis.Pipeliner) error {
		get = p.Get(ctx, s.tokenKey(hash))
		ttl = p.PTTL(ctx, s.tokenKey(hash))
		return nil
	})
	return s.unexpired(get, ttl, err, "redis token place")
}

// unexpired is the value of a GET, or flows.ErrNoToken if the key is
// gone or, by the store's clock, expired. ttl is the key's PTTL, read in
// the same round trip; err is the round trip's.
func (s *Store) unexpired(get *goredis.StringCmd, ttl *goredis.DurationCmd, err error, op string) (string, error) {
	if err != nil && !errors.Is(err, goredis.Nil) {
		return "", fmt.Errorf("%s: %w", op, err)
	}
	v, err := get.Result()
	if errors.Is(err, goredis.Nil) {
		return "", flows.ErrNoToken
	}
	if err != nil {
		return "", fmt.Errorf("%s: %w", op, err)
	}
	if expired(s.now(), ttl.Val()) {
		return "", flows.ErrNoToken
	}
	return v, nil
}

// expired reports whether a key read at now with PTTL ttl has expired.
// The key's expiry is the instant time.Now()+ttl (ttl < 0: none, as PTTL
// answers -1); with the default clock, now comes just before time.Now and
// the answer is Redis' own: no. Only a clock moved forward sees expiry
// that Redis has not reached yet. The instant is late by the reply's
// trip, so that is the precision of a moved clock's expiry.
func expired(now time.Time, ttl time.Duration) bool {
	if ttl < 0 {
		return false
	}
	return !now.Before(time.Now().Add(ttl))
}

// RevokeAccess removes every token and link code of place and unlinks its
// chat, in two round trips. A token or a code added meanwhile survives, as
// if added just after. Codes made before their index existed (an older
// version) are not found; they expire within the hour they were made for.
func (s *Store) RevokeAccess(ctx context.Context, place string) error {
	ctx, cancel := context.WithTimeout(ctx, s.timeout)
	defer cancel()
	tokIdx, codeIdx := s.placeTokensKey(place), s.placeCodesKey(place)
	var hashes, codes *goredis.StringSliceCmd
	_, err := s.c.Pipelined(ctx, func(p goredis.Pipeliner) error {
		hashes = p.ZRange(ctx, tokIdx, 0, -1)
		codes = p.ZRange(ctx, codeIdx, 0, -1)
		return nil
	})
	if err != nil {
		return fmt.Errorf("redis revoke access: %w", err)
	}
	_, err = s.c.Pipelined(ctx, func(p goredis.Pipeliner) error {
		// One DEL each: the keys are in different slots.
		for _, h := range hashes.Val() {
			p.Del(ctx, s.tokenKey(h))
		}
		for _, c := range codes.Val() {
			p.Del(ctx, s.linkCodeKey(c))
		}
		if m := members(hashes.Val()); len(m) > 0 {
			p.ZRem(ctx, tokIdx, m...)
		}
		if m := members(codes.Val()); len(m) > 0 {
			p.ZRem(ctx, codeIdx, m...)
		}
		p.Del(ctx, s.structureChatKey(place))
		return nil
	})
	if err != nil {
		return fmt.Errorf("redis revoke access: %w", err)
	}
	return nil
}

// members makes ZREM's arguments; ZREM of a member added meanwhile would
// forget a live entry, so only those read are removed, never the key.
func members(ss []string) []any {
	m := make([]any, len(ss))
	for i, v := range ss {
		m[i] = v
	}
	return m
}

// AddLinkCode stores a one-time code for place until expires (zero: until
// used), in one round trip, and indexes it for RevokeAccess.
func (s *Store) AddLinkCode(ctx context.Context, code, place string, expires time.Time) error {
	if code == "" || place == "" {
		return errors.New("redis add link code: empty code or place")
	}
	if err := s.addIndexed(ctx, s.linkCodeKey(code), s.placeCodesKey(place), code, place, expires); err != nil {
		return fmt.Errorf("redis add link code: %w", err)
	}
	return nil
}

// UseLinkCode returns the place of code and deletes the code, atomically
// (GETDEL: of two chats sending the code at once, one gets it), in one
// round trip, or returns flows.ErrNoToken if it is unknown, used or
// expired.
func (s *Store) UseLinkCode(ctx context.Context, code string) (string, error) {
	if code == "" {
		if err := ctx.Err(); err != nil {
			return "", fmt.Errorf("redis use link code: %w", err)
		}
		return "", flows.ErrNoToken
	}
	ctx, cancel := context.WithTimeout(ctx, s.timeout)
	defer cancel()
	// PTTL then GETDEL in one MULTI: the expiry read is the deleted key's.
	// An expired code is deleted all the same: it could never be used.
	var get *goredis.StringCmd
	var ttl *goredis.DurationCmd
	_, err := s.c.TxPipelined(ctx, func(p goredis.Pipeliner) error {
		ttl = p.PTTL(ctx, s.linkCodeKey(code))
		get = p.GetDel(ctx, s.linkCodeKey(code))
		return nil
	})
	return s.unexpired(get, ttl, err, "redis use link code")
}

// SetStructureChat links l.Chat to place; a zero Chat unlinks it.
func (s *Store) SetStructureChat(ctx context.Context, place string, l flows.ChatLink) error {
	ctx, cancel := context.WithTimeout(ctx, s.timeout)
	defer cancel()
	var err error
	if l.Chat == "" {
		err = s.c.Del(ctx, s.structureChatKey(place)).Err()
	} else {
		var b []byte
		if b, err = json.Marshal(l); err == nil {
			err = s.c.Set(ctx, s.structureChatKey(place), b, 0).Err()
		}
	}
	if err != nil {
		return fmt.Errorf("redis set structure chat: %w", err)
	}
	return nil
}

// StructureChat returns the chat linked to place, or the zero ChatLink.
func (s *Store) StructureChat(ctx context.Context, place string) (flows.ChatLink, error) {
	ctx, cancel := context.WithTimeout(ctx, s.timeout)
	defer cancel()
	v, err := s.c.Get(ctx, s.structureChatKey(place)).Result()
	if errors.Is(err, goredis.Nil) {
		return flows.ChatLink{}, nil
	}
	if err != nil {
		return flows.ChatLink{}, fmt.Errorf("redis structure chat: %w", err)
	}
	if !strings.HasPrefix(v, "{") {
		return flows.ChatLink{Chat: flows.ChatID(v)}, nil // linked before links had a date
	}
	var l flows.ChatLink
	if err := json.Unmarshal([]byte(v), &l); err != nil {
		return flows.ChatLink{}, fmt.Errorf("redis structure chat: %w", err)
	}
	return l, nil
}
