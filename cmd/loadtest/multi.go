package main

import (
	"context"
	"crypto/rand"
	"errors"
	"fmt"
	"io"
	"os"
	"os/exec"
	"path/filepath"
	"runtime"
	"strconv"
	"strings"
	"sync"
	"time"

	"github.com/secours/secours/bot/telegram/telegramtest"
	"github.com/secours/secours/bot/wacloud/wacloudtest"
	"github.com/secours/secours/cmd/loadtest/fleet"
	"github.com/secours/secours/store/redis/redistest"
)

// Targets of issue 10 for several instances, against one instance in the
// same invocation.
const (
	targetCPURatio  = 1.25
	targetP99Fleet  = 50 * time.Millisecond
	defaultDupEvery = 20
)

// fleetRun is one run of the multi-process mode.
type fleetRun struct {
	instances int
	fleet.Result
	cpu      time.Duration // the instances' CPU time during the drive
	cpuExact bool          // start-ups left out of cpu
	rss      uint64        // the largest peak RSS of one instance (VmHWM); 0: unknown
	kill     *killReport   // nil: no kill in this run
	busy     int           // busy-looping neighbours during the drive
	// logs is the folder of the instances' logs, kept when the run failed
	// (else removed with the run); "" if removed.
	logs string
}

// killReport is what the kill of an instance did.
type killReport struct {
	instance int
	at       int           // answered updates when it was killed
	down     time.Duration // from the kill to the restarted instance's ready
}

// cpuPerStep is the instances' CPU time per update the people sent.
func (r fleetRun) cpuPerStep() time.Duration {
	if r.Steps == 0 {
		return 0
	}
	return r.cpu / time.Duration(r.Steps)
}

// measureFleet runs the secours binary in webhook mode, one instance then
// c.instances, on the same Redis, with the same people, and kills one of
// the instances in the last run if asked.
func measureFleet(ctx context.Context, c config, progress io.Writer) ([]fleetRun, error) {
	bin := c.bin
	if bin == "" {
		dir, err := os.MkdirTemp("", "loadtest-bin")
		if err != nil {
			return nil, err
		}
		defer os.RemoveAll(dir)
		bin = filepath.Join(dir, "secours")
		fmt.Fprintln(progress, "building secours…")
		if err := build(ctx, "github.com/secours/secours/cmd/secours", bin); err != nil {
			return nil, err
		}
	}
	counts := []int{1}
	if c.instances > 1 {
		counts = append(counts, c.instances)
	}
	var out []fleetRun
	for i, n := range counts {
		kill := c.kill && i == len(counts)-1
		fmt.Fprintf(progress, "%d instance(s): %d people%s…\n", n, c.users, map[bool]string{true: ", one instance killed halfway"}[kill])
		// The same chats in every run: the same people, thinking alike.
		r, err := runFleet(ctx, c, bin, n, kill, 600_000_000)
		if r.instances > 0 {
			out = append(out, r) // reported even when it failed
		}
		if err != nil {
			return out, fmt.Errorf("%d instance(s): %w", n, err)
		}
	}
	return out, nil
}

// build compiles the command pkg into bin, without the race detector even
// under go test -race: it would slow the processes and change their
// scheduling, the very thing a load test measures.
func build(ctx context.Context, pkg, bin string) error {
	cmd := exec.CommandContext(ctx, "go", "build", "-o", bin, pkg)
	if out, err := cmd.CombinedOutput(); err != nil {
		return fmt.Errorf("go build: %w\n%s", err, out)
	}
	return nil
}

