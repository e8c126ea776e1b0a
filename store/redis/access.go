package redis

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"math"
	"strconv"
	"strings"
	"time"

	goredis "github.com/redis/go-redis/v9"

	"github.com/secours/secours/flows"
	"github.com/secours/secours/store"
)

// A structure's access: the hashes of its page tokens, its one-time link
// codes (each key indexed per place for RevokeAccess) and the chat linked
// to it. The keys are listed with the referrals' in referrals.go.

func (s *Store) tokenKey(hash string) string { return s.prefix + ":tok:{" + hash + "}" }

func (s *Store) placeTokensKey(place string) string { return s.prefix + ":ptok:{" + place + "}" }

func (s *Store) linkCodeKey(code string) string { return s.prefix + ":lc:{" + code + "}" }

func (s *Store) structureChatKey(place string) string { return s.prefix + ":sc:{" + place + "}" }

func (s *Store) placeCodesKey(place string) string { return s.prefix + ":plc:{" + place + "}" }

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
	return s.addIndexed(ctx, "redis add token", "hash", s.tokenKey, s.placeTokensKey, hash, place, expires)
}

// addIndexed sets the key of member (a token hash or link code, of kind)
// to place until expires and adds member to the place's index idx (a zset
// scored by expiry, which RevokeAccess reads), in one round trip. The
// index sheds the members that expired over vanishGrace ago, so it does
// not grow with every token or code ever issued. Errors are wrapped in op.
func (s *Store) addIndexed(ctx context.Context, op, kind string, keyOf, idxOf func(string) string, member, place string, expires time.Time) error {
	if err := store.CheckAccess(kind, member, place); err != nil {
		return fmt.Errorf("%s: %w", op, err)
	}
	key, idx := keyOf(member), idxOf(place)
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
	if err != nil {
		return fmt.Errorf("%s: %w", op, err)
	}
	return nil
}

// TokenPlace returns the place of a token hash in one round trip, or
// flows.ErrNoToken if it is unknown, revoked or expired. The empty hash
// is never a token.
func (s *Store) TokenPlace(ctx context.Context, hash string) (string, error) {
	return s.placeOf(ctx, hash, s.tokenKey, false, "redis token place")
}

// placeOf reads the place that the key of name (a token hash or a link
// code) holds, in one round trip, or returns flows.ErrNoToken if it is
// unknown or expired; the empty name is never one. With once, the key is
// deleted as it is read, atomically: PTTL then GETDEL in one MULTI, so
// the expiry read is the deleted key's. An expired code is deleted all
// the same: it could never be used.
func (s *Store) placeOf(ctx context.Context, name string, key func(string) string, once bool, op string) (string, error) {
	if name == "" {
		if err := ctx.Err(); err != nil {
			return "", fmt.Errorf("%s: %w", op, err)
		}
		return "", flows.ErrNoToken
	}
	ctx, cancel := context.WithTimeout(ctx, s.timeout)
	defer cancel()
	k := key(name)
	var get *goredis.StringCmd
	var ttl *goredis.DurationCmd
	var err error
	if once {
		_, err = s.c.TxPipelined(ctx, func(p goredis.Pipeliner) error {
			ttl = p.PTTL(ctx, k)
			get = p.GetDel(ctx, k)
			return nil
		})
	} else {
		_, err = s.c.Pipelined(ctx, func(p goredis.Pipeliner) error {
			get = p.Get(ctx, k)
			ttl = p.PTTL(ctx, k)
			return nil
		})
	}
	return s.unexpired(get, ttl, err, op)
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
	return s.addIndexed(ctx, "redis add link code", "code", s.linkCodeKey, s.placeCodesKey, code, place, expires)
}

// UseLinkCode returns the place of code and deletes the code, atomically
// (GETDEL: of two chats sending the code at once, one gets it), in one
// round trip, or returns flows.ErrNoToken if it is unknown, used or
// expired.
func (s *Store) UseLinkCode(ctx context.Context, code string) (string, error) {
	return s.placeOf(ctx, code, s.linkCodeKey, true, "redis use link code")
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
