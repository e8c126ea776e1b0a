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
	"bufio"
	"context"
	"errors"
	"flag"
	"fmt"
	"io"
	"log/slog"
	"net"
	"net/http"
	"os"
	"os/signal"
	"runtime"
	"strings"
	"syscall"
	"time"

	"github.com/secours/secours/bot"
	"github.com/secours/secours/bot/console"
	"github.com/secours/secours/bot/metrics"
	"github.com/secours/secours/configs"
	"github.com/secours/secours/flows"
	"github.com/secours/secours/internal/redact"
	"github.com/secours/secours/store/memory"
	"github.com/secours/secours/store/redis"
)

func main() {
	os.Exit(run(os.Args[1:], os.Stdin, os.Stdout, os.Stderr, os.Getenv))
}

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
	Telegram   TelegramConfig
	WhatsApp   WhatsAppConfig
	Referrals  ReferralConfig

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
	fs := flag.NewFlagSet("secours", flag.ContinueOnError)
	fs.SetOutput(stderr)
	fs.Usage = func() {
		fmt.Fprint(stderr, usageHead)
		fs.PrintDefaults()
	}
	env := func(name, def string) string {
		if v := getenv(name); v != "" {
			return v
		}
		return def
	}
	var wait, ttl, retention string
	fs.StringVar(&c.Lang, "lang", env("SECOURS_LANG", ""), "terminal chat language hint: fr or nl; empty asks [SECOURS_LANG]")
	fs.StringVar(&c.Country, "country", env("SECOURS_COUNTRY", ""), "terminal chat country hint: BE or FR; empty asks [SECOURS_COUNTRY]")
	fs.StringVar(&c.RedisURL, "redis-url", env("REDIS_URL", ""), "Redis URL for sessions (redis://, rediss://, redis+sentinel://, redis+cluster://); empty: in-memory [REDIS_URL]")
	fs.StringVar(&c.RedisPrefix, "redis-prefix", env("REDIS_PREFIX", redis.DefaultPrefix), "first part of every Redis key, so that two deployments can share one Redis [REDIS_PREFIX]")
	fs.StringVar(&wait, "redis-wait", env("REDIS_WAIT", "0s"), "at start-up, wait this long for Redis instead of failing at once [REDIS_WAIT]")
	fs.StringVar(&ttl, "session-ttl", env("SESSION_TTL", "720h"), "how long a conversation is kept after its last message (docs/diagnostic.md G.3: 30 days) [SESSION_TTL]")
	fs.StringVar(&c.LogLevel, "log-level", env("LOG_LEVEL", ""), "debug, info, warn or error; default warn in the terminal chat, info otherwise [LOG_LEVEL]")
	fs.StringVar(&c.LogFormat, "log-format", env("LOG_FORMAT", "text"), "text or json [LOG_FORMAT]")
	fs.StringVar(&c.HTTPAddr, "http-addr", env("HTTP_ADDR", ":8080"),
		"address of the HTTP server: the structures' pages and the Telegram webhook; the terminal chat "+
			"listens on loopback only, unless this is set [HTTP_ADDR]")
	telegramFlags(fs, &c.Telegram, getenv)
	whatsappFlags(fs, &c.WhatsApp, getenv)
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
	problems = append(problems, checkTelegram(c.Telegram)...)
	problems = append(problems, checkWhatsApp(c.WhatsApp)...)
	c.baseURLSet = c.Referrals.BaseURL != "" // checkReferrals fills in a default
	problems = append(problems, checkReferrals(&c.Referrals, retention, c.HTTPAddr, c.RedisURL)...)
	if len(problems) > 0 {
		return Config{}, fmt.Errorf("configuration:\n  %s", strings.Join(problems, "\n  "))
	}
	return c, nil
}

