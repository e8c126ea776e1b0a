package memory

import (
	"cmp"
	"context"
	"errors"
	"fmt"
	"slices"
	"time"

	"github.com/secours/secours/flows"
	"github.com/secours/secours/internal/pause"
	"github.com/secours/secours/referral"
	"github.com/secours/secours/store"
)

// maxUpdateAttempts bounds the tries of UpdateReferral against concurrent
// writers, as in the Redis store, so both fail alike under contention.
const maxUpdateAttempts = 10

var (
	_ referral.Store       = (*Store)(nil)
	_ flows.StructureStore = (*Store)(nil)
)

// refEntry is one stored referral: the encoded value, never modified once
// stored (so it may be decoded outside the lock), and the fields the
// indexes need, so that listing does not decode every referral.
type refEntry struct {
	rev     int64
	val     []byte
	place   string
	chat    flows.ChatID
	created time.Time
	due     time.Time
}

// expiring is the place of a token or a link code, until exp.
type expiring struct {
	place string
	exp   time.Time // zero: never expires
}

func (e expiring) expired(now time.Time) bool {
	return !e.exp.IsZero() && !now.Before(e.exp)
}

// CreateReferral stores r with Rev 1 and indexes it. An id that exists is
// left as it is, and CreateReferral returns nil: a retried step must not
// create a second referral nor undo what happened to the first. r must
// have an ID and V set to flows.ReferralVersion: anything else would be
// stored only to be read back as corrupt.
func (s *Store) CreateReferral(ctx context.Context, r flows.Referral) error {
	if err := ctx.Err(); err != nil {
		return fmt.Errorf("memory create referral: %w", err)
	}
	if err := store.CheckNew(r); err != nil {
		return fmt.Errorf("memory create referral: %w", err)
	}
	r.Rev = 1
	val, err := r.Encode()
	if err != nil {
		return fmt.Errorf("memory create referral: %w", err)
	}
	s.rmu.Lock()
	defer s.rmu.Unlock()
	if _, ok := s.refs[r.ID]; ok {
		return nil
	}
	s.putRef(r.ID, newRefEntry(r, val))
	return nil
}

func newRefEntry(r flows.Referral, val []byte) refEntry {
	return refEntry{rev: r.Rev, val: val, place: r.Place, chat: r.Chat, created: r.Created, due: r.DueAt}
}

// Referral returns the referral id, or flows.ErrNoReferral. A stored value
// that does not decode gives an error wrapping flows.ErrCorruptReferral.
func (s *Store) Referral(ctx context.Context, id string) (flows.Referral, error) {
	if err := ctx.Err(); err != nil {
		return flows.Referral{}, fmt.Errorf("memory referral: %w", err)
	}
	_, r, err := s.readReferral(id, "memory referral")
	return r, err
}

// readReferral returns the stored entry of id and its referral:
// flows.ErrNoReferral as is, a value that does not decode wrapped in op.
func (s *Store) readReferral(id, op string) (refEntry, flows.Referral, error) {
	s.rmu.Lock()
	e, ok := s.refs[id]
	s.rmu.Unlock()
	if !ok {
		return refEntry{}, flows.Referral{}, flows.ErrNoReferral
	}
	r, err := decodeRef(id, e)
	if err != nil {
		return refEntry{}, flows.Referral{}, fmt.Errorf("%s: %w", op, err)
	}
	return e, r, nil
}

// decodeRef decodes a stored referral and gives it the stored revision,
// which is the authority.
func decodeRef(id string, e refEntry) (flows.Referral, error) {
	r, err := flows.DecodeReferral(e.val)
	if err != nil {
		return flows.Referral{}, err
	}
	if r.ID != id {
		return flows.Referral{}, fmt.Errorf("stored under another id: %w", flows.ErrCorruptReferral)
	}
	r.Rev = e.rev
	return r, nil
}

// UpdateReferral applies fn to the referral id and stores the result with
// the next revision, if no other update came in between; otherwise it
// runs fn again on the newer referral, up to maxUpdateAttempts times, then
// returns an error wrapping flows.ErrConflict. fn runs without the lock,
// so it may read the store. fn's error is returned as is and nothing is
// stored. fn must not change the ID.
func (s *Store) UpdateReferral(ctx context.Context, id string, fn func(*flows.Referral) error) (flows.Referral, error) {
	for attempt := range maxUpdateAttempts {
		if err := ctx.Err(); err != nil {
			return flows.Referral{}, fmt.Errorf("memory update referral: %w", err)
		}
		if attempt > 0 {
			_ = pause.Backoff(ctx, attempt)
		}
		e, r, err := s.readReferral(id, "memory update referral")
		if err != nil {
			return flows.Referral{}, err
		}
		if err := fn(&r); err != nil {
			return flows.Referral{}, err
		}
		if r.ID != id {
			return flows.Referral{}, errors.New("memory update referral: fn changed the id")
		}
		r.Rev = e.rev + 1
		val, err := r.Encode()
		if err != nil {
			return flows.Referral{}, fmt.Errorf("memory update referral: %w", err)
		}

		s.rmu.Lock()
		cur, ok := s.refs[id]
		if ok && cur.rev == e.rev {
			s.dropRef(id, cur)
			s.putRef(id, newRefEntry(r, val))
			s.rmu.Unlock()
			return r, nil
		}
		s.rmu.Unlock()
		// Changed or deleted since we read it: read it again.
	}
	return flows.Referral{}, fmt.Errorf("memory update referral: %w", flows.ErrConflict)
}

