package telegram

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"log/slog"
	"net/http"
	"net/url"
	"sync"
	"time"

	tgbot "github.com/go-telegram/bot"
	"github.com/go-telegram/bot/models"
	"github.com/secours/secours/internal/pause"
)

// maxBatch is the most updates one getUpdates returns (the API's maximum).
const maxBatch = 100

// maxPollBackoff bounds the wait between failed polls.
const maxPollBackoff = 5 * time.Second

// Telegram forgets only the updates below the offset a getUpdates sends,
// and answers at once, with them, while any at or above it is left. So
// while an update is being handled unconfirmed (no inbox: Telegram keeps
// it, so that a crash gets it again) a long poll does not wait for new
// ones: Receive asks again each time an update is done, at most every
// minPollGap, and every busyPoll at least.
const (
	busyPoll   = 100 * time.Millisecond
	minPollGap = 10 * time.Millisecond
)

// DefaultDrain is Config.Drain's default: below the process's own bound
// on a stop by signal (35 s), with room for the offset's confirmation and
// the polling lease's release.
const DefaultDrain = 20 * time.Second

// confirmTimeout bounds the last getUpdates, which confirms the offset.
const confirmTimeout = 5 * time.Second

// Poll receives updates by long polling until ctx is done (Receive), then
// refuses pushes and waits for the ones in flight (Wait).
func (a *Adapter) Poll(ctx context.Context) error {
	err := a.Receive(ctx)
	a.Wait()
	return err
}

// Receive receives updates by long polling until ctx is done, then stops
// taking updates, finishes the ones received (for at most Config.Drain)
// and confirms those it handled, so that a restart neither loses nor
// repeats one.
//
// With an inbox (Config.Inbox: the Redis store), each batch is kept there
// and confirmed by the next poll at once, which waits for new updates as
// long as Telegram lets it: a new message is read the moment it comes. An
// update leaves the inbox once answered; the ones a killed process left
// there are handled again by the next Receive (redrive), flagged as
// redelivered so that the engine answers the last one again rather than
// take it for a twin copy.
//
// Without an inbox, or while it cannot be written, an update is confirmed
// only once it was handled and answered, or dropped: one received by a
// process killed before it answered comes again to the next poller (the
// engine drops a second copy of an update it applied, and answers it
// again if its answer may have been lost). That holds while fewer than
// 100 updates (a getUpdates' most) are unconfirmed: past that, the oldest
// are confirmed before their answer, or Telegram would show no newer
// update. Unlike Poll, it leaves the adapter running: pushes go on, and
// Receive may be called again, as after the polling lease came back.
//
// It drives getUpdates itself rather than through the library's poller,
// which advances the offset when an update is queued, not when it is
// handled, and drops what is queued when its context ends.
func (a *Adapter) Receive(ctx context.Context) error {
	// Updates run to the end even when ctx ends: their answers are due.
	work := context.WithoutCancel(ctx)
	l := newLedger()
	ans := newAnswered()
	if a.cfg.Inbox != nil {
		stop := make(chan struct{})
		var flushed sync.WaitGroup
		flushed.Go(func() { a.flushAnswered(work, ans, stop) })
		defer flushed.Wait()
		defer close(stop) // after the drain below: its answers are flushed too
		a.redrive(work, l, ans)
	}
	var (
		backoff time.Duration
		fatal   error
		more    bool      // the last batch was full of new updates: ask again at once
		last    time.Time // the last poll's start
	)
	var seen uint64 // the ledger's generation at the last poll
	for ctx.Err() == nil {
		if _, busy := l.offset(); busy {
			if !more && !l.waitProgress(ctx, seen, busyPoll) {
				break
			}
			if gap := minPollGap - time.Since(last); gap > 0 && pause.For(ctx, gap) != nil {
				break
			}
		}
		offset, busy := l.offset()
		timeout := int(a.cfg.PollTimeout / time.Second)
		if busy {
			timeout = 0 // Telegram answers at once anyway
		}
		seen = l.generation()
		last = time.Now()
		batch, err := a.getUpdates(ctx, offset, timeout, maxBatch, l.known)
		if err != nil {
			if ctx.Err() != nil {
				break
			}
			if errors.Is(err, tgbot.ErrorUnauthorized) || errors.Is(err, tgbot.ErrorNotFound) {
				fatal = fmt.Errorf("telegram: TELEGRAM_BOT_TOKEN rejected: %w", err)
				break
			}
			backoff = min(max(2*backoff, 100*time.Millisecond), maxPollBackoff)
			if tm, ok := errors.AsType[*tgbot.TooManyRequestsError](err); ok {
				backoff = time.Duration(max(tm.RetryAfter, 1)) * time.Second
			}
			a.log.Warn("poll failed, waiting", slog.Any("err", a.apiErr(err)), slog.Duration("dur", backoff))
			_ = a.sleep(ctx, backoff)
			continue
		}
		backoff = 0
		received := a.now()
		fresh := 0
		var todo []polled
		for _, p := range batch {
			if !l.receive(p.id, p.u != nil) {
				continue // in flight or handled already: Telegram keeps it until confirmed
			}
			fresh++
			if p.u == nil {
				continue // undecodable: logged, and confirmed so that it is not sent again
			}
			todo = append(todo, p)
		}
		a.dispatch(ctx, work, l, ans, todo, received)
		more = fresh > 0 && len(batch) == maxBatch
		if len(batch) == maxBatch && fresh == 0 {
			// A full window of updates received already, some still in
			// flight: Telegram shows nothing newer until the oldest are
			// confirmed. Confirm the older half now, answered or not, so
			// that one slow chat cannot hide everyone else's messages.
			if n := l.confirmBelow(batch[maxBatch/2].id); n > 0 {
				a.log.Warn("telegram: window of unconfirmed updates full, the oldest confirmed before their answer",
					slog.Int("updates", n))
			}
			more = true
		}
	}
	a.drain(l)
	if offset, _ := l.offset(); offset > 0 {
		// Telegram forgets the updates below offset only when asked for
		// the ones from offset on: ask once, without waiting.
		cctx, cancel := context.WithTimeout(work, confirmTimeout)
		defer cancel()
		if _, err := a.getUpdates(cctx, offset, 0, 1, func(int64) bool { return true }); err != nil {
			a.log.Warn("offset not confirmed: some updates may come again", slog.Any("err", a.apiErr(err)))
		}
	}
	return fatal
}

