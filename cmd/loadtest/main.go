// Command loadtest drives simulated people through whole Telegram
// conversations against a fake Bot API on loopback, with the real engine,
// once with the in-memory store and once with Redis, and reports whether
// everyone reached the end (the place list, or the remote-help fallback
// where no place fits the profile), the bot's own latency per update (p50,
// p99) for each store, and the process's peak resident memory.
//
//	go run ./cmd/loadtest                          # 1000 users, memory only
//	go run ./cmd/loadtest -redis-url redis://127.0.0.1:6379/0
//	go run ./cmd/loadtest -users 300 -flood 1000   # one flooding chat among 300
//
// With -flood, each store runs twice, the second time with one more chat
// sending that many messages at once halfway through the ramp; it reports
// the other users' p50 and p99 with vs without the flood (as they see it:
// from the message sent to its reply, the poll's wait included), and how many of
// the flood's messages were answered rather than dropped by the flood rule.
//
// First, unless -baseline=false, the same people drive a zero-work bot:
// go-telegram/bot on the same fake, answering every update with one fixed
// message (baseline.go). The report then gives Secours' latency as the
// people see it and its CPU a message as ratios to that floor, measured
// in the same run.
//
// The fake runs in the same process and shares its CPUs: the figures are
// an upper bound of the bot's own cost. Nothing leaves the machine but the
// Redis connection.
//
// With -instances, it runs the secours binary instead (built from source,
// or -bin): one process in webhook mode, then that many, all on the Redis
// of -redis-url, and posts each person's updates to the processes in turn,
// as Telegram posts to a load balancer. -kill SIGKILLs one process halfway
// through the last run and restarts it on the same port; the updates it
// had in flight fail and are posted again, as Telegram does. It reports
// throughput, latency from the webhook POST to the reply's last message,
// and the processes' own CPU time per update, as ratios against the one
// process:
//
//	go run ./cmd/loadtest -instances 3 -users 2000 -kill -redis-url redis://127.0.0.1:6379/0
//
// With -channel wacloud, the people write on the WhatsApp Business Cloud
// API instead, against its fake (bot/wacloud/wacloudtest): the fake posts
// each message to one callback URL, a rotator sends each post to the next
// process, and a message that got no 200 is posted again (as Meta does)
// after -retry; -dup posts one message in that many again after its 200.
// The report is the same, CPU per message included:
//
//	go run ./cmd/loadtest -channel wacloud -instances 3 -users 500 -kill -redis-url redis://127.0.0.1:6379/0
//
// It exits 1 if a user got stuck, missed the place list or, with
// -instances, got a step applied twice or a reply out of order; 2 on bad
// flags.
package main

import (
	"context"
	"errors"
	"flag"
	"fmt"
	"io"
	"math"
	"os"
	"runtime"
	"runtime/metrics"
	"runtime/pprof"
	"runtime/trace"
	"strconv"
	"strings"
	"time"

	"github.com/secours/secours/cmd/loadtest/fleet"
	"github.com/secours/secours/configs"
	"github.com/secours/secours/flows"
	"github.com/secours/secours/internal/cli"
	"github.com/secours/secours/internal/redact"
	"github.com/secours/secours/store/memory"
	"github.com/secours/secours/store/redis"
)

// Bounds of the flags: the tool must stay a test, not a flood.
const (
	maxUsers     = 100_000
	maxTimeout   = time.Hour
	maxInstances = 16
)

// Targets of issue 6.
const (
	targetP99Redis = 20 * time.Millisecond
	targetRSS      = 100 << 20
)

func main() {
	os.Exit(run(os.Args[1:], os.Stdout, os.Stderr, os.Getenv))
}

type config struct {
	users       int
	cpus        int
	think       time.Duration
	ramp        time.Duration
	stepTimeout time.Duration
	timeout     time.Duration
	redisURL    string
	skipMemory  bool
	cpuProfile  string
	trace       string
	flood       int
	baseline    bool

	// The multi-process mode (multi.go).
	channel   string // telegram or wacloud
	instances int
	bin       string
	kill      bool
	dupEvery  int
	retry     time.Duration
	logLevel  string
	splitCPUs bool
	maxConns  int // -max-connections
	busy      int
	pool      int
}

