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
//
// This package is wiring and flags only: the bot process is its
// configuration read once (parseConfig, config.go), every dependency built
// in order (build), then run until input ends or a signal (process.run).
// Each command's implementation lives in the package it belongs to.
package main

import (
	"context"
	"errors"
	"fmt"
	"io"
	"log/slog"
	"net"
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
	"github.com/secours/secours/geo"
	"github.com/secours/secours/internal/cli"
	"github.com/secours/secours/internal/redact"
	"github.com/secours/secours/network"
	"github.com/secours/secours/store/memory"
	"github.com/secours/secours/store/redis"
	"github.com/secours/secours/store/spool"
	"github.com/secours/secours/web/ops"
)

func main() {
	os.Exit(run(os.Args[1:], os.Stdin, os.Stdout, os.Stderr, os.Getenv))
}

// commands are the subcommands that read the environment, by their first
// word; run passes them the arguments after it.
var commands = map[string]func(args []string, stdout, stderr io.Writer, getenv func(string) string) int{
	"whatsapp":    runWhatsApp,
	"structure":   runStructure,
	"share":       runShare,
	"stats":       runStats,
	"network":     runNetwork,
	"healthcheck": runHealthcheck,
}

func run(args []string, stdin io.Reader, stdout, stderr io.Writer, getenv func(string) string) int {
	// Usages print flag defaults, which come from the environment, and
	// errors and logs may quote a URL: none may show its password.
	stderr = redact.Writer(stderr)
	if len(args) > 0 {
		if cmd, ok := commands[args[0]]; ok {
			return cmd(args[1:], stdout, stderr, getenv)
		}
		switch args[0] {
		case "places":
			return runPlaces(args[1:], stdout, stderr)
		case "diagnose":
			return runDiagnose(args[1:], stdin, stdout, stderr)
		case "help":
			args = []string{"-h"}
		}
	}
	cfg, err := parseConfig(args, getenv, stderr)
	if code, ok := cli.Failed(stderr, "secours", err); !ok {
		return code
	}
	if !cfg.hasChannel() {
		var empty bool
		if stdin, empty = peekInput(stdin); empty {
			// A container or a service with no channel: say so and fail,
			// rather than greet nobody and exit 0 into a restart loop.
			fmt.Fprintln(stderr, "secours: no channel is configured and standard input is empty: set TELEGRAM_BOT_TOKEN "+
				"(Telegram), WHATSAPP_DB (WhatsApp, after secours whatsapp link) or WHATSAPP_CLOUD_PHONE_ID (the WhatsApp Business Cloud API); for the terminal chat, run it in a terminal or pipe answers in")
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

// serve builds the process from cfg, then runs it until the end of input
// (terminal chat) or a signal.
func serve(ctx context.Context, cfg Config, stdin io.Reader, stdout, stderr io.Writer) error {
	p, err := build(ctx, cfg, stdin, stdout, stderr)
	if err != nil {
		return err
	}
	defer p.close()
	return p.run(ctx)
}

// process is the bot built from its Config: every dependency made and the
// channels set up (Telegram's token checked, WhatsApp connected), but
// nothing served yet.
type process struct {
	cfg      Config // as built: the Telegram username and the pages' address filled in
	log      *slog.Logger
	terminal bool // no channel configured: the chat runs in this terminal

	engine  *flows.Engine
	store   allStores
	runner  *bot.Runner
	senders bot.Senders // adapters register here before the sweep starts; it reads only
	metrics *metrics.Metrics
	mux     *http.ServeMux
	ready   *ops.Readiness
	ln      net.Listener // the HTTP server's; nil when no page is served
	desk    interface {
		Run(context.Context) error
		Sweep(context.Context) (int, error)
	}
	// network keeps the networks' places and the structures' cards live
	// (its refresher is one of channels); its page is mounted on mux.
	network *network.Service

	channels []func(context.Context) error // each runs until ctx ends or it fails
	undo     []func()                      // close runs them last first
}

// build makes every part of the process in dependency order: the logger,
// the engine and places, the store, the runner and the ops endpoints, the
// channels, the listener, the referral desk and the pages. On an error,
// what was already made is closed.
func build(ctx context.Context, cfg Config, stdin io.Reader, stdout, stderr io.Writer) (_ *process, err error) {
	p := &process{cfg: cfg, terminal: !cfg.hasChannel(),
		senders: bot.Senders{}, metrics: metrics.New(), mux: http.NewServeMux(), ready: &ops.Readiness{}}
	defer func() {
		if err != nil {
			p.close()
		}
	}()
	p.log = newLogger(cfg, stderr, p.terminal)
	slog.SetDefault(p.log)

	var dir *geo.Directory
	var live *geo.Live
	if p.engine, dir, live, err = configs.EngineAndLive(); err != nil {
		return nil, err
	}
	// The name and commune indices are built on first use: build them now,
	// beside the rest of start-up, not during the first person's step.
	go dir.Warm()
	st, closeStore, err := openStore(ctx, cfg, p.log)
	if err != nil {
		return nil, err
	}
	p.store = st
	p.undo = append(p.undo, closeStore)
	// Before any channel: the first message already sees what networks
	// published, and the refresher keeps it so.
	if p.network, err = newNetworks(ctx, st, dir, live, cfg.Referrals.NetworkTokens, p.log); err != nil {
		return nil, err
	}
	p.channels = append(p.channels, p.network.Run)
	if err := useLogKey(ctx, cfg.LogKey, st); err != nil {
		return nil, err
	}
	p.buildRunner()
	if cfg.Telegram.Enabled() {
		if err := p.buildTelegram(ctx); err != nil {
			return nil, err
		}
	}
	if cfg.WhatsAppCloud.Enabled() {
		if err := p.buildWacloud(); err != nil {
			return nil, err
		}
	}
	// Bound before the desk is built: the links of its mails start with
	// the address the pages are really served on, or there are none.
	if p.ln, err = listenHTTP(p.cfg, p.terminal, p.log); err != nil {
		return nil, err
	}
	p.undo = append(p.undo, func() {
		if p.ln != nil {
			_ = p.ln.Close() // when the server never took it
		}
	})
	p.cfg.Referrals.BaseURL = pagesBase(p.cfg, p.ln)
	desk, page, err := newReferrals(ctx, p.cfg, p.engine, st, live, p.network, p.senders, p.log, p.terminal, p.metrics)
	if err != nil {
		return nil, err
	}
	p.desk = desk
	// A place a network removes: its requests not yet accepted go to the
	// person's next place, with their consent (referral.PlacesRemoved).
	p.network.OnRemoved(func(ctx context.Context, ids []string) {
		if n, err := desk.PlacesRemoved(ctx, ids); err != nil || n > 0 {
			p.log.Info("referrals of removed places re-offered", slog.Int("referrals", n), slog.Int("places", len(ids)), slog.Any("err", err))
		}
	})
	p.runner.Referrals = desk
	if cfg.WhatsApp.Enabled() {
		if err := p.buildWhatsApp(ctx); err != nil {
			return nil, err
		}
	}
	p.mux.Handle("/s/", page)
	// The networks' pages, with the structures' page's CSRF secrets: a
	// form posted to another instance is accepted there too.
	secrets, err := csrfSecrets(ctx, p.cfg.Referrals, st)
	if err != nil {
		return nil, err
	}
	if err := mountNetwork(p.mux, p.network, p.cfg, secrets, p.log); err != nil {
		return nil, err
	}
	if cfg.Referrals.ObservatoryHash != nil {
		obs, err := newObservatory(p.cfg, st, p.log)
		if err != nil {
			return nil, err
		}
		p.mux.Handle("/obs/", obs)
	}
	if p.terminal {
		p.buildConsole(stdin, stdout)
	}
	return p, nil
}

// buildRunner makes the per-chat runner and the ops endpoints. The
// runner's Referrals are set once the desk exists: Telegram is only set up
// before (its username goes in share links) and receives nothing until
// the channels run; WhatsApp starts after.
func (p *process) buildRunner() {
	st := p.store
	p.runner = &bot.Runner{Engine: p.engine, Store: st, Structures: st, Stats: st, Log: p.log, Metrics: p.metrics}
	if ps, ok := st.(interface{ PoolSize() int }); ok {
		// No more steps at once than the Redis pool has connections: a
		// step waiting for one waits inside the store's deadline.
		p.runner.Steps = min(8*runtime.GOMAXPROCS(0), ps.PoolSize())
	}
	if ps, ok := st.(interface{ Ping(context.Context) error }); ok {
		p.ready.Add("store", ps.Ping)
	}
	ops.Mount(p.mux, p.ready, p.metrics.Handler())
	p.cfg.Telegram.Throttled = func(wait time.Duration) { p.metrics.RateLimited("tg", wait) }
}

// buildTelegram sets the Telegram channel up: the token works and the
// webhook or polling is in place.
func (p *process) buildTelegram(ctx context.Context) error {
	c := p.cfg.Telegram
	c.Inbox = inboxOf(p.store, c, p.cfg.Referrals.OutboxDir, p.log)
	if sp, ok := c.Inbox.(*spool.Dir); ok {
		p.undo = append(p.undo, func() { _ = sp.Close() }) // lets the folder go
	}
	tg, run, err := startTelegram(ctx, c, p.runner, p.mux, leaserOf(p.store), p.log)
	if err != nil {
		return err
	}
	p.senders["tg"] = tg
	p.channels = append(p.channels, run)
	if p.cfg.Referrals.TelegramUsername == "" {
		p.cfg.Referrals.TelegramUsername = tg.Username() // from getMe, for share links
	}
	return nil
}

// buildWhatsApp connects the WhatsApp channel; readiness fails once it
// has stopped.
func (p *process) buildWhatsApp(ctx context.Context) error {
	wa, err := startWhatsApp(ctx, p.cfg.WhatsApp, p.runner, p.log)
	if err != nil {
		return err
	}
	p.senders["wa"] = wa.Adapter
	p.ready.Add("whatsapp", func(context.Context) error {
		select {
		case <-wa.Done():
			return errors.New("stopped")
		default:
			return nil
		}
	})
	p.undo = append(p.undo, func() { _ = wa.Stop() })
	p.channels = append(p.channels, func(context.Context) error { return wa.Wait() })
	return nil
}

// buildConsole makes the terminal chat: a prompt for a person, an echoed
// transcript for piped input.
func (p *process) buildConsole(stdin io.Reader, stdout io.Writer) {
	con := &console.Adapter{Conv: p.runner, In: stdin, Out: stdout, Lang: flows.Lang(p.cfg.Lang), Country: p.cfg.Country}
	if f, ok := stdin.(*os.File); ok && isTerminal(f) {
		con.Prompt = "> "
	} else {
		con.Echo = true
	}
	p.senders["cli"] = con
	p.channels = append(p.channels, con.Run)
}

// run serves the pages, runs the referral sweep and the channels, and
// returns when the first channel ends (with WhatsApp alone, a logout;
// with Telegram, its polling or the signal), once the others, the sweep
// and the HTTP requests in flight are done.
func (p *process) run(ctx context.Context) error {
	srv := startHTTP(ctx, p.ln, p.cfg.Referrals.BaseURL, p.mux, p.log)
	p.ln = nil
	defer srv.shutdown(ctx, p.log)

	dctx, stopDesk := context.WithCancel(ctx)
	deskDone := make(chan struct{})
	go func() {
		defer close(deskDone)
		_ = p.desk.Run(dctx)
	}()
	defer func() {
		stopDesk()
		<-deskDone
	}()

	errc := make(chan error, len(p.channels))
	cctx, cancel := context.WithCancel(ctx)
	defer cancel()
	for _, run := range p.channels {
		go func() { errc <- run(cctx) }()
	}
	err := <-errc
	cancel()
	for range len(p.channels) - 1 {
		<-errc
	}
	if p.terminal {
		// Piped input ends at once: deliver what the chat just sent.
		sctx, cancelSweep := context.WithTimeout(context.WithoutCancel(ctx), 10*time.Second)
		defer cancelSweep()
		if _, serr := p.desk.Sweep(sctx); serr != nil {
			p.log.Warn("last referral sweep failed", slog.Any("err", serr))
		}
	}
	return err
}

// close undoes build: WhatsApp stopped, the listener closed if never
// served, the store closed.
func (p *process) close() {
	for i := len(p.undo) - 1; i >= 0; i-- {
		p.undo[i]()
	}
	p.undo = nil
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
