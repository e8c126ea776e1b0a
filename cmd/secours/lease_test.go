package main

import (
	"bytes"
	"context"
	"crypto/rand"
	"errors"
	"regexp"
	"strings"
	"testing"
	"time"

	goredis "github.com/redis/go-redis/v9"

	"github.com/secours/secours/bot/telegram/telegramtest"
	"github.com/secours/secours/store/redis"
	"github.com/secours/secours/store/storetest"
)

func TestPollLeaseName(t *testing.T) {
	const token = "123456:AAE-secret_token"
	name := pollLeaseName(token)
	if !regexp.MustCompile(`^poll:\{[0-9a-f]{16}\}$`).MatchString(name) {
		t.Errorf("pollLeaseName = %q, want poll:{<16 hex>}", name)
	}
	if strings.Contains(name, "secret") || strings.Contains(name, "123456") {
		t.Errorf("pollLeaseName = %q shows the token", name)
	}
	if pollLeaseName(token+"x") == name {
		t.Error("two tokens share a lease name")
	}
}

// pollingConfig is a polling instance on the fake, sharing Redis under
// prefix, with a lease of the given TTL.
func pollingConfig(t *testing.T, srv *telegramtest.Server, redisURL, prefix string, lease time.Duration) Config {
	t.Helper()
	cfg, err := parseConfig([]string{"-http-addr", "127.0.0.1:0", "-outbox", t.TempDir()}, envOf(map[string]string{
		"TELEGRAM_BOT_TOKEN": srv.Token, "TELEGRAM_API_URL": srv.URL,
		"REDIS_URL": redisURL, "REDIS_PREFIX": prefix,
	}), &bytes.Buffer{})
	if err != nil {
		t.Fatal(err)
	}
	cfg.Telegram.pollLease = lease
	return cfg
}

func testPrefix() string { return "secours-test-" + strings.ToLower(rand.Text()[:12]) }

// TestSecondPollerRefused starts two instances polling the same bot on
// one Redis: the second stops at start-up and says to use the webhook; the
// first goes on answering; once it stops, a new one polls at once.
func TestSecondPollerRefused(t *testing.T) {
	u := storetest.RedisURL(t)
	srv := telegramtest.New(telegramtest.Options{})
	defer srv.Close()
	prefix := testPrefix()

	// The instances that should get the lease hold it long: one that
	// waited for it to expire would time the test out. The refused one
	// waits 300 ms for it.
	_, stop := startServe(t, pollingConfig(t, srv, u, prefix, time.Minute))
	// The fake records a getUpdates when it answers: wait for an answer.
	srv.Text(61, "fr", "/start")
	waitFor(t, "the first instance to poll", func() bool { return len(srv.Sent(61)) >= 2 })
	deletes := len(srv.CallsTo("deleteWebhook"))

	second := &lockedBuffer{}
	start := time.Now()
	err := serve(t.Context(), pollingConfig(t, srv, u, prefix, 300*time.Millisecond), strings.NewReader(""), &bytes.Buffer{}, second)
	if !errors.Is(err, errPollHeld) {
		t.Fatalf("second instance: serve = %v, want %v", err, errPollHeld)
	}
	for _, want := range []string{"another Secours instance already polls this Telegram bot", "TELEGRAM_WEBHOOK_URL"} {
		if !strings.Contains(err.Error(), want) {
			t.Errorf("error %q does not say %q", err, want)
		}
	}
	// It waited once for a crashed holder's lease to run out, no longer.
	if d := time.Since(start); d < 300*time.Millisecond || d > 5*time.Second {
		t.Errorf("refused after %s, want about one lease TTL (300ms)", d)
	}
	if n := len(srv.CallsTo("deleteWebhook")); n != deletes {
		t.Errorf("the refused instance changed the bot's settings (%d deleteWebhook calls, want %d)", n, deletes)
	}
	if logs := second.String(); strings.Contains(logs, srv.Token) {
		t.Errorf("logs hold the token:\n%s", logs)
	}

	srv.Text(62, "fr", "/start")
	waitFor(t, "the first instance's answer after the refusal", func() bool { return len(srv.Sent(62)) >= 2 })
	stop()

	// The stop released the lease: the next instance polls at once
	// rather than a minute later, when the lease would expire.
	_, stop3 := startServe(t, pollingConfig(t, srv, u, prefix, time.Minute))
	srv.Text(63, "fr", "/start")
	waitFor(t, "a new instance's answer", func() bool { return len(srv.Sent(63)) >= 2 })
	stop3()
}

// TestPollLeaseLost takes the lease away from a polling instance: it
// stops polling and serve ends with an error that says why.
func TestPollLeaseLost(t *testing.T) {
	u := storetest.RedisURL(t)
	srv := telegramtest.New(telegramtest.Options{})
	defer srv.Close()
	prefix := testPrefix()

	ctx, cancel := context.WithCancel(context.Background())
	defer cancel()
	errc := make(chan error, 1)
	go func() {
		errc <- serve(ctx, pollingConfig(t, srv, u, prefix, 300*time.Millisecond), strings.NewReader(""), &bytes.Buffer{}, &lockedBuffer{})
	}()
	srv.Text(64, "fr", "/start")
	waitFor(t, "the instance to poll", func() bool { return len(srv.Sent(64)) >= 2 })

	o, err := redis.ParseURL(u)
	if err != nil {
		t.Fatal(err)
	}
	c := goredis.NewUniversalClient(o)
	defer c.Close()
	key := prefix + ":" + pollLeaseName(srv.Token)
	if n, err := c.Del(t.Context(), key).Result(); err != nil || n != 1 {
		t.Fatalf("DEL %s = %d, %v; want the lease key", key, n, err)
	}
	select {
	case err := <-errc:
		if !errors.Is(err, errPollLost) {
			t.Fatalf("serve = %v, want %v", err, errPollLost)
		}
	case <-time.After(5 * time.Second):
		t.Fatal("still polling 5 s after the lease was lost")
	}
	// The lost lease was not put back by the release.
	if n, err := c.Exists(t.Context(), key).Result(); err != nil || n != 0 {
		t.Errorf("lease key exists after the instance stopped (%d, %v)", n, err)
	}
}
