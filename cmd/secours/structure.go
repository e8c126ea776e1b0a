package main

import (
	"context"
	"crypto/rand"
	"crypto/sha256"
	"encoding/hex"
	"flag"
	"fmt"
	"io"
	"log/slog"
	"net"
	"net/http"
	"net/url"
	"strings"
	"time"

	"github.com/secours/secours/bot"
	"github.com/secours/secours/bot/metrics"
	"github.com/secours/secours/configs"
	"github.com/secours/secours/flows"
	"github.com/secours/secours/geo"
	"github.com/secours/secours/internal/cli"
	"github.com/secours/secours/network"
	"github.com/secours/secours/referral"
	"github.com/secours/secours/referral/mail"
	"github.com/secours/secours/web"
	"github.com/secours/secours/web/observatory"
	"github.com/secours/secours/web/share"
	"github.com/secours/secours/web/structure"
)

// ReferralConfig is how referrals reach structures (issue 8).
type ReferralConfig struct {
	SMTPURL   string        // SMTP_URL: environment only (it may hold a password)
	OutboxDir string        // OUTBOX_DIR: where mails go when there is no SMTP server
	BaseURL   string        // BASE_URL: public address of the structures' pages
	Retention time.Duration // REFERRAL_RETENTION: kept this long after the end (G.3: 90 days)
	// Hold is REFERRAL_HOLD: a new referral's first mail waits this long
	// (flows.Policy.Hold), so that a copy of the consent update run at once
	// by another instance has dropped its own referral before any sweep.
	// Unset, it is 15 s with Redis and none on the in-memory store, where
	// one process runs each step once and the terminal chat's mail goes
	// out at once (parseConfig).
	Hold         time.Duration
	holdRaw      string
	MailRedirect string // MAIL_REDIRECT: every structure mail goes here instead (staging)
	// TelegramUsername is the bot's username (TELEGRAM_BOT_USERNAME), for
	// share links and the page; empty: from getMe when Telegram runs.
	TelegramUsername string
	WhatsAppNumber   string // WHATSAPP_NUMBER: the bot account's number, for wa.me share links
	// ObservatoryHash is OBSERVATORY_TOKEN_SHA256: the hash of the network
	// coordinators' token ("secours stats token"); empty: no observatory page.
	ObservatoryHash []byte
	observatoryHex  string
	// NetworkTokens is NETWORK_TOKENS: each network's name and the
	// SHA-256 of its page's token ("secours network token NAME").
	NetworkTokens map[string]string
	networksRaw   string
	// Proxies is TRUSTED_PROXIES: the reverse proxies whose
	// X-Forwarded-For names the client of the pages' bad-token limit.
	Proxies    web.Proxies
	proxiesRaw string
	// CSRFSecrets is CSRF_SECRET (environment only): the secrets the
	// structures' forms are signed with, the first signing. Empty: one
	// generated on first start and kept in the store, shared by every
	// instance on it and by restarts.
	CSRFSecrets [][]byte
	csrfRaw     string

	smtp mail.Config
}

