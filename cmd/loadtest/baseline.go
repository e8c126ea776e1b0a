package main

import (
	"context"
	"fmt"
	"io"
	"sync"
	"syscall"
	"time"

	tgbot "github.com/go-telegram/bot"
	"github.com/go-telegram/bot/models"

	"github.com/secours/secours/bot/telegram/telegramtest"
)

// The zero-work bot is the floor of a Telegram bot on this machine: the
// same library (go-telegram/bot, long polling, its default handler
// settings) on the same fake Bot API, answering every update with one
// fixed message and nothing else. The same people drive it, with the
// same number of messages, pauses and arrivals as Secours' scripts, so
// that Secours' figures can be read as ratios to it, measured in the
// same run on the same busy machine.

// baselineText is the zero-work bot's one reply.
const baselineText = "OK"

// runBaseline drives o.users people against the zero-work bot and
// measures what they see: from a message sent to its reply.
func runBaseline(ctx context.Context, o options) (result, error) {
	srv := telegramtest.New(telegramtest.Options{NoRecord: true})
	defer srv.Close()
	replies := make(map[int64]chan struct{}, o.users)
	for i := range o.users {
		replies[o.firstChat+int64(i)] = make(chan struct{}, 1)
	}
	var (
		mu      sync.Mutex // guards updates
		updates int
	)
	handler := func(ctx context.Context, b *tgbot.Bot, u *models.Update) {
		if u.Message == nil {
			return
		}
		chat := u.Message.Chat.ID
		if _, err := b.SendMessage(ctx, &tgbot.SendMessageParams{ChatID: chat, Text: baselineText}); err != nil {
			return // the person waits and is counted stuck
		}
		mu.Lock()
		updates++
		mu.Unlock()
		if c, ok := replies[chat]; ok {
			select {
			case c <- struct{}{}:
			default:
			}
		}
	}
	b, err := tgbot.New(srv.Token, tgbot.WithServerURL(srv.URL), tgbot.WithSkipGetMe(),
		tgbot.WithDefaultHandler(handler), tgbot.WithErrorsHandler(func(error) {}))
	if err != nil {
		return result{}, fmt.Errorf("zero-work bot: %w", err)
	}
	pctx, stop := context.WithCancel(ctx)
	var wg sync.WaitGroup
	wg.Go(func() { b.Start(pctx) })

	seen := latencies{d: make([]time.Duration, 0, o.users*16)}
	start := time.Now()
	r := drivePeople(ctx, srv, o, replies, &seen, nil, sendPlain)
	r.elapsed = time.Since(start)
	stop()
	wg.Wait()
	mu.Lock()
	r.users, r.updates = o.users, updates
	mu.Unlock()
	all := seen.sorted()
	r.e2e50, r.e2e99 = quantile(all, 50), quantile(all, 99)
	return r, nil
}

// sendPlain is a person in front of the zero-work bot: as many messages
// as their Secours script has steps, each after the reply to the last.
func sendPlain(ctx context.Context, u *simUser) (bool, error) {
	steps := 1 + len(u.sc.Answers) + 1 + len(u.sc.Refer) // /start, answers, postcode, referral
	for range steps {
		if err := u.step(ctx, func() { u.srv.Text(u.chat, u.sc.Lang, "message") }); err != nil {
			return false, err
		}
	}
	return true, nil
}

// cpuTime is the CPU time this process has used so far (user + system):
// the bot, the fake and the people together, as the runs share the
// process.
func cpuTime() time.Duration {
	var ru syscall.Rusage
	if err := syscall.Getrusage(syscall.RUSAGE_SELF, &ru); err != nil {
		return 0
	}
	return time.Duration(ru.Utime.Nano() + ru.Stime.Nano())
}

// reportBaseline prints Secours' runs as ratios to the zero-work bot's.
func reportBaseline(w io.Writer, base *namedResult, runs []namedResult) {
	if base == nil {
		return
	}
	fmt.Fprintf(w, "zero-work bot (go-telegram/bot, one fixed reply): %d users, %d ended, %d stuck, seen p50 %s, p99 %s, CPU %s a message\n",
		base.users, base.reached, base.stuck, round(base.e2e50), round(base.e2e99), round(perUpdate(base)))
	for _, r := range runs {
		if r.store == baselineStore || r.flood > 0 || base.e2e50 == 0 || base.e2e99 == 0 || perUpdate(base) == 0 {
			continue
		}
		fmt.Fprintf(w, "%s ÷ zero-work bot: seen p50 ×%.2f, p99 ×%.2f (all turns but the place list's: ×%.2f), CPU a message ×%.2f\n", r.store,
			float64(r.e2e50)/float64(base.e2e50), float64(r.e2e99)/float64(base.e2e99), float64(r.restP99)/float64(base.e2e99),
			float64(perUpdate(&r))/float64(perUpdate(base)))
	}
}

// baselineStore names the zero-work bot's run among the results.
const baselineStore = "zero"

func perUpdate(r *namedResult) time.Duration {
	if r.updates == 0 {
		return 0
	}
	return r.cpu / time.Duration(r.updates)
}
