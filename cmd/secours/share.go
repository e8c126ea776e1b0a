package main

import (
	"context"
	"errors"
	"fmt"
	"io"
	"strings"
	"time"

	tgbot "github.com/go-telegram/bot"

	"github.com/secours/secours/configs"
	"github.com/secours/secours/geo"
	"github.com/secours/secours/internal/cli"
	"github.com/secours/secours/web/share"
)

const shareUsage = `Usage:
  secours share PLACE [flags]

Makes what a structure hands out so that people start Secours from it:
the Telegram and WhatsApp links that carry the structure's code (so the
bot knows who shared it), their QR codes (PNG for a screen or a leaflet,
SVG for a print shop) and a poster to print on A4 (poster.html: open it
in a browser and print it). PLACE is a place id or a part of its name,
whatever the accents and the case (see "secours places near").

The bot's Telegram username comes from -telegram-username or
TELEGRAM_BOT_USERNAME, else from Telegram itself when TELEGRAM_BOT_TOKEN
is set (TELEGRAM_API_URL: another Bot API server); its WhatsApp number
from -whatsapp-number or WHATSAPP_NUMBER. At least one is needed.

Flags:
`

// maxListed is how many places an ambiguous name lists.
const maxListed = 10

// getMeWait bounds the question to Telegram: a command on a terminal,
// not a server that may wait.
const getMeWait = 20 * time.Second

// runShare is "secours share …".
func runShare(args []string, stdout, stderr io.Writer, getenv func(string) string) int {
	fs := cli.Flags("secours share", shareUsage, stderr)
	out := fs.String("out", "", `folder the files are written to; default "share-<code>" in the current folder`)
	langFlag := fs.String("lang", "", "language of the poster and of the WhatsApp greeting: fr, nl or both; "+
		"default: the place's (both for a place that serves French and Dutch)")
	user := fs.String("telegram-username", getenv("TELEGRAM_BOT_USERNAME"), "the bot's Telegram username [TELEGRAM_BOT_USERNAME]")
	number := fs.String("whatsapp-number", getenv("WHATSAPP_NUMBER"), "the bot's WhatsApp number, +32… [WHATSAPP_NUMBER]")
	// Flags may follow the place ("secours share Marolles -lang fr"):
	// the flag package stops at the first word, so parse again after it.
	var words []string
	for rest := args; ; {
		if code, ok := cli.Parse(fs, rest, 2); !ok {
			return code
		}
		if fs.NArg() == 0 {
			break
		}
		words, rest = append(words, fs.Arg(0)), fs.Args()[1:]
	}
	query := strings.TrimSpace(strings.Join(words, " "))
	switch query {
	case "help":
		fs.Usage()
		return 0
	case "":
		fs.Usage()
		return 2
	}
	fail := func(code int, format string, a ...any) int {
		fmt.Fprintf(stderr, "secours share: "+format+"\n", a...)
		return code
	}

	var lang share.Lang
	if *langFlag != "" {
		var ok bool
		if lang, ok = share.ParseLang(*langFlag); !ok {
			return fail(2, "-lang %q: want fr, nl or both", *langFlag)
		}
	}
	var err error
	if *user != "" {
		if *user, err = share.Username(*user); err != nil {
			return fail(2, "-telegram-username / TELEGRAM_BOT_USERNAME: %v", err)
		}
	}
	if *number != "" {
		if *number, err = share.Number(*number); err != nil {
			return fail(2, "-whatsapp-number / WHATSAPP_NUMBER: %v", err)
		}
	}
	token := getenv("TELEGRAM_BOT_TOKEN")
	if *user == "" && *number == "" && token == "" {
		return fail(2, "no channel to share: set TELEGRAM_BOT_USERNAME (or -telegram-username, or TELEGRAM_BOT_TOKEN "+
			"to ask Telegram) and/or WHATSAPP_NUMBER (or -whatsapp-number)")
	}

	// The place first: a typo in its name should not wait for Telegram.
	_, dir, err := configs.EngineAndPlaces()
	if err != nil {
		return fail(1, "%v", err)
	}
	place, code := findPlace(dir, query, "secours share", stderr)
	if place == nil {
		return code
	}

	if *user == "" && token != "" {
		ctx, cancel := context.WithTimeout(context.Background(), getMeWait)
		defer cancel()
		if *user, err = botUsername(ctx, token, getenv("TELEGRAM_API_URL")); err != nil {
			return fail(1, "TELEGRAM_BOT_TOKEN: asking Telegram for the bot's username: %v", err)
		}
	}
	kit, err := share.New(configs.Web, configs.FS)
	if err != nil {
		return fail(1, "%v", err)
	}
	if err := kit.Make(stdout, share.Order{Place: place, TelegramUser: *user, WhatsAppNumber: *number, Lang: lang, Out: *out}); err != nil {
		return fail(1, "%v", err)
	}
	return 0
}

// findPlace finds the place an operator named, by id or by name
// (geo.Directory.Find). When none or several fit, it says so on stderr,
// listing the candidates with their ids, and returns the exit status.
func findPlace(dir *geo.Directory, query, cmd string, stderr io.Writer) (*geo.Place, int) {
	place, matches := dir.Find(query)
	switch {
	case place != nil:
		return place, 0
	case len(matches) == 0:
		fmt.Fprintf(stderr, "%s: no place has the id %q or a name that holds it (see secours places near)\n", cmd, query)
		return nil, 1
	}
	fmt.Fprintf(stderr, "%s: %d places match %q; give one id:\n", cmd, len(matches), query)
	for _, p := range matches[:min(len(matches), maxListed)] {
		fmt.Fprintf(stderr, "  %s  %s (%s %s)\n", p.ID, p.Name, p.Postcode, p.Commune)
	}
	if len(matches) > maxListed {
		fmt.Fprintf(stderr, "  … and %d more\n", len(matches)-maxListed)
	}
	return nil, 2
}

// botUsername asks the Bot API who the token's bot is. The library
// already hides the token in its errors; the replace makes sure.
func botUsername(ctx context.Context, token, apiURL string) (string, error) {
	opts := []tgbot.Option{tgbot.WithSkipGetMe()}
	if apiURL != "" {
		opts = append(opts, tgbot.WithServerURL(strings.TrimRight(apiURL, "/")))
	}
	redact := func(err error) error {
		return errors.New(strings.ReplaceAll(err.Error(), token, "***"))
	}
	b, err := tgbot.New(token, opts...)
	if err != nil {
		return "", redact(err)
	}
	me, err := b.GetMe(ctx)
	if err != nil {
		return "", redact(err)
	}
	u, err := share.Username(me.Username)
	if err != nil {
		return "", fmt.Errorf("the bot has no usable username: %w", err)
	}
	return u, nil
}