func referralFlags(fs *flag.FlagSet, c *ReferralConfig, getenv func(string) string, retention *string) {
	env := func(name, def string) string {
		if v := getenv(name); v != "" {
			return v
		}
		return def
	}
	c.SMTPURL = getenv("SMTP_URL")
	c.csrfRaw = getenv("CSRF_SECRET")
	fs.StringVar(&c.OutboxDir, "outbox", env("OUTBOX_DIR", "outbox"),
		"folder the mails to structures are written to as .eml files when SMTP_URL is not set "+
			"(SMTP_URL, environment only: smtp://user:pass@host:587?from=secours@example.org) [OUTBOX_DIR]")
	fs.StringVar(&c.BaseURL, "base-url", env("BASE_URL", ""),
		"public address of the structures' pages, used in the links of mails; default http://localhost:<port bound>; "+
			"with no page served (the terminal chat's port taken) mails carry no link [BASE_URL]")
	fs.StringVar(retention, "referral-retention", env("REFERRAL_RETENTION", "2160h"),
		"how long a referral is kept after it ended (docs/diagnostic.md G.3: 90 days) [REFERRAL_RETENTION]")
	fs.StringVar(&c.holdRaw, "referral-hold", env("REFERRAL_HOLD", ""),
		"a new referral's first mail waits this long, so that two instances running one redelivered update never both mail it; "+
			"default 15s with REDIS_URL, 0 with the in-memory store (one process); keep it above the longest step (10 s) [REFERRAL_HOLD]")
	fs.StringVar(&c.MailRedirect, "mail-redirect", env("MAIL_REDIRECT", ""),
		"send every structure mail to this address instead of the structure's (a staging server) [MAIL_REDIRECT]")
	fs.StringVar(&c.TelegramUsername, "telegram-username", env("TELEGRAM_BOT_USERNAME", ""),
		"the bot's Telegram username, for share links and QR codes; default: asked with getMe when Telegram runs [TELEGRAM_BOT_USERNAME]")
	fs.StringVar(&c.WhatsAppNumber, "whatsapp-number", env("WHATSAPP_NUMBER", ""),
		"the WhatsApp number of the bot account (+32…), for wa.me share links [WHATSAPP_NUMBER]")
	fs.StringVar(&c.observatoryHex, "observatory-token-sha256", env("OBSERVATORY_TOKEN_SHA256", ""),
		"SHA-256 (hex) of the observatory token made by 'secours stats token'; empty: no observatory page [OBSERVATORY_TOKEN_SHA256]")
	fs.StringVar(&c.networksRaw, "network-tokens", env("NETWORK_TOKENS", ""),
		"the networks' pages: name:sha256 of each token made by 'secours network token NAME', comma-separated; empty: no network page [NETWORK_TOKENS]")
	fs.StringVar(&c.proxiesRaw, "trusted-proxies", env("TRUSTED_PROXIES", ""),
		"reverse proxies whose X-Forwarded-For names the client, for the pages' bad-token limit: addresses and CIDR prefixes, "+
			"comma-separated (127.0.0.1,::1 for Caddy on this machine); empty: none, the client is the TCP peer [TRUSTED_PROXIES]")
}

// checkReferrals parses what referralFlags read.
func checkReferrals(c *ReferralConfig, retention, httpAddr, redisURL string) []string {
	var problems []string
	var err error
	if c.Retention, err = time.ParseDuration(retention); err != nil || c.Retention <= 0 {
		problems = append(problems, fmt.Sprintf("REFERRAL_RETENTION / -referral-retention: %q is not a positive duration like 2160h", retention))
	}
	switch {
	case c.holdRaw != "":
		if c.Hold, err = time.ParseDuration(c.holdRaw); err != nil || c.Hold < 0 {
			problems = append(problems, fmt.Sprintf("REFERRAL_HOLD / -referral-hold: %q is not a duration like 15s", c.holdRaw))
		}
	case redisURL != "":
		c.Hold = flows.DefaultPolicy.Hold
	}
	if c.SMTPURL != "" {
		if c.smtp, err = mail.ParseURL(c.SMTPURL); err != nil {
			problems = append(problems, fmt.Sprintf("SMTP_URL: %v", err))
		}
	}
	if c.BaseURL == "" {
		port := "8080"
		if _, p, err := net.SplitHostPort(httpAddr); err == nil && p != "" && p != "0" {
			port = p
		}
		c.BaseURL = "http://localhost:" + port
	}
	if u, err := url.Parse(c.BaseURL); err != nil || (u.Scheme != "http" && u.Scheme != "https") || u.Host == "" {
		problems = append(problems, fmt.Sprintf("BASE_URL / -base-url: %q is not an http(s) address", c.BaseURL))
	}
	if c.TelegramUsername != "" {
		if u, err := share.Username(c.TelegramUsername); err != nil {
			problems = append(problems, fmt.Sprintf("TELEGRAM_BOT_USERNAME / -telegram-username: %v", err))
		} else {
			c.TelegramUsername = u
		}
	}
	if c.WhatsAppNumber != "" {
		if n, err := share.Number(c.WhatsAppNumber); err != nil {
			problems = append(problems, fmt.Sprintf("WHATSAPP_NUMBER / -whatsapp-number: %v", err))
		} else {
			c.WhatsAppNumber = n
		}
	}
	if c.observatoryHex != "" {
		h, err := hex.DecodeString(c.observatoryHex)
		if err != nil || len(h) != sha256.Size {
			problems = append(problems, "OBSERVATORY_TOKEN_SHA256: not the 64 hex digits 'secours stats token' prints")
		}
		c.ObservatoryHash = h
	}
	if c.NetworkTokens, err = network.ParseTokens(c.networksRaw); err != nil {
		problems = append(problems, err.Error()+" (made by 'secours network token NAME')")
	}
	c.CSRFSecrets = nil
	for _, s := range strings.Split(c.csrfRaw, ",") {
		if s = strings.TrimSpace(s); s == "" {
			continue
		}
		if len(s) < 32 {
			problems = append(problems, "CSRF_SECRET: each secret needs 32 characters or more (openssl rand -hex 32 prints 64)")
			break
		}
		c.CSRFSecrets = append(c.CSRFSecrets, []byte(s))
	}
	if c.Proxies, err = web.ParseProxies(c.proxiesRaw); err != nil {
		problems = append(problems, fmt.Sprintf("TRUSTED_PROXIES / -trusted-proxies: %v", err))
	}
	if c.MailRedirect != "" && !strings.Contains(c.MailRedirect, "@") {
		problems = append(problems, fmt.Sprintf("MAIL_REDIRECT / -mail-redirect: %q is not an e-mail address", c.MailRedirect))
	}
	return problems
}

