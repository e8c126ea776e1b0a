package main

import (
	"bytes"
	"context"
	"errors"
	"io"
	"os/exec"
	"path/filepath"
	"regexp"
	"runtime"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/secours/secours/store/redis/redistest"
)

// fleetPeople and fleetBusy size the CI form: 2,000 people answering at
// once, four busy-looping neighbours per CPU during the run with the kill.
// On a 2-core machine this is the smallest size found where the old
// runner (all its steps at once, before bot.Runner.Steps) loses
// conversations (1,243 of 2,000 in one run) and the fixed one none, once
// a copy of an update that waited its turn is no longer answered twice
// (flows.Msg.Waited); docs/operations.md has the figures. About a minute.
const fleetPeople = 2000

func fleetBusy() int { return 4 * runtime.NumCPU() }

// TestShortFleet is the short form of the multi-process mode, for CI: the
// load tool and the secours binary, both built without the race detector
// (in the driver, the people and the fake Bot API, it would slow the
// posts and change their timing), one process then three on Redis, and
// one process SIGKILLed halfway through and restarted while busy-looping
// neighbours take the CPUs from every process, each process on its share
// of the CPUs (GOMAXPROCS 1 on two cores), as on the busy machine where
// steps once failed on client-side Redis deadlines while Redis itself was
// fast. Nobody may get stuck or lose a step, no step may be applied
// twice, and the updates the killed process had in flight must have been
// posted again. A failed run keeps the processes' logs, and the report
// (in the test's log) says where.
func TestShortFleet(t *testing.T) {
	report, err := runLoadtest(t, 5*time.Minute, "-instances", "3", "-kill", "-busy", strconv.Itoa(fleetBusy()),
		"-users", strconv.Itoa(fleetPeople), "-think", "20ms", "-ramp", "1s", "-dup", "10", "-retry", "6s",
		"-step-timeout", "30s", "-timeout", "3m", "-log-level", "warn")
	var exit *exec.ExitError
	if errors.As(err, &exit) {
		t.Fatalf("loadtest exited %d: someone got stuck, lost a step or got one twice (report above)", exit.ExitCode())
	}
	if err != nil {
		t.Fatal(err)
	}
	checkFleetReport(t, report)
}

// runLoadtest builds the load tool and the secours binary (without the
// race detector: build), runs the tool with args on Redis (-bin and
// -redis-url added) within timeout, and logs what it printed. It returns
// the report (its stdout) and how the run ended; the test judges both.
func runLoadtest(t *testing.T, timeout time.Duration, args ...string) (report string, err error) {
	t.Helper()
	if testing.Short() {
		t.Skip("starts real processes")
	}
	redisURL := redistest.URL(t)
	dir := t.TempDir()
	ctx, cancel := context.WithTimeout(t.Context(), timeout)
	defer cancel()
	loadtest, secours := filepath.Join(dir, "loadtest"), filepath.Join(dir, "secours")
	for pkg, bin := range map[string]string{"github.com/secours/secours/cmd/loadtest": loadtest, "github.com/secours/secours/cmd/secours": secours} {
		if err := build(ctx, pkg, bin); err != nil {
			t.Fatal(err)
		}
	}
	start := time.Now()
	cmd := exec.CommandContext(ctx, loadtest, append(args, "-bin", secours, "-redis-url", redisURL)...)
	var out, errb bytes.Buffer
	cmd.Stdout, cmd.Stderr = &out, &errb
	err = cmd.Run()
	t.Logf("%s\n%s%s", time.Since(start).Round(time.Second), out.String(), errb.String())
	return out.String(), err
}

var (
	fleetRow  = regexp.MustCompile(`(?m)^([13]) +\d+ +\d+ +\d+ +\d+ +\d+ +\S+ +\S+ +\S+ +(\S+) +\d+ +\d+$`)
	retriedRe = regexp.MustCompile(`SIGKILLed at update \d+, ready again \S+ later; \d+ requests unanswered, (\d+) updates posted again`)
)

// checkFleetReport checks what the exit status does not say: both runs
// reported, with CPU time counted, the kill under pressure, updates
// posted again after it, and nobody who had to send an answer twice.
func checkFleetReport(t *testing.T, report string) {
	t.Helper()
	checkFleetRuns(t, report)
	for _, want := range []string{"3 vs 1 instance: CPU/update ×", "SIGKILLed at update", "under CPU pressure: " + strconv.Itoa(fleetBusy()) + " busy-looping"} {
		if !strings.Contains(report, want) {
			t.Errorf("report lacks %q", want)
		}
	}
}

// checkFleetRuns checks what both channels' fleet reports must say: one
// process then three, CPU time counted for each, messages posted again
// after the kill, and nobody who had to send an answer twice (a message
// saved just before the kill and posted again 6 s later is answered with
// the open question).
func checkFleetRuns(t *testing.T, report string) {
	t.Helper()
	rows := fleetRow.FindAllStringSubmatch(report, -1)
	if len(rows) != 2 || rows[0][1] != "1" || rows[1][1] != "3" {
		t.Fatalf("report rows %q, want one instance then three", rows)
	}
	for _, r := range rows {
		if r[2] == "0s" {
			t.Errorf("%s instance(s): no CPU time counted", r[1])
		}
	}
	if m := retriedRe.FindStringSubmatch(report); m == nil || m[1] == "0" {
		t.Errorf("the kill left no message to post again (%q)", m)
	}
	for _, bad := range []string{"replies lost:", "failed:"} {
		if strings.Contains(report, bad) {
			t.Errorf("report has %q", bad)
		}
	}
}

// TestShortFleetCloud is the multi-process mode on the WhatsApp Cloud
// API, small enough for CI: 60 people on the fake Cloud API, one process
// then three on Redis behind the rotator, one message in ten posted again
// after its 200, one process SIGKILLed halfway and restarted. Nobody may
// get stuck or lose a step, no step may be applied twice, and the
// messages the killed process had in flight must have been posted again.
func TestShortFleetCloud(t *testing.T) {
	report, err := runLoadtest(t, 3*time.Minute, "-channel", "wacloud", "-instances", "3", "-kill",
		"-users", "60", "-think", "20ms", "-ramp", "1s", "-dup", "10", "-retry", "6s",
		"-step-timeout", "30s", "-timeout", "2m", "-log-level", "warn")
	if err != nil {
		t.Fatalf("loadtest: %v (someone got stuck, lost a step or got one twice: report above)", err)
	}
	checkFleetRuns(t, report)
	if !strings.Contains(report, "fake WhatsApp Cloud API") {
		t.Error("the report does not name the Cloud API")
	}
}

// TestChannelFlag: -channel is telegram or wacloud, and wacloud runs the
// processes only.
func TestChannelFlag(t *testing.T) {
	for _, tt := range []struct {
		args []string
		bad  bool
	}{
		{args: nil},
		{args: []string{"-channel", "wacloud", "-instances", "2", "-redis-url", "redis://127.0.0.1:1/0"}},
		{args: []string{"-channel", "wacloud"}, bad: true},
		{args: []string{"-channel", "sms"}, bad: true},
	} {
		_, err := parse(tt.args, io.Discard, func(string) string { return "" })
		if (err != nil) != tt.bad || (tt.bad && !strings.Contains(err.Error(), "-channel")) {
			t.Errorf("%v: %v", tt.args, err)
		}
	}
}