func parse(args []string, stderr io.Writer, getenv func(string) string) (config, error) {
	var c config
	fs := flag.NewFlagSet("loadtest", flag.ContinueOnError)
	fs.SetOutput(stderr)
	fs.IntVar(&c.users, "users", 1000, "simulated people, each running one whole conversation")
	fs.IntVar(&c.cpus, "cpus", 2, "GOMAXPROCS for the run (bot and fake share them)")
	fs.DurationVar(&c.think, "think", 3*time.Second, "mean pause of a person before each answer (uniform in 0..2×)")
	fs.DurationVar(&c.ramp, "ramp", 10*time.Second, "people arrive spread over this long")
	fs.DurationVar(&c.stepTimeout, "step-timeout", 30*time.Second, "a person waiting longer than this for a reply is stuck")
	fs.DurationVar(&c.timeout, "timeout", 10*time.Minute, "bound of the whole run")
	fs.StringVar(&c.redisURL, "redis-url", getenv("REDIS_URL"), "Redis for the second run; empty: memory only [REDIS_URL]")
	fs.BoolVar(&c.skipMemory, "skip-memory", false, "run with Redis only")
	fs.StringVar(&c.cpuProfile, "cpuprofile", "", "write a CPU profile of the runs to this file")
	fs.StringVar(&c.trace, "trace", "", "write an execution trace of the runs to this file (go tool trace)")
	fs.IntVar(&c.flood, "flood", 0, "in-process mode: run each store twice, the second time with one more chat sending this many messages "+
		"at once halfway through the ramp, and report the others' p99 with vs without it; 0: no flood")
	fs.BoolVar(&c.baseline, "baseline", true, "in-process mode: first run the same people against a zero-work bot (go-telegram/bot answering "+
		"every update with one fixed message) and report Secours' latency and CPU a message as ratios to it")
	fs.StringVar(&c.channel, "channel", "telegram", "the channel the people write on: telegram, or wacloud (the WhatsApp Cloud API, "+
		"against its fake; needs -instances: the processes serve its webhook behind a rotator, as behind Meta's one callback URL)")
	fs.IntVar(&c.instances, "instances", 0, "run the secours binary in webhook mode: 1 process, then this many, on -redis-url; 0: the engine in this process")
	fs.StringVar(&c.bin, "bin", "", "with -instances: the secours binary; empty: go build ./cmd/secours")
	fs.BoolVar(&c.kill, "kill", false, "with -instances: SIGKILL one process halfway through the last run and restart it on the same port")
	fs.IntVar(&c.dupEvery, "dup", defaultDupEvery, "with -instances: deliver one update in this many to two processes at once, as Telegram may; 0: none")
	fs.DurationVar(&c.retry, "retry", 6*time.Second, "with -instances: wait before an update whose request failed is posted again, as Telegram does "+
		"(above the engine's 5 s, so that an update saved just before the kill is answered again)")
	fs.IntVar(&c.maxConns, "max-connections", 0, "with -instances: at most this many webhook requests open at once to each process, "+
		"as Telegram's max_connections (40 by default) bounds them for a bot; 0: every person posts at once")
	fs.BoolVar(&c.splitCPUs, "split-cpus", true, "with -instances: give each process GOMAXPROCS = CPUs / processes, its share of the machine")
	fs.IntVar(&c.busy, "busy", 0, "with -kill: this many busy-looping neighbours during the run with the kill, for CPU pressure "+
		"(on a 2-core machine, 2 starve every process as a busy machine does); 0: none")
	fs.IntVar(&c.pool, "pool", 0, "with -instances: the processes' Redis pool size (pool_size in their REDIS_URL); 0: go-redis' default, 10 per GOMAXPROCS")
	fs.StringVar(&c.logLevel, "log-level", "warn", "with -instances: LOG_LEVEL of the processes (their logs go to a temporary folder, kept when a run fails)")
	if err := fs.Parse(args); err != nil {
		return config{}, err
	}
	var problems []string
	if c.users < 1 || c.users > maxUsers {
		problems = append(problems, fmt.Sprintf("-users: %d is not in 1..%d", c.users, maxUsers))
	}
	if c.cpus < 1 {
		problems = append(problems, "-cpus: at least 1")
	}
	if c.think < 0 || c.ramp < 0 || c.stepTimeout <= 0 || c.timeout <= 0 || c.timeout > maxTimeout {
		problems = append(problems, fmt.Sprintf("-think ≥ 0, -ramp ≥ 0, -step-timeout > 0, -timeout in (0, %s]", maxTimeout))
	}
	if c.skipMemory && c.redisURL == "" {
		problems = append(problems, "-skip-memory needs -redis-url")
	}
	switch {
	case c.instances < 0 || c.instances > maxInstances:
		problems = append(problems, fmt.Sprintf("-instances: %d is not in 0..%d", c.instances, maxInstances))
	case c.instances > 0 && c.redisURL == "":
		problems = append(problems, "-instances needs -redis-url: the processes share their sessions there")
	case c.instances == 0 && (c.kill || c.bin != ""):
		problems = append(problems, "-kill and -bin need -instances")
	}
	switch {
	case c.channel != "telegram" && c.channel != fleet.ChannelCloud:
		problems = append(problems, fmt.Sprintf("-channel: %q is not telegram or %s", c.channel, fleet.ChannelCloud))
	case c.channel == fleet.ChannelCloud && c.instances == 0:
		problems = append(problems, "-channel "+fleet.ChannelCloud+" needs -instances")
	}
	if c.flood < 0 || c.flood > maxUsers || (c.flood > 0 && c.instances > 0) {
		problems = append(problems, fmt.Sprintf("-flood: %d is not in 0..%d, or given with -instances", c.flood, maxUsers))
	}
	if c.busy < 0 || c.busy > maxBusy() || (c.busy > 0 && !c.kill) {
		problems = append(problems, fmt.Sprintf("-busy: %d is not in 0..%d, or given without -kill", c.busy, maxBusy()))
	}
	if c.pool < 0 || c.pool > 1000 || (c.pool > 0 && c.instances == 0) {
		problems = append(problems, fmt.Sprintf("-pool: %d is not in 0..1000, or given without -instances", c.pool))
	}
	if c.dupEvery < 0 || c.retry <= 0 {
		problems = append(problems, "-dup ≥ 0, -retry > 0")
	}
	if len(problems) > 0 {
		return config{}, errors.New(strings.Join(problems, "; "))
	}
	return c, nil
}

