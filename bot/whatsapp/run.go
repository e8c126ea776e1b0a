package whatsapp

import (
	"context"
	"errors"
	"fmt"
	"log/slog"
	"math/rand/v2"
	"strings"
	"time"

	"github.com/secours/secours/internal/pause"
	"go.mau.fi/whatsmeow"
	"go.mau.fi/whatsmeow/types"
	"go.mau.fi/whatsmeow/types/events"
	waLog "go.mau.fi/whatsmeow/util/log"
)

// ErrLoggedOut means WhatsApp ended the device's session (unlinked from
// the phone, or replaced): the store must be linked again.
var ErrLoggedOut = errors.New("whatsapp: device logged out; run `secours whatsapp link` again")

// shutdownWait bounds how long a stop waits for the answers under way.
const shutdownWait = 20 * time.Second

// Run connects cli with its stored device, answers its messages and keeps
// the connection up until ctx is done (nil) or WhatsApp ends the session
// (ErrLoggedOut). The first connection is retried with exponential
// backoff; after a network loss whatsmeow reconnects by itself, waiting 2 s
// more after each failed try.
func (a *Adapter) Run(ctx context.Context, cli *whatsmeow.Client) error {
	if cli.Store.ID == nil {
		return ErrNotLinked
	}
	// The answers outlive ctx by up to shutdownWait, so that a stop
	// finishes them while still connected.
	work, abandon := context.WithCancel(context.WithoutCancel(ctx))
	defer abandon()
	run, end := context.WithCancelCause(ctx)
	defer end(nil)
	handle := a.Handler(work)
	id := cli.AddEventHandler(func(evt any) {
		if err := a.connEvent(evt); err != nil {
			end(err)
		}
		if _, ok := evt.(*events.Connected); ok {
			// Typing notifications are only relayed for an account that
			// is "available"; it needs the push name, set after the link.
			if err := cli.SendPresence(work, types.PresenceAvailable); err != nil {
				a.log.Debug("whatsapp presence not sent", slog.String("channel", "wa"), slog.String("err", redact(err.Error())))
			}
		}
		handle(evt)
	})
	cli.EnableAutoReconnect = true
	cli.AutoReconnectHook = func(err error) bool {
		a.log.Warn("whatsapp reconnect failed", slog.String("channel", "wa"),
			slog.Int("attempt", cli.AutoReconnectErrors), slog.String("err", redact(err.Error())))
		return true
	}
	if retry(run, func() error {
		err := cli.Connect()
		if errors.Is(err, whatsmeow.ErrAlreadyConnected) {
			return nil
		}
		return err
	}, time.Second, 2*time.Minute, a.log) == nil {
		<-run.Done()
	}
	a.shutdown(shutdownWait, abandon)
	cli.RemoveEventHandler(id)
	cli.Disconnect()
	if err := context.Cause(run); errors.Is(err, ErrLoggedOut) {
		return err
	}
	return nil
}

// shutdown stops taking messages and gives the answers under way wait to
// finish; then it abandons them (abandon cancels the handler's context)
// and waits for the workers to see it, so that none outlives the run.
func (a *Adapter) shutdown(wait time.Duration, abandon context.CancelFunc) {
	done := make(chan struct{})
	go func() {
		a.Close()
		close(done)
	}()
	t := time.NewTimer(wait)
	defer t.Stop()
	select {
	case <-done:
	case <-t.C:
		a.log.Warn("whatsapp answers abandoned at shutdown", slog.String("channel", "wa"))
		abandon()
		<-done
	}
}

// retry calls connect until it succeeds or ctx is done, waiting base,
// 2×base, 4×base… up to max, with ±25 % jitter so that replicas restarted
// together do not retry together.
func retry(ctx context.Context, connect func() error, base, max time.Duration, log *slog.Logger) error {
	wait := base
	for attempt := 1; ; attempt++ {
		err := connect()
		if err == nil {
			return nil
		}
		d := wait/4*3 + rand.N(wait/2+1)
		log.Warn("whatsapp connect failed, retrying", slog.String("channel", "wa"), slog.Int("attempt", attempt),
			slog.Duration("wait", d), slog.String("err", redact(err.Error())))
		if err := pause.For(ctx, d); err != nil {
			return err
		}
		wait = min(wait*2, max)
	}
}

// connEvent logs the connection's life, without any id, and returns an
// error when the session has ended for good.
func (a *Adapter) connEvent(evt any) error {
	ch := slog.String("channel", "wa")
	switch e := evt.(type) {
	case *events.Connected:
		a.log.Info("whatsapp connected", ch)
	case *events.Disconnected:
		a.log.Warn("whatsapp disconnected, reconnecting", ch)
	case *events.KeepAliveTimeout:
		a.log.Warn("whatsapp keepalive timeout", ch, slog.Int("attempt", e.ErrorCount))
	case *events.KeepAliveRestored:
		a.log.Info("whatsapp keepalive restored", ch)
	case *events.LoggedOut:
		a.log.Error("whatsapp device logged out: link it again with `secours whatsapp link`", ch,
			slog.Int("reason", int(e.Reason)), slog.Bool("on_connect", e.OnConnect))
		return ErrLoggedOut
	case *events.StreamReplaced:
		a.log.Error("whatsapp session opened by another process with the same store; stopping", ch)
		return fmt.Errorf("%w (stream replaced)", ErrLoggedOut)
	case *events.TemporaryBan:
		a.log.Error("whatsapp account temporarily banned", ch, slog.Int("reason", int(e.Code)), slog.Duration("expire", e.Expire))
	case *events.ConnectFailure:
		a.log.Error("whatsapp connection refused", ch, slog.Int("reason", int(e.Reason)))
	case *events.ClientOutdated:
		a.log.Error("whatsapp client outdated: update secours (whatsmeow)", ch)
	}
	return nil
}

// Logger bridges whatsmeow's logger to slog. whatsmeow formats JIDs,
// push names and whole XML nodes into its lines, so only the format (a
// constant) and the error arguments, through redact, are kept. Its debug
// lines (message dumps) are dropped and its info lines become debug.
func Logger(l *slog.Logger, module string) waLog.Logger {
	return waLogger{l: l.With(slog.String("channel", "wa"), slog.String("module", module))}
}

type waLogger struct{ l *slog.Logger }

func (w waLogger) Errorf(msg string, args ...any) { w.log(slog.LevelError, msg, args) }
func (w waLogger) Warnf(msg string, args ...any)  { w.log(slog.LevelWarn, msg, args) }
func (w waLogger) Infof(msg string, args ...any)  { w.log(slog.LevelDebug, msg, args) }
func (w waLogger) Debugf(string, ...any)          {}
func (w waLogger) Sub(module string) waLog.Logger {
	return waLogger{l: w.l.With(slog.String("sub", module))}
}

func (w waLogger) log(level slog.Level, format string, args []any) {
	ctx := context.Background()
	if !w.l.Enabled(ctx, level) {
		return
	}
	attrs := []slog.Attr{slog.String("event", redact(format))}
	var errs []string
	for _, arg := range args {
		if err, ok := arg.(error); ok && err != nil {
			errs = append(errs, redact(err.Error()))
		}
	}
	if len(errs) > 0 {
		attrs = append(attrs, slog.String("err", strings.Join(errs, "; ")))
	}
	w.l.LogAttrs(ctx, level, "whatsmeow", attrs...)
}