func run(args []string, stdin io.Reader, stdout, stderr io.Writer, getenv func(string) string) int {
	// Usages print flag defaults, which come from the environment, and
	// errors and logs may quote a URL: none may show its password.
	stderr = redact.Writer(stderr)
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

// httpServer is the process's one HTTP server; nil when the terminal chat
// could not get its port (the chat works without the pages).
type httpServer struct {
	srv  *http.Server
	done chan error
}

// listenHTTP listens on HTTP_ADDR; the terminal chat listens on loopback
// only unless HTTP_ADDR was given, and goes on without pages (a nil
// listener) if the port is taken.
func listenHTTP(cfg Config, console bool, log *slog.Logger) (net.Listener, error) {
	addr := cfg.HTTPAddr
	if console && !cfg.httpAddrSet {
		_, port, err := net.SplitHostPort(addr)
		if err != nil {
			port = "8080"
		}
		addr = net.JoinHostPort("127.0.0.1", port)
	}
	ln, err := net.Listen("tcp", addr)
	if err != nil {
		if console && !cfg.httpAddrSet {
			log.Warn("structures' pages are off: the port is taken (set HTTP_ADDR); mails carry no link", slog.Any("err", err))
			return nil, nil
		}
		return nil, fmt.Errorf("HTTP_ADDR: %w", err)
	}
	return ln, nil
}

// pagesBase is what the links to the structures' pages start with:
// BASE_URL when given, else the address ln is bound to (on localhost when
// that is loopback or every interface), and "" when no page is served, so
// that no mail links to a port some other program holds.
func pagesBase(cfg Config, ln net.Listener) string {
	if ln == nil {
		return ""
	}
	if cfg.baseURLSet {
		return cfg.Referrals.BaseURL
	}
	host, port, err := net.SplitHostPort(ln.Addr().String())
	if err != nil {
		return cfg.Referrals.BaseURL
	}
	if ip := net.ParseIP(host); ip == nil || ip.IsLoopback() || ip.IsUnspecified() {
		host = "localhost"
	}
	return "http://" + net.JoinHostPort(host, port)
}

// startHTTP serves mux on ln; nil ln: no server.
func startHTTP(ctx context.Context, ln net.Listener, base string, mux *http.ServeMux, log *slog.Logger) *httpServer {
	if ln == nil {
		return nil
	}
	// A slow client may hold a connection for the header's 10 s and the
	// whole request's 30 s at most (the structures' forms cut their body
	// sooner); no handler here waits on a request body longer.
	h := &httpServer{srv: &http.Server{Handler: mux, ReadHeaderTimeout: 10 * time.Second, ReadTimeout: 30 * time.Second,
		BaseContext: func(net.Listener) context.Context { return ctx }},
		done: make(chan error, 1)}
	go func() { h.done <- h.srv.Serve(ln) }()
	log.Info("http: listening", slog.String("addr", ln.Addr().String()), slog.String("pages", base+"/s/…"))
	return h
}

// shutdown lets requests in flight finish.
func (h *httpServer) shutdown(ctx context.Context, log *slog.Logger) {
	if h == nil {
		return
	}
	sctx, cancel := context.WithTimeout(context.WithoutCancel(ctx), shutdownWait)
	defer cancel()
	if err := h.srv.Shutdown(sctx); err != nil {
		log.Warn("http: requests cut at shutdown", slog.Any("err", err))
	}
	if err := <-h.done; err != nil && !errors.Is(err, http.ErrServerClosed) {
		log.Error("http: server failed", slog.Any("err", err))
	}
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

// peekInput waits for the first byte of the terminal chat's input, unless
// it is a terminal, and reports whether there is none at all: /dev/null
// (a container without -i, a service), an empty file or pipe, a closed
// descriptor. It returns the reader to read the input from instead.
func peekInput(stdin io.Reader) (io.Reader, bool) {
	if f, ok := stdin.(*os.File); ok {
		if isNull(f) {
			return stdin, true
		}
		if isTerminal(f) {
			return stdin, false // a person types after the greeting
		}
	}
	br := bufio.NewReader(stdin)
	_, err := br.Peek(1)
	return br, err != nil
}

// isNull reports whether f is the null device, which is a character
// device like a terminal but never gives a byte.
func isNull(f *os.File) bool {
	fi, err := f.Stat()
	if err != nil {
		return false
	}
	null, err := os.Stat(os.DevNull)
	return err == nil && os.SameFile(fi, null)
}

// isTerminal reports whether f is a character device (a terminal), so
// that piped input is echoed as a transcript instead.
func isTerminal(f *os.File) bool {
	fi, err := f.Stat()
	return err == nil && fi.Mode()&os.ModeCharDevice != 0
}
