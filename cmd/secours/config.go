package main

import (
	"flag"
	"fmt"
	"io"
	"strings"
	"time"

	"github.com/secours/secours/bot/telegram"
	"github.com/secours/secours/bot/wacloud"
	"github.com/secours/secours/bot/whatsapp"
	"github.com/secours/secours/internal/cli"
	"github.com/secours/secours/store/redis"
)

// Config is the whole configuration of a bot process.
type Config struct {
	Lang       string
	Country    string
	RedisURL   string
	RedisWait  time.Duration
	SessionTTL time.Duration
	LogLevel   string
	LogFormat  string
	LogKey     string // LOG_KEY: environment only, a secret (logkey.go)
	HTTPAddr   string
	Telegram   telegram.Settings
	WhatsApp   whatsapp.Settings
	// WhatsAppCloud is the WhatsApp Business Cloud API channel (Meta's
	// official API), beside WhatsApp as a linked device.
	WhatsAppCloud wacloud.Settings
	Referrals     ReferralConfig

	// RedisPrefix starts every Redis key, so that deployments (and test
	// runs) sharing one Redis keep apart.
	RedisPrefix string

	httpAddrSet bool // HTTP_ADDR or -http-addr was given
	baseURLSet  bool // BASE_URL or -base-url was given
}

const usageHead = `Secours — premiers secours numériques / digitale eerste hulp.

Usage:
  secours [flags]            run the bot; with no channel configured, a chat in this terminal
                             (type the number or the words of an answer; pipe a file to replay
                             a conversation, one answer per line)
  secours places check       validate the embedded place directory, print counts
  secours places near Q      show the places matched for a postcode, commune or lat,lon
  secours places import F…   validate place files and write the directory under configs/places
  secours diagnose …         classify answer keys with the reference diagnostic (JSON out)
  secours whatsapp link      link the WhatsApp channel: QR code, or -phone +32… for a pairing code
  secours structure link ID  print a new link to a structure's referrals page (revokes the old ones)
  secours share PLACE        share links, QR codes (PNG, SVG) and a poster for a structure
  secours stats …            the anonymous observatory: counts per commune and month (table or CSV);
                             "secours stats token" makes the coordinators' page token
  secours healthcheck        exit 0 if this machine's server answers /healthz (the Docker HEALTHCHECK)
  secours help               this text

Every flag has an environment variable (in brackets); flags win.

Flags:
`

