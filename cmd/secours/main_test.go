package main

import (
	"bytes"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"sync"
	"testing"
)

func envOf(m map[string]string) func(string) string {
	return func(k string) string { return m[k] }
}

func TestConfigErrorsReportedTogether(t *testing.T) {
	var stderr bytes.Buffer
	code := run([]string{"-session-ttl", "soon", "-log-level", "loud"}, strings.NewReader(""), &bytes.Buffer{}, &stderr,
		envOf(map[string]string{"SECOURS_LANG": "de", "REDIS_WAIT": "-1s", "TRUSTED_PROXIES": "127.0.0.1,caddy"}))
	if code != 2 {
		t.Fatalf("exit %d, want 2", code)
	}
	for _, name := range []string{"SESSION_TTL", "LOG_LEVEL", "SECOURS_LANG", "REDIS_WAIT", "TRUSTED_PROXIES"} {
		if !strings.Contains(stderr.String(), name) {
			t.Errorf("error does not name %s:\n%s", name, stderr.String())
		}
	}
}

// TestServiceConfigErrorsReportedTogether: the mistakes of a first
// deployment (a mistyped URL, a channel asked for without its token, a
// secret file that cannot be read) come in one message, each with its
// variable, before anything starts; no secret is echoed.
func TestServiceConfigErrorsReportedTogether(t *testing.T) {
	var stderr bytes.Buffer
	code := run([]string{"-telegram-webhook-secret-file", filepath.Join(t.TempDir(), "missing")}, strings.NewReader(""), &bytes.Buffer{}, &stderr,
		envOf(map[string]string{
			"REDIS_URL":            "rediss://:s3cret@redis.example:6379/zero",
			"SMTP_URL":             "smpt://user:hunter2@mail.example:587",
			"TELEGRAM_WEBHOOK_URL": "https://bot.example/telegram",
			"BASE_URL":             "bot.example",
			"WHATSAPP_DB":          filepath.Join(t.TempDir(), "no", "such", "wa.db"),
		}))
	if code != 2 {
		t.Fatalf("exit %d, want 2:\n%s", code, stderr.String())
	}
	for _, name := range []string{"REDIS_URL", "SMTP_URL", "TELEGRAM_WEBHOOK_URL", "TELEGRAM_BOT_TOKEN", "-telegram-webhook-secret-file", "BASE_URL", "WHATSAPP_DB"} {
		if !strings.Contains(stderr.String(), name) {
			t.Errorf("error does not name %s:\n%s", name, stderr.String())
		}
	}
	for _, secret := range []string{"s3cret", "hunter2"} {
		if strings.Contains(stderr.String(), secret) {
			t.Errorf("error shows a password:\n%s", stderr.String())
		}
	}
}

func TestFlagsWinOverEnv(t *testing.T) {
	c, err := parseConfig([]string{"-lang", "fr"}, envOf(map[string]string{"SECOURS_LANG": "nl", "SESSION_TTL": "1h"}), &bytes.Buffer{})
	if err != nil {
		t.Fatal(err)
	}
	if c.Lang != "fr" || c.SessionTTL.String() != "1h0m0s" {
		t.Errorf("config = %+v", c)
	}
}

func TestHelpExplains(t *testing.T) {
	var stderr bytes.Buffer
	if code := run([]string{"-h"}, strings.NewReader(""), &bytes.Buffer{}, &stderr, envOf(nil)); code != 0 {
		t.Fatalf("exit %d", code)
	}
	for _, want := range []string{"secours places", "secours diagnose", "REDIS_URL", "SESSION_TTL", "-redis-url"} {
		if !strings.Contains(stderr.String(), want) {
			t.Errorf("-h does not mention %q", want)
		}
	}
}

func TestUnreachableRedisFailsClearly(t *testing.T) {
	var stderr bytes.Buffer
	// A line of input: with none, the missing channel is the error.
	code := run(nil, strings.NewReader("1\n"), &bytes.Buffer{}, &stderr,
		envOf(map[string]string{"REDIS_URL": "redis://:s3cret@127.0.0.1:1/0"}))
	if code == 0 {
		t.Fatal("started with an unreachable Redis")
	}
	if !strings.Contains(stderr.String(), "127.0.0.1:1") || strings.Contains(stderr.String(), "s3cret") {
		t.Errorf("error should name the address and hide the password:\n%s", stderr.String())
	}
}

// TestPipedConversation runs the terminal chat on embedded defaults with a
// scripted conversation, as the README's first command does, while that
// command runs in another terminal and holds its port: a test binds a
// port of the system's choosing, never a fixed one.
func TestPipedConversation(t *testing.T) {
	holdDefaultPort(t)
	in := strings.Join([]string{"1", "2", "1", "1", "2", "2", "2", "2", "2", "1", "1", "59000", "1", "2"}, "\n") + "\n"
	var stdout, stderr bytes.Buffer
	if code := run(nil, strings.NewReader(in), &stdout, &stderr, envOf(map[string]string{"HTTP_ADDR": "127.0.0.1:0"})); code != 0 {
		t.Fatalf("exit %d: %s", code, stderr.String())
	}
	out := stdout.String()
	for _, want := range []string{"Bonjour, je suis Secours", "> 59000", "🏢", "Voulez-vous que", "rien n'est envoyé"} {
		if !strings.Contains(out, want) {
			t.Errorf("output lacks %q:\n%s", want, out)
		}
	}
	if stderr.Len() != 0 {
		t.Errorf("terminal chat wrote logs at default level:\n%s", stderr.String())
	}
}

// binary is the command, built once per test process.
var binary = sync.OnceValues(func() (string, error) {
	dir, err := os.MkdirTemp("", "secours-bin")
	if err != nil {
		return "", err
	}
	bin := filepath.Join(dir, "secours")
	if out, err := exec.Command("go", "build", "-o", bin, ".").CombinedOutput(); err != nil {
		return "", fmt.Errorf("go build: %w\n%s", err, out)
	}
	return bin, nil
})

// buildBinary returns the built command; a failed build fails tb.
func buildBinary(tb testing.TB) string {
	tb.Helper()
	bin, err := binary()
	if err != nil {
		tb.Fatal(err)
	}
	return bin
}

// BenchmarkStartup runs the real binary with one line of input: it loads
// every embedded catalogue and place, shows its first message, answers
// the line and exits. The baseline is the same binary printing its help,
// which loads no data.
func BenchmarkStartup(b *testing.B) {
	bin := buildBinary(b)
	b.Run("first_message", func(b *testing.B) {
		for b.Loop() {
			cmd := exec.Command(bin)
			cmd.Env = []string{"HTTP_ADDR=127.0.0.1:0"} // never a fixed port
			cmd.Stdin = strings.NewReader("1\n")
			out, err := cmd.Output()
			if err != nil || !bytes.Contains(out, []byte("Secours")) {
				b.Fatalf("%v: %s", err, out)
			}
		}
	})
	b.Run("baseline_help", func(b *testing.B) {
		for b.Loop() {
			if err := exec.Command(bin, "-h").Run(); err != nil {
				b.Fatal(err)
			}
		}
	})
}
