package main

import (
	"context"
	"errors"
	"fmt"
	"io"
	"log/slog"
	"math/rand/v2"
	"os"
	"slices"
	"strconv"
	"sync"
	"time"

	"github.com/secours/secours/bot"
	"github.com/secours/secours/bot/telegram"
	"github.com/secours/secours/bot/telegram/telegramtest"
	"github.com/secours/secours/cmd/loadtest/fleet"
	"github.com/secours/secours/configs"
	"github.com/secours/secours/flows"
	"github.com/secours/secours/internal/pause"
	"github.com/secours/secours/referral"
	"github.com/secours/secours/store/spool"
)

// options bound one run.
type options struct {
	users       int
	think       time.Duration // mean pause between a reply and the next answer
	ramp        time.Duration // arrivals spread over this long
	stepTimeout time.Duration // a user waiting longer for a reply is stuck
	firstChat   int64
	// flood, if not 0, is how many messages one more chat (the flooder,
	// chat firstChat-1) sends as fast as it can, halfway through the
	// ramp: its latency is left out of the figures.
	flood int
}

// result is what one run measured.
type result struct {
	users, reached, stuck int
	updates               int
	elapsed               time.Duration
	p50, p99, max         time.Duration
	errs                  []error // the first few reasons users got stuck
	// e2e50 and e2e99 are the latency as the people see it: from the
	// update pushed to the fake to its reply sent, the wait for the poll
	// that fetches it included.
	e2e50, e2e99 time.Duration
	// restP99 is e2e99 over every turn but the place list's (the
	// postcode step, which sends a card and a pin per place, in order):
	// it tells how much of the tail that one turn is.
	restP99 time.Duration
	// floodHandled counts the flooder's updates that were handled rather
	// than dropped by the flood rule.
	floodHandled int
	cpu          time.Duration // the process's CPU time during the run (cpuTime)
}

// stores is what both store back-ends give: sessions, and the referrals
// the scripts create.
type stores interface {
	flows.SessionStore
	referral.Store
	flows.StructureStore
}

// runLoad drives o.users simulated people through whole conversations
// against a fake Bot API on loopback, with the real engine and the given
// store, and measures the bot's own latency per update: from the poll that
// received the update to the return of the last send of its reply.
func runLoad(ctx context.Context, e *flows.Engine, st stores, o options) (result, error) {
	srv := telegramtest.New(telegramtest.Options{NoRecord: true})
	defer srv.Close()
	h := newHandled(o)
	quiet := slog.New(slog.NewTextHandler(io.Discard, nil))
	// The inbox as cmd/secours wires it: the Redis store's, else a folder.
	inbox, ok := st.(telegram.Inbox)
	if !ok {
		dir, err := os.MkdirTemp("", "secours-loadtest-inbox-")
		if err != nil {
			return result{}, fmt.Errorf("inbox folder: %w", err)
		}
		defer os.RemoveAll(dir)
		sp, err := spool.Open(dir)
		if err != nil {
			return result{}, err
		}
		defer sp.Close()
		inbox = sp
	}
	a, err := telegram.New(telegram.Config{
		Token: srv.Token, APIURL: srv.URL, PollTimeout: time.Second,
		// The fake has no flood limits: pacing would measure Telegram's
		// limits, not the bot (the pacer has its own unit tests).
		Limits: telegram.Limits{Global: -1, Chat: -1},
		Log:    quiet,
		Texts:  configs.FS,
		Done:   h.done,
		Inbox:  inbox,
	}, &bot.Runner{Engine: e, Store: st, Referrals: referral.NewLedger(e, st), Structures: st, Log: quiet})
	if err != nil {
		return result{}, err
	}
	if err := a.Setup(ctx); err != nil {
		return result{}, err
	}
	pctx, stopPoll := context.WithCancel(ctx)
	var wg sync.WaitGroup
	var pollErr error
	wg.Go(func() { pollErr = a.Poll(pctx) })

	seen := latencies{d: make([]time.Duration, 0, o.users*16)}
	rest := latencies{d: make([]time.Duration, 0, o.users*16)}
	start := time.Now()
	r := drivePeople(ctx, srv, o, h.replies, &seen, &rest, func(ctx context.Context, u *simUser) (bool, error) { return u.run(ctx) })
	r.elapsed = time.Since(start)
	stopPoll()
	wg.Wait()
	if pollErr != nil {
		return result{}, pollErr
	}

	h.mu.Lock()
	defer h.mu.Unlock()
	slices.Sort(h.lat)
	r.users, r.updates, r.floodHandled = o.users, len(h.lat), h.floodHandled
	if lat := h.lat; len(lat) > 0 {
		r.p50, r.p99, r.max = quantile(lat, 50), quantile(lat, 99), lat[len(lat)-1]
	}
	all := seen.sorted()
	r.e2e50, r.e2e99, r.restP99 = quantile(all, 50), quantile(all, 99), quantile(rest.sorted(), 99)
	return r, nil
}