// runFleet starts n instances on a fresh fake Bot API and a key prefix of
// the run's own, drives the people through them, and stops them.
func runFleet(ctx context.Context, c config, bin string, n int, kill bool, firstChat int64) (fleetRun, error) {
	api := telegramtest.New(telegramtest.Options{})
	defer api.Close()
	fc := fleet.Config{Instances: n}
	cloud := cloudFake(c, &fc)
	if cloud != nil {
		defer cloud.Close()
	}
	dir, err := os.MkdirTemp("", "loadtest-fleet")
	if err != nil {
		return fleetRun{}, err
	}
	// The instances' logs are the only account of what went wrong inside
	// them: a failed run keeps them, and says where.
	var r fleetRun
	keep := false
	defer func() {
		if !keep {
			os.RemoveAll(dir)
		}
	}()
	fail := func(err error) (fleetRun, error) {
		keep = true
		return fleetRun{}, fmt.Errorf("%w (instances' logs kept in %s)", err, dir)
	}
	prefix := "loadtest-" + strings.ToLower(rand.Text()[:10])
	defer func() {
		cctx, cancel := context.WithTimeout(context.WithoutCancel(ctx), time.Minute)
		defer cancel()
		_ = redistest.Cleanup(cctx, c.redisURL, prefix)
	}()
	env := []string{"LOG_LEVEL=" + c.logLevel}
	if c.splitCPUs {
		// Each process gets its share of the machine, as a container with
		// a CPU limit would (Go sizes GOMAXPROCS from the cgroup limit):
		// otherwise N processes each run as many threads as there are
		// CPUs, and the runtimes' contention counts as the bot's work.
		env = append(env, "GOMAXPROCS="+strconv.Itoa(max(1, runtime.NumCPU()/n)))
	}
	redisURL := c.redisURL
	if c.pool > 0 {
		sep := "?"
		if strings.Contains(redisURL, "?") {
			sep = "&"
		}
		redisURL += sep + "pool_size=" + strconv.Itoa(c.pool)
	}
	fc.Bin, fc.RedisURL, fc.Prefix, fc.APIURL, fc.Token, fc.Dir, fc.Env = bin, redisURL, prefix, api.URL, api.Token, dir, env
	f, err := fleet.Start(ctx, fc)
	if err != nil {
		return fail(err)
	}
	defer f.Stop()

	o := fleet.Options{Users: c.users, FirstChat: firstChat, Think: c.think, Ramp: c.ramp,
		Retry: c.retry, GiveUp: c.stepTimeout, DupEvery: c.dupEvery, MaxConnections: c.maxConns}
	var k *fleet.Killer
	var rep *killReport
	if kill {
		// Halfway through the updates the people will send.
		total := 0
		scs := fleet.Scripts()
		for i := range c.users {
			total += scs[i%len(scs)].Steps()
		}
		rep = &killReport{instance: 1 % n, at: total / 2}
		k = f.KillAt(rep.instance, rep.at)
		o.OnStep = k.OnStep
	}
	f.MarkCPU()
	busy := 0
	if kill {
		busy = c.busy
	}
	stopBusy := neighbours(ctx, busy)
	res := drive(ctx, api, cloud, f, o)
	stopBusy()
	var killErr error
	if k != nil {
		// Before Stop: the restart may still be under way.
		fired, down, err := k.Wait()
		switch {
		case err != nil:
			killErr = fmt.Errorf("restart after the kill: %w", err)
		case !fired:
			killErr = fmt.Errorf("the run ended before update %d: no kill", rep.at)
		}
		rep.down = down
	}
	rss := f.PeakRSS() // before Stop: a process that exited has no /proc
	cpu, exact, stopErr := f.Stop()
	r = fleetRun{instances: n, Result: res, cpu: cpu, cpuExact: exact, kill: rep, busy: busy, rss: rss}
	err = errors.Join(killErr, stopErr)
	if err != nil || !r.OK() {
		keep, r.logs = true, dir
	}
	return r, err
}

// cloudFake is the fake Cloud API of a run with -channel wacloud, set in
// fc; nil with Telegram. It records every message: the checks read them
// per person.
func cloudFake(c config, fc *fleet.Config) *wacloudtest.Server {
	if c.channel != fleet.ChannelCloud {
		return nil
	}
	cloud := wacloudtest.New(wacloudtest.Options{})
	fc.Channel, fc.Cloud = fleet.ChannelCloud, fleet.CloudOf(cloud)
	return cloud
}

// drive runs the people on the fake Bot API, or on the fake Cloud API
// through a rotator in front of the instances when there is one.
func drive(ctx context.Context, api *telegramtest.Server, cloud *wacloudtest.Server, f *fleet.Fleet, o fleet.Options) fleet.Result {
	if cloud == nil {
		return fleet.Drive(ctx, api, f, o)
	}
	rot := fleet.NewRotator(f)
	defer rot.Close()
	return fleet.DriveCloud(ctx, cloud, rot, o)
}

// maxBusy bounds -busy: the neighbours must load the machine, not stall
// the run.
func maxBusy() int { return 4 * runtime.NumCPU() }

// neighbours starts n goroutines that spin until the returned stop is
// called or ctx ends: a busy neighbour on the machine, as another
// program's build would be. GOMAXPROCS grows by n meanwhile, so that the
// spinning takes CPU time from every process (the instances, Redis),
// not only from this one's fake Bot API and people.
func neighbours(ctx context.Context, n int) (stop func()) {
	if n <= 0 {
		return func() {}
	}
	ctx, cancel := context.WithCancel(ctx)
	procs := runtime.GOMAXPROCS(0)
	runtime.GOMAXPROCS(procs + n)
	var wg sync.WaitGroup
	for range n {
		wg.Go(func() {
			x := 0
			for ctx.Err() == nil {
				for i := range 1 << 20 {
					x += i
				}
			}
			_ = x
		})
	}
	return func() {
		cancel()
		wg.Wait()
		runtime.GOMAXPROCS(procs)
	}
}

