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

	"github.com/secours/secours/network"
)

// Network keys (network.Store):
//
//	<prefix>:net:rev                  string: the global revision, INCR by every publish, undo and edit
//	<prefix>:net:owners               set: owners with a state or a card edit
//	<prefix>:net:{<owner>}:rev        string: the owner's revision
//	<prefix>:net:{<owner>}:cur        string: its State JSON (absent: never published)
//	<prefix>:net:{<owner>}:prev       string: the State Undo restores ("": never published; absent: nothing to undo)
//	<prefix>:net:{<owner>}:audit      list: its audit entries (Change JSON), newest first
//	<prefix>:net:{<owner>}:edits      hash: place id → Edited JSON
//	<prefix>:net:{<owner>}:draft:<id> string: "<expiry unix ms>:<draft>", PX its TTL
//
// An owner's keys share its hash tag, so that a publish, an undo or an
// edit is one atomic step in one slot even on Cluster. The global
// revision and the owners' set are in other slots: they move just after,
// so an instance that polls the revision may rebuild a poll late, never
// miss a change that a later move would not bring (a process dying
// between the two leaves the publish stored, seen at the next move).

var _ network.Store = (*Store)(nil)

func (s *Store) netKey(owner, k string) string { return s.prefix + ":net:{" + owner + "}:" + k }
func (s *Store) netRevKey() string             { return s.prefix + ":net:rev" }
func (s *Store) netOwnersKey() string          { return s.prefix + ":net:owners" }

// publishScript is Publish's compare-and-set. KEYS: rev, cur, prev,
// audit. ARGV[1]: the base revision; ARGV[2]: the new state; the rest:
// audit entries, oldest first. It returns the new revision, or -1 when
// the base moved.
var publishScript = goredis.NewScript(`
local rev = tonumber(redis.call('GET', KEYS[1]) or '0')
if rev ~= tonumber(ARGV[1]) then
	return -1
end
redis.call('SET', KEYS[3], redis.call('GET', KEYS[2]) or '')
redis.call('SET', KEYS[2], ARGV[2])
for i = 3, #ARGV do
	redis.call('LPUSH', KEYS[4], ARGV[i])
end
return redis.call('INCR', KEYS[1])
`)

// undoScript is Undo's: KEYS as publishScript's; ARGV[1] the base, the
// rest audit entries. -1: the base moved; -2: nothing to undo.
var undoScript = goredis.NewScript(`
local rev = tonumber(redis.call('GET', KEYS[1]) or '0')
if rev ~= tonumber(ARGV[1]) then
	return -1
end
local prev = redis.call('GET', KEYS[3])
if not prev then
	return -2
end
if prev == '' then
	redis.call('DEL', KEYS[2])
else
	redis.call('SET', KEYS[2], prev)
end
redis.call('DEL', KEYS[3])
for i = 2, #ARGV do
	redis.call('LPUSH', KEYS[4], ARGV[i])
end
return redis.call('INCR', KEYS[1])
`)

// Rev returns the global revision.
func (s *Store) Rev(ctx context.Context) (int64, error) {
	ctx, cancel := context.WithTimeout(ctx, s.timeout)
	defer cancel()
	n, err := s.c.Get(ctx, s.netRevKey()).Int64()
	if errors.Is(err, goredis.Nil) {
		return 0, nil
	}
	if err != nil {
		return 0, fmt.Errorf("redis network rev: %w", err)
	}
	return n, nil
}

// Owners lists the owners with a state or a card edit, sorted.
func (s *Store) Owners(ctx context.Context) ([]string, error) {
	ctx, cancel := context.WithTimeout(ctx, s.timeout)
	defer cancel()
	out, err := s.c.SMembers(ctx, s.netOwnersKey()).Result()
	if err != nil {
		return nil, fmt.Errorf("redis network owners: %w", err)
	}
	slices.Sort(out)
	return out, nil
}

func decodeNetState(b string, rev int64) (network.State, error) {
	var st network.State
	if b != "" {
		if err := json.Unmarshal([]byte(b), &st); err != nil {
			return network.State{}, fmt.Errorf("decode state: %w", err)
		}
	}
	st.Rev = rev
	return st, nil
}

// State returns the owner's current state.
func (s *Store) State(ctx context.Context, owner string) (network.State, bool, error) {
	ctx, cancel := context.WithTimeout(ctx, s.timeout)
	defer cancel()
	var rev, cur *goredis.StringCmd
	var prev *goredis.IntCmd
	_, err := s.c.Pipelined(ctx, func(p goredis.Pipeliner) error {
		rev = p.Get(ctx, s.netKey(owner, "rev"))
		cur = p.Get(ctx, s.netKey(owner, "cur"))
		prev = p.Exists(ctx, s.netKey(owner, "prev"))
		return nil
	})
	if err != nil && !errors.Is(err, goredis.Nil) {
		return network.State{}, false, fmt.Errorf("redis network state: %w", err)
	}
	n, _ := strconv.ParseInt(rev.Val(), 10, 64)
	st, err := decodeNetState(cur.Val(), n)
	if err != nil {
		return network.State{}, false, fmt.Errorf("redis network state: %w", err)
	}
	return st, prev.Val() == 1, nil
}

