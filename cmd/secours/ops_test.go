package main

import (
	"net/http"
	"os"
	"os/exec"
	"regexp"
	"slices"
	"strings"
	"syscall"
	"testing"
	"time"

	"github.com/secours/secours/bot/telegram/telegramtest"
	"github.com/secours/secours/internal/testkit"
)

// TestServeMetrics runs the service on a fake Telegram, has one person
// talk, and reads /metrics: the counters moved, and no label holds the
// chat id.
func TestServeMetrics(t *testing.T) {
	tg := telegramtest.New(telegramtest.Options{})
	defer tg.Close()
	addr := testkit.FreeAddr(t)
	cfg := telegramConfig(t, tg, []string{"-http-addr", addr}, map[string]string{"OUTBOX_DIR": t.TempDir()})
	_, stop := startServe(t, cfg)
	const chat = 987654321
	for _, a := range []string{"/start", "1", "2", "1", "4", "1", "1", "3", "3", "1", "1", "1", "59000"} {
		before := len(tg.Sent(chat))
		tg.Text(chat, "fr", a)
		testkit.WaitFor(t, "the answer to "+a, func() bool { return len(tg.Sent(chat)) > before })
	}
	// A reply of several messages can satisfy the wait above before the
	// next update is handled: wait for the counts themselves.
	wants := []string{
		`secours_updates_total{channel="tg",kind="command"} 1`,
		`secours_updates_total{channel="tg",kind="text"} 12`,
		`secours_step_seconds_count{channel="tg"} 13`,
		`secours_profiles_total{profile="proche_autonomie"} 1`,
		`process_cpu_seconds_total`,
	}
	var body string
	for deadline := time.Now().Add(20 * time.Second); ; time.Sleep(20 * time.Millisecond) {
		body = testkit.Get(t, "http://"+addr+"/metrics")
		missing := slices.DeleteFunc(slices.Clone(wants), func(w string) bool { return strings.Contains(body, w) })
		if len(missing) == 0 {
			break
		}
		if time.Now().After(deadline) {
			t.Fatalf("/metrics lacks %q; our metrics:\n%s", missing, secoursLines(body))
		}
	}
	if regexp.MustCompile(`\{[^}]*987654321`).MatchString(body) {
		t.Errorf("a label holds the chat id")
	}
	if regexp.MustCompile(`\{[^}]*(59000|Lille)`).MatchString(body) {
		t.Errorf("a label holds the postcode or the commune")
	}
	if testkit.Get(t, "http://"+addr+"/readyz") != "ready\n" {
		t.Errorf("/readyz not ready with Telegram set up and the memory store")
	}
	stop()
}

// TestSIGTERM stops the real binary with SIGTERM while it serves Telegram
// and the pages: it drains and exits 0 well within the drain limit.
func TestSIGTERM(t *testing.T) {
	bin := buildBinary(t)
	tg := telegramtest.New(telegramtest.Options{})
	defer tg.Close()
	addr := testkit.FreeAddr(t)
	cmd := exec.Command(bin, "-http-addr", addr)
	cmd.Env = append(os.Environ(), "TELEGRAM_BOT_TOKEN="+tg.Token, "TELEGRAM_API_URL="+tg.URL,
		"OUTBOX_DIR="+t.TempDir(), "REDIS_URL=", "LOG_FORMAT=json")
	var stderr testkit.SyncBuffer
	cmd.Stderr = &stderr
	if err := cmd.Start(); err != nil {
		t.Fatal(err)
	}
	defer cmd.Process.Kill()
	testkit.WaitFor(t, "/healthz", func() bool {
		resp, err := http.Get("http://" + addr + "/healthz")
		if err != nil {
			return false
		}
		resp.Body.Close()
		return resp.StatusCode == 200
	})
	tg.Text(555, "fr", "/start")
	testkit.WaitFor(t, "the welcome", func() bool { return len(tg.Sent(555)) >= 1 })
	start := time.Now()
	if err := cmd.Process.Signal(syscall.SIGTERM); err != nil {
		t.Fatal(err)
	}
	exited, err := waitExit(cmd, drainLimit)
	if !exited {
		t.Fatalf("still running %s after SIGTERM", drainLimit)
	}
	if err != nil {
		t.Errorf("exit after SIGTERM: %v\n%s", err, stderr.String())
	}
	t.Logf("stopped in %s", time.Since(start).Round(time.Millisecond))
	if tg.Pending() != 0 {
		t.Errorf("%d updates left unconfirmed", tg.Pending())
	}
}

// secoursLines keeps the lines of our own metrics, for a failure's log.
func secoursLines(body string) string {
	var b strings.Builder
	for line := range strings.Lines(body) {
		if strings.HasPrefix(line, "secours_") && !strings.Contains(line, "_bucket") {
			b.WriteString(line)
		}
	}
	return b.String()
}