func run(args []string, stdout, stderr io.Writer, getenv func(string) string) int {
	// -h prints -redis-url's default, REDIS_URL, and errors may quote it:
	// never its password.
	stderr = redact.Writer(stderr)
	c, err := parse(args, stderr, getenv)
	if code, ok := cli.Failed(stderr, "loadtest", err); !ok {
		return code
	}
	runtime.GOMAXPROCS(c.cpus)
	ctx, cancel := context.WithTimeout(context.Background(), c.timeout)
	defer cancel()
	for _, p := range []struct {
		path  string
		start func(io.Writer) error
		stop  func()
	}{{c.cpuProfile, pprof.StartCPUProfile, pprof.StopCPUProfile}, {c.trace, trace.Start, trace.Stop}} {
		if p.path == "" {
			continue
		}
		stop, err := record(p.path, p.start, p.stop)
		if err != nil {
			fmt.Fprintln(stderr, "loadtest:", err)
			return 2
		}
		defer stop()
	}
	if c.instances > 0 {
		runs, err := measureFleet(ctx, c, stdout)
		if err != nil {
			fmt.Fprintln(stderr, "loadtest:", err)
			if len(runs) == 0 {
				return 1
			}
		}
		reportFleet(stdout, c, runs)
		for _, r := range runs {
			if !r.OK() {
				return 1
			}
		}
		if err != nil {
			return 1
		}
		return 0
	}
	runs, err := measure(ctx, c, stdout)
	if err != nil {
		fmt.Fprintln(stderr, "loadtest:", err)
		return 1
	}
	report(stdout, c, runs)
	for _, r := range runs {
		if r.stuck > 0 || r.reached != r.users {
			return 1
		}
	}
	return 0
}