// dispatch hands a batch's new updates to the workers while it keeps them
// in the inbox: the round trip is off their path. It returns once they are
// kept (or could not be), before the next poll, which confirms them.
func (a *Adapter) dispatch(ctx, work context.Context, l *ledger, ans *answered, todo []polled, received time.Time) {
	if len(todo) == 0 {
		return
	}
	kept := make(chan bool, 1)
	go func() { kept <- a.keep(ctx, todo, received) }()
	for _, p := range todo {
		a.run(work, l, ans, p.u, arrival{at: received})
	}
	if <-kept {
		// Those answered already leave the inbox with the next flush.
		for _, id := range l.keep(todo) {
			ans.add(id)
		}
	}
}

// run queues update u on its chat's worker; once it is handled (or
// dropped by the flood rule) the ledger lets its offset pass, and a kept
// update is cleared from the inbox.
func (a *Adapter) run(work context.Context, l *ledger, ans *answered, u *models.Update, in arrival) {
	finish := func() {
		if l.done(u.ID) {
			ans.add(u.ID)
		}
	}
	if !a.enqueueUpdate(work, u, func() {
		if !l.start(u.ID) {
			return // given up at the drain bound: left for the next poller
		}
		a.handle(work, u, in)
		finish()
	}) {
		finish() // the flood rule: dropped is handled
	}
}

// redrive hands the updates a previous poller kept in the inbox and did
// not answer (it was killed, or lost its lease) to the workers again, with
// when they were first received: the engine drops one it applied, and
// answers again one whose answer may have been lost.
func (a *Adapter) redrive(work context.Context, l *ledger, ans *answered) {
	ups, at := a.kept(work)
	if len(ups) == 0 {
		return
	}
	a.log.Info("telegram: updates of the previous poller taken from the inbox", slog.Int("updates", len(ups)))
	for i, u := range ups {
		if l.adopt(u.ID) {
			a.run(work, l, ans, u, arrival{at: at[i], again: true})
		}
	}
}

// drain waits for the updates received to be handled, for at most
// Config.Drain; past it, the ones not started are given up, and the one
// running is left to finish or die with the process: neither is confirmed.
func (a *Adapter) drain(l *ledger) {
	t := time.NewTimer(a.cfg.Drain)
	defer t.Stop()
	select {
	case <-l.idle():
	case <-t.C:
		n := l.giveUp()
		a.overran.Store(true)
		a.log.Warn("telegram: drain bound reached, updates left unconfirmed for the next start",
			slog.Duration("dur", a.cfg.Drain), slog.Int("updates", n))
	}
}

