package main

import (
	"context"
	"errors"
	"flag"
	"fmt"
	"log/slog"
	"net/http"
	"path/filepath"
	"time"

	"github.com/secours/secours/bot"
	"github.com/secours/secours/bot/telegram"
	"github.com/secours/secours/configs"
	"github.com/secours/secours/internal/secret"
	"github.com/secours/secours/store/redis"
	"github.com/secours/secours/store/spool"
)

// shutdownWait bounds the wait for the webhook requests in flight at a
// signal; each one is an update being answered.
const shutdownWait = 30 * time.Second

// telegramFlags reads the Telegram settings. The token and the webhook
// secret come from the environment only: flags show up in ps.
func telegramFlags(fs *flag.FlagSet, c *telegram.Settings, getenv func(string) string) {
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
	fs.StringVar(&c.InboxDir, "telegram-inbox-dir", getenv("TELEGRAM_INBOX_DIR"),
		"without Redis, the folder where long polling keeps the updates being answered, so that they are confirmed "+
			"to Telegram at once and a killed process answers them at its next start; empty: inbox/ beside the outbox folder [TELEGRAM_INBOX_DIR]")
	fs.StringVar(&c.Rate, "telegram-rate", getenv("TELEGRAM_RATE"),
		"messages a second this process sends to Telegram, all chats together; empty: 30, Telegram's limit per bot. "+
			"Several instances share that limit: give each 30 divided by their number. off: no pacing (a local fake API) [TELEGRAM_RATE]")
}

// readTelegramSecrets reads the secrets that flags name as files, by
// internal/secret's rule: a secret given both ways is refused.
func readTelegramSecrets(c *telegram.Settings) []string {
	var problems []string
	for _, f := range []struct {
		flag, env, path string
		dst             *string
	}{
		{"-telegram-token-file", "TELEGRAM_BOT_TOKEN", c.TokenFile, &c.Token},
		{"-telegram-webhook-secret-file", "TELEGRAM_WEBHOOK_SECRET", c.SecretFile, &c.WebhookSecret},
	} {
		v, err := secret.Read(*f.dst, f.path)
		switch {
		case errors.Is(err, secret.ErrBoth):
			problems = append(problems, fmt.Sprintf("%s and %s are both set: keep one", f.flag, f.env))
		case err != nil:
			problems = append(problems, fmt.Sprintf("%s: %v", f.flag, err))
		default:
			*f.dst = v
		}
	}
	return problems
}

// startTelegram sets the Telegram channel up with its embedded catalogue
// (telegram.Start).
func startTelegram(ctx context.Context, c telegram.Settings, conv bot.Conversation, mux *http.ServeMux, leases telegram.Leases, log *slog.Logger) (*telegram.Adapter, func(context.Context) error, error) {
	c.Texts = configs.FS
	return telegram.Start(ctx, c, conv, mux, leases, log)
}

// inboxOf is the long-polling inbox: the store's if it keeps one (Redis),
// else a folder (store/spool), c.InboxDir or inbox/ beside the outbox; a
// webhook needs none (Telegram posts an update again until answered).
// Either way a batch is confirmed to Telegram at once, and a killed
// poller's updates are answered by the next start. With no usable folder
// it is nil: an update is then confirmed only once answered, the same
// promise, but a busy bot polls again after each answer.
func inboxOf(st any, c telegram.Settings, outbox string, log *slog.Logger) telegram.Inbox {
	if in, ok := st.(telegram.Inbox); ok {
		return in
	}
	if c.WebhookURL != "" {
		return nil
	}
	dir := c.InboxDir
	if dir == "" {
		dir = filepath.Join(filepath.Dir(outbox), "inbox")
	}
	sp, err := spool.Open(dir)
	if err != nil {
		log.Warn("telegram: no inbox folder, each update is confirmed once answered", slog.Any("err", err))
		return nil
	}
	return sp
}

// redisLeaser takes leases shared by every process on the same store: the
// Redis store does.
type redisLeaser interface {
	Lease(ctx context.Context, name string, ttl time.Duration) (*redis.Lease, error)
}

// redisLeases gives the Telegram channel the Redis store's leases.
type redisLeases struct{ st redisLeaser }

func (r redisLeases) Lease(ctx context.Context, name string, ttl time.Duration) (telegram.Lease, error) {
	l, err := r.st.Lease(ctx, name, ttl)
	if errors.Is(err, redis.ErrLeaseHeld) {
		return nil, fmt.Errorf("%w: %w", telegram.ErrLeaseHeld, err)
	}
	if err != nil {
		return nil, err
	}
	return l, nil
}

// leaserOf is the store's leases, nil if it has none: the in-memory store
// serves one process, which needs none.
func leaserOf(st any) telegram.Leases {
	if l, ok := st.(redisLeaser); ok {
		return redisLeases{l}
	}
	return nil
}
