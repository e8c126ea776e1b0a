// Command secours runs the Secours first-aid chatbot and its tools.
//
//	secours                 run the bot (a terminal chat when no channel is configured)
//	secours places …        check, search and import the place directory
//	secours diagnose …      show how the diagnostic rules classify answers
//	secours whatsapp link   link the WhatsApp channel to an account (QR or pairing code)
//
// Configuration: flags win over environment variables, which win over
// defaults; with none, the bot runs in the terminal with the in-memory store
// and the embedded catalogues and places.
package main

import (
	"context"
	"errors"
	"flag"
	"fmt"
	"io"
	"log/slog"
	"net/http"
	"os"
	"os/signal"
	"runtime"
	"syscall"
	"time"

	"github.com/secours/secours/bot"
	"github.com/secours/secours/bot/console"
	"github.com/secours/secours/bot/metrics"
	"github.com/secours/secours/configs"
	"github.com/secours/secours/flows"
	"github.com/secours/secours/store/memory"
	"github.com/secours/secours/store/redis"
)

func main() {
	os.Exit(run(os.Args[1:], os.Stdin, os.Stdout, os.Stderr, os.Getenv))
}

func run(args []string, stdin io.Reader, stdout, stderr io.Writer, getenv func(string) string) int {
	// Usages print flag defaults, which come from the environment, and
	// errors and logs may quote a URL: none may show its password.
	stderr = redactingWriter{stderr}
	if len(args) > 0 {
		switch args[0] {
		case "places":
			return runPlaces(args[1:], stdout, stderr)
		case "whatsapp":
			return runWhatsApp(args[1:], stdout, stderr, getenv)
		case "diagnose":
			return runDiagnose(args[1:], stdin, stdout, stderr)
		case "structure":
			return runStructure(args[1:], stdout, stderr, getenv)
		case "share":
			return runShare(args[1:], stdout, stderr, getenv)
		case "stats":
			return runStats(args[1:], stdout, stderr, getenv)
		case "healthcheck":
			return runHealthcheck(args[1:], stdout, stderr, getenv)
		case "help":
			args = []string{"-h"}
		}
	}
	cfg, err := parseConfig(args, getenv, stderr)
	if errors.Is(err, flag.ErrHelp) {
		return 0
	}
	if err != nil {
		fmt.Fprintln(stderr, "secours:", err)
		return 2
	}
	if !cfg.Telegram.enabled() && !cfg.WhatsApp.enabled() {
		var empty bool
		if stdin, empty = peekInput(stdin); empty {
			// A container or a service with no channel: say so and fail,
			// rather than greet nobody and exit 0 into a restart loop.
			fmt.Fprintln(stderr, "secours: no channel is configured and standard input is empty: set TELEGRAM_BOT_TOKEN "+
				"(Telegram) or WHATSAPP_DB (WhatsApp, after secours whatsapp link); for the terminal chat, run it in a terminal or pipe answers in")
			return 2
		}
	}
	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt, syscall.SIGTERM)
	defer stop()
	done := make(chan error, 1)
	go func() { done <- serve(ctx, cfg, stdin, stdout, stderr) }()
	select {
	case err = <-done:
	case <-ctx.Done():
		// A signal: every part drains (updates in flight answered, HTTP
		// requests finished, the sweep's current referral done), but the
		// whole stop is bounded, so an orchestrator's SIGKILL never has
		// to come.
		select {
		case err = <-done:
		case <-time.After(drainLimit):
			fmt.Fprintf(stderr, "secours: still draining after %s: stopping now\n", drainLimit)
			return 1
		}
	}
	if err != nil {
		fmt.Fprintln(stderr, "secours:", err)
		return 1
	}
	return 0
}

// drainLimit bounds the stop after SIGTERM: the HTTP drain (shutdownWait)
// and a little more. Orchestrators wait 30 s (Docker) to 90 s (systemd's
// default) before they kill.
const drainLimit = shutdownWait + 5*time.Second

func newLogger(cfg Config, w io.Writer, console bool) *slog.Logger {
	level := slog.LevelInfo
	if cfg.LogLevel == "" && console {
		// The chat shares the terminal: only problems are worth a line.
		level = slog.LevelWarn
	} else if cfg.LogLevel != "" {
		_ = level.UnmarshalText([]byte(cfg.LogLevel))
	}
	opts := &slog.HandlerOptions{Level: level}
	if cfg.LogFormat == "json" {
		return slog.New(slog.NewJSONHandler(w, opts))
	}
	return slog.New(slog.NewTextHandler(w, opts))
}