// ledger follows the updates of one Receive: which are received and not
// yet handled, hence the offset that may be confirmed. It is safe for
// concurrent use.
type ledger struct {
	mu   sync.Mutex // guards the fields below
	next int64      // the id after the newest update received; 0: none yet
	// open holds the updates received and not yet handled or dropped,
	// true while one holds the offset back (not kept in the inbox): the
	// lowest of those at or above floor is the offset to confirm.
	open map[int64]bool
	// adopted are the updates taken from the inbox at the start: a copy
	// Telegram still shows (the killed poller had not confirmed it yet) is
	// not handled twice.
	adopted map[int64]bool
	// floor is the offset confirmed whatever is open: the oldest of a
	// full window (confirmBelow).
	floor int64
	live  int // tasks queued and not yet returned
	// progress is closed, and replaced, when an update is done; gen
	// counts those.
	progress chan struct{}
	gen      uint64
	idleC    chan struct{} // closed when live is 0 after giving up or draining; nil: not asked
	gaveUp   bool          // past the drain bound: tasks not started return at once
}

func newLedger() *ledger {
	return &ledger{open: map[int64]bool{}, adopted: map[int64]bool{}, progress: make(chan struct{})}
}

// offset is the offset to send: the oldest update not yet handled, else
// the one after the newest received; busy reports that one is in flight.
func (l *ledger) offset() (offset int64, busy bool) {
	l.mu.Lock()
	defer l.mu.Unlock()
	offset, busy = l.next, false
	for id, holds := range l.open {
		if holds && id >= l.floor {
			offset, busy = min(offset, id), true
		}
	}
	return offset, busy
}

// confirmBelow lets the offset pass the updates below id, whether they
// were handled or not, and returns how many of those were not.
func (l *ledger) confirmBelow(id int64) int {
	l.mu.Lock()
	defer l.mu.Unlock()
	n := 0
	for o, holds := range l.open {
		if holds && o >= l.floor && o < id {
			n++
		}
	}
	l.floor = max(l.floor, id)
	return n
}

// known reports whether update id was received already.
func (l *ledger) known(id int64) bool {
	l.mu.Lock()
	defer l.mu.Unlock()
	return id < l.next || l.adopted[id]
}

// receive records a new update, to be handled if handle (else confirmed
// as is); false if it was received before.
func (l *ledger) receive(id int64, handle bool) bool {
	l.mu.Lock()
	defer l.mu.Unlock()
	if id < l.next {
		return false
	}
	l.next = id + 1
	if l.adopted[id] {
		// Taken from the inbox already, which confirms it: the killed
		// poller died before its next poll did.
		return false
	}
	if handle {
		l.open[id] = true
		l.live++
	}
	return true
}

// keep records updates kept in the inbox: they no longer hold the offset
// back. It returns those done already (answered while the inbox was
// written, so done did not count them kept): they are to leave the inbox.
func (l *ledger) keep(ps []polled) (done []int64) {
	l.mu.Lock()
	defer l.mu.Unlock()
	for _, p := range ps {
		if _, ok := l.open[p.id]; ok {
			l.open[p.id] = false
		} else {
			done = append(done, p.id)
		}
	}
	return done
}

// adopt records an update taken from the inbox, to be handled; false if
// it is known already.
func (l *ledger) adopt(id int64) bool {
	l.mu.Lock()
	defer l.mu.Unlock()
	if _, ok := l.open[id]; ok || l.adopted[id] {
		return false
	}
	l.adopted[id] = true
	l.open[id] = false
	l.live++
	return true
}

// start reports whether a queued update is to be handled now: false once
// the drain bound gave it up.
func (l *ledger) start(id int64) bool {
	l.mu.Lock()
	defer l.mu.Unlock()
	if l.gaveUp {
		l.returned()
		return false
	}
	return true
}

// done records an update handled and answered, or dropped; kept reports
// that it is in the inbox.
func (l *ledger) done(id int64) (kept bool) {
	l.mu.Lock()
	defer l.mu.Unlock()
	holds, ok := l.open[id]
	kept = ok && !holds
	delete(l.open, id)
	l.returned()
	l.gen++
	close(l.progress)
	l.progress = make(chan struct{})
	return kept
}

// generation counts the updates done so far.
func (l *ledger) generation() uint64 {
	l.mu.Lock()
	defer l.mu.Unlock()
	return l.gen
}

// returned counts a task out. l.mu must be held.
func (l *ledger) returned() {
	l.live--
	if l.live == 0 && l.idleC != nil {
		close(l.idleC)
		l.idleC = nil
	}
}

// idle returns a channel closed once no task is left.
func (l *ledger) idle() <-chan struct{} {
	l.mu.Lock()
	defer l.mu.Unlock()
	c := make(chan struct{})
	if l.live == 0 {
		close(c)
		return c
	}
	l.idleC = c
	return c
}

