package main

import (
	"context"
	"errors"
	"flag"
	"fmt"
	"io"
	"log/slog"
	"os"
	"os/signal"
	"path/filepath"
	"syscall"
	"time"

	"github.com/secours/secours/bot"
	"github.com/secours/secours/bot/whatsapp"
	"github.com/secours/secours/configs"
	"github.com/secours/secours/flows"
	"github.com/secours/secours/internal/cli"
)

const whatsappDBUsage = "WhatsApp device store: a SQLite `file` (created 0600) or a postgres:// URL (pass it in the " +
	"environment: flags show in ps); the WhatsApp channel runs when it is set and holds a device linked " +
	"with \"secours whatsapp link\" [WHATSAPP_DB]"

// whatsappFlags reads the WhatsApp settings.
func whatsappFlags(fs *flag.FlagSet, c *whatsapp.Settings, getenv func(string) string) {
	fs.StringVar(&c.DB, "whatsapp-db", getenv("WHATSAPP_DB"), whatsappDBUsage)
}

// startWhatsApp runs the WhatsApp channel with the embedded catalogues.
func startWhatsApp(ctx context.Context, c whatsapp.Settings, conv bot.Conversation, log *slog.Logger) (*whatsapp.Channel, error) {
	cats, err := flows.LoadCatalogs(configs.FS)
	if err != nil {
		return nil, fmt.Errorf("WHATSAPP_DB: %w", err)
	}
	return whatsapp.Start(ctx, c, conv, whatsapp.Options{Catalogs: cats, Texts: configs.FS, Log: log})
}

const whatsappUsage = `Usage:
  secours whatsapp link [-phone +32…] [-whatsapp-db PATH] [-timeout 3m]

Links this bot to a WhatsApp account as a linked device: scan the QR code
with the bot's phone (WhatsApp → Settings → Linked devices → Link a
device), or with -phone type the 8-character code shown here instead. The
keys go to the device store (WHATSAPP_DB, by default in your configuration
folder); then run secours with WHATSAPP_DB set to the same store.

Flags:
`

// runWhatsApp is "secours whatsapp …".
func runWhatsApp(args []string, stdout, stderr io.Writer, getenv func(string) string) int {
	fs := cli.Flags("secours whatsapp link", whatsappUsage, stderr)
	def := whatsapp.DefaultDB()
	db := getenv("WHATSAPP_DB")
	if db == "" {
		db = def
	}
	var phone string
	fs.StringVar(&db, "whatsapp-db", db, whatsappDBUsage)
	fs.StringVar(&phone, "phone", "", "the bot account's number, international (+32 470 12 34 56): show a pairing code instead of a QR code")
	timeout := fs.Duration("timeout", 3*time.Minute, "give up after this long (WhatsApp's codes run out after about 160 s)")
	if code, ok := parseVerb(fs, args, "link"); !ok {
		return code
	}
	if fs.NArg() > 0 {
		fmt.Fprintf(stderr, "secours whatsapp link: unexpected %q\n", fs.Arg(0))
		return 2
	}
	if phone != "" {
		p, err := whatsapp.ParsePhone(phone)
		if err != nil {
			fmt.Fprintln(stderr, "secours whatsapp link: -phone:", err)
			return 2
		}
		phone = p
	}
	switch {
	case db == "":
		fmt.Fprintln(stderr, "secours whatsapp link: no configuration folder here: set WHATSAPP_DB or -whatsapp-db")
		return 2
	case db == def:
		// The keys' folder: for this user only.
		if err := os.MkdirAll(filepath.Dir(db), 0o700); err != nil {
			fmt.Fprintln(stderr, "secours whatsapp link:", err)
			return 1
		}
	}
	if problems := (whatsapp.Settings{DB: db}).Check(); len(problems) > 0 {
		fmt.Fprintln(stderr, "secours whatsapp link:", problems[0])
		return 2
	}
	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt, syscall.SIGTERM)
	defer stop()
	ctx, cancel := context.WithTimeout(ctx, *timeout)
	defer cancel()
	// whatsmeow's own lines go to stderr, warnings and worse only.
	log := slog.New(slog.NewTextHandler(stderr, &slog.HandlerOptions{Level: slog.LevelWarn}))
	clearScreen := false
	if f, ok := stdout.(*os.File); ok {
		clearScreen = isTerminal(f)
	}
	err := whatsapp.LinkDevice(ctx, db, phone, stdout, clearScreen, log)
	switch {
	case err == nil && whatsapp.IsPostgres(db):
		// The URL may hold a password: not echoed.
		fmt.Fprintln(stdout, "Linked. Start the bot with WHATSAPP_DB set to this store.")
		return 0
	case err == nil:
		fmt.Fprintf(stdout, "Linked. Start the bot with WHATSAPP_DB=%s\n", db)
		return 0
	case errors.Is(err, whatsapp.ErrAlreadyLinked):
		fmt.Fprintln(stderr, "secours whatsapp link: this store already holds a linked device: the bot can run with it. "+
			"To link another account, use a new WHATSAPP_DB")
	case errors.Is(err, whatsapp.ErrLinkTimeout):
		fmt.Fprintln(stderr, "secours whatsapp link: timed out: no scan before the codes ran out; run it again")
	case errors.Is(err, whatsapp.ErrLinkLoggedOut):
		fmt.Fprintln(stderr, "secours whatsapp link: WhatsApp logged the device out during the link; run it again")
	default:
		fmt.Fprintln(stderr, "secours whatsapp link:", err)
	}
	return 1
}
