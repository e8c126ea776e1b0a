package main

import (
	"context"
	"crypto/sha256"
	"encoding/hex"
	"errors"
	"flag"
	"fmt"
	"log/slog"
	"math"
	"net/http"
	"net/url"
	"os"
	"strconv"
	"strings"
	"sync"
	"time"

	"github.com/secours/secours/bot"
	"github.com/secours/secours/bot/telegram"
	"github.com/secours/secours/configs"
	"github.com/secours/secours/store/redis"
)

// shutdownWait bounds the wait for the webhook requests in flight at a
// signal; each one is an update being answered.
const shutdownWait = 30 * time.Second

// TelegramConfig turns the Telegram channel on (a token) and picks long
// polling or a webhook.
type TelegramConfig struct {
	Token         string // TELEGRAM_BOT_TOKEN: environment only
	APIURL        string // TELEGRAM_API_URL; empty: the official server
	WebhookURL    string // TELEGRAM_WEBHOOK_URL; empty: long polling
	WebhookSecret string // TELEGRAM_WEBHOOK_SECRET: environment only
	// Rate is TELEGRAM_RATE: the messages a second this process sends,
	// all chats together. Telegram's limit is per bot, so N instances
	// share it. "": 30, the limit; "off": no pacing, for a local fake.
	Rate string

	// The flag equivalents of the two secrets name files that hold them
	// (a Docker or systemd secret), so the values never show in ps.
	TokenFile, SecretFile string

	throttled func(time.Duration) // counts 429 waits in the metrics
	pollLease time.Duration       // TTL of the polling lease; 0: defaultPollLease (tests shorten it)
	drain     time.Duration       // bound of the polling drain at stop; 0: telegram.DefaultDrain (tests shorten it)
}

// enabled reports whether the channel runs.
func (c TelegramConfig) enabled() bool { return c.Token != "" }

// LogValue shows the settings but not the token or the secret.
func (c TelegramConfig) LogValue() slog.Value {
	return c.adapter().LogValue()
}

func (c TelegramConfig) adapter() telegram.Config {
	limits, _ := c.limits() // checked by checkTelegram
	return telegram.Config{Token: c.Token, APIURL: c.APIURL, WebhookURL: c.WebhookURL, WebhookSecret: c.WebhookSecret,
		Texts: configs.FS, Throttled: c.throttled, Limits: limits, Drain: c.drain}
}

// limits reads Rate. A rate below Telegram's gets a burst of one second's
// worth, so that instances sharing the limit cannot all burst at once.
func (c TelegramConfig) limits() (telegram.Limits, error) {
	switch c.Rate {
	case "":
		return telegram.Limits{}, nil
	case "off":
		return telegram.Limits{Global: -1, Chat: -1}, nil
	}
	r, err := strconv.ParseFloat(c.Rate, 64)
	if err != nil || !(r > 0) || math.IsInf(r, 1) {
		return telegram.Limits{}, fmt.Errorf("TELEGRAM_RATE / -telegram-rate: %q is not a positive number of messages a second, or off", c.Rate)
	}
	return telegram.Limits{Global: r, GlobalBurst: int(math.Ceil(r))}, nil
}

// telegramFlags reads the Telegram settings. The token and the webhook
// secret come from the environment only: flags show up in ps.
func telegramFlags(fs *flag.FlagSet, c *TelegramConfig, getenv func(string) string) {
	c.Token = getenv("TELEGRAM_BOT_TOKEN")
	c.WebhookSecret = getenv("TELEGRAM_WEBHOOK_SECRET")
	fs.StringVar(&c.TokenFile, "telegram-token-file", "",
		"file holding the bot token, instead of TELEGRAM_BOT_TOKEN (a secret never goes on the command line)")
	fs.StringVar(&c.SecretFile, "telegram-webhook-secret-file", "",
		"file holding the webhook secret, instead of TELEGRAM_WEBHOOK_SECRET")
	fs.StringVar(&c.APIURL, "telegram-api-url", getenv("TELEGRAM_API_URL"),
		"Telegram Bot API base URL; empty: "+telegram.DefaultAPIURL+" (a local fake may stand in) [TELEGRAM_API_URL]")
	fs.StringVar(&c.WebhookURL, "telegram-webhook-url", getenv("TELEGRAM_WEBHOOK_URL"),
		"public https URL Telegram posts updates to, served on -http-addr; empty: long polling. "+
			"The Telegram channel runs when TELEGRAM_BOT_TOKEN is set; the token and TELEGRAM_WEBHOOK_SECRET "+
			"(required with a webhook) are read from the environment only [TELEGRAM_WEBHOOK_URL]")
	fs.StringVar(&c.Rate, "telegram-rate", getenv("TELEGRAM_RATE"),
		"messages a second this process sends to Telegram, all chats together; empty: 30, Telegram's limit per bot. "+
			"Several instances share that limit: give each 30 divided by their number. off: no pacing (a local fake API) [TELEGRAM_RATE]")
}

