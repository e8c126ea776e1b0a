package main

import (
	"context"
	"flag"
	"fmt"
	"log/slog"
	"net/http"
	"net/url"
	"os"
	"strings"
	"time"

	"github.com/secours/secours/bot"
	"github.com/secours/secours/bot/telegram"
	"github.com/secours/secours/configs"
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

	// The flag equivalents of the two secrets name files that hold them
	// (a Docker or systemd secret), so the values never show in ps.
	TokenFile, SecretFile string

	throttled func(time.Duration) // counts 429 waits in the metrics
}

// enabled reports whether the channel runs.
func (c TelegramConfig) enabled() bool { return c.Token != "" }

// LogValue shows the settings but not the token or the secret.
func (c TelegramConfig) LogValue() slog.Value {
	return c.adapter().LogValue()
}

func (c TelegramConfig) adapter() telegram.Config {
	return telegram.Config{Token: c.Token, APIURL: c.APIURL, WebhookURL: c.WebhookURL, WebhookSecret: c.WebhookSecret,
		Texts: configs.ChannelTexts("telegram"), Throttled: c.throttled}
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
	return c.adapter().Check()
}

// startTelegram sets the Telegram channel up and returns it with what runs
// it until ctx is done: long polling, or the webhook on the shared HTTP
// server (served at the webhook URL's path).
func startTelegram(ctx context.Context, c TelegramConfig, conv bot.Conversation, mux *http.ServeMux, log *slog.Logger) (*telegram.Adapter, func(context.Context) error, error) {
	cfg := c.adapter()
	cfg.Log = log
	a, err := telegram.New(cfg, conv)
	if err != nil {
		return nil, nil, err
	}
	if c.WebhookURL == "" {
		if err := a.Setup(ctx); err != nil {
			return nil, nil, err
		}
		log.Info("telegram: long polling")
		return a, a.Poll, nil
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
