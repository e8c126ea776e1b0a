package whatsapp

import (
	"context"
	"fmt"
	"io"
	"log/slog"
	"net/url"
	"os"
	"path/filepath"

	"go.mau.fi/whatsmeow"
	"go.mau.fi/whatsmeow/store"
	"go.mau.fi/whatsmeow/types"
	"google.golang.org/protobuf/proto"

	"github.com/secours/secours/bot"
)

// Settings are the WhatsApp channel's settings as the command reads them:
// the device store that "secours whatsapp link" filled turns it on.
type Settings struct {
	// DB is WHATSAPP_DB: a SQLite file path or a postgres:// URL; empty:
	// the channel is off.
	DB string
}

// Enabled reports whether the channel runs.
func (c Settings) Enabled() bool { return c.DB != "" }

// LogValue names the kind of store, never the URL: it may hold a
// password.
func (c Settings) LogValue() slog.Value {
	switch {
	case c.DB == "":
		return slog.StringValue("off")
	case IsPostgres(c.DB):
		return slog.StringValue("postgres")
	}
	return slog.StringValue("sqlite")
}

// Check names what is wrong in the settings, without quoting a URL.
func (c Settings) Check() []string {
	switch {
	case !c.Enabled():
		return nil
	case IsPostgres(c.DB):
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

// Channel is the running channel; its owner calls Wait or Stop.
type Channel struct {
	Adapter *Adapter // sends the structures' answers to persons
	cancel  context.CancelFunc
	done    chan struct{}
	err     error // set before done is closed
}

// Done is closed once the channel has stopped.
func (w *Channel) Done() <-chan struct{} { return w.done }

// Wait returns when the channel has stopped: nil at the end of ctx, or why
// WhatsApp ended the session (already logged).
func (w *Channel) Wait() error {
	<-w.done
	return w.err
}

// Stop ends the channel and waits for it.
func (w *Channel) Stop() error {
	w.cancel()
	return w.Wait()
}

// Start opens the device store and runs the channel until ctx is
// done or Stop is called. o holds the catalogues, the channel's texts
// and the log; the device gives the rest.
func Start(ctx context.Context, c Settings, conv bot.Conversation, o Options) (*Channel, error) {
	log := o.Log
	if log == nil {
		log = slog.Default()
	}
	container, err := OpenStore(ctx, c.DB, Logger(log, "store"))
	if err != nil {
		return nil, fmt.Errorf("WHATSAPP_DB: %w", err)
	}
	fail := func(err error) (*Channel, error) {
		_ = container.Close()
		return nil, fmt.Errorf("WHATSAPP_DB: %w", err)
	}
	dev, err := container.GetFirstDevice(ctx)
	if err != nil {
		return fail(err)
	}
	if dev.ID == nil {
		return fail(fmt.Errorf("%w: run `secours whatsapp link` first", ErrNotLinked))
	}
	cli := whatsmeow.NewClient(dev, Logger(log, "client"))
	o.LIDs, o.Self = dev.LIDs, []types.JID{*dev.ID, dev.LID}
	a, err := New(conv, cli, o)
	if err != nil {
		return fail(err)
	}
	log.Info("whatsapp: starting", slog.Any("store", c))
	ctx, cancel := context.WithCancel(ctx)
	w := &Channel{Adapter: a, cancel: cancel, done: make(chan struct{})}
	go func() {
		defer close(w.done)
		w.err = a.Run(ctx, cli)
		_ = container.Close()
	}()
	return w, nil
}

// DefaultDB is the store "secours whatsapp link" fills when
// WHATSAPP_DB is empty: in the user's configuration folder, never the
// working directory, which is often a checkout of the repository. Empty
// if the system has no such folder.
func DefaultDB() string {
	dir, err := os.UserConfigDir()
	if err != nil {
		return ""
	}
	return filepath.Join(dir, "secours", "whatsapp.db")
}

// LinkDevice opens the store and pairs a new device into it, showing the
// codes on out (clearing the screen between two if clear).
func LinkDevice(ctx context.Context, db, phone string, out io.Writer, clear bool, log *slog.Logger) error {
	container, err := OpenStore(ctx, db, Logger(log, "store"))
	if err != nil {
		return err
	}
	defer container.Close()
	dev, err := container.GetFirstDevice(ctx)
	if err != nil {
		return fmt.Errorf("whatsapp store: %w", err)
	}
	if dev.ID != nil {
		return ErrAlreadyLinked
	}
	// The name the phone shows under Linked devices.
	store.DeviceProps.Os = proto.String("Secours")
	cli := whatsmeow.NewClient(dev, Logger(log, "client"))
	return Link(ctx, cli, LinkOptions{Phone: phone, Out: out, Clear: clear})
}
