package telegram

import (
	"bytes"
	"context"
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"errors"
	"fmt"
	"log/slog"
	"slices"
	"strconv"
	"sync"
	"time"

	"github.com/go-telegram/bot/models"
)

// Inbox keeps the updates a poller received and has not answered yet, in
// the store the bot's pollers share (store/redis, or store/memory for one
// process). With it, the poller confirms each batch to Telegram as soon as
// it is kept and long-polls for the next one at once: without it, the
// offset waits for every answer (Telegram then keeps the updates for us),
// and a new message waits for the next short poll, up to minPollGap and
// more. A process killed before answering leaves its updates in the inbox;
// the next Receive takes them from there. Values are opaque to the store.
type Inbox interface {
	// InboxKeep stores the updates (id → value) under name.
	InboxKeep(ctx context.Context, name string, updates map[int64][]byte) error
	// InboxDone forgets the updates answered.
	InboxDone(ctx context.Context, name string, ids []int64) error
	// InboxKept returns every update stored under name.
	InboxKept(ctx context.Context, name string) (map[int64][]byte, error)
}

// inboxMaxAge is how old a kept update may be and still be answered: the
// 24 hours Telegram itself keeps an unconfirmed update. The inbox holds
// what Telegram would have held, no longer (a raw update carries the
// person's words and name).
const inboxMaxAge = 24 * time.Hour

// inboxFlushEvery gathers the answered updates of this long into one
// InboxDone: one round trip for many answers, off their critical path.
const inboxFlushEvery = 20 * time.Millisecond

// inboxMaxPending bounds the answered ids waiting for an InboxDone that
// keeps failing (a store down): past it the oldest are let go. They come
// back after a restart, where the engine drops an update it applied.
const inboxMaxPending = 10_000

// InboxName names a bot's inbox by a hash of its token, as PollLeaseName
// names its lease: keys show in MONITOR, slow logs and backups.
func InboxName(token string) string {
	h := sha256.Sum256([]byte(token))
	return "inbox:{" + hex.EncodeToString(h[:8]) + "}"
}

// encodeKept is an inbox value: when the update was received (Unix
// milliseconds), a newline, the update as Telegram sent it.
func encodeKept(received time.Time, raw []byte) []byte {
	b := strconv.AppendInt(nil, received.UnixMilli(), 10)
	b = append(b, '\n')
	return append(b, raw...)
}

// decodeKept reads an inbox value.
func decodeKept(v []byte) (received time.Time, u *models.Update, err error) {
	head, raw, ok := bytes.Cut(v, []byte{'\n'})
	ms, perr := strconv.ParseInt(string(head), 10, 64)
	if !ok || perr != nil {
		return time.Time{}, nil, errors.New("inbox value: no receipt time")
	}
	u = new(models.Update)
	if err := json.Unmarshal(raw, u); err != nil {
		return time.Time{}, nil, fmt.Errorf("inbox value: %w", err)
	}
	return time.UnixMilli(ms), u, nil
}

// keep stores the fresh updates of a batch in the inbox; false if it
// could not (no inbox, or the store failed): their offset then waits for
// their answers, as without an inbox.
func (a *Adapter) keep(ctx context.Context, fresh []polled, received time.Time) bool {
	if a.cfg.Inbox == nil {
		return false
	}
	m := make(map[int64][]byte, len(fresh))
	for _, p := range fresh {
		m[p.id] = encodeKept(received, p.raw)
	}
	ctx, cancel := context.WithTimeout(ctx, sendTimeout)
	defer cancel()
	if err := a.cfg.Inbox.InboxKeep(ctx, a.inboxName, m); err != nil {
		a.log.Warn("telegram: updates not kept in the inbox, their offset waits for the answers", slog.Any("err", err))
		return false
	}
	return true
}