// allStores is what both store back-ends give.
type allStores interface {
	flows.SessionStore
	referral.Store
	flows.StructureStore
	flows.StatsStore
	// Secret returns the secret kept under name, keeping fresh first if
	// there is none (store/storetest.SecretStore).
	Secret(ctx context.Context, name string, fresh []byte) ([]byte, error)
}

// csrfSecrets are CSRF_SECRET's, or else the one kept in the store
// (made by the first instance to start), so that a form posted to
// another instance, or after a restart, is accepted.
func csrfSecrets(ctx context.Context, c ReferralConfig, st allStores) ([][]byte, error) {
	if len(c.CSRFSecrets) > 0 {
		return c.CSRFSecrets, nil
	}
	fresh := make([]byte, 32)
	rand.Read(fresh) // never fails (crypto/rand, Go 1.24+)
	s, err := st.Secret(ctx, "csrf", fresh)
	if err != nil {
		return nil, fmt.Errorf("the forms' CSRF secret: %w", err)
	}
	return [][]byte{s}, nil
}

// newReferrals builds the structures' side: mails (SMTP, or the outbox),
// the page (returned, to mount at /s/) and the sweep. cards, if not nil,
// lets a structure correct its own card from its page (issue 19).
func newReferrals(ctx context.Context, cfg Config, engine *flows.Engine, st allStores, dir referral.Places, cards structure.Cards, senders bot.Senders, log *slog.Logger, console bool, m *metrics.Metrics) (*referral.Service, http.Handler, error) {
	c := cfg.Referrals
	engine.Policy.Retain, engine.Policy.Hold = c.Retention, c.Hold
	cats, err := flows.LoadCatalogs(configs.FS)
	if err != nil {
		return nil, nil, err
	}
	secrets, err := csrfSecrets(ctx, c, st)
	if err != nil {
		return nil, nil, err
	}
	var smtp *mail.Config
	if c.SMTPURL != "" {
		smtp = &c.smtp
		log.Info("structure mails: SMTP", slog.Any("smtp", c.smtp))
	}
	// The terminal chat logs warnings only: the outbox line must show.
	level := slog.LevelInfo
	if console {
		level = slog.LevelWarn
	}
	mailer, from := referral.NewMailer(smtp, c.OutboxDir, func(path string) {
		log.Log(context.Background(), level, "mail to a structure written to the outbox (SMTP_URL not set)", slog.String("path", path))
	})
	var page *structure.Web
	o := referral.Options{
		Engine: engine, Stores: referral.Stores{Sessions: st, Referrals: st, Structures: st},
		Places: dir, Mailer: mailer, From: from, Sender: senders, BaseURL: c.BaseURL, Log: log, Metrics: m,
		Stats: st,
		Page: func(desk *referral.Service) (referral.Renderer, error) {
			var err error
			page, err = structure.NewWeb(structure.WebOptions{Desk: desk, Places: dir, Catalogs: cats, Texts: configs.FS,
				Templates: configs.Web, Policy: web.Policy{Logger: log, Proxies: c.Proxies, CSRFSecrets: secrets},
				Bot: c.TelegramUsername, TelegramUsername: c.TelegramUsername,
				WhatsAppNumber: c.WhatsAppNumber, ShareTexts: configs.FS, Cards: cards})
			return page, err
		},
	}
	if c.MailRedirect != "" {
		o.MailTo = func(*geo.Place) string { return c.MailRedirect }
	}
	desk, err := referral.NewService(o)
	if err != nil {
		return nil, nil, err
	}
	return desk, page, nil
}

