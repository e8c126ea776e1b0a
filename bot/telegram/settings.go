package telegram

import (
	"context"
	"fmt"
	"io/fs"
	"log/slog"
	"math"
	"net/http"
	"net/url"
	"strconv"
	"time"

	"github.com/secours/secours/bot"
)

// Settings are the Telegram channel's settings as the command reads them
// (flags and environment): they turn the channel on (a token) and pick
// long polling or a webhook.
type Settings struct {
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

	// Texts holds the channel's catalogue (configs/i18n/telegram.<lang>.json):
	// the command gives it, as it gives every adapter its data.
	Texts     fs.FS
	Throttled func(time.Duration) // counts 429 waits in the metrics
	PollLease time.Duration       // TTL of the polling lease; 0: defaultPollLease (tests shorten it)
	Drain     time.Duration       // bound of the polling drain at stop; 0: DefaultDrain (tests shorten it)
	Inbox     Inbox               // the store's inbox for long polling (Config.Inbox); the command gives it
	// InboxDir is TELEGRAM_INBOX_DIR: the folder of the long-polling inbox
	// when the store keeps none (no Redis); "": inbox/ beside the outbox.
	InboxDir string
}

// Enabled reports whether the channel runs.
func (c Settings) Enabled() bool { return c.Token != "" }

// LogValue shows the settings but not the token or the secret.
func (c Settings) LogValue() slog.Value {
	return c.Config().LogValue()
}

// Config is the adapter's configuration; Log is left to the caller.
func (c Settings) Config() Config {
	limits, _ := c.limits() // checked by Check
	return Config{Token: c.Token, APIURL: c.APIURL, WebhookURL: c.WebhookURL, WebhookSecret: c.WebhookSecret,
		Texts: c.Texts, Throttled: c.Throttled, Limits: limits, Drain: c.Drain, Inbox: c.Inbox}
}

// limits reads Rate. A rate below Telegram's gets a burst of one second's
// worth, so that instances sharing the limit cannot all burst at once.
func (c Settings) limits() (Limits, error) {
	switch c.Rate {
	case "":
		return Limits{}, nil
	case "off":
		return Limits{Global: -1, Chat: -1}, nil
	}
	r, err := strconv.ParseFloat(c.Rate, 64)
	if err != nil || !(r > 0) || math.IsInf(r, 1) {
		return Limits{}, fmt.Errorf("TELEGRAM_RATE / -telegram-rate: %q is not a positive number of messages a second, or off", c.Rate)
	}
	return Limits{Global: r, GlobalBurst: int(math.Ceil(r))}, nil
}

// Check names what is wrong in the settings.
func (c Settings) Check() []string {
	if !c.Enabled() {
		if c.WebhookURL != "" || c.WebhookSecret != "" {
			return []string{"TELEGRAM_WEBHOOK_URL / TELEGRAM_WEBHOOK_SECRET: set without TELEGRAM_BOT_TOKEN"}
		}
		return nil
	}
	problems := c.Config().Check()
	if _, err := c.limits(); err != nil {
		problems = append(problems, err.Error())
	}
	return problems
}

// Start sets the Telegram channel up and returns it with what runs
// it until ctx is done: long polling, or the webhook on the shared HTTP
// server (served at the webhook URL's path). With a shared store (leases
// not nil), long polling first takes the polling lease: Telegram serves
// one getUpdates per bot at a time, and two pollers would split each
// chat's updates between them.
func Start(ctx context.Context, c Settings, conv bot.Conversation, mux *http.ServeMux, leases Leases, log *slog.Logger) (*Adapter, func(context.Context) error, error) {
	cfg := c.Config()
	cfg.Log = log
	a, err := New(cfg, conv)
	if err != nil {
		return nil, nil, err
	}
	if c.WebhookURL == "" {
		var lease Lease
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
			return pollLeased(ctx, a, lease, func(ctx context.Context) (Lease, error) {
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