// Previous returns the state Undo would restore.
func (s *Store) Previous(ctx context.Context, owner string) (network.State, bool, error) {
	ctx, cancel := context.WithTimeout(ctx, s.timeout)
	defer cancel()
	b, err := s.c.Get(ctx, s.netKey(owner, "prev")).Result()
	if errors.Is(err, goredis.Nil) {
		return network.State{}, false, nil
	}
	if err != nil {
		return network.State{}, false, fmt.Errorf("redis network previous: %w", err)
	}
	st, err := decodeNetState(b, 0)
	if err != nil {
		return network.State{}, false, fmt.Errorf("redis network previous: %w", err)
	}
	return st, true, nil
}

// auditArgs are the audit entries as script arguments.
func auditArgs(audit []network.Change) ([]any, error) {
	bs, err := network.EncodeChanges(audit)
	if err != nil {
		return nil, err
	}
	out := make([]any, len(bs))
	for i, b := range bs {
		out[i] = b
	}
	return out, nil
}

// moved moves the global revision and records owner, after a change to
// owner's keys.
func (s *Store) moved(ctx context.Context, owner string) error {
	_, err := s.c.Pipelined(ctx, func(p goredis.Pipeliner) error {
		p.SAdd(ctx, s.netOwnersKey(), owner)
		p.Incr(ctx, s.netRevKey())
		return nil
	})
	return err
}

func (s *Store) ownerKeys(owner string) []string {
	return []string{s.netKey(owner, "rev"), s.netKey(owner, "cur"), s.netKey(owner, "prev"), s.netKey(owner, "audit")}
}

// Publish makes next the owner's state if its revision is still base.
func (s *Store) Publish(ctx context.Context, owner string, base int64, next network.State, audit []network.Change) (int64, error) {
	b, err := json.Marshal(next)
	if err != nil {
		return 0, fmt.Errorf("redis network publish: %w", err)
	}
	as, err := auditArgs(audit)
	if err != nil {
		return 0, fmt.Errorf("redis network publish: %w", err)
	}
	ctx, cancel := context.WithTimeout(ctx, s.timeout)
	defer cancel()
	rev, err := publishScript.Run(ctx, s.c, s.ownerKeys(owner), append([]any{base, b}, as...)...).Int64()
	if err != nil {
		return 0, fmt.Errorf("redis network publish: %w", err)
	}
	if rev < 0 {
		return 0, network.ErrConflict
	}
	if err := s.moved(ctx, owner); err != nil {
		return rev, fmt.Errorf("redis network publish: revision: %w", err)
	}
	return rev, nil
}

// Undo restores the owner's previous state if its revision is still base.
func (s *Store) Undo(ctx context.Context, owner string, base int64, audit []network.Change) (int64, error) {
	as, err := auditArgs(audit)
	if err != nil {
		return 0, fmt.Errorf("redis network undo: %w", err)
	}
	ctx, cancel := context.WithTimeout(ctx, s.timeout)
	defer cancel()
	rev, err := undoScript.Run(ctx, s.c, s.ownerKeys(owner), append([]any{base}, as...)...).Int64()
	switch {
	case err != nil:
		return 0, fmt.Errorf("redis network undo: %w", err)
	case rev == -1:
		return 0, network.ErrConflict
	case rev == -2:
		return 0, network.ErrNothingToUndo
	}
	if err := s.moved(ctx, owner); err != nil {
		return rev, fmt.Errorf("redis network undo: revision: %w", err)
	}
	return rev, nil
}

// PutDraft keeps a draft for ttl, by the store's clock and Redis'.
func (s *Store) PutDraft(ctx context.Context, owner, id string, val []byte, ttl time.Duration) error {
	ctx, cancel := context.WithTimeout(ctx, s.timeout)
	defer cancel()
	v := strconv.FormatInt(s.now().Add(ttl).UnixMilli(), 10) + ":" + string(val)
	if err := s.c.Set(ctx, s.netKey(owner, "draft:"+id), v, ttl).Err(); err != nil {
		return fmt.Errorf("redis network draft: %w", err)
	}
	return nil
}