// readTelegramSecrets reads the secret files named by flags; the flags win
// over the environment, like every other flag.
func readTelegramSecrets(c *TelegramConfig) []string {
	var problems []string
	for _, f := range []struct {
		flag, path string
		dst        *string
	}{{"-telegram-token-file", c.TokenFile, &c.Token}, {"-telegram-webhook-secret-file", c.SecretFile, &c.WebhookSecret}} {
		if f.path == "" {
			continue
		}
		b, err := os.ReadFile(f.path)
		if err != nil {
			problems = append(problems, fmt.Sprintf("%s: %v", f.flag, err))
			continue
		}
		*f.dst = strings.TrimSpace(string(b))
	}
	return problems
}

// checkTelegram names what is wrong in the Telegram settings.
func checkTelegram(c TelegramConfig) []string {
	if !c.enabled() {
		if c.WebhookURL != "" || c.WebhookSecret != "" {
			return []string{"TELEGRAM_WEBHOOK_URL / TELEGRAM_WEBHOOK_SECRET: set without TELEGRAM_BOT_TOKEN"}
		}
		return nil
	}
	problems := c.adapter().Check()
	if _, err := c.limits(); err != nil {
		problems = append(problems, err.Error())
	}
	return problems
}

// startTelegram sets the Telegram channel up and returns it with what runs
// it until ctx is done: long polling, or the webhook on the shared HTTP
// server (served at the webhook URL's path). With a shared store (leases
// not nil), long polling first takes the polling lease: Telegram serves
// one getUpdates per bot at a time, and two pollers would split each
// chat's updates between them.
func startTelegram(ctx context.Context, c TelegramConfig, conv bot.Conversation, mux *http.ServeMux, leases leaser, log *slog.Logger) (*telegram.Adapter, func(context.Context) error, error) {
	cfg := c.adapter()
	cfg.Log = log
	a, err := telegram.New(cfg, conv)
	if err != nil {
		return nil, nil, err
	}
	if c.WebhookURL == "" {
		var lease *redis.Lease
		if leases != nil {
			// Before Setup: a refused instance must not touch the bot's
			// settings (Setup deletes any webhook).
			if lease, err = takePollLease(ctx, leases, c, log); err != nil {
				return nil, nil, err
			}
		}
		if err := a.Setup(ctx); err != nil {
			if lease != nil {
				_ = lease.Release(context.WithoutCancel(ctx))
			}
			return nil, nil, err
		}
		log.Info("telegram: long polling")
		if lease == nil {
			return a, a.Poll, nil
		}
		return a, func(ctx context.Context) error {
			return pollLeased(ctx, a, lease, func(ctx context.Context) (*redis.Lease, error) {
				return retakePollLease(ctx, leases, c, log)
			}, log)
		}, nil
	}
	u, err := url.Parse(c.WebhookURL)
	if err != nil {
		return nil, nil, fmt.Errorf("TELEGRAM_WEBHOOK_URL: %w", err)
	}
	path := u.Path
	if path == "" {
		path = "/"
	}
	if err := a.Setup(ctx); err != nil {
		return nil, nil, err
	}
	mux.Handle(path, a.WebhookHandler())
	log.Info("telegram: webhook", slog.Any("config", c))
	return a, func(ctx context.Context) error {
		<-ctx.Done()
		a.Wait() // updates in flight get their answers
		return nil
	}, nil
}

// defaultPollLease is the TTL of the polling lease, renewed every third of
// it. A process killed while polling blocks the next start for at most
// this long; a stop by signal releases the lease at once.
const defaultPollLease = 15 * time.Second

// leaser takes leases shared by every process on the same store: the
// Redis store does. The in-memory store serves one process, which needs
// none.
type leaser interface {
	Lease(ctx context.Context, name string, ttl time.Duration) (*redis.Lease, error)
}

// leaserOf is the store's leaser, nil if it has none.
func leaserOf(st any) leaser {
	l, _ := st.(leaser)
	return l
}

// Errors of long polling next to another instance. They say what to do,
// since they end the process.
var (
	errPollHeld = errors.New("another Secours instance already polls this Telegram bot (lease in Redis); " +
		"use the webhook mode (TELEGRAM_WEBHOOK_URL) to run several instances")
	errPollLost = errors.New("telegram: the polling lease in Redis was taken by another instance: polling stopped; " +
		"use the webhook mode (TELEGRAM_WEBHOOK_URL) to run several instances")
)