// record starts a CPU profile or a trace into a new file at path; the
// function it returns stops it and closes the file.
func record(path string, start func(io.Writer) error, stop func()) (func(), error) {
	f, err := os.Create(path)
	if err != nil {
		return nil, err
	}
	if err := start(f); err != nil {
		f.Close()
		return nil, err
	}
	return func() {
		stop()
		f.Close()
	}, nil
}

// namedResult is one run and its store.
type namedResult struct {
	store string
	flood int // messages of the flooding chat; 0: none
	result
}

// measure runs the memory store, then Redis if configured; with a flood,
// each twice: without, then with it.
func measure(ctx context.Context, c config, progress io.Writer) ([]namedResult, error) {
	e, err := configs.Engine()
	if err != nil {
		return nil, err
	}
	floods := []int{0}
	if c.flood > 0 {
		floods = append(floods, c.flood)
	}
	o := options{users: c.users, think: c.think, ramp: c.ramp, stepTimeout: c.stepTimeout, firstChat: 500_000_000}
	var out []namedResult
	if c.baseline {
		fmt.Fprintf(progress, "zero-work bot: %d users…\n", c.users)
		cpu := cpuTime()
		r, err := runBaseline(ctx, o)
		if err != nil {
			return nil, err
		}
		r.cpu = cpuTime() - cpu
		out = append(out, namedResult{baselineStore, 0, r})
		o.firstChat += int64(c.users) + 1
	}
	for _, flood := range floods {
		o.flood = flood
		label := ""
		if flood > 0 {
			label = fmt.Sprintf(", one more chat sending %d messages at once", flood)
		}
		if !c.skipMemory {
			fmt.Fprintf(progress, "memory: %d users%s…\n", c.users, label)
			cpu := cpuTime()
			r, err := runLoad(ctx, e, memory.New(time.Hour, nil), o)
			if err != nil {
				return nil, fmt.Errorf("memory run: %w", err)
			}
			r.cpu = cpuTime() - cpu
			out = append(out, namedResult{"memory", flood, r})
		}
		o.firstChat += int64(c.users) + 1
	}
	if c.redisURL != "" {
		prefix := "loadtest" + strconv.FormatInt(time.Now().UnixNano(), 36)
		st, err := redis.Open(ctx, c.redisURL, redis.Options{Prefix: prefix, TTL: time.Hour})
		if err != nil {
			return nil, err
		}
		defer st.Close()
		for _, flood := range floods {
			o.flood = flood
			fmt.Fprintf(progress, "redis: %d users%s…\n", c.users, map[bool]string{true: ", with a flood"}[flood > 0])
			o.firstChat += int64(c.users) + 1
			cpu := cpuTime()
			r, err := runLoad(ctx, e, st, o)
			r.cpu = cpuTime() - cpu
			// Remove the run's sessions (they would expire within the hour).
			dctx, cancel := context.WithTimeout(context.WithoutCancel(ctx), time.Minute)
			for i := -1; i < c.users; i++ {
				_ = st.Delete(dctx, flows.ChatID("tg:"+strconv.FormatInt(o.firstChat+int64(i), 10)))
			}
			cancel()
			if err != nil {
				return nil, fmt.Errorf("redis run: %w", err)
			}
			out = append(out, namedResult{"redis", flood, r})
		}
	}
	return out, nil
}

