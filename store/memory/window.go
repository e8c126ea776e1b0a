package memory

import (
	"context"
	"fmt"
	"slices"
	"time"

	"github.com/secours/secours/flows"
	"github.com/secours/secours/store"
)

// window is one chat's 24-hour window record.
type window struct {
	seen time.Time // latest WindowSeen, to the millisecond; zero: none
	held []heldMsg // oldest first
}

type heldMsg struct {
	msg []byte
	exp time.Time
}

// WindowSeen records that chat wrote at t, keeping the latest, and
// removes and returns its held messages not expired, oldest first.
func (s *Store) WindowSeen(ctx context.Context, chat flows.ChatID, t time.Time) ([][]byte, error) {
	if err := ctx.Err(); err != nil {
		return nil, fmt.Errorf("memory window seen: %w", err)
	}
	t = time.UnixMilli(t.UnixMilli()) // Redis keeps milliseconds: so do we
	now := s.now()
	s.wmu.Lock()
	defer s.wmu.Unlock()
	w := s.window(chat)
	if t.After(w.seen) {
		w.seen = t
	}
	var out [][]byte
	for _, h := range w.held {
		if now.Before(h.exp) {
			out = append(out, h.msg)
		}
	}
	w.held = nil
	s.sweepWindows(now)
	return out, nil
}

// WindowLastSeen returns when chat last wrote; zero if unknown or older
// than store.WindowRetention.
func (s *Store) WindowLastSeen(ctx context.Context, chat flows.ChatID) (time.Time, error) {
	if err := ctx.Err(); err != nil {
		return time.Time{}, fmt.Errorf("memory window last seen: %w", err)
	}
	now := s.now()
	s.wmu.Lock()
	defer s.wmu.Unlock()
	w := s.windows[chat]
	if w == nil || w.seenExpired(now) {
		return time.Time{}, nil
	}
	return w.seen, nil
}

// HoldOutgoing appends a copy of msg to chat's held messages, until ttl;
// beyond store.MaxHeld the oldest is dropped.
func (s *Store) HoldOutgoing(ctx context.Context, chat flows.ChatID, msg []byte, ttl time.Duration) error {
	if err := ctx.Err(); err != nil {
		return fmt.Errorf("memory hold outgoing: %w", err)
	}
	if err := store.CheckHold(ttl); err != nil {
		return fmt.Errorf("memory hold outgoing: %w", err)
	}
	now := s.now()
	s.wmu.Lock()
	defer s.wmu.Unlock()
	w := s.window(chat)
	w.held = append(w.held, heldMsg{msg: append([]byte(nil), msg...), exp: now.Add(ttl)})
	if n := len(w.held); n > store.MaxHeld {
		w.held = append([]heldMsg(nil), w.held[n-store.MaxHeld:]...)
	}
	return nil
}

// window returns chat's record, made on first use. s.wmu must be held.
func (s *Store) window(chat flows.ChatID) *window {
	w := s.windows[chat]
	if w == nil {
		w = &window{}
		s.windows[chat] = w
	}
	return w
}

// deleteWindow erases chat's window record (Delete: /forget).
func (s *Store) deleteWindow(chat flows.ChatID) {
	s.wmu.Lock()
	defer s.wmu.Unlock()
	delete(s.windows, chat)
}

// sweepWindows drops a few records with nothing left to keep, as sweep
// does for sessions. s.wmu must be held.
func (s *Store) sweepWindows(now time.Time) {
	n := 0
	for id, w := range s.windows {
		live := slices.ContainsFunc(w.held, func(h heldMsg) bool { return now.Before(h.exp) })
		if !live && w.seenExpired(now) {
			delete(s.windows, id)
		}
		if n++; n == sweepBatch {
			return
		}
	}
}

func (w *window) seenExpired(now time.Time) bool {
	return w.seen.IsZero() || now.Sub(w.seen) > store.WindowRetention
}