// Referrals returns the referrals of place, newest (by Created) first, at
// most limit (0: all). A referral that does not decode is left out and the
// others are returned with an error wrapping flows.ErrCorruptReferral, so
// that one bad value neither hides the rest nor goes unnoticed; it still
// counts against limit.
func (s *Store) Referrals(ctx context.Context, place string, limit int) ([]flows.Referral, error) {
	if err := ctx.Err(); err != nil {
		return nil, fmt.Errorf("memory referrals: %w", err)
	}
	type idEntry struct {
		id string
		e  refEntry
	}
	s.rmu.Lock()
	list := make([]idEntry, 0, len(s.byPlace[place]))
	for id := range s.byPlace[place] {
		list = append(list, idEntry{id, s.refs[id]})
	}
	s.rmu.Unlock()
	// Ties go by id, descending, as in Redis' ZREVRANGE.
	slices.SortFunc(list, func(a, b idEntry) int {
		if c := b.e.created.Compare(a.e.created); c != 0 {
			return c
		}
		return cmp.Compare(b.id, a.id)
	})
	if limit > 0 && len(list) > limit {
		list = list[:limit]
	}
	out := make([]flows.Referral, 0, len(list))
	bad := 0
	for _, ie := range list {
		r, err := decodeRef(ie.id, ie.e)
		if err != nil {
			bad++
			continue
		}
		out = append(out, r)
	}
	if bad > 0 {
		return out, fmt.Errorf("memory referrals: %d unreadable: %w", bad, flows.ErrCorruptReferral)
	}
	return out, nil
}

// ChatReferrals returns the ids of the referrals whose Chat is chat,
// sorted.
func (s *Store) ChatReferrals(ctx context.Context, chat flows.ChatID) ([]string, error) {
	if err := ctx.Err(); err != nil {
		return nil, fmt.Errorf("memory chat referrals: %w", err)
	}
	s.rmu.Lock()
	ids := make([]string, 0, len(s.byChat[chat]))
	for id := range s.byChat[chat] {
		ids = append(ids, id)
	}
	s.rmu.Unlock()
	slices.Sort(ids)
	return ids, nil
}

// DueReferrals returns the ids of the referrals whose DueAt is set and not
// after now, earliest first (ties by id), at most limit (0: all). It walks
// every referral: the memory store serves one small replica, and a sweep
// every minute or so.
func (s *Store) DueReferrals(ctx context.Context, now time.Time, limit int) ([]string, error) {
	if err := ctx.Err(); err != nil {
		return nil, fmt.Errorf("memory due referrals: %w", err)
	}
	type idDue struct {
		id  string
		due time.Time
	}
	var due []idDue
	s.rmu.Lock()
	for id, e := range s.refs {
		if !e.due.IsZero() && !e.due.After(now) {
			due = append(due, idDue{id, e.due})
		}
	}
	s.rmu.Unlock()
	slices.SortFunc(due, func(a, b idDue) int {
		if c := a.due.Compare(b.due); c != 0 {
			return c
		}
		return cmp.Compare(a.id, b.id)
	})
	if limit > 0 && len(due) > limit {
		due = due[:limit]
	}
	ids := make([]string, len(due))
	for i, d := range due {
		ids[i] = d.id
	}
	return ids, nil
}

// DeleteReferral removes the referral id and its index entries. Deleting
// a missing referral is not an error.
func (s *Store) DeleteReferral(ctx context.Context, id string) error {
	if err := ctx.Err(); err != nil {
		return fmt.Errorf("memory delete referral: %w", err)
	}
	s.rmu.Lock()
	defer s.rmu.Unlock()
	if e, ok := s.refs[id]; ok {
		s.dropRef(id, e)
	}
	return nil
}

// putRef stores e as referral id and indexes it. s.rmu must be held.
func (s *Store) putRef(id string, e refEntry) {
	s.refs[id] = e
	addTo(s.byPlace, e.place, id)
	if e.chat != "" {
		addTo(s.byChat, e.chat, id)
	}
}

// dropRef removes referral id, stored as e, and its index entries. s.rmu
// must be held.
func (s *Store) dropRef(id string, e refEntry) {
	delete(s.refs, id)
	removeFrom(s.byPlace, e.place, id)
	removeFrom(s.byChat, e.chat, id)
}

func addTo[K comparable](index map[K]map[string]struct{}, k K, id string) {
	set := index[k]
	if set == nil {
		set = make(map[string]struct{})
		index[k] = set
	}
	set[id] = struct{}{}
}