// Draft reads a draft back.
func (s *Store) Draft(ctx context.Context, owner, id string) ([]byte, error) {
	ctx, cancel := context.WithTimeout(ctx, s.timeout)
	defer cancel()
	v, err := s.c.Get(ctx, s.netKey(owner, "draft:"+id)).Result()
	if errors.Is(err, goredis.Nil) {
		return nil, network.ErrNoDraft
	}
	if err != nil {
		return nil, fmt.Errorf("redis network draft: %w", err)
	}
	exp, val, ok := cutInt(v)
	if !ok || !s.now().Before(time.UnixMilli(exp)) {
		return nil, network.ErrNoDraft
	}
	return []byte(val), nil
}

func cutInt(v string) (int64, string, bool) {
	for i := 0; i < len(v); i++ {
		if v[i] == ':' {
			n, err := strconv.ParseInt(v[:i], 10, 64)
			return n, v[i+1:], err == nil
		}
	}
	return 0, "", false
}

// Edit keeps a card edit and its audit entry in one transaction.
func (s *Store) Edit(ctx context.Context, owner, place string, e network.Edited, audit network.Change) error {
	b, err := json.Marshal(e)
	if err != nil {
		return fmt.Errorf("redis network edit: %w", err)
	}
	a, err := json.Marshal(audit)
	if err != nil {
		return fmt.Errorf("redis network edit: %w", err)
	}
	ctx, cancel := context.WithTimeout(ctx, s.timeout)
	defer cancel()
	_, err = s.c.TxPipelined(ctx, func(p goredis.Pipeliner) error {
		p.HSet(ctx, s.netKey(owner, "edits"), place, b)
		p.LPush(ctx, s.netKey(owner, "audit"), a)
		return nil
	})
	if err != nil {
		return fmt.Errorf("redis network edit: %w", err)
	}
	if err := s.moved(ctx, owner); err != nil {
		return fmt.Errorf("redis network edit: revision: %w", err)
	}
	return nil
}

// Edits returns the owner's card edits.
func (s *Store) Edits(ctx context.Context, owner string) (map[string]network.Edited, error) {
	ctx, cancel := context.WithTimeout(ctx, s.timeout)
	defer cancel()
	raw, err := s.c.HGetAll(ctx, s.netKey(owner, "edits")).Result()
	if err != nil {
		return nil, fmt.Errorf("redis network edits: %w", err)
	}
	out := make(map[string]network.Edited, len(raw))
	for id, b := range raw {
		var e network.Edited
		if err := json.Unmarshal([]byte(b), &e); err != nil {
			return nil, fmt.Errorf("redis network edits: %w", err)
		}
		out[id] = e
	}
	return out, nil
}

// Audit returns the owner's audit trail, newest first.
func (s *Store) Audit(ctx context.Context, owner string, limit int) ([]network.Change, error) {
	ctx, cancel := context.WithTimeout(ctx, s.timeout)
	defer cancel()
	raw, err := s.c.LRange(ctx, s.netKey(owner, "audit"), 0, int64(limit)-1).Result()
	if err != nil {
		return nil, fmt.Errorf("redis network audit: %w", err)
	}
	out := make([]network.Change, 0, len(raw))
	for _, b := range raw {
		var c network.Change
		if err := json.Unmarshal([]byte(b), &c); err != nil {
			return nil, fmt.Errorf("redis network audit: %w", err)
		}
		out = append(out, c)
	}
	return out, nil
}

// PruneAudit drops the owner's old entries of places keep does not keep:
// the list is read and written back under WATCH, so an entry appended
// meanwhile makes it retry rather than be lost.
func (s *Store) PruneAudit(ctx context.Context, owner string, before time.Time, keep func(string) bool) error {
	ctx, cancel := context.WithTimeout(ctx, s.timeout)
	defer cancel()
	key := s.netKey(owner, "audit")
	for range 5 {
		err := s.c.Watch(ctx, func(tx *goredis.Tx) error {
			raw, err := tx.LRange(ctx, key, 0, -1).Result()
			if err != nil {
				return err
			}
			var kept []any
			for _, b := range raw {
				var c network.Change
				if json.Unmarshal([]byte(b), &c) != nil || c.At.Before(before) && !keep(c.PlaceID) {
					continue
				}
				kept = append(kept, b)
			}
			if len(kept) == len(raw) {
				return nil
			}
			_, err = tx.TxPipelined(ctx, func(p goredis.Pipeliner) error {
				p.Del(ctx, key)
				if len(kept) > 0 {
					p.RPush(ctx, key, kept...)
				}
				return nil
			})
			return err
		}, key)
		if !errors.Is(err, goredis.TxFailedErr) {
			if err != nil {
				return fmt.Errorf("redis network prune: %w", err)
			}
			return nil
		}
	}
	return errors.New("redis network prune: the audit kept changing")
}
