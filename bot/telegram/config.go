package telegram

import (
	"fmt"
	"io/fs"
	"log/slog"
	"net/url"
	"strings"
	"time"

	"github.com/go-telegram/bot/models"
)

// DefaultAPIURL is the official Bot API server.
const DefaultAPIURL = "https://api.telegram.org"

// Defaults of Config.
const (
	DefaultPollTimeout   = 50 * time.Second
	DefaultUpdateTimeout = 2 * time.Minute
)

// secretHeader carries the webhook secret on each request from Telegram.
const secretHeader = "X-Telegram-Bot-Api-Secret-Token"

// allowedUpdates are the update types the bot asks for. Edited messages,
// channel posts and the rest are left at Telegram.
func allowedUpdates() []string {
	return []string{models.AllowedUpdateMessage, models.AllowedUpdateCallbackQuery, models.AllowedUpdateMyChatMember}
}

// Config configures an Adapter. Token and WebhookSecret are secrets: they
// come from the environment only, LogValue hides them, and no error or log
// line holds them.
type Config struct {
	Token  string
	APIURL string // Bot API base URL; "": DefaultAPIURL. A local fake may stand in.
	// WebhookURL is the public HTTPS address Telegram posts updates to; ""
	// means long polling.
	WebhookURL string
	// WebhookSecret is the X-Telegram-Bot-Api-Secret-Token Telegram sends
	// with each webhook request (1–256 of A-Z a-z 0-9 _ -); required with
	// WebhookURL.
	WebhookSecret string
	PollTimeout   time.Duration // long-poll wait; 0: DefaultPollTimeout
	// UpdateTimeout bounds handling one update and sending its replies,
	// 429 waits included; 0: DefaultUpdateTimeout.
	UpdateTimeout time.Duration
	// Drain bounds, once Receive's ctx is done, the wait for the updates
	// received to be handled; past it they are left unconfirmed, for the
	// next poller. 0: DefaultDrain.
	Drain time.Duration
	// Inbox, if set, keeps the updates being answered so that long polling
	// confirms each batch at once (see Inbox); nil: the offset waits for
	// the answers.
	Inbox  Inbox
	Limits Limits
	Log    *slog.Logger // nil: slog.Default()
	// Texts holds the channel's catalogue, configs/i18n/telegram.<lang>.json
	// (configs.FS): command descriptions and the group line, FR and NL.
	Texts fs.FS
	// Done, if set, is called once per update after its replies were sent
	// (or dropped), with its chat (0 if it has none) and the time it was
	// received. Tests wait on it; the load tool measures the bot's own
	// latency with it.
	Done func(updateID, chat int64, received time.Time)
	// Throttled, if set, is called when Telegram refused a message with a
	// 429 and it will be sent again after wait (for the metrics).
	Throttled func(wait time.Duration)
}

// LogValue shows the mode and the addresses, never the token or the secret.
func (c Config) LogValue() slog.Value {
	mode := "polling"
	if c.WebhookURL != "" {
		mode = "webhook"
	}
	api := c.APIURL
	if api == "" {
		api = DefaultAPIURL
	}
	webhook := c.WebhookURL
	if c.Token != "" {
		// Some put the token in the webhook's path to make it hard to guess.
		webhook = strings.ReplaceAll(webhook, c.Token, "<token>")
	}
	return slog.GroupValue(slog.String("mode", mode), slog.String("api", api),
		slog.String("webhook", webhook), slog.Bool("token", c.Token != ""))
}

// validSecret reports whether s is a secret Telegram accepts: 1–256 of
// A-Z a-z 0-9 _ -.
func validSecret(s string) bool {
	if len(s) == 0 || len(s) > 256 {
		return false
	}
	for i := 0; i < len(s); i++ {
		c := s[i]
		if !(c >= 'a' && c <= 'z' || c >= 'A' && c <= 'Z' || c >= '0' && c <= '9' || c == '_' || c == '-') {
			return false
		}
	}
	return true
}

// Check names every field that is wrong, by its environment variable.
func (c Config) Check() []string {
	var problems []string
	if strings.TrimSpace(c.Token) == "" || strings.ContainsAny(c.Token, " /\n") {
		problems = append(problems, "TELEGRAM_BOT_TOKEN: empty or not a token like 123456:ABC-DEF")
	}
	if c.APIURL != "" {
		u, err := url.Parse(c.APIURL)
		if err != nil || (u.Scheme != "https" && u.Scheme != "http") || u.Host == "" {
			problems = append(problems, fmt.Sprintf("TELEGRAM_API_URL / -telegram-api-url: %q is not an http(s) URL", c.APIURL))
		}
	}
	if c.WebhookURL != "" {
		u, err := url.Parse(c.WebhookURL)
		if err != nil || u.Scheme != "https" || u.Host == "" {
			problems = append(problems, fmt.Sprintf("TELEGRAM_WEBHOOK_URL / -telegram-webhook-url: %q is not an https URL (Telegram posts to https only)", c.WebhookURL))
		}
		if !validSecret(c.WebhookSecret) {
			problems = append(problems, "TELEGRAM_WEBHOOK_SECRET: required with TELEGRAM_WEBHOOK_URL, 1–256 of A-Z a-z 0-9 _ -")
		}
	}
	return problems
}
