package memory

import (
	"context"
	"fmt"
	"sync"
	"time"

	"github.com/secours/secours/flows"
)

// sweepBatch bounds the entries a Save examines for expiry. Map iteration
// starts at a random place, so repeated small sweeps reach every entry
// without a janitor goroutine, and no Save pays for the whole map.
const sweepBatch = 8

var _ flows.SessionStore = (*Store)(nil)

// Store is an in-memory flows.SessionStore, and also a referral.Store
// and a flows.StructureStore (referrals.go) and a flows.StatsStore
// (stats.go), and keeps the WhatsApp Cloud API's 24-hour window
// (window.go). It keeps the encoded bytes, not the Session, so that it
// behaves like Redis: a caller that changes a loaded Session does not
// change the stored one. It is safe for concurrent use.
type Store struct {
	ttl time.Duration
	now func() time.Time

	mu sync.Mutex // guards m
	m  map[flows.ChatID]entry

	// Referrals and structures (referrals.go) have a lock of their own, so
	// a sweep over referrals never holds up a conversation step.
	rmu         sync.Mutex // guards refs, byPlace, byChat, tokens, codes, structChats and secrets
	refs        map[string]refEntry
	byPlace     map[string]map[string]struct{}
	byChat      map[flows.ChatID]map[string]struct{}
	tokens      map[string]expiring // place by token hash
	codes       map[string]expiring // place by link code
	structChats map[string]flows.ChatLink
	secrets     map[string][]byte // secrets.go

	// The observatory's counts (stats.go): a lock of their own too, taken
	// by a tally at the end of a step.
	smu   sync.Mutex                 // guards stats
	stats map[string]map[statKey]int // month → (area, metric) → count

	// The 24-hour window's records (window.go), taken by each WhatsApp
	// Cloud message in and out: a lock of their own.
	wmu     sync.Mutex // guards windows
	windows map[flows.ChatID]*window
}

// entry is one stored session. Its val is never modified once stored, so
// Load may decode it outside the lock.
type entry struct {
	rev int64
	val []byte
	exp time.Time // zero: never expires
}

// New returns an empty Store. A session expires ttl after its last Save;
// ttl <= 0 means never. now is the clock (nil: time.Now) of session, token
// and link code expiry; tests pass a fake one to expire them without
// sleeping.
func New(ttl time.Duration, now func() time.Time) *Store {
	if now == nil {
		now = time.Now
	}
	return &Store{
		ttl:         ttl,
		now:         now,
		m:           make(map[flows.ChatID]entry),
		refs:        make(map[string]refEntry),
		byPlace:     make(map[string]map[string]struct{}),
		byChat:      make(map[flows.ChatID]map[string]struct{}),
		tokens:      make(map[string]expiring),
		codes:       make(map[string]expiring),
		structChats: make(map[string]flows.ChatLink),
		secrets:     make(map[string][]byte),
		stats:       make(map[string]map[statKey]int),
		windows:     make(map[flows.ChatID]*window),
	}
}

// Load returns the session of chat id, or flows.ErrNoSession if there is
// none or it expired. If the stored value does not decode, Load returns
// flows.ErrCorrupt with a Session holding only Chat and the stored Rev, so
// that saving a fresh session at that revision replaces it.
func (s *Store) Load(ctx context.Context, id flows.ChatID) (flows.Session, error) {
	if err := ctx.Err(); err != nil {
		return flows.Session{}, fmt.Errorf("memory load session: %w", err)
	}
	now := s.now()
	s.mu.Lock()
	e, ok := s.m[id]
	if ok && e.expired(now) {
		delete(s.m, id)
		ok = false
	}
	s.mu.Unlock()
	if !ok {
		return flows.Session{}, flows.ErrNoSession
	}
	sess, err := flows.DecodeSession(e.val)
	if err == nil && sess.Chat != id {
		err = fmt.Errorf("stored under another chat: %w", flows.ErrCorrupt)
	}
	if err != nil {
		return flows.Session{Chat: id, Rev: e.rev}, fmt.Errorf("memory load session: %w", err)
	}
	sess.Rev = e.rev // the store's revision is the authority
	return sess, nil
}

// Save stores sess if the stored revision is still sess.Rev (0: none
// stored, or expired), and returns flows.ErrConflict otherwise. On success
// the stored revision is sess.Rev+1 and the TTL starts again.
func (s *Store) Save(ctx context.Context, sess flows.Session) error {
	if err := ctx.Err(); err != nil {
		return fmt.Errorf("memory save session: %w", err)
	}
	sess.Rev++
	val, err := sess.Encode()
	if err != nil {
		return fmt.Errorf("memory save session: %w", err)
	}
	now := s.now()
	var exp time.Time
	if s.ttl > 0 {
		exp = now.Add(s.ttl)
	}

	s.mu.Lock()
	defer s.mu.Unlock()
	var cur int64
	if e, ok := s.m[sess.Chat]; ok && !e.expired(now) {
		cur = e.rev
	}
	if cur != sess.Rev-1 {
		return flows.ErrConflict
	}
	s.m[sess.Chat] = entry{rev: sess.Rev, val: val, exp: exp}
	s.sweep(now)
	return nil
}

// Delete removes the session of chat id and its window record
// (window.go). Deleting a missing session is not
// an error.
func (s *Store) Delete(ctx context.Context, id flows.ChatID) error {
	if err := ctx.Err(); err != nil {
		return fmt.Errorf("memory delete session: %w", err)
	}
	s.mu.Lock()
	delete(s.m, id)
	s.mu.Unlock()
	s.deleteWindow(id) // /forget erases the window and held messages too
	return nil
}

// len returns the number of stored sessions, expired ones included until
// they are swept.
func (s *Store) len() int {
	s.mu.Lock()
	defer s.mu.Unlock()
	return len(s.m)
}

// sweep deletes the expired entries among a few. s.mu must be held.
func (s *Store) sweep(now time.Time) {
	if s.ttl <= 0 {
		return
	}
	n := 0
	for id, e := range s.m {
		if e.expired(now) {
			delete(s.m, id)
		}
		if n++; n == sweepBatch {
			return
		}
	}
}

// put stores val as the encoded session of id at revision rev, bypassing
// Save: the contract suite uses it to store corrupt values.
func (s *Store) put(id flows.ChatID, rev int64, val []byte) {
	s.mu.Lock()
	defer s.mu.Unlock()
	var exp time.Time
	if s.ttl > 0 {
		exp = s.now().Add(s.ttl)
	}
	s.m[id] = entry{rev: rev, val: val, exp: exp}
}

func (e entry) expired(now time.Time) bool {
	return !e.exp.IsZero() && !now.Before(e.exp)
}
