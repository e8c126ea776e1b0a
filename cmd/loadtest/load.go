package main

import (
	"context"
	"errors"
	"fmt"
	"io"
	"log/slog"
	"math/rand/v2"
	"slices"
	"sync"
	"time"

	"github.com/secours/secours/bot"
	"github.com/secours/secours/bot/telegram"
	"github.com/secours/secours/bot/telegram/telegramtest"
	"github.com/secours/secours/cmd/loadtest/fleet"
	"github.com/secours/secours/configs"
	"github.com/secours/secours/flows"
)

// options bound one run.
type options struct {
	users       int
	think       time.Duration // mean pause between a reply and the next answer
	ramp        time.Duration // arrivals spread over this long
	stepTimeout time.Duration // a user waiting longer for a reply is stuck
	firstChat   int64
}

// result is what one run measured.
type result struct {
	users, reached, stuck int
	updates               int
	elapsed               time.Duration
	p50, p99, max         time.Duration
	errs                  []error // the first few reasons users got stuck
}

// stores is what both store back-ends give: sessions, and the referrals
// the scripts create.
type stores interface {
	flows.SessionStore
	flows.ReferralStore
	flows.StructureStore
}

// runLoad drives o.users simulated people through whole conversations
// against a fake Bot API on loopback, with the real engine and the given
// store, and measures the bot's own latency per update: from the poll that
// received the update to the return of the last send of its reply.
func runLoad(ctx context.Context, e *flows.Engine, st stores, o options) (result, error) {
	srv := telegramtest.New(telegramtest.Options{NoRecord: true})
	defer srv.Close()

	// One reply channel per user, made before the adapter starts: the
	// Done hook only reads the map.
	replies := make(map[int64]chan struct{}, o.users)
	for i := range o.users {
		replies[o.firstChat+int64(i)] = make(chan struct{}, 1)
	}
	var (
		mu  sync.Mutex // guards lat
		lat = make([]time.Duration, 0, o.users*16)
	)
	quiet := slog.New(slog.NewTextHandler(io.Discard, nil))
	a, err := telegram.New(telegram.Config{
		Token: srv.Token, APIURL: srv.URL, PollTimeout: time.Second,
		// The fake has no flood limits: pacing would measure Telegram's
		// limits, not the bot (the pacer has its own unit tests).
		Limits: telegram.Limits{Global: -1, Chat: -1},
		Log:    quiet,
		Texts:  configs.ChannelTexts("telegram"),
		Done: func(_, chat int64, received time.Time) {
			d := time.Since(received)
			mu.Lock()
			lat = append(lat, d)
			mu.Unlock()
			if c, ok := replies[chat]; ok {
				select {
				case c <- struct{}{}:
				default:
				}
			}
		},
	}, &bot.Runner{Engine: e, Store: st, Referrals: st, Structures: st, Log: quiet})
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

	scs := fleet.Scripts()
	var (
		rmu     sync.Mutex // guards reached, stuck and errs
		reached int
		stuck   int
		errs    []error
	)
	start := time.Now()
	var users sync.WaitGroup
	for i := range o.users {
		chat := o.firstChat + int64(i)
		u := &simUser{srv: srv, chat: chat, sc: scs[i%len(scs)], reply: replies[chat], o: o,
			rng: rand.New(rand.NewPCG(uint64(chat), 7))}
		users.Go(func() {
			// People arrive one after the other, not all in the same second.
			if err := fleet.Pause(ctx, time.Duration(u.rng.Int64N(int64(o.ramp)+1))); err != nil {
				return
			}
			ok, err := u.run(ctx)
			rmu.Lock()
			defer rmu.Unlock()
			if ok {
				reached++
			}
			if err != nil {
				stuck++
				if len(errs) < 5 {
					errs = append(errs, fmt.Errorf("user %d (%s %s): %w", i, u.sc.Profile, u.sc.Lang, err))
				}
			}
		})
	}
	users.Wait()
	elapsed := time.Since(start)
	stopPoll()
	wg.Wait()
	if pollErr != nil {
		return result{}, pollErr
	}

	mu.Lock()
	defer mu.Unlock()
	slices.Sort(lat)
	r := result{users: o.users, reached: reached, stuck: stuck, updates: len(lat), elapsed: elapsed, errs: errs}
	if len(lat) > 0 {
		r.p50, r.p99, r.max = lat[len(lat)*50/100], lat[min(len(lat)-1, len(lat)*99/100)], lat[len(lat)-1]
	}
	return r, nil
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
	if err := u.step(ctx, func() { u.srv.Text(u.chat, u.sc.Lang, u.sc.Postcode) }); err != nil {
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
func (u *simUser) step(ctx context.Context, send func()) error {
	if err := fleet.Pause(ctx, time.Duration(u.rng.Int64N(2*int64(u.o.think)+1))); err != nil {
		return err
	}
	send()
	t := time.NewTimer(u.o.stepTimeout)
	defer t.Stop()
	select {
	case <-u.reply:
		return nil
	case <-t.C:
		return errStuck
	case <-ctx.Done():
		return ctx.Err()
	}
}