// handled is what the adapter's Done hook records of one run.
type handled struct {
	// replies has one channel per user, made before the adapter starts:
	// the hook only reads the map.
	replies   map[int64]chan struct{}
	floodChat int64

	mu           sync.Mutex // guards lat and floodHandled
	lat          []time.Duration
	floodHandled int
}

func newHandled(o options) *handled {
	h := &handled{replies: make(map[int64]chan struct{}, o.users), floodChat: o.firstChat - 1, lat: make([]time.Duration, 0, o.users*16)}
	for i := range o.users {
		h.replies[o.firstChat+int64(i)] = make(chan struct{}, 1)
	}
	return h
}

// done is the adapter's Done hook: the bot's latency for the update, and
// a wake-up for the person waiting for its reply.
func (h *handled) done(_, chat int64, received time.Time) {
	d := time.Since(received)
	h.mu.Lock()
	if chat == h.floodChat {
		h.floodHandled++
	} else {
		h.lat = append(h.lat, d)
	}
	h.mu.Unlock()
	if c, ok := h.replies[chat]; ok {
		select {
		case c <- struct{}{}:
		default:
		}
	}
}

// drivePeople runs the people (and the flooder, if any) until each has
// reached the end of their script or got stuck; it fills reached, stuck
// and errs. play is what one person does: (*simUser).run, or the
// zero-work bot's plain messages (baseline.go). The people record each
// reply's wait in seen and, if rest is not nil, all but the place list's
// in rest.
func drivePeople(ctx context.Context, srv *telegramtest.Server, o options, replies map[int64]chan struct{}, seen, rest *latencies,
	play func(context.Context, *simUser) (bool, error)) result {
	scs := fleet.Scripts()
	var (
		mu sync.Mutex // guards r
		r  result
	)
	var users sync.WaitGroup
	if o.flood > 0 {
		users.Go(func() {
			if err := pause.For(ctx, o.ramp/2); err != nil {
				return
			}
			for i := range o.flood {
				srv.Text(o.firstChat-1, "fr", "flood "+strconv.Itoa(i))
			}
		})
	}
	for i := range o.users {
		chat := o.firstChat + int64(i)
		u := &simUser{srv: srv, chat: chat, sc: scs[i%len(scs)], reply: replies[chat], o: o,
			rng: rand.New(rand.NewPCG(uint64(chat), 7)), seen: seen, rest: rest}
		users.Go(func() {
			// People arrive one after the other, not all in the same second.
			if err := pause.For(ctx, time.Duration(u.rng.Int64N(int64(o.ramp)+1))); err != nil {
				return
			}
			ok, err := play(ctx, u)
			mu.Lock()
			defer mu.Unlock()
			if ok {
				r.reached++
			}
			if err != nil {
				r.stuck++
				if len(r.errs) < 5 {
					r.errs = append(r.errs, fmt.Errorf("user %d (%s %s): %w", i, u.sc.Profile, u.sc.Lang, err))
				}
			}
		})
	}
	users.Wait()
	return r
}

