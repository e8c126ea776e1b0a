package main

import (
	"bytes"
	"strings"
	"testing"
	"time"

	"github.com/secours/secours/store/redis/redistest"
)

// short is a short run: 50 people, quick answers.
func short() config {
	return config{users: 50, cpus: 2, think: 20 * time.Millisecond, ramp: time.Second, stepTimeout: 20 * time.Second, timeout: 2 * time.Minute}
}

// measured runs c in process and logs its report, which it returns.
func measured(t *testing.T, c config) ([]namedResult, string) {
	t.Helper()
	var progress bytes.Buffer
	runs, err := measure(t.Context(), c, &progress)
	if err != nil {
		t.Fatal(err)
	}
	var out bytes.Buffer
	report(&out, c, runs)
	t.Log("\n" + out.String())
	return runs, out.String()
}

// checkAllReached fails unless every user of every run reached the place
// list.
func checkAllReached(t *testing.T, c config) {
	t.Helper()
	runs, _ := measured(t, c)
	if len(runs) == 0 {
		t.Fatal("no run")
	}
	for _, r := range runs {
		if r.reached != r.users || r.stuck != 0 {
			t.Errorf("%s: %d of %d users reached the place list, %d stuck: %v", r.store, r.reached, r.users, r.stuck, r.errs)
		}
		if want := r.users * 13; r.updates < want {
			t.Errorf("%s: %d updates handled, want at least %d", r.store, r.updates, want)
		}
	}
}

// TestShort runs 50 people through whole conversations with the memory
// store and asserts that every one reached the place list.
func TestShort(t *testing.T) {
	checkAllReached(t, short())
}

// TestShortRedis is TestShort with Redis (REDIS_URL, or a private
// redis-server; never a skip in CI).
func TestShortRedis(t *testing.T) {
	c := short()
	c.redisURL, c.skipMemory = redistest.URL(t), true
	checkAllReached(t, c)
}

// TestShortFlood runs 100 people, then the same 100 with one more chat
// sending 1,000 messages at once halfway through: everyone still reaches
// the end, and the flooding chat gets a few answers, not 1,000. The
// others' p99 with vs without the flood is in the report (a ratio, not a
// pass mark: this machine is shared).
func TestShortFlood(t *testing.T) {
	c := short()
	c.users, c.flood = 100, 1000
	runs, out := measured(t, c)
	if len(runs) != 2 || runs[0].flood != 0 || runs[1].flood != 1000 {
		t.Fatalf("runs %+v, want one without the flood and one with it", runs)
	}
	for _, r := range runs {
		if r.reached != r.users || r.stuck != 0 {
			t.Errorf("flood %d: %d of %d users reached the place list, %d stuck: %v", r.flood, r.reached, r.users, r.stuck, r.errs)
		}
	}
	if n := runs[1].floodHandled; n < 1 || n > 250 {
		t.Errorf("%d of the flood's 1,000 messages answered: want a few, the rest dropped", n)
	}
	if !strings.Contains(out, "with vs without the flood, as they see it: p50 ×") {
		t.Error("the report lacks the ratio with vs without the flood")
	}
}

func TestFlagsBounded(t *testing.T) {
	for _, args := range [][]string{{"-users", "0"}, {"-users", "1000000"}, {"-timeout", "3h"}, {"-skip-memory"}, {"-ramp", "-1s"},
		{"-instances", "3"}, {"-kill"}, {"-bin", "/bin/true"}, {"-instances", "99", "-redis-url", "redis://127.0.0.1:1"},
		{"-instances", "3", "-redis-url", "redis://127.0.0.1:1", "-dup", "-1"}, {"-flood", "-1"},
		{"-flood", "10", "-instances", "3", "-redis-url", "redis://127.0.0.1:1"}} {
		var errb bytes.Buffer
		if code := run(args, &bytes.Buffer{}, &errb, func(string) string { return "" }); code != 2 {
			t.Errorf("%v: exit %d, want 2", args, code)
		}
	}
}

// TestNoPasswordPrinted: -h shows -redis-url's default, REDIS_URL, and a
// bad flag prints the usage too; neither may show its password.
func TestNoPasswordPrinted(t *testing.T) {
	const pw = "pw-5f3a9c"
	env := func(k string) string {
		if k == "REDIS_URL" {
			return "redis://u:" + pw + "@h/0"
		}
		return ""
	}
	for _, args := range [][]string{{"-h"}, {"-nope"}, {"-users", "0"}} {
		var out, errb bytes.Buffer
		run(args, &out, &errb, env)
		if got := out.String() + errb.String(); strings.Contains(got, pw) || !strings.Contains(got, "redis://u:xxxxx@h/0") && args[0] != "-users" {
			t.Errorf("%v printed %q: want the URL with its password redacted", args, got)
		}
	}
}

// TestShortBaseline runs the zero-work bot before Secours with the same
// people: everyone gets every reply from both, with as many updates, and
// the report gives Secours' figures as ratios to it.
func TestShortBaseline(t *testing.T) {
	c := short()
	c.baseline = true
	runs, out := measured(t, c)
	if len(runs) != 2 || runs[0].store != baselineStore {
		t.Fatalf("runs %v, want the zero-work bot then memory", runs)
	}
	for _, r := range runs {
		if r.reached != r.users || r.stuck != 0 {
			t.Errorf("%s: %d of %d users ended, %d stuck: %v", r.store, r.reached, r.users, r.stuck, r.errs)
		}
		if r.cpu <= 0 {
			t.Errorf("%s: no CPU time measured", r.store)
		}
	}
	if runs[0].updates != runs[1].updates {
		t.Errorf("zero-work bot answered %d updates, Secours %d: the people must send as many", runs[0].updates, runs[1].updates)
	}
	if !strings.Contains(out, "memory ÷ zero-work bot: seen p50 ×") {
		t.Errorf("no ratio to the zero-work bot in the report")
	}
}
