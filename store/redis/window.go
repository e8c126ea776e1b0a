package redis

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"strconv"
	"time"

	goredis "github.com/redis/go-redis/v9"

	"github.com/secours/secours/flows"
	"github.com/secours/secours/store"
)

// seenScript keeps the latest WindowSeen (a redelivered old message must
// not move the window back) and takes the held messages, in one step and
// one round trip: of two callers, one gets the messages and the other
// none. KEYS[1]: the chat's window key; KEYS[2]: its held list (one slot).
// ARGV[1]: the time in Unix milliseconds. ARGV[2]: the retention in
// milliseconds. It returns the held list, oldest first.
const seenScript = `
local cur = tonumber(redis.call('GET', KEYS[1])) or 0
if tonumber(ARGV[1]) > cur then
	redis.call('SET', KEYS[1], ARGV[1], 'PX', ARGV[2])
end
local held = redis.call('LRANGE', KEYS[2], 0, -1)
redis.call('DEL', KEYS[2])
return held
`

// holdScript appends a held message, keeps the newest ARGV[3], and makes
// the list live as long as its longest-lived message. KEYS[1]: the chat's
// held list. ARGV[1]: "<expiry in Unix ms>:<message>". ARGV[2]: its TTL
// in milliseconds.
const holdScript = `
redis.call('RPUSH', KEYS[1], ARGV[1])
redis.call('LTRIM', KEYS[1], -tonumber(ARGV[3]), -1)
if redis.call('PTTL', KEYS[1]) < tonumber(ARGV[2]) then
	redis.call('PEXPIRE', KEYS[1], ARGV[2])
end
return 1
`

// windowKey holds when the chat last wrote, in Unix milliseconds.
func (s *Store) windowKey(id flows.ChatID) string {
	return s.prefix + ":{" + string(id) + "}:w"
}

// heldKey is the list of the chat's held messages, oldest first.
func (s *Store) heldKey(id flows.ChatID) string {
	return s.prefix + ":{" + string(id) + "}:o"
}

// WindowSeen records that chat wrote at t, keeping the latest, for
// store.WindowRetention, and removes and returns its held messages not
// expired, oldest first. One round trip.
func (s *Store) WindowSeen(ctx context.Context, chat flows.ChatID, t time.Time) ([][]byte, error) {
	ctx, cancel := context.WithTimeout(ctx, s.timeout)
	defer cancel()
	held, err := s.seen.Run(ctx, s.c, []string{s.windowKey(chat), s.heldKey(chat)},
		t.UnixMilli(), store.WindowRetention.Milliseconds()).StringSlice()
	if err != nil {
		return nil, fmt.Errorf("redis window seen: %w", err)
	}
	now := s.now().UnixMilli()
	var out [][]byte
	for _, v := range held {
		exp, msg, ok := bytes.Cut([]byte(v), []byte{':'})
		ms, err := strconv.ParseInt(string(exp), 10, 64)
		if !ok || err != nil {
			continue // not ours: nothing to send
		}
		if now < ms {
			out = append(out, msg)
		}
	}
	return out, nil
}

// WindowLastSeen returns when chat last wrote, to the millisecond; zero
// if unknown or older than store.WindowRetention on the store's clock (Redis
// drops the key by its own).
func (s *Store) WindowLastSeen(ctx context.Context, chat flows.ChatID) (time.Time, error) {
	ctx, cancel := context.WithTimeout(ctx, s.timeout)
	defer cancel()
	ms, err := s.c.Get(ctx, s.windowKey(chat)).Int64()
	if errors.Is(err, goredis.Nil) {
		return time.Time{}, nil
	}
	if err != nil {
		return time.Time{}, fmt.Errorf("redis window last seen: %w", err)
	}
	t := time.UnixMilli(ms)
	if s.now().Sub(t) > store.WindowRetention {
		return time.Time{}, nil
	}
	return t, nil
}

// HoldOutgoing appends msg to chat's held messages, until ttl; beyond
// store.MaxHeld the oldest is dropped. One round trip.
func (s *Store) HoldOutgoing(ctx context.Context, chat flows.ChatID, msg []byte, ttl time.Duration) error {
	if err := store.CheckHold(ttl); err != nil {
		return fmt.Errorf("redis hold outgoing: %w", err)
	}
	// Each message carries its own expiry: the list has one TTL, the
	// longest, and WindowSeen leaves out the expired ones.
	v := strconv.AppendInt(nil, s.now().Add(ttl).UnixMilli(), 10)
	v = append(append(v, ':'), msg...)
	ctx, cancel := context.WithTimeout(ctx, s.timeout)
	defer cancel()
	if err := s.hold.Run(ctx, s.c, []string{s.heldKey(chat)}, v, max(ttl.Milliseconds(), 1), store.MaxHeld).Err(); err != nil {
		return fmt.Errorf("redis hold outgoing: %w", err)
	}
	return nil
}