// simUser is one person: it answers by pressing the buttons the bot shows,
// as a person would, and waits for each reply.
type simUser struct {
	srv   *telegramtest.Server
	chat  int64
	sc    fleet.Script
	reply chan struct{}
	o     options
	rng   *rand.Rand
	seen  *latencies // shared by the users of a run
	rest  *latencies // if set, the turns but the place list's
}

// latencies collects durations from several goroutines.
type latencies struct {
	mu sync.Mutex // guards d
	d  []time.Duration
}

func (l *latencies) add(d time.Duration) {
	l.mu.Lock()
	defer l.mu.Unlock()
	l.d = append(l.d, d)
}

// quantile is the p-th percentile of sorted durations, 0 if none.
func quantile(sorted []time.Duration, p int) time.Duration {
	if len(sorted) == 0 {
		return 0
	}
	return sorted[min(len(sorted)-1, len(sorted)*p/100)]
}

func (l *latencies) sorted() []time.Duration {
	l.mu.Lock()
	defer l.mu.Unlock()
	slices.Sort(l.d)
	return l.d
}

var errStuck = errors.New("no reply in time")

// run plays the script; ok reports that the place list was shown, or, for
// a script with no place to find, the end screen after the fallback.
func (u *simUser) run(ctx context.Context) (ok bool, err error) {
	if err := u.step(ctx, func() { u.srv.Text(u.chat, u.sc.Lang, "/start") }); err != nil {
		return false, fmt.Errorf("/start: %w", err)
	}
	for _, key := range u.sc.Answers {
		if err := u.press(ctx, key); err != nil {
			return false, err
		}
	}
	if err := u.timed(ctx, nil, func() { u.srv.Text(u.chat, u.sc.Lang, u.sc.Postcode) }); err != nil {
		return false, fmt.Errorf("postcode: %w", err)
	}
	if len(u.sc.Refer) == 0 {
		if u.srv.Venues(u.chat) != 0 && !u.sc.HandOver {
			return false, errors.New("a place list where none should fit")
		}
		m, ok := u.srv.Keyboard(u.chat)
		if _, end := telegramtest.Button(m, "done:restart"); !ok || !end {
			return false, errors.New("no end screen after the fallback")
		}
		return true, nil
	}
	if u.srv.Venues(u.chat) == 0 {
		return false, errors.New("no place list after the postcode")
	}
	for _, key := range u.sc.Refer {
		if err := u.press(ctx, key); err != nil {
			return true, err
		}
	}
	return true, nil
}

func (u *simUser) press(ctx context.Context, key string) error {
	m, ok := u.srv.Keyboard(u.chat)
	if !ok {
		return fmt.Errorf("%s: no keyboard shown", key)
	}
	if _, ok := telegramtest.Button(m, key); !ok {
		return fmt.Errorf("%s: not among the buttons shown", key)
	}
	if err := u.step(ctx, func() { u.srv.Press(u.chat, u.sc.Lang, m, key) }); err != nil {
		return fmt.Errorf("%s: %w", key, err)
	}
	return nil
}

// step thinks, sends, and waits for the reply.
func (u *simUser) step(ctx context.Context, send func()) error { return u.timed(ctx, u.rest, send) }

// timed is step, the reply's wait recorded in seen and, if not nil, in
// also.
func (u *simUser) timed(ctx context.Context, also *latencies, send func()) error {
	if err := pause.For(ctx, time.Duration(u.rng.Int64N(2*int64(u.o.think)+1))); err != nil {
		return err
	}
	sent := time.Now()
	send()
	t := time.NewTimer(u.o.stepTimeout)
	defer t.Stop()
	select {
	case <-u.reply:
		d := time.Since(sent)
		u.seen.add(d)
		if also != nil {
			also.add(d)
		}
		return nil
	case <-t.C:
		return errStuck
	case <-ctx.Done():
		return ctx.Err()
	}
}
