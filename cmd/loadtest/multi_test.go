package main

import (
	"bytes"
	"runtime"
	"strings"
	"testing"
	"time"

	"github.com/secours/secours/store/redis/redistest"
)

// TestShortFleet is the short form of the multi-process mode, for CI: the
// secours binary, one process then three on Redis, 300 people, and one
// process SIGKILLed halfway through and restarted, under CPU pressure (two
// busy-looping neighbours per CPU: a busy machine, where steps once failed
// on client-side Redis deadlines while Redis itself was fast). Nobody may
// get stuck or lose a step, no step may be applied twice, and the updates
// the killed process had in flight must have been posted again.
func TestShortFleet(t *testing.T) {
	if testing.Short() {
		t.Skip("starts real processes")
	}
	c := config{users: 300, cpus: 2, think: 20 * time.Millisecond, ramp: time.Second, stepTimeout: 30 * time.Second,
		timeout: 2 * time.Minute, redisURL: redistest.URL(t), instances: 3, kill: true, dupEvery: 10,
		retry: 6 * time.Second, logLevel: "warn", splitCPUs: true, busy: 2 * runtime.NumCPU()}
	var progress bytes.Buffer
	runs, err := measureFleet(t.Context(), c, &progress)
	var out bytes.Buffer
	reportFleet(&out, c, runs)
	t.Log("\n" + out.String())
	if err != nil {
		t.Fatal(err)
	}
	if len(runs) != 2 {
		t.Fatalf("%d runs, want one instance then three", len(runs))
	}
	for _, r := range runs {
		if !r.OK() {
			t.Errorf("%d instance(s): %d of %d people completed, %d stuck, %d 5xx: %v", r.instances, r.Completed, r.Users, r.Stuck, r.Status5xx, r.Errs)
		}
		if r.cpu <= 0 {
			t.Errorf("%d instance(s): no CPU time counted", r.instances)
		}
	}
	if k := runs[1]; k.kill == nil || k.Retried == 0 {
		t.Errorf("the kill left no update to post again (kill %+v, %d retried)", k.kill, k.Retried)
	}
	// An update saved just before the kill and posted again 6 s later is
	// answered with the open question: nobody has to tap twice.
	if k := runs[1]; k.Nudges != 0 || k.PlacesLost != 0 {
		t.Errorf("%d people had to send an answer again, %d lost their place list", k.Nudges, k.PlacesLost)
	}
	for _, want := range []string{"3 vs 1 instance: CPU/update ×", "SIGKILLed at update", "under CPU pressure"} {
		if !strings.Contains(out.String(), want) {
			t.Errorf("report lacks %q", want)
		}
	}
}