const structureUsage = `Usage:
  secours structure link PLACE

Prints a new link to the page of a structure (a place of the directory),
where it follows the referrals sent to it. PLACE is the place's id (shown
by "secours places near") or its name, or a part of it that only it has,
whatever the accents and the case. Every earlier link of that structure
stops working, and with it all they gave: the Telegram codes made on
their pages and the Telegram chat linked with one, which gets no more
referrals until the structure sends a new code made on the new page. The
link is stored in Redis (REDIS_URL), where the bot that sends the
referrals runs.

Flags:
`

// runStructure is "secours structure …".
func runStructure(args []string, stdout, stderr io.Writer, getenv func(string) string) int {
	fs := cli.Flags("secours structure link", structureUsage, stderr)
	redisURL := fs.String("redis-url", getenv("REDIS_URL"), "Redis URL of the bot's store [REDIS_URL]")
	base := fs.String("base-url", getenv("BASE_URL"), "public address of the pages [BASE_URL]")
	if code, ok := parseVerb(fs, args, "link"); !ok {
		return code
	}
	// A name may come unquoted, and flags after it.
	words, err := placesParseArgs(fs, fs.Args())
	if err != nil {
		return 2
	}
	query := strings.TrimSpace(strings.Join(words, " "))
	if query == "" {
		fmt.Fprintln(stderr, "secours structure link: give a place id or name (see secours places near)")
		return 2
	}
	if *redisURL == "" {
		fmt.Fprintln(stderr, "secours structure link: REDIS_URL is not set. A link made in this process's memory would "+
			"open nothing: it must be stored where the bot runs. In the terminal chat, use the link in the mail the outbox received.")
		return 2
	}
	cfg := Config{RedisURL: *redisURL, SessionTTL: 720 * time.Hour, HTTPAddr: ":8080"}
	cfg.Referrals.BaseURL = *base
	if p := checkReferrals(&cfg.Referrals, "2160h", cfg.HTTPAddr, cfg.RedisURL); len(p) > 0 {
		fmt.Fprintln(stderr, "secours structure link:", strings.Join(p, "; "))
		return 2
	}
	// The place first: a typo in its name should not wait for Redis.
	// (A place only a network published is not found here yet.)
	engine, dir, err := configs.EngineAndPlaces()
	if err != nil {
		fmt.Fprintln(stderr, "secours structure link:", err)
		return 1
	}
	place, code := findPlace(dir, query, "secours structure link", stderr)
	if place == nil {
		return code
	}
	ctx := context.Background()
	log := slog.New(slog.NewTextHandler(stderr, &slog.HandlerOptions{Level: slog.LevelWarn}))
	st, closeStore, err := openStore(ctx, cfg, log)
	if err != nil {
		fmt.Fprintln(stderr, "secours structure link:", err)
		return 1
	}
	defer closeStore()
	svc, _, err := newReferrals(ctx, cfg, engine, st, dir, nil, bot.Senders{}, log, false, nil)
	if err != nil {
		fmt.Fprintln(stderr, "secours structure link:", err)
		return 1
	}
	link, err := svc.IssueLink(ctx, place.ID)
	if err != nil {
		fmt.Fprintln(stderr, "secours structure link:", err)
		return 1
	}
	fmt.Fprintf(stdout, "%s\n%s\n", place.Name, link)
	return 0
}

// parseVerb parses "secours <command> <verb> [flags]": with another verb,
// or help asked, it prints the usage and returns the exit status.
func parseVerb(fs *flag.FlagSet, args []string, verb string) (code int, ok bool) {
	if len(args) == 0 || args[0] != verb {
		fs.Usage()
		if len(args) > 0 && (args[0] == "help" || args[0] == "-h" || args[0] == "--help") {
			return 0, false
		}
		return 2, false
	}
	return cli.Parse(fs, args[1:], 2)
}

// newObservatory is the network coordinators' page of anonymous counts.
func newObservatory(cfg Config, st flows.StatsStore, log *slog.Logger) (*observatory.Page, error) {
	cats, err := flows.LoadCatalogs(configs.FS)
	if err != nil {
		return nil, err
	}
	return observatory.New(observatory.Options{Store: st, TokenHash: cfg.Referrals.ObservatoryHash, Catalogs: cats,
		Texts: configs.FS, Templates: configs.Web, Policy: web.Policy{Logger: log, Proxies: cfg.Referrals.Proxies}})
}