// parseConfig reads flags over environment variables over defaults and
// checks the result once, naming every variable that is wrong.
func parseConfig(args []string, getenv func(string) string, stderr io.Writer) (Config, error) {
	var c Config
	fs := cli.Flags("secours", usageHead, stderr)
	env := func(name, def string) string {
		if v := getenv(name); v != "" {
			return v
		}
		return def
	}
	var wait, ttl, retention, waTemplates, waLang string
	fs.StringVar(&c.Lang, "lang", env("SECOURS_LANG", ""), "terminal chat language hint: fr or nl; empty asks [SECOURS_LANG]")
	fs.StringVar(&c.Country, "country", env("SECOURS_COUNTRY", ""), "terminal chat country hint: BE or FR; empty asks [SECOURS_COUNTRY]")
	fs.StringVar(&c.RedisURL, "redis-url", env("REDIS_URL", ""), "Redis URL for sessions (redis://, rediss://, redis+sentinel://, redis+cluster://); empty: in-memory [REDIS_URL]")
	fs.StringVar(&c.RedisPrefix, "redis-prefix", env("REDIS_PREFIX", redis.DefaultPrefix), "first part of every Redis key, so that two deployments can share one Redis [REDIS_PREFIX]")
	fs.StringVar(&wait, "redis-wait", env("REDIS_WAIT", "0s"), "at start-up, wait this long for Redis instead of failing at once [REDIS_WAIT]")
	fs.StringVar(&ttl, "session-ttl", env("SESSION_TTL", "720h"), "how long a conversation is kept after its last message (docs/diagnostic.md G.3: 30 days) [SESSION_TTL]")
	fs.StringVar(&c.LogLevel, "log-level", env("LOG_LEVEL", ""), "debug, info, warn or error; default warn in the terminal chat, info otherwise [LOG_LEVEL]")
	fs.StringVar(&c.LogFormat, "log-format", env("LOG_FORMAT", "text"), "text or json [LOG_FORMAT]")
	fs.StringVar(&c.HTTPAddr, "http-addr", env("HTTP_ADDR", ":8080"),
		"address of the HTTP server: the structures' pages and the Telegram and WhatsApp Cloud webhooks; the terminal chat "+
			"listens on loopback only, unless this is set [HTTP_ADDR]")
	telegramFlags(fs, &c.Telegram, getenv)
	whatsappFlags(fs, &c.WhatsApp, getenv)
	wacloudFlags(fs, &c.WhatsAppCloud, getenv, &waTemplates, &waLang)
	referralFlags(fs, &c.Referrals, getenv, &retention)
	if err := fs.Parse(args); err != nil {
		return Config{}, err
	}
	c.httpAddrSet = getenv("HTTP_ADDR") != ""
	c.LogKey = getenv("LOG_KEY")
	fs.Visit(func(f *flag.Flag) {
		if f.Name == "http-addr" {
			c.httpAddrSet = true
		}
	})
	if fs.NArg() > 0 {
		return Config{}, fmt.Errorf("unknown command %q (see secours help)", fs.Arg(0))
	}
	var problems []string
	var err error
	if c.RedisWait, err = time.ParseDuration(wait); err != nil || c.RedisWait < 0 {
		problems = append(problems, fmt.Sprintf("REDIS_WAIT / -redis-wait: %q is not a duration like 30s", wait))
	}
	if c.RedisURL != "" {
		// Parsed here too, so that a typo is reported with the rest;
		// the parser's errors never hold the password.
		if _, err := redis.ParseURL(c.RedisURL); err != nil {
			problems = append(problems, fmt.Sprintf("REDIS_URL / -redis-url: %v", err))
		}
	}
	if c.RedisPrefix == "" || strings.ContainsAny(c.RedisPrefix, "{}") {
		problems = append(problems, fmt.Sprintf("REDIS_PREFIX / -redis-prefix: %q is empty or holds { or }", c.RedisPrefix))
	}
	if c.SessionTTL, err = time.ParseDuration(ttl); err != nil || c.SessionTTL <= 0 {
		problems = append(problems, fmt.Sprintf("SESSION_TTL / -session-ttl: %q is not a positive duration like 720h", ttl))
	}
	switch strings.ToLower(c.Lang) {
	case "", "fr", "nl":
		c.Lang = strings.ToLower(c.Lang)
	default:
		problems = append(problems, fmt.Sprintf("SECOURS_LANG / -lang: %q is not fr or nl", c.Lang))
	}
	switch strings.ToUpper(c.Country) {
	case "", "BE", "FR":
		c.Country = strings.ToUpper(c.Country)
	default:
		problems = append(problems, fmt.Sprintf("SECOURS_COUNTRY / -country: %q is not BE or FR", c.Country))
	}
	switch c.LogLevel {
	case "", "debug", "info", "warn", "error":
	default:
		problems = append(problems, fmt.Sprintf("LOG_LEVEL / -log-level: %q is not debug, info, warn or error", c.LogLevel))
	}
	if c.LogFormat != "text" && c.LogFormat != "json" {
		problems = append(problems, fmt.Sprintf("LOG_FORMAT / -log-format: %q is not text or json", c.LogFormat))
	}
	problems = append(problems, checkLogKey(c.LogKey)...)
	problems = append(problems, readTelegramSecrets(&c.Telegram)...)
	problems = append(problems, c.Telegram.Check()...)
	problems = append(problems, c.WhatsApp.Check()...)
	problems = append(problems, checkWacloud(&c.WhatsAppCloud, waTemplates, waLang)...)
	c.baseURLSet = c.Referrals.BaseURL != "" // checkReferrals fills in a default
	problems = append(problems, checkReferrals(&c.Referrals, retention, c.HTTPAddr, c.RedisURL)...)
	if len(problems) > 0 {
		return Config{}, fmt.Errorf("configuration:\n  %s", strings.Join(problems, "\n  "))
	}
	return c, nil
}

// hasChannel reports whether a chat channel is configured; with none,
// the chat runs in the terminal.
func (c Config) hasChannel() bool {
	return c.Telegram.Enabled() || c.WhatsApp.Enabled() || c.WhatsAppCloud.Enabled()
}