// serve wires the engine, the stores, the channels, the structures' page
// and the referral sweep, and runs until the end of input (terminal chat)
// or a signal.
func serve(ctx context.Context, cfg Config, stdin io.Reader, stdout, stderr io.Writer) error {
	terminal := !cfg.Telegram.enabled() && !cfg.WhatsApp.enabled()
	log := newLogger(cfg, stderr, terminal)
	slog.SetDefault(log)

	engine, dir, err := configs.EngineAndPlaces()
	if err != nil {
		return err
	}
	st, closeStore, err := openStore(ctx, cfg, log)
	if err != nil {
		return err
	}
	defer closeStore()
	if err := useLogKey(ctx, cfg.LogKey, st); err != nil {
		return err
	}

	// Adapters register here before the sweep starts; it reads only.
	senders := bot.Senders{}
	m := metrics.New()
	// The runner's Wake is set once the desk exists: Telegram is only set
	// up before (its username goes in share links) and receives nothing
	// until the channels run; WhatsApp starts after.
	runner := &bot.Runner{Engine: engine, Store: st, Referrals: st, Structures: st, Stats: st, Log: log, Metrics: m}
	if p, ok := st.(interface{ PoolSize() int }); ok {
		// No more steps at once than the Redis pool has connections: a
		// step waiting for one waits inside the store's deadline.
		runner.Steps = min(8*runtime.GOMAXPROCS(0), p.PoolSize())
	}
	mux := http.NewServeMux()
	ready := &readiness{}
	if p, ok := st.(interface{ Ping(context.Context) error }); ok {
		ready.add("store", p.Ping)
	}
	mountOps(mux, ready, m.Handler())
	cfg.Telegram.throttled = func(wait time.Duration) { m.RateLimited("tg", wait) }

	var channels []func(context.Context) error // each runs until ctx ends or it fails
	if cfg.Telegram.enabled() {
		tg, run, err := startTelegram(ctx, cfg.Telegram, runner, mux, leaserOf(st), log)
		if err != nil {
			return err
		}
		senders["tg"] = tg // set up: the token works and the webhook or polling is in place
		channels = append(channels, run)
		if cfg.Referrals.TelegramUsername == "" {
			cfg.Referrals.TelegramUsername = tg.Username() // from getMe, for share links
		}
	}
	// Bound before the desk is built: the links of its mails start with
	// the address the pages are really served on, or there are none.
	ln, err := listenHTTP(cfg, terminal, log)
	if err != nil {
		return err
	}
	defer func() {
		if ln != nil {
			_ = ln.Close() // when serve fails before the server takes it
		}
	}()
	cfg.Referrals.BaseURL = pagesBase(cfg, ln)
	desk, err := newReferrals(ctx, cfg, engine, st, dir, senders, log, terminal, m)
	if err != nil {
		return err
	}
	runner.Wake = desk.Wake
	if cfg.WhatsApp.enabled() {
		wa, err := startWhatsApp(ctx, cfg.WhatsApp, runner, log)
		if err != nil {
			return err
		}
		senders["wa"] = wa.adapter
		ready.add("whatsapp", func(context.Context) error {
			select {
			case <-wa.done:
				return errors.New("stopped")
			default:
				return nil
			}
		})
		defer func() { _ = wa.stop() }()
		channels = append(channels, func(context.Context) error { return wa.wait() })
	}
	mux.Handle("/s/", desk.Web())
	if cfg.Referrals.ObservatoryHash != nil {
		obs, err := newObservatory(cfg, st, log)
		if err != nil {
			return err
		}
		mux.Handle("/obs/", obs)
	}
	var con *console.Adapter
	if terminal {
		con = &console.Adapter{Conv: runner, In: stdin, Out: stdout, Lang: flows.Lang(cfg.Lang), Country: cfg.Country}
		if f, ok := stdin.(*os.File); ok && isTerminal(f) {
			con.Prompt = "> "
		} else {
			con.Echo = true
		}
		senders["cli"] = con
		channels = append(channels, con.Run)
	}

	srv := startHTTP(ctx, ln, cfg.Referrals.BaseURL, mux, log)
	ln = nil
	defer srv.shutdown(ctx, log)

	dctx, stopDesk := context.WithCancel(ctx)
	deskDone := make(chan struct{})
	go func() {
		defer close(deskDone)
		_ = desk.Run(dctx)
	}()
	defer func() {
		stopDesk()
		<-deskDone
	}()

	// The first channel to end ends the process (with WhatsApp alone, a
	// logout; with Telegram, its polling or the signal).
	errc := make(chan error, len(channels))
	cctx, cancel := context.WithCancel(ctx)
	defer cancel()
	for _, run := range channels {
		go func() { errc <- run(cctx) }()
	}
	err = <-errc
	cancel()
	for range len(channels) - 1 {
		<-errc
	}
	if terminal {
		// Piped input ends at once: deliver what the chat just sent.
		sctx, cancelSweep := context.WithTimeout(context.WithoutCancel(ctx), 10*time.Second)
		defer cancelSweep()
		if _, serr := desk.Sweep(sctx); serr != nil {
			log.Warn("last referral sweep failed", slog.Any("err", serr))
		}
	}
	return err
}

// openStore picks Redis when REDIS_URL is set, memory otherwise.
func openStore(ctx context.Context, cfg Config, log *slog.Logger) (allStores, func(), error) {
	if cfg.RedisURL == "" {
		return memory.New(cfg.SessionTTL, nil), func() {}, nil
	}
	redis.SetLogger(log)
	deadline := time.Now().Add(cfg.RedisWait)
	for {
		st, err := redis.Open(ctx, cfg.RedisURL, redis.Options{TTL: cfg.SessionTTL, Prefix: cfg.RedisPrefix})
		if err == nil {
			return st, func() { _ = st.Close() }, nil
		}
		if time.Now().After(deadline) || ctx.Err() != nil {
			return nil, nil, fmt.Errorf("REDIS_URL: %w", err)
		}
		log.Warn("redis not reachable yet, waiting", slog.Any("err", err))
		select {
		case <-ctx.Done():
		case <-time.After(time.Second):
		}
	}
}