// pollLeaseName names the polling lease of a bot by a hash of its token:
// Redis keys show in MONITOR, in slow logs and in backups, and the token
// is the bot's password. 64 bits tell bots apart.
func pollLeaseName(token string) string {
	h := sha256.Sum256([]byte(token))
	return "poll:{" + hex.EncodeToString(h[:8]) + "}"
}

// takePollLease takes the polling lease, or returns errPollHeld. A lease
// found held is waited out once: a process killed while polling leaves it
// behind for up to one TTL, while a live one renews it, so a restart
// right after a crash (systemd, a restart policy) is not refused.
func takePollLease(ctx context.Context, leases leaser, c TelegramConfig, log *slog.Logger) (*redis.Lease, error) {
	ttl := pollLeaseTTL(c)
	name := pollLeaseName(c.Token)
	l, err := leases.Lease(ctx, name, ttl)
	if errors.Is(err, redis.ErrLeaseHeld) {
		log.Warn("telegram: the polling lease is held, waiting once for it to expire", slog.Duration("dur", ttl))
		select {
		case <-ctx.Done():
			return nil, ctx.Err()
		case <-time.After(ttl):
		}
		l, err = leases.Lease(ctx, name, ttl)
	}
	switch {
	case errors.Is(err, redis.ErrLeaseHeld):
		return nil, errPollHeld
	case err != nil:
		return nil, fmt.Errorf("telegram polling lease: %w", err)
	}
	return l, nil
}

func pollLeaseTTL(c TelegramConfig) time.Duration {
	if c.pollLease > 0 {
		return c.pollLease
	}
	return defaultPollLease
}

// maxRetakeWait bounds the wait between two tries to take the polling
// lease again while Redis is unreachable.
const maxRetakeWait = 5 * time.Second

// retakePollLease takes the polling lease again after it was lost. While
// Redis cannot be reached it tries again, every 100 ms at first and every
// maxRetakeWait at most, until ctx ends: an outage of Redis pauses polling,
// it does not end the process. A lease held by another instance is waited
// out once, as at start-up; still held, it is errPollLost.
func retakePollLease(ctx context.Context, leases leaser, c TelegramConfig, log *slog.Logger) (*redis.Lease, error) {
	var wait time.Duration
	for {
		l, err := takePollLease(ctx, leases, c, log)
		switch {
		case err == nil:
			return l, nil
		case errors.Is(err, errPollHeld):
			return nil, errPollLost
		case ctx.Err() != nil:
			return nil, ctx.Err()
		}
		wait = min(max(2*wait, 100*time.Millisecond), maxRetakeWait)
		log.Warn("telegram: polling paused, Redis unreachable: trying again", slog.Any("err", err), slog.Duration("dur", wait))
		select {
		case <-ctx.Done():
			return nil, ctx.Err()
		case <-time.After(wait):
		}
	}
}

// pollLeased polls while it holds the lease, until ctx is done, then
// releases the lease, so that the next instance may poll at once. A lease
// lost (Redis unreachable past its TTL, or restarted and emptied) pauses
// polling: the updates in flight are finished, the ones not yet answered
// stay unconfirmed at Telegram, and polling resumes once the lease is
// taken again (retake), where it stopped. Only a lease taken by another
// instance ends it, with errPollLost. The lease is released before the
// adapter's last wait, which the stop's bound may cut.
func pollLeased(ctx context.Context, a *telegram.Adapter, l *redis.Lease, retake func(context.Context) (*redis.Lease, error), log *slog.Logger) error {
	var err error
	for {
		pctx, cancel := context.WithCancel(ctx)
		var wg sync.WaitGroup
		wg.Go(func() {
			select {
			case <-l.Lost():
				cancel() // Receive finishes the updates in flight and confirms them
			case <-pctx.Done():
			}
		})
		err = a.Receive(pctx)
		cancel()
		wg.Wait()
		lost := false
		select {
		case <-l.Lost():
			lost = true
		default:
		}
		if err != nil || ctx.Err() != nil || !lost {
			break
		}
		_ = l.Release(context.WithoutCancel(ctx)) // stops the renewal; the key is not ours
		log.Warn("telegram: polling lease lost (Redis unreachable or emptied): polling paused until it is taken again")
		if l, err = retake(ctx); err != nil {
			if ctx.Err() != nil {
				err = nil // a stop while paused
			}
			a.Wait()
			return err
		}
		log.Info("telegram: polling lease taken again: polling resumed")
	}
	rctx, rcancel := context.WithTimeout(context.WithoutCancel(ctx), 5*time.Second)
	defer rcancel()
	if rerr := l.Release(rctx); rerr != nil {
		log.Warn("telegram: polling lease not released: the next start waits for it to expire", slog.Any("err", rerr))
	}
	a.Wait()
	return err
}
