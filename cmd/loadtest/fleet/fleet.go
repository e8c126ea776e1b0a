package fleet

import (
	"bytes"
	"context"
	"crypto/rand"
	"errors"
	"fmt"
	"net"
	"net/http"
	"os"
	"os/exec"
	"path/filepath"
	"strconv"
	"strings"
	"sync"
	"syscall"
	"time"
)

// WebhookURL is the public address every instance registers: a name that
// resolves nowhere, since the fake Bot API never calls it. The people post
// to each instance's own loopback port, at this URL's path.
const WebhookURL = "https://bot.example.test/tg"

// webhookPath is WebhookURL's path.
const webhookPath = "/tg"

// readyWait bounds an instance's start-up: the binary loads every
// catalogue and place, and with -race on the test side, machines are slow.
const readyWait = 30 * time.Second

// Config describes the instances to run.
type Config struct {
	Bin       string // the secours binary
	Instances int
	RedisURL  string
	// Prefix is REDIS_PREFIX: the run's keys, apart from any other run's
	// on the same Redis.
	Prefix string
	APIURL string // the fake Bot API
	Token  string
	// Channel is the channel the instances serve: "" (Telegram, on the
	// Bot API at APIURL) or ChannelCloud (the WhatsApp Cloud API of
	// Cloud).
	Channel string
	Cloud   Cloud
	Dir     string   // the instances' outbox and logs
	Env     []string // more variables, "NAME=value" (LOG_LEVEL=warn…)
}

// Fleet is the running instances. Its methods are not safe for
// concurrent use, except Len, Target and Secret, which a drive calls
// while a Killer restarts an instance.
type Fleet struct {
	cfg    Config
	secret string
	procs  []*proc
}

// proc is one instance slot: the process of its current life, and the CPU
// its earlier lives spent under load.
type proc struct {
	i    int
	addr string // loopback host:port, kept across restarts
	cmd  *exec.Cmd
	done chan struct{} // closed once cmd.Wait returned
	log  *os.File

	spent   time.Duration // CPU of the earlier lives since MarkCPU
	base    time.Duration // CPU of this life when counting started
	exact   bool          // base was read from /proc, not assumed 0
	counted bool          // this life ended and is in spent
}

// Start starts cfg.Instances instances in webhook mode, each on a free
// loopback port, and waits until every one answers /readyz. On error, the
// ones started are stopped.
func Start(ctx context.Context, cfg Config) (*Fleet, error) {
	if cfg.Instances < 1 {
		return nil, errors.New("fleet: no instance")
	}
	f := &Fleet{cfg: cfg, secret: rand.Text()} // base32: a valid secret
	for i := range cfg.Instances {
		addr, err := freeAddr()
		if err != nil {
			f.Stop()
			return nil, err
		}
		p := &proc{i: i, addr: addr}
		f.procs = append(f.procs, p)
		if err := f.start(ctx, p); err != nil {
			f.Stop()
			return nil, err
		}
	}
	return f, nil
}

// Len is the number of instances.
func (f *Fleet) Len() int { return len(f.procs) }

// Target is the webhook URL of instance i, on loopback.
func (f *Fleet) Target(i int) string {
	if f.cfg.Channel == ChannelCloud {
		return "http://" + f.procs[i].addr + cloudWebhookPath
	}
	return "http://" + f.procs[i].addr + webhookPath
}

// Secret is the X-Telegram-Bot-Api-Secret-Token the instances expect;
// with the Cloud API, the webhook's verify token.
func (f *Fleet) Secret() string { return f.secret }

func freeAddr() (string, error) {
	l, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		return "", fmt.Errorf("fleet: no free loopback port: %w", err)
	}
	defer l.Close()
	return l.Addr().String(), nil
}

// start starts p's next life and waits until it is ready.
func (f *Fleet) start(ctx context.Context, p *proc) error {
	log, err := os.OpenFile(f.logPath(p), os.O_CREATE|os.O_WRONLY|os.O_APPEND, 0o600)
	if err != nil {
		return fmt.Errorf("fleet: %w", err)
	}
	// A clean environment: the caller's TELEGRAM_* or REDIS_URL must not
	// leak into the instances.
	env := []string{
		"PATH=" + os.Getenv("PATH"),
		"HTTP_ADDR=" + p.addr,
		"BASE_URL=http://" + p.addr,
	}
	if f.cfg.Channel == ChannelCloud {
		env = append(env, f.cfg.Cloud.env(f.secret)...)
	} else {
		env = append(env,
			"TELEGRAM_BOT_TOKEN="+f.cfg.Token,
			"TELEGRAM_API_URL="+f.cfg.APIURL,
			"TELEGRAM_WEBHOOK_URL="+WebhookURL,
			"TELEGRAM_WEBHOOK_SECRET="+f.secret,
			// The fake has no flood limits: pacing would measure
			// Telegram's limits, not the bot.
			"TELEGRAM_RATE=off")
	}
	env = append(env,
		"REDIS_URL="+f.cfg.RedisURL,
		"REDIS_PREFIX="+f.cfg.Prefix,
		"SESSION_TTL=1h", // a run's sessions go away by themselves
		"OUTBOX_DIR="+filepath.Join(f.cfg.Dir, "outbox"))
	cmd := exec.Command(f.cfg.Bin)
	cmd.Env = append(env, f.cfg.Env...)
	cmd.Stdout, cmd.Stderr = log, log
	// An instance must not outlive the driver, even one killed itself.
	cmd.SysProcAttr = &syscall.SysProcAttr{Pdeathsig: syscall.SIGKILL}
	if err := cmd.Start(); err != nil {
		log.Close()
		return fmt.Errorf("fleet: start %s: %w", f.cfg.Bin, err)
	}
	p.cmd, p.log, p.done, p.counted = cmd, log, make(chan struct{}), false
	go func() {
		_ = cmd.Wait()
		close(p.done)
	}()
	if err := p.waitReady(ctx); err != nil {
		p.kill()
		return fmt.Errorf("fleet: instance %d: %w\n%s", p.i, err, f.Tail(p.i, 20))
	}
	return nil
}