// giveUp makes the tasks not started return at once, and returns how many
// updates are left unhandled.
func (l *ledger) giveUp() int {
	l.mu.Lock()
	defer l.mu.Unlock()
	l.gaveUp = true
	return len(l.open)
}

// waitProgress waits until an update is done after generation since, or
// d, or ctx's end; false if ctx ended.
func (l *ledger) waitProgress(ctx context.Context, since uint64, d time.Duration) bool {
	l.mu.Lock()
	c, gen := l.progress, l.gen
	l.mu.Unlock()
	if gen != since {
		return ctx.Err() == nil
	}
	t := time.NewTimer(d)
	defer t.Stop()
	select {
	case <-c:
	case <-t.C:
	case <-ctx.Done():
		return false
	}
	return true
}

// polled is one update of a batch; u is nil if it did not decode, or was
// received before. raw is the update as sent, for the inbox.
type polled struct {
	id  int64
	u   *models.Update
	raw []byte
}

// getUpdates makes one getUpdates call over net/http. The updates known
// already (received before, still unconfirmed) come with their id only:
// decoding them again would be wasted.
func (a *Adapter) getUpdates(ctx context.Context, offset int64, timeout, limit int, known func(id int64) bool) ([]polled, error) {
	body, err := json.Marshal(struct {
		Offset         int64    `json:"offset,omitempty"`
		Limit          int      `json:"limit"`
		Timeout        int      `json:"timeout"`
		AllowedUpdates []string `json:"allowed_updates"`
	}{offset, limit, timeout, allowedUpdates()})
	if err != nil {
		return nil, fmt.Errorf("telegram getUpdates: %w", err)
	}
	req, err := http.NewRequestWithContext(ctx, http.MethodPost, a.cfg.APIURL+"/bot"+a.cfg.Token+"/getUpdates", bytes.NewReader(body))
	if err != nil {
		return nil, errors.New("telegram getUpdates: bad request URL") // its text would hold the token
	}
	req.Header.Set("Content-Type", "application/json")
	resp, err := a.poll.Do(req)
	if err != nil {
		// A *url.Error names the URL, and the URL holds the token.
		if ue, ok := errors.AsType[*url.Error](err); ok {
			err = ue.Err
		}
		return nil, fmt.Errorf("telegram getUpdates: %w", err)
	}
	defer resp.Body.Close()
	var r struct {
		OK          bool              `json:"ok"`
		Result      []json.RawMessage `json:"result"`
		ErrorCode   int               `json:"error_code"`
		Description string            `json:"description"`
		Parameters  struct {
			RetryAfter int `json:"retry_after"`
		} `json:"parameters"`
	}
	if err := json.NewDecoder(io.LimitReader(resp.Body, 64<<20)).Decode(&r); err != nil {
		return nil, fmt.Errorf("telegram getUpdates: undecodable response (HTTP %d)", resp.StatusCode)
	}
	if !r.OK {
		switch r.ErrorCode {
		case http.StatusUnauthorized:
			return nil, fmt.Errorf("telegram getUpdates: %w, %s", tgbot.ErrorUnauthorized, r.Description)
		case http.StatusNotFound:
			return nil, fmt.Errorf("telegram getUpdates: %w, %s", tgbot.ErrorNotFound, r.Description)
		case http.StatusConflict:
			return nil, fmt.Errorf("telegram getUpdates: %w, %s", tgbot.ErrorConflict, r.Description)
		case http.StatusTooManyRequests:
			return nil, &tgbot.TooManyRequestsError{Message: "telegram getUpdates: " + r.Description, RetryAfter: r.Parameters.RetryAfter}
		}
		return nil, fmt.Errorf("telegram getUpdates: error %d, %s", r.ErrorCode, r.Description)
	}
	out := make([]polled, 0, len(r.Result))
	for _, raw := range r.Result {
		var head struct {
			ID *int64 `json:"update_id"`
		}
		if err := json.Unmarshal(raw, &head); err != nil || head.ID == nil {
			a.log.Warn("update undecodable, skipped", slog.String("event", "undecodable"))
			continue
		}
		if known(*head.ID) {
			out = append(out, polled{id: *head.ID})
			continue
		}
		// One update at a time: a type the library cannot decode must not
		// lose the rest of the batch.
		p := polled{id: *head.ID, u: new(models.Update), raw: raw}
		if err := json.Unmarshal(raw, p.u); err != nil {
			a.log.Warn("update undecodable, skipped", slog.String("event", "undecodable"), slog.Int64("update", p.id))
			p.u = nil
		}
		out = append(out, p)
	}
	return out, nil
}
