package redis

import (
	"context"
	"errors"
	"fmt"
	"strconv"
	"time"

	goredis "github.com/redis/go-redis/v9"
)

// InboxRetention is how long an inbox lives after its last InboxKeep: the
// 24 hours Telegram keeps an unconfirmed update. An inbox holds raw
// updates (a person's words and name) only while they are answered, and,
// after a crash, until the next start: never longer than Telegram would.
const InboxRetention = 24 * time.Hour

// inboxKey is the hash of an inbox: update id → value. name carries its
// own hash tag (telegram.InboxName), so the key has one slot.
func (s *Store) inboxKey(name string) string { return s.prefix + ":" + name }

// InboxKeep stores updates (id → value) in the inbox name, and keeps the
// inbox InboxRetention from now. One round trip (MULTI/EXEC).
func (s *Store) InboxKeep(ctx context.Context, name string, updates map[int64][]byte) error {
	if name == "" {
		return errors.New("redis inbox keep: empty name")
	}
	if len(updates) == 0 {
		return nil
	}
	args := make([]any, 0, 2*len(updates))
	for id, v := range updates {
		args = append(args, strconv.FormatInt(id, 10), v)
	}
	key := s.inboxKey(name)
	ctx, cancel := context.WithTimeout(ctx, s.timeout)
	defer cancel()
	_, err := s.c.TxPipelined(ctx, func(p goredis.Pipeliner) error {
		p.HSet(ctx, key, args...)
		p.PExpire(ctx, key, InboxRetention)
		return nil
	})
	if err != nil {
		return fmt.Errorf("redis inbox keep: %w", err)
	}
	return nil
}

// InboxDone removes the updates ids from the inbox name. One round trip.
func (s *Store) InboxDone(ctx context.Context, name string, ids []int64) error {
	if len(ids) == 0 {
		return nil
	}
	fields := make([]string, len(ids))
	for i, id := range ids {
		fields[i] = strconv.FormatInt(id, 10)
	}
	ctx, cancel := context.WithTimeout(ctx, s.timeout)
	defer cancel()
	if err := s.c.HDel(ctx, s.inboxKey(name), fields...).Err(); err != nil {
		return fmt.Errorf("redis inbox done: %w", err)
	}
	return nil
}

// InboxKept returns every update of the inbox name. A field that is not
// an update id is not ours, and is left out.
func (s *Store) InboxKept(ctx context.Context, name string) (map[int64][]byte, error) {
	ctx, cancel := context.WithTimeout(ctx, s.timeout)
	defer cancel()
	m, err := s.c.HGetAll(ctx, s.inboxKey(name)).Result()
	if err != nil {
		return nil, fmt.Errorf("redis inbox kept: %w", err)
	}
	out := make(map[int64][]byte, len(m))
	for f, v := range m {
		id, err := strconv.ParseInt(f, 10, 64)
		if err != nil {
			continue
		}
		out[id] = []byte(v)
	}
	return out, nil
}