func report(w io.Writer, c config, runs []namedResult) {
	fmt.Fprintf(w, "\n%d users arriving over %s, GOMAXPROCS %d, think ≈ %s, %s/%s, %d CPUs; fake Bot API in process on loopback; no pacing\n",
		c.users, c.ramp, c.cpus, c.think, runtime.GOOS, runtime.GOARCH, runtime.NumCPU())
	fmt.Fprintf(w, "%-7s %6s %6s %7s %6s %8s %8s %9s %9s %9s %9s %9s\n", "store", "flood", "users", "ended", "stuck", "updates", "upd/s",
		"p50", "p99", "max", "seen p50", "seen p99")
	var mem, red, zero *namedResult
	base := map[string]*namedResult{}
	for i, r := range runs {
		fmt.Fprintf(w, "%-7s %6d %6d %7d %6d %8d %8.0f %9s %9s %9s %9s %9s\n", r.store, r.flood, r.users, r.reached, r.stuck, r.updates,
			float64(r.updates)/r.elapsed.Seconds(), round(r.p50), round(r.p99), round(r.max), round(r.e2e50), round(r.e2e99))
		for _, err := range r.errs {
			fmt.Fprintf(w, "  stuck: %v\n", err)
		}
		if r.flood > 0 {
			fmt.Fprintf(w, "  flooding chat: %d of its %d messages answered, the rest dropped by the flood rule\n", r.floodHandled, r.flood)
			if b := base[r.store]; b != nil && b.e2e99 > 0 && b.e2e50 > 0 {
				fmt.Fprintf(w, "  the other %d users with vs without the flood, as they see it: p50 ×%.2f, p99 ×%.2f\n", r.users,
					float64(r.e2e50)/float64(b.e2e50), float64(r.e2e99)/float64(b.e2e99))
			}
			continue
		}
		base[r.store] = &runs[i]
		switch r.store {
		case baselineStore:
			zero = &runs[i]
		case "memory":
			mem = &runs[i]
		case "redis":
			red = &runs[i]
		}
	}
	if mem != nil && red != nil && mem.p99 > 0 && mem.p50 > 0 {
		fmt.Fprintf(w, "redis/memory: p50 ×%.2f, p99 ×%.2f\n", float64(red.p50)/float64(mem.p50), float64(red.p99)/float64(mem.p99))
	}
	reportBaseline(w, zero, runs)
	// What explains a tail: the Go scheduler's wait to run a goroutine,
	// and the stop-the-world pauses of the garbage collector.
	fmt.Fprintf(w, "Go scheduler latency p99.9 %s, GC pause max %s\n",
		round(histQuantile("/sched/latencies:seconds", 0.999)), round(histQuantile("/sched/pauses/total/gc:seconds", 1)))
	rss, src := peakRSS()
	fmt.Fprintf(w, "peak resident memory: %.1f MB (%s)\n", float64(rss)/(1<<20), src)
	if red != nil {
		fmt.Fprintf(w, "target p99 with Redis < %s: %s\n", targetP99Redis, verdict(red.p99 < targetP99Redis))
	}
	fmt.Fprintf(w, "target RSS < %d MB: %s\n", targetRSS>>20, verdict(rss < targetRSS))
}

func verdict(ok bool) string {
	if ok {
		return "met"
	}
	return "MISSED"
}

func round(d time.Duration) time.Duration {
	switch {
	case d > time.Second:
		return d.Round(time.Millisecond)
	case d > time.Millisecond:
		return d.Round(10 * time.Microsecond)
	}
	return d.Round(time.Microsecond)
}

// histQuantile reads quantile q of a runtime/metrics histogram of seconds
// (the upper bound of the bucket it falls in).
func histQuantile(name string, q float64) time.Duration {
	s := []metrics.Sample{{Name: name}}
	metrics.Read(s)
	if s[0].Value.Kind() != metrics.KindFloat64Histogram {
		return 0
	}
	h := s[0].Value.Float64Histogram()
	var total, acc uint64
	for _, c := range h.Counts {
		total += c
	}
	for i, c := range h.Counts {
		acc += c
		if c > 0 && float64(acc) >= q*float64(total) {
			b := h.Buckets[i+1]
			if math.IsInf(b, 1) {
				b = h.Buckets[i]
			}
			return time.Duration(b * float64(time.Second))
		}
	}
	return 0
}

// peakRSS is the process's peak resident set (VmHWM) where Linux says it,
// else the memory the Go runtime holds from the system.
func peakRSS() (uint64, string) {
	if rss, ok := fleet.VmHWM("self"); ok {
		return rss, "VmHWM"
	}
	s := []metrics.Sample{{Name: "/memory/classes/total:bytes"}}
	metrics.Read(s)
	return s[0].Value.Uint64(), "Go runtime total, not RSS"
}