// removeFrom drops id from the set of k, and the set once empty, so that
// places and chats that are gone leave nothing behind.
func removeFrom[K comparable](index map[K]map[string]struct{}, k K, id string) {
	set := index[k]
	delete(set, id)
	if len(set) == 0 {
		delete(index, k)
	}
}

// putReferral replaces the stored value of referral id with raw, keeping
// its revision and index entries: the contract suite uses it to store
// corrupt values.
func (s *Store) putReferral(id string, raw []byte) {
	s.rmu.Lock()
	defer s.rmu.Unlock()
	e := s.refs[id]
	e.val = raw
	s.refs[id] = e
}

// AddToken stores a token hash for place until expires (zero: until
// revoked). An expiry already past stores a token that is never found.
func (s *Store) AddToken(ctx context.Context, place, hash string, expires time.Time) error {
	return s.putExpiring(ctx, "memory add token", "hash", s.tokens, hash, place, expires)
}

// TokenPlace returns the place of a token hash, or flows.ErrNoToken if it
// is unknown, revoked or expired. The empty hash is never a token.
func (s *Store) TokenPlace(ctx context.Context, hash string) (string, error) {
	return s.placeOf(ctx, "memory token place", s.tokens, hash, false)
}

// RevokeAccess removes every token and link code of place and unlinks its
// chat, at once. It walks all tokens and codes: there are a few per
// structure, and revoking is rare.
func (s *Store) RevokeAccess(ctx context.Context, place string) error {
	if err := ctx.Err(); err != nil {
		return fmt.Errorf("memory revoke access: %w", err)
	}
	s.rmu.Lock()
	defer s.rmu.Unlock()
	for _, m := range []map[string]expiring{s.tokens, s.codes} {
		for k, e := range m {
			if e.place == place {
				delete(m, k)
			}
		}
	}
	delete(s.structChats, place)
	return nil
}

// AddLinkCode stores a one-time code for place until expires (zero: until
// used).
func (s *Store) AddLinkCode(ctx context.Context, code, place string, expires time.Time) error {
	return s.putExpiring(ctx, "memory add link code", "code", s.codes, code, place, expires)
}

// UseLinkCode returns the place of code and deletes the code, or returns
// flows.ErrNoToken if it is unknown, used or expired.
func (s *Store) UseLinkCode(ctx context.Context, code string) (string, error) {
	return s.placeOf(ctx, "memory use link code", s.codes, code, true)
}

// SetStructureChat links l.Chat to place; a zero Chat unlinks it.
func (s *Store) SetStructureChat(ctx context.Context, place string, l flows.ChatLink) error {
	if err := ctx.Err(); err != nil {
		return fmt.Errorf("memory set structure chat: %w", err)
	}
	s.rmu.Lock()
	defer s.rmu.Unlock()
	if l.Chat == "" {
		delete(s.structChats, place)
	} else {
		s.structChats[place] = l
	}
	return nil
}

// StructureChat returns the chat linked to place, or the zero ChatLink.
func (s *Store) StructureChat(ctx context.Context, place string) (flows.ChatLink, error) {
	if err := ctx.Err(); err != nil {
		return flows.ChatLink{}, fmt.Errorf("memory structure chat: %w", err)
	}
	s.rmu.Lock()
	defer s.rmu.Unlock()
	return s.structChats[place], nil
}

// putExpiring stores key (a token hash or link code, of kind) → place in
// m (s.tokens or s.codes) until expires (zero: never), and sweeps a few
// of m's expired entries. Errors are wrapped in op.
func (s *Store) putExpiring(ctx context.Context, op, kind string, m map[string]expiring, key, place string, expires time.Time) error {
	if err := ctx.Err(); err != nil {
		return fmt.Errorf("%s: %w", op, err)
	}
	if err := store.CheckAccess(kind, key, place); err != nil {
		return fmt.Errorf("%s: %w", op, err)
	}
	now := s.now()
	s.rmu.Lock()
	defer s.rmu.Unlock()
	m[key] = expiring{place: place, exp: expires}
	sweepExpired(m, now)
	return nil
}

// placeOf returns the place of key in m, or flows.ErrNoToken if it is
// unknown or expired. An expired entry is deleted, and with once (a link
// code) any entry found is. Errors are wrapped in op.
func (s *Store) placeOf(ctx context.Context, op string, m map[string]expiring, key string, once bool) (string, error) {
	if err := ctx.Err(); err != nil {
		return "", fmt.Errorf("%s: %w", op, err)
	}
	now := s.now()
	s.rmu.Lock()
	defer s.rmu.Unlock()
	e, ok := m[key]
	if !ok {
		return "", flows.ErrNoToken
	}
	if once || e.expired(now) {
		delete(m, key)
	}
	if e.expired(now) {
		return "", flows.ErrNoToken
	}
	return e.place, nil
}

// sweepExpired deletes the expired entries among a few, as Save does for
// sessions: tokens and codes that are never looked up again must not stay
// in memory. s.rmu must be held.
func sweepExpired(m map[string]expiring, now time.Time) {
	n := 0
	for k, e := range m {
		if e.expired(now) {
			delete(m, k)
		}
		if n++; n == sweepBatch {
			return
		}
	}
}