// kept returns the updates a previous poller kept and did not answer,
// oldest first, with when each was received; those older than
// inboxMaxAge are forgotten. An inbox that cannot be read is logged: its
// updates stay for the next start (Redis), or in the file moved aside
// (a folder whose file is not an inbox).
func (a *Adapter) kept(ctx context.Context) (ups []*models.Update, at []time.Time) {
	if a.cfg.Inbox == nil {
		return nil, nil
	}
	ctx, cancel := context.WithTimeout(ctx, sendTimeout)
	defer cancel()
	m, err := a.cfg.Inbox.InboxKept(ctx, a.inboxName)
	if err != nil {
		a.log.Warn("telegram: inbox not read, its updates are not answered now (the error says where they stay)", slog.Any("err", err))
		return nil, nil
	}
	ids := slices.Sorted(func(yield func(int64) bool) {
		for id := range m {
			if !yield(id) {
				return
			}
		}
	})
	var stale []int64
	for _, id := range ids {
		t, u, err := decodeKept(m[id])
		if err != nil || a.now().Sub(t) > inboxMaxAge {
			stale = append(stale, id)
			continue
		}
		ups, at = append(ups, u), append(at, t)
	}
	if len(stale) > 0 {
		a.log.Warn("telegram: inbox updates too old or unreadable, forgotten", slog.Int("updates", len(stale)))
		if err := a.cfg.Inbox.InboxDone(ctx, a.inboxName, stale); err != nil {
			a.log.Warn("telegram: inbox not cleaned", slog.Any("err", err))
		}
	}
	return ups, at
}

// answered gathers the kept updates answered, for one InboxDone every
// inboxFlushEvery. It is safe for concurrent use.
type answered struct {
	mu   sync.Mutex
	ids  []int64
	wake chan struct{} // has a value when ids is not empty
}

func newAnswered() *answered { return &answered{wake: make(chan struct{}, 1)} }

func (s *answered) add(id int64) {
	s.mu.Lock()
	s.ids = append(s.ids, id)
	if n := len(s.ids) - inboxMaxPending; n > 0 {
		s.ids = slices.Delete(s.ids, 0, n)
	}
	s.mu.Unlock()
	s.signal()
}

func (s *answered) signal() {
	select {
	case s.wake <- struct{}{}:
	default:
	}
}

func (s *answered) take() []int64 {
	s.mu.Lock()
	defer s.mu.Unlock()
	ids := s.ids
	s.ids = nil
	return ids
}

// putBack returns ids an InboxDone failed on, before any added since.
func (s *answered) putBack(ids []int64) {
	s.mu.Lock()
	s.ids = append(ids, s.ids...)
	if n := len(s.ids) - inboxMaxPending; n > 0 {
		s.ids = slices.Delete(s.ids, 0, n)
	}
	s.mu.Unlock()
}

// flushAnswered forgets the answered updates in the inbox until stop is
// closed, then once more, bounded by confirmTimeout. A store that fails is
// tried again later, waiting longer each time (up to maxPollBackoff).
func (a *Adapter) flushAnswered(work context.Context, s *answered, stop <-chan struct{}) {
	flush := func(ctx context.Context) error {
		ids := s.take()
		if len(ids) == 0 {
			return nil
		}
		ctx, cancel := context.WithTimeout(ctx, sendTimeout)
		defer cancel()
		if err := a.cfg.Inbox.InboxDone(ctx, a.inboxName, ids); err != nil {
			s.putBack(ids)
			return fmt.Errorf("%d updates: %w", len(ids), err)
		}
		return nil
	}
	var backoff time.Duration
	for {
		wait := inboxFlushEvery + backoff
		select {
		case <-stop:
			ctx, cancel := context.WithTimeout(work, confirmTimeout)
			defer cancel()
			if err := flush(ctx); err != nil {
				a.log.Warn("telegram: answered updates left in the inbox (the next start drops them as applied)", slog.Any("err", err))
			}
			return
		case <-s.wake:
		}
		// Gather what comes within one tick (or wait out a failure).
		t := time.NewTimer(wait)
		select {
		case <-t.C:
		case <-stop:
		}
		t.Stop()
		if err := flush(work); err != nil {
			if backoff == 0 {
				a.log.Warn("telegram: answered updates not cleared from the inbox yet, trying again", slog.Any("err", err))
			}
			backoff = min(max(2*backoff, 100*time.Millisecond), maxPollBackoff)
			s.signal()
			continue
		}
		backoff = 0
	}
}