func reportFleet(w io.Writer, c config, runs []fleetRun) {
	dups := "no update delivered twice"
	switch {
	case c.dupEvery > 0 && c.channel == fleet.ChannelCloud:
		dups = fmt.Sprintf("one message in %d posted again after its 200, to another instance", c.dupEvery)
	case c.dupEvery > 0:
		dups = fmt.Sprintf("one update in %d delivered to two instances", c.dupEvery)
	}
	procs := "GOMAXPROCS of each process: the number of CPUs"
	if c.splitCPUs {
		procs = "GOMAXPROCS of each process: CPUs / processes"
	}
	api, poster := "fake Bot API", "Telegram's"
	if c.channel == fleet.ChannelCloud {
		api, poster = "fake WhatsApp Cloud API (through a rotator)", "Meta's"
	}
	fmt.Fprintf(w, "\n%d people arriving over %s, think ≈ %s, %s; %s/%s, %d CPUs; "+
		"secours processes in webhook mode (%s), %s and people in this process, Redis %s\n",
		c.users, c.ramp, c.think, dups, runtime.GOOS, runtime.GOARCH, runtime.NumCPU(), procs, api, redisKind(c.redisURL))
	fmt.Fprintf(w, "%-9s %6s %6s %5s %7s %6s %8s %8s %8s %10s %7s %6s\n",
		"instances", "people", "ended", "stuck", "updates", "upd/s", "p50", "p99", "max", "CPU/update", "retried", "nudged")
	for _, r := range runs {
		fmt.Fprintf(w, "%-9d %6d %6d %5d %7d %6.0f %8s %8s %8s %10s %7d %6d\n", r.instances, r.Users, r.Completed, r.Stuck, r.Steps,
			float64(r.Steps)/r.Elapsed.Seconds(), round(r.Quantile(0.5)), round(r.Quantile(0.99)), round(r.Quantile(1)),
			round(r.cpuPerStep()), r.Retried, r.Nudges)
		if r.Status5xx+r.StatusBad > 0 {
			fmt.Fprintf(w, "  %d answers 5xx, %d other non-2xx\n", r.Status5xx, r.StatusBad)
		}
		if r.rss > 0 {
			fmt.Fprintf(w, "  peak resident memory of one instance: %.1f MB (VmHWM of the secours process alone)\n", float64(r.rss)/(1<<20))
		}
		if r.busy > 0 {
			fmt.Fprintf(w, "  under CPU pressure: %d busy-looping neighbours on %d CPUs\n", r.busy, runtime.NumCPU())
		}
		if r.kill != nil {
			fmt.Fprintf(w, "  instance %d SIGKILLed at update %d, ready again %s later; %d requests unanswered, "+
				"%d updates posted again (longest reply %s, %s wait included), %d answers repeated\n",
				r.kill.instance, r.kill.at, round(r.kill.down), r.Failed, r.Retried, round(r.RetriedMax), poster, r.Repeats)
			if r.Nudges > 0 {
				fmt.Fprintf(w, "  replies lost: %d (the update was saved before the kill, and its retry dropped as a duplicate; "+
					"the person sent the same again and got the question again; %d missed their place list)\n", r.Nudges, r.PlacesLost)
			}
		}
		if !r.cpuExact {
			fmt.Fprintln(w, "  (no /proc: CPU/update includes the start-ups)")
		}
		for _, err := range r.Errs {
			fmt.Fprintf(w, "  failed: %v\n", err)
		}
		if r.logs != "" {
			fmt.Fprintf(w, "  the instances' logs are kept in %s\n", r.logs)
		}
	}
	if len(runs) < 2 {
		return
	}
	one, many := runs[0], runs[len(runs)-1]
	ratio := func(a, b float64) string {
		if b == 0 {
			return "n/a"
		}
		return fmt.Sprintf("×%.2f", a/b)
	}
	cpuRatio := float64(many.cpuPerStep()) / float64(one.cpuPerStep())
	fmt.Fprintf(w, "%d vs 1 instance: CPU/update %s, p50 %s, p99 %s, throughput %s\n", many.instances,
		ratio(float64(many.cpuPerStep()), float64(one.cpuPerStep())),
		ratio(float64(many.Quantile(0.5)), float64(one.Quantile(0.5))),
		ratio(float64(many.Quantile(0.99)), float64(one.Quantile(0.99))),
		ratio(float64(many.Steps)/many.Elapsed.Seconds(), float64(one.Steps)/one.Elapsed.Seconds()))
	fmt.Fprintf(w, "target CPU/update with %d instances ≤ %.2f× one: %s\n", many.instances, targetCPURatio,
		verdict(one.cpuPerStep() > 0 && cpuRatio <= targetCPURatio))
	fmt.Fprintf(w, "target p99 with %d instances < %s: %s\n", many.instances, targetP99Fleet, verdict(many.Quantile(0.99) < targetP99Fleet))
}

// redisKind names the Redis topology of a URL, without the URL itself:
// it may hold a password.
func redisKind(u string) string {
	switch {
	case strings.Contains(u, "+cluster://"), strings.Contains(u, "cluster=1"), strings.Contains(u, "cluster=true"):
		return "Cluster"
	case strings.Contains(u, "+sentinel://"):
		return "Sentinel"
	}
	return "single server"
}