func (f *Fleet) logPath(p *proc) string {
	return filepath.Join(f.cfg.Dir, "instance-"+strconv.Itoa(p.i)+".log")
}

// waitReady polls /readyz: the HTTP server listens once the webhook is
// registered, and /readyz checks Redis.
func (p *proc) waitReady(ctx context.Context) error {
	ctx, cancel := context.WithTimeout(ctx, readyWait)
	defer cancel()
	c := &http.Client{Timeout: time.Second}
	for {
		req, _ := http.NewRequestWithContext(ctx, http.MethodGet, "http://"+p.addr+"/readyz", nil)
		if resp, err := c.Do(req); err == nil {
			resp.Body.Close()
			if resp.StatusCode == http.StatusOK {
				return nil
			}
		}
		select {
		case <-p.done:
			return fmt.Errorf("exited at start-up (%s)", p.cmd.ProcessState)
		case <-ctx.Done():
			return fmt.Errorf("not ready after %s", readyWait)
		case <-time.After(20 * time.Millisecond):
		}
	}
}

// kill ends p's current life with SIGKILL and waits for it.
func (p *proc) kill() {
	_ = p.cmd.Process.Kill()
	<-p.done
	p.log.Close()
}

// MarkCPU starts counting the instances' CPU time from now: start-up
// (catalogues, places, connections) is not the cost of a step.
func (f *Fleet) MarkCPU() {
	for _, p := range f.procs {
		p.spent = 0
		p.base, p.exact = 0, false
		if t, err := procCPU(p.cmd.Process.Pid); err == nil {
			p.base, p.exact = t, true
		}
	}
}

// Kill stops instance i with SIGKILL, as a crash or an OOM kill would:
// its requests in flight get no answer.
func (f *Fleet) Kill(i int) {
	p := f.procs[i]
	p.kill()
	p.spent += lifeCPU(p)
	p.counted = true
}

// Restart starts instance i again on the same port, after Kill, and
// counts its CPU from when it is ready.
func (f *Fleet) Restart(ctx context.Context, i int) error {
	p := f.procs[i]
	if err := f.start(ctx, p); err != nil {
		return err
	}
	p.base, p.exact = 0, false
	if t, err := procCPU(p.cmd.Process.Pid); err == nil {
		p.base, p.exact = t, true
	}
	return nil
}

// Stop sends SIGTERM to every instance still running and waits for them
// (each drains its requests in flight). It returns the CPU time the
// instances used since MarkCPU, from the kernel's accounting of each
// process, and an error naming the instances that did not exit 0 after
// SIGTERM. exact is false if a start-up's CPU could not be told apart
// (no /proc) and is counted in.
func (f *Fleet) Stop() (cpu time.Duration, exact bool, err error) {
	exact = true
	var wg sync.WaitGroup
	stopped := make([]bool, len(f.procs)) // sent SIGTERM, and so must exit 0
	for i, p := range f.procs {
		if p.cmd == nil {
			continue
		}
		select {
		case <-p.done:
			continue // killed and not restarted, or failed at start
		default:
		}
		stopped[i] = true
		wg.Go(func() {
			_ = p.cmd.Process.Signal(syscall.SIGTERM)
			select {
			case <-p.done:
			case <-time.After(time.Minute): // secours bounds its own drain well below
				_ = p.cmd.Process.Kill()
				<-p.done
			}
			p.log.Close()
		})
	}
	wg.Wait()
	var bad []string
	for i, p := range f.procs {
		if p.cmd == nil {
			continue
		}
		if stopped[i] && !p.cmd.ProcessState.Success() {
			bad = append(bad, fmt.Sprintf("instance %d: %s\n%s", p.i, p.cmd.ProcessState, f.Tail(p.i, 10)))
		}
		cpu += p.spent
		if !p.counted {
			cpu += lifeCPU(p)
		}
		exact = exact && p.exact
		p.cmd = nil
	}
	if len(bad) > 0 {
		err = fmt.Errorf("fleet: unclean stop:\n%s", strings.Join(bad, "\n"))
	}
	return cpu, exact, err
}

