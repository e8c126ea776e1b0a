package main

import (
	"bytes"
	"context"
	"errors"
	"strings"
	"testing"
	"time"

	goredis "github.com/redis/go-redis/v9"

	"github.com/secours/secours/bot/telegram"
	"github.com/secours/secours/bot/telegram/telegramtest"
	"github.com/secours/secours/internal/testkit"
	"github.com/secours/secours/store/redis"
	"github.com/secours/secours/store/redis/redistest"
)

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
	cfg.Telegram.PollLease = lease
	return cfg
}

// TestSecondPollerRefused starts two instances polling the same bot on
// one Redis: the second stops at start-up and says to use the webhook; the
// first goes on answering; once it stops, a new one polls at once.
func TestSecondPollerRefused(t *testing.T) {
	u, prefix := redistest.New(t)
	srv := telegramtest.New(telegramtest.Options{})
	defer srv.Close()

	// The instances that should get the lease hold it long: one that
	// waited for it to expire would time the test out. The refused one
	// waits 300 ms for it.
	_, stop := startServe(t, pollingConfig(t, srv, u, prefix, time.Minute))
	// The fake records a getUpdates when it answers: wait for an answer.
	srv.Text(61, "fr", "/start")
	testkit.WaitFor(t, "the first instance to poll", func() bool { return len(srv.Sent(61)) >= 2 })
	deletes := len(srv.CallsTo("deleteWebhook"))

	second := &testkit.SyncBuffer{}
	start := time.Now()
	err := serve(t.Context(), pollingConfig(t, srv, u, prefix, 300*time.Millisecond), strings.NewReader(""), &bytes.Buffer{}, second)
	if !errors.Is(err, telegram.ErrPollHeld) {
		t.Fatalf("second instance: serve = %v, want %v", err, telegram.ErrPollHeld)
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
	testkit.WaitFor(t, "the first instance's answer after the refusal", func() bool { return len(srv.Sent(62)) >= 2 })
	stop()

	// The stop released the lease: the next instance polls at once
	// rather than a minute later, when the lease would expire.
	_, stop3 := startServe(t, pollingConfig(t, srv, u, prefix, time.Minute))
	srv.Text(63, "fr", "/start")
	testkit.WaitFor(t, "a new instance's answer", func() bool { return len(srv.Sent(63)) >= 2 })
	stop3()
}

// TestPollLeaseLost gives the lease to another owner behind a polling
// instance's back: it stops polling and serve ends with an error that
// says why, once the other owner kept it past one TTL.
func TestPollLeaseLost(t *testing.T) {
	u, prefix := redistest.New(t)
	srv := telegramtest.New(telegramtest.Options{})
	defer srv.Close()

	ctx, cancel := context.WithCancel(context.Background())
	defer cancel()
	errc := goServe(ctx, pollingConfig(t, srv, u, prefix, 300*time.Millisecond), &testkit.SyncBuffer{})
	srv.Text(64, "fr", "/start")
	testkit.WaitFor(t, "the instance to poll", func() bool { return len(srv.Sent(64)) >= 2 })

	o, err := redis.ParseURL(u)
	if err != nil {
		t.Fatal(err)
	}
	c := goredis.NewUniversalClient(o)
	defer c.Close()
	key := prefix + ":" + telegram.PollLeaseName(srv.Token)
	if err := c.Set(t.Context(), key, "another-owner", time.Minute).Err(); err != nil {
		t.Fatalf("SET %s: %v", key, err)
	}
	if err := serveResult(t, errc, 10*time.Second); !errors.Is(err, telegram.ErrPollLost) {
		t.Fatalf("serve = %v, want %v", err, telegram.ErrPollLost)
	}
	// The other owner's lease was left alone.
	if got, err := c.Get(t.Context(), key).Result(); err != nil || got != "another-owner" {
		t.Errorf("lease key holds %q (%v) after the instance stopped, want the other owner's", got, err)
	}
}

// TestPollingSurvivesRedisOutage kills the Redis of a polling instance,
// keeps it down past the polling lease's TTL, then starts it again,
// empty, on the same port: the instance pauses polling rather than exit,
// takes the lease again and resumes, and the message sent during the
// outage is answered.
func TestPollingSurvivesRedisOutage(t *testing.T) {
	rd := redistest.NewServer(t, "") // killed and started again: never the shared Redis
	srv := telegramtest.New(telegramtest.Options{})
	defer srv.Close()
	const ttl = 600 * time.Millisecond
	cfg := pollingConfig(t, srv, rd.URL(), redistest.Prefix(), ttl)
	cfg.RedisWait = 0
	logs := &testkit.SyncBuffer{}
	ctx, cancel := context.WithCancel(context.Background())
	defer cancel()
	errc := goServe(ctx, cfg, logs)
	srv.Text(65, "fr", "/start")
	testkit.WaitFor(t, "the instance to poll", func() bool { return len(srv.Sent(65)) >= 2 })

	rd.Kill()
	during := srv.Text(66, "fr", "/start")
	// Down for several TTLs: the lease cannot be renewed, and is lost.
	testkit.WaitFor(t, "the lease to be lost", func() bool { return strings.Contains(logs.String(), "polling lease lost") })
	select {
	case err := <-errc:
		t.Fatalf("serve ended during the outage: %v", err)
	default:
	}
	rd.Start()
	srv.Text(67, "nl", "/start")
	testkit.WaitFor(t, "an answer after Redis came back", func() bool { return len(srv.Sent(67)) >= 2 })
	testkit.WaitFor(t, "an answer to the message sent during the outage", func() bool { return len(srv.Sent(66)) >= 1 })
	if !strings.Contains(logs.String(), "polling resumed") {
		t.Errorf("no line says polling resumed:\n%s", logs.String())
	}
	cancel()
	if err := serveResult(t, errc, 30*time.Second); err != nil {
		t.Errorf("serve = %v after the stop", err)
	}
	if got := srv.Offset(); got <= during {
		t.Errorf("offset %d: the update sent during the outage (%d) was never confirmed", got, during)
	}
}
