package main

import (
	"context"
	"errors"
	"flag"
	"fmt"
	"io"
	"log/slog"
	"net/url"
	"os"
	"os/signal"
	"path/filepath"
	"syscall"
	"time"

	"go.mau.fi/whatsmeow"
	"go.mau.fi/whatsmeow/store"
	"go.mau.fi/whatsmeow/types"
	"google.golang.org/protobuf/proto"

	"github.com/secours/secours/bot"
	"github.com/secours/secours/bot/whatsapp"
	"github.com/secours/secours/configs"
	"github.com/secours/secours/flows"
)

// WhatsAppConfig turns the WhatsApp channel on: the device store that
// "secours whatsapp link" filled.
type WhatsAppConfig struct {
	// DB is WHATSAPP_DB: a SQLite file path or a postgres:// URL; empty:
	// the channel is off.
	DB string
}

// enabled reports whether the channel runs.
func (c WhatsAppConfig) enabled() bool { return c.DB != "" }

// LogValue names the kind of store, never the URL: it may hold a
// password.
func (c WhatsAppConfig) LogValue() slog.Value {
	switch {
	case c.DB == "":
		return slog.StringValue("off")
	case whatsapp.IsPostgres(c.DB):
		return slog.StringValue("postgres")
	}
	return slog.StringValue("sqlite")
}

const whatsappDBUsage = "WhatsApp device store: a SQLite `file` (created 0600) or a postgres:// URL (pass it in the " +
	"environment: flags show in ps); the WhatsApp channel runs when it is set and holds a device linked " +
	"with \"secours whatsapp link\" [WHATSAPP_DB]"

// whatsappFlags reads the WhatsApp settings.
func whatsappFlags(fs *flag.FlagSet, c *WhatsAppConfig, getenv func(string) string) {
	fs.StringVar(&c.DB, "whatsapp-db", getenv("WHATSAPP_DB"), whatsappDBUsage)
}

// checkWhatsApp names what is wrong in the WhatsApp settings, without
// quoting a URL.
func checkWhatsApp(c WhatsAppConfig) []string {
	switch {
	case !c.enabled():
		return nil
	case whatsapp.IsPostgres(c.DB):
		if u, err := url.Parse(c.DB); err != nil || u.Host == "" {
			return []string{"WHATSAPP_DB / -whatsapp-db: not a valid postgres:// URL"}
		}
	default:
		path := c.DB
		if u, err := url.Parse(c.DB); err == nil && u.Scheme == "file" {
			path = u.Opaque + u.Path
		}
		if fi, err := os.Stat(filepath.Dir(path)); err != nil || !fi.IsDir() {
			return []string{fmt.Sprintf("WHATSAPP_DB / -whatsapp-db: the folder of %q does not exist", path)}
		}
	}
	return nil
}

// whatsappChannel is the running channel; its owner calls wait or stop.
type whatsappChannel struct {
	adapter *whatsapp.Adapter // sends the structures' answers to persons
	cancel  context.CancelFunc
	done    chan struct{}
	err     error // set before done is closed
}

// wait returns when the channel has stopped: nil at the end of ctx, or why
// WhatsApp ended the session (already logged).
func (w *whatsappChannel) wait() error {
	<-w.done
	return w.err
}

// stop ends the channel and waits for it.
func (w *whatsappChannel) stop() error {
	w.cancel()
	return w.wait()
}

// startWhatsApp opens the device store and runs the channel until ctx is
// done or stop is called.
func startWhatsApp(ctx context.Context, c WhatsAppConfig, conv bot.Conversation, log *slog.Logger) (*whatsappChannel, error) {
	container, err := whatsapp.OpenStore(ctx, c.DB, whatsapp.Logger(log, "store"))
	if err != nil {
		return nil, fmt.Errorf("WHATSAPP_DB: %w", err)
	}
	fail := func(err error) (*whatsappChannel, error) {
		_ = container.Close()
		return nil, fmt.Errorf("WHATSAPP_DB: %w", err)
	}
	dev, err := container.GetFirstDevice(ctx)
	if err != nil {
		return fail(err)
	}
	if dev.ID == nil {
		return fail(fmt.Errorf("%w: run `secours whatsapp link` first", whatsapp.ErrNotLinked))
	}
	cats, err := flows.LoadCatalogs(configs.FS)
	if err != nil {
		return fail(err)
	}
	cli := whatsmeow.NewClient(dev, whatsapp.Logger(log, "client"))
	a, err := whatsapp.New(conv, cli, whatsapp.Options{
		LIDs: dev.LIDs, Catalogs: cats, Self: []types.JID{*dev.ID, dev.LID}, Log: log,
		Texts: configs.FS,
	})
	if err != nil {
		return fail(err)
	}
	log.Info("whatsapp: starting", slog.Any("store", c))
	ctx, cancel := context.WithCancel(ctx)
	w := &whatsappChannel{adapter: a, cancel: cancel, done: make(chan struct{})}
	go func() {
		defer close(w.done)
		w.err = a.Run(ctx, cli)
		_ = container.Close()
	}()
	return w, nil
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

// defaultWhatsAppDB is the store "secours whatsapp link" fills when
// WHATSAPP_DB is empty: in the user's configuration folder, never the
// working directory, which is often a checkout of the repository. Empty
// if the system has no such folder.
func defaultWhatsAppDB() string {
	dir, err := os.UserConfigDir()
	if err != nil {
		return ""
	}
	return filepath.Join(dir, "secours", "whatsapp.db")
}

// runWhatsApp is "secours whatsapp …".
func runWhatsApp(args []string, stdout, stderr io.Writer, getenv func(string) string) int {
	fs := flag.NewFlagSet("secours whatsapp link", flag.ContinueOnError)
	fs.SetOutput(stderr)
	fs.Usage = func() {
		fmt.Fprint(stderr, whatsappUsage)
		fs.PrintDefaults()
	}
	def := defaultWhatsAppDB()
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
	if problems := checkWhatsApp(WhatsAppConfig{DB: db}); len(problems) > 0 {
		fmt.Fprintln(stderr, "secours whatsapp link:", problems[0])
		return 2
	}
	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt, syscall.SIGTERM)
	defer stop()
	ctx, cancel := context.WithTimeout(ctx, *timeout)
	defer cancel()
	// whatsmeow's own lines go to stderr, warnings and worse only.
	log := slog.New(slog.NewTextHandler(stderr, &slog.HandlerOptions{Level: slog.LevelWarn}))
	err := linkDevice(ctx, db, phone, stdout, log)
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

// linkDevice opens the store and pairs a new device into it.
func linkDevice(ctx context.Context, db, phone string, stdout io.Writer, log *slog.Logger) error {
	container, err := whatsapp.OpenStore(ctx, db, whatsapp.Logger(log, "store"))
	if err != nil {
		return err
	}
	defer container.Close()
	dev, err := container.GetFirstDevice(ctx)
	if err != nil {
		return fmt.Errorf("whatsapp store: %w", err)
	}
	if dev.ID != nil {
		return whatsapp.ErrAlreadyLinked
	}
	// The name the phone shows under Linked devices.
	store.DeviceProps.Os = proto.String("Secours")
	clearScreen := false
	if f, ok := stdout.(*os.File); ok {
		clearScreen = isTerminal(f)
	}
	cli := whatsmeow.NewClient(dev, whatsapp.Logger(log, "client"))
	return whatsapp.Link(ctx, cli, whatsapp.LinkOptions{Phone: phone, Out: stdout, Clear: clearScreen})
}