// PeakRSS is the largest peak resident set (VmHWM) of the instances
// running now, as Linux reports it: the memory of Secours alone, without
// the fake API and the people of this process. 0 where there is no /proc.
func (f *Fleet) PeakRSS() uint64 {
	var peak uint64
	for _, p := range f.procs {
		if p.cmd == nil || p.cmd.Process == nil {
			continue
		}
		if rss, ok := VmHWM(strconv.Itoa(p.cmd.Process.Pid)); ok {
			peak = max(peak, rss)
		}
	}
	return peak
}

// VmHWM is the peak resident set of process pid ("self": this one), in
// bytes, from /proc/<pid>/status; false where Linux does not say it.
func VmHWM(pid string) (uint64, bool) {
	b, err := os.ReadFile("/proc/" + pid + "/status")
	if err != nil {
		return 0, false
	}
	for line := range strings.Lines(string(b)) {
		if v, ok := strings.CutPrefix(line, "VmHWM:"); ok {
			f := strings.Fields(v)
			if len(f) != 2 || f[1] != "kB" {
				return 0, false
			}
			if kb, err := strconv.ParseUint(f[0], 10, 64); err == nil {
				return kb << 10, true
			}
		}
	}
	return 0, false
}

// lifeCPU is the CPU time p's ended life used since its base.
func lifeCPU(p *proc) time.Duration {
	ps := p.cmd.ProcessState
	if ps == nil {
		return 0
	}
	return max(ps.UserTime()+ps.SystemTime()-p.base, 0)
}

// procCPU reads a live process's user+system CPU time from
// /proc/<pid>/stat (Linux), in clock ticks of 1/100 s: USER_HZ is 100 on
// every architecture Linux exports it for.
func procCPU(pid int) (time.Duration, error) {
	b, err := os.ReadFile("/proc/" + strconv.Itoa(pid) + "/stat")
	if err != nil {
		return 0, err
	}
	// The command name, field 2, is in parentheses and may hold spaces:
	// count the fields after its closing one. utime and stime are fields
	// 14 and 15, the 12th and 13th after it.
	i := bytes.LastIndexByte(b, ')')
	if i < 0 {
		return 0, errors.New("fleet: bad /proc stat")
	}
	f := strings.Fields(string(b[i+1:]))
	if len(f) < 13 {
		return 0, errors.New("fleet: short /proc stat")
	}
	ut, err1 := strconv.ParseInt(f[11], 10, 64)
	st, err2 := strconv.ParseInt(f[12], 10, 64)
	if err1 != nil || err2 != nil {
		return 0, errors.New("fleet: bad /proc stat times")
	}
	return time.Duration(ut+st) * 10 * time.Millisecond, nil
}

// Tail returns the last n lines of instance i's log, every life of it.
func (f *Fleet) Tail(i, n int) string {
	b, err := os.ReadFile(f.logPath(f.procs[i]))
	if err != nil {
		return ""
	}
	lines := strings.Split(strings.TrimRight(string(b), "\n"), "\n")
	return strings.Join(lines[max(0, len(lines)-n):], "\n")
}

// Logs returns every instance's log, all lives, for checks on what the
// instances logged.
func (f *Fleet) Logs() string {
	var b strings.Builder
	for _, p := range f.procs {
		if data, err := os.ReadFile(f.logPath(p)); err == nil {
			b.Write(data)
		}
	}
	return b.String()
}

// Killer kills one instance with SIGKILL once a drive has answered a
// given number of updates, and restarts it on the same port: the updates
// in flight on it get no answer, and the people post them again.
type Killer struct {
	f    *Fleet
	i    int
	at   int
	once sync.Once
	wg   sync.WaitGroup // the kill and the restart

	// Set by the kill, read after Wait.
	fired bool
	down  time.Duration // from the kill to the restarted instance's ready
	err   error
}

// KillAt returns a Killer of instance i at the at-th answered update. Pass
// its OnStep to Options.OnStep, and call Wait after the drive.
func (f *Fleet) KillAt(i, at int) *Killer { return &Killer{f: f, i: i, at: at} }

// OnStep kills the instance, once, when answered reaches the mark; the
// kill and the restart run on a goroutine of their own, which Wait waits
// for.
func (k *Killer) OnStep(answered int) {
	if answered < k.at {
		return
	}
	k.once.Do(func() {
		k.wg.Go(func() {
			k.fired = true
			start := time.Now()
			k.f.Kill(k.i)
			// Bounded by the start-up wait: OnStep has no context.
			k.err = k.f.Restart(context.Background(), k.i)
			k.down = time.Since(start)
		})
	})
}

// Wait waits for the kill and the restart, if they happened, and reports
// whether they did, how long the instance was down, and whether it came
// back.
func (k *Killer) Wait() (fired bool, down time.Duration, err error) {
	k.wg.Wait()
	return k.fired, k.down, k.err
}
