package main

import (
	"bytes"
	"context"
	"errors"
	"os"
	"os/exec"
	"path/filepath"
	"strconv"
	"strings"
	"syscall"
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
	cfg := telegramConfig(t, srv, []string{"-http-addr", "127.0.0.1:0", "-outbox", t.TempDir()},
		map[string]string{"REDIS_URL": redisURL, "REDIS_PREFIX": prefix})
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
	testkit.WaitFor(t, "the first instance to poll", func() bool { return len(srv.Sent(61)) >= 1 })
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
	testkit.WaitFor(t, "the first instance's answer after the refusal", func() bool { return len(srv.Sent(62)) >= 1 })
	stop()

	// The stop released the lease: the next instance polls at once
	// rather than a minute later, when the lease would expire.
	_, stop3 := startServe(t, pollingConfig(t, srv, u, prefix, time.Minute))
	srv.Text(63, "fr", "/start")
	testkit.WaitFor(t, "a new instance's answer", func() bool { return len(srv.Sent(63)) >= 1 })
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
	testkit.WaitFor(t, "the instance to poll", func() bool { return len(srv.Sent(64)) >= 1 })

	c := redisClient(t, u)
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
	testkit.WaitFor(t, "the instance to poll", func() bool { return len(srv.Sent(65)) >= 1 })

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
	testkit.WaitFor(t, "an answer after Redis came back", func() bool { return len(srv.Sent(67)) >= 1 })
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

// pollingBinary starts the real binary polling the fake, with extra
// environment, and returns it with its log.
func pollingBinary(t *testing.T, bin string, tg *telegramtest.Server, env ...string) (*exec.Cmd, *testkit.SyncBuffer) {
	t.Helper()
	cmd := exec.Command(bin, "-http-addr", testkit.FreeAddr(t))
	cmd.Env = append(os.Environ(), "TELEGRAM_BOT_TOKEN="+tg.Token, "TELEGRAM_API_URL="+tg.URL,
		"OUTBOX_DIR="+t.TempDir(), "REDIS_URL=", "LOG_FORMAT=json")
	cmd.Env = append(cmd.Env, env...)
	logs := &testkit.SyncBuffer{}
	cmd.Stderr = logs
	cmd.SysProcAttr = &syscall.SysProcAttr{Pdeathsig: syscall.SIGKILL}
	if err := cmd.Start(); err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { _ = cmd.Process.Kill() })
	return cmd, logs
}

// killedWhileAnswering starts the binary with env, sends /start from chat
// and kills the process with SIGKILL while the fake Bot API holds its
// answer; kept waits first for the update's confirmation (an inbox kept
// it). It returns the update's id and the killed run's log.
func killedWhileAnswering(t *testing.T, bin string, tg *telegramtest.Server, chat int64, kept bool, env ...string) (int64, *testkit.SyncBuffer) {
	t.Helper()
	release := tg.Hold("sendMessage")
	first, logs := pollingBinary(t, bin, tg, env...)
	id := tg.Text(chat, "fr", "/start")
	testkit.WaitFor(t, "the answer to be held", func() bool { return tg.Held("sendMessage") == 1 })
	if kept {
		testkit.WaitFor(t, "the kept update to be confirmed before its answer", func() bool { return tg.Offset() > id })
	}
	if err := first.Process.Kill(); err != nil {
		t.Fatal(err)
	}
	_ = first.Wait()
	// Release only once the fake has seen the held request end: released
	// before, it could still carry out the dead process's send.
	testkit.WaitFor(t, "the fake to see the killed request end", func() bool { return tg.Held("sendMessage") == 0 })
	release()
	return id, logs
}

// secondRun starts the binary again with env, waits for an answer to chat
// and stops it with SIGTERM, which must end it well. It returns its log,
// shown if the test fails.
func secondRun(t *testing.T, bin string, tg *telegramtest.Server, chat int64, env ...string) string {
	t.Helper()
	second, logs := pollingBinary(t, bin, tg, env...)
	t.Cleanup(func() {
		if t.Failed() {
			t.Logf("second run:\n%s", logs.String())
		}
	})
	testkit.WaitFor(t, "the answer from the second run", func() bool { return len(tg.Sent(chat)) >= 1 })
	if err := second.Process.Signal(syscall.SIGTERM); err != nil {
		t.Fatal(err)
	}
	if err := second.Wait(); err != nil {
		t.Errorf("second run after SIGTERM: %v\n%s", err, logs.String())
	}
	return logs.String()
}

// TestSIGKILLBeforeTheAnswer kills the real binary with SIGKILL between
// the receipt of an update and the send of its answer (the fake Bot API
// holds sendMessage), with no Redis and no usable inbox folder (a file
// stands where it should be): the update was not confirmed, so the next
// run gets it again and answers it, once.
func TestSIGKILLBeforeTheAnswer(t *testing.T) {
	bin := buildBinary(t)
	tg := telegramtest.New(telegramtest.Options{})
	defer tg.Close()
	const chat = 556
	noFolder := filepath.Join(t.TempDir(), "inbox")
	if err := os.WriteFile(noFolder, nil, 0o600); err != nil {
		t.Fatal(err)
	}
	env := "TELEGRAM_INBOX_DIR=" + noFolder
	id, firstLogs := killedWhileAnswering(t, bin, tg, chat, false, env)
	if got := tg.Offset(); got > id {
		t.Fatalf("offset %d: update %d was confirmed before its answer, and is lost", got, id)
	}
	if !strings.Contains(firstLogs.String(), "no inbox folder") {
		t.Errorf("the unusable inbox folder was not logged:\n%s", firstLogs.String())
	}

	secondRun(t, bin, tg, chat, env)
	sent := tg.Sent(chat)
	welcomes := 0
	for _, c := range sent {
		if c.Params["text"] == sent[0].Params["text"] {
			welcomes++
		}
	}
	if welcomes != 1 {
		t.Errorf("%d welcomes sent, want one: %d messages", welcomes, len(sent))
	}
	if n := tg.Pending(); n != 0 {
		t.Errorf("%d updates unconfirmed after the second run", n)
	}
}

// TestSIGKILLBeforeTheAnswerFolder is the same kill with no Redis, where
// the update is kept in the inbox folder (store/spool) and confirmed to
// Telegram at once: the next run takes it from the folder and answers it,
// once, and the folder's file is left empty.
func TestSIGKILLBeforeTheAnswerFolder(t *testing.T) {
	bin := buildBinary(t)
	tg := telegramtest.New(telegramtest.Options{})
	defer tg.Close()
	const chat = 558
	dir := filepath.Join(t.TempDir(), "inbox")
	killedWhileAnswering(t, bin, tg, chat, true, "TELEGRAM_INBOX_DIR="+dir)
	logs := secondRun(t, bin, tg, chat, "TELEGRAM_INBOX_DIR="+dir)
	// The sessions died with the first run: the copy from the folder is
	// a new conversation's /start, answered with the welcome, once.
	if sent := tg.Sent(chat); len(sent) != 1 || !strings.Contains(sent[0].Params["text"], "Bonjour") {
		t.Errorf("the second run sent %d messages, want the welcome once: %v", len(sent), sent)
	}
	if !strings.Contains(logs, "taken from the inbox") {
		t.Errorf("the second run did not say it took the update from the inbox")
	}
	files, err := filepath.Glob(filepath.Join(dir, "inbox-*.log"))
	if err != nil || len(files) != 1 {
		t.Errorf("inbox folder holds %v (%v) after the second run, want the bot's one file", files, err)
	}
	for _, f := range files {
		if b, err := os.ReadFile(f); err != nil || len(b) != 0 {
			t.Errorf("inbox file %s holds %d bytes (%v) after the second run, want none", f, len(b), err)
		}
	}
	if n := tg.Pending(); n != 0 {
		t.Errorf("%d updates unconfirmed after the second run", n)
	}
}

// TestSIGKILLBeforeTheAnswerRedis is the same kill with Redis, where the
// update is kept in the inbox and confirmed to Telegram at once, before
// its answer: the next run takes it from the inbox and answers it, once
// (a few seconds after its step, which the 5 s rule alone would take for
// a twin copy and leave silent), and the inbox is left empty.
func TestSIGKILLBeforeTheAnswerRedis(t *testing.T) {
	bin := buildBinary(t)
	u, prefix := redistest.New(t)
	tg := telegramtest.New(telegramtest.Options{})
	defer tg.Close()
	const chat = 557
	env := []string{"REDIS_URL=" + u, "REDIS_PREFIX=" + prefix}
	killedWhileAnswering(t, bin, tg, chat, true, env...)
	if len(tg.Sent(chat)) != 0 {
		t.Fatal("the killed run's answer went out")
	}
	c := redisClient(t, u)
	// The killed run's polling lease would expire after its TTL (15 s):
	// deleting it spares the test that wait.
	if err := c.Del(t.Context(), prefix+":"+telegram.PollLeaseName(tg.Token)).Err(); err != nil {
		t.Fatal(err)
	}

	logs := secondRun(t, bin, tg, chat, env...)
	// The step was saved before the kill: the engine answers the copy
	// taken from the inbox again with its open question, and saves nothing.
	if sent := tg.Sent(chat); len(sent) != 1 || !strings.Contains(sent[0].Params["text"], "Choisissez votre langue") {
		t.Errorf("the second run sent %d messages, want the language question once: %v", len(sent), sent)
	}
	if !strings.Contains(logs, "taken from the inbox") {
		t.Errorf("the second run did not say it took the update from the inbox:\n%s", logs)
	}
	if n, err := c.HLen(t.Context(), prefix+":"+telegram.InboxName(tg.Token)).Result(); err != nil || n != 0 {
		t.Errorf("inbox holds %d updates (%v) after the second run, want none", n, err)
	}
}

// TestFloodThenSIGTERM floods the real binary, polling with Redis and
// Telegram's pace (one message a second per chat), with 300 messages from
// one chat, then stops it with SIGTERM: the flood rule keeps the backlog to
// a few answers, the stop drains within its bound, exits 0, and releases
// the polling lease. Before, 300 messages made 300 answers a second apart:
// the stop overran its bound and exited 1 with the lease held.
func TestFloodThenSIGTERM(t *testing.T) {
	bin := buildBinary(t)
	u, prefix := redistest.New(t)
	tg := telegramtest.New(telegramtest.Options{})
	defer tg.Close()
	cmd, logs := pollingBinary(t, bin, tg, "REDIS_URL="+u, "REDIS_PREFIX="+prefix)
	const chat, other = 557, 558
	tg.Text(chat, "fr", "/start")
	testkit.WaitFor(t, "the first answer", func() bool { return len(tg.Sent(chat)) >= 1 })
	for i := range 300 {
		tg.Text(chat, "fr", "message "+strconv.Itoa(i))
	}
	tg.Text(other, "nl", "/start")
	testkit.WaitFor(t, "the other chat's answer during the flood", func() bool { return len(tg.Sent(other)) >= 1 })
	testkit.WaitFor(t, "the flood notice", func() bool {
		for _, c := range tg.Sent(chat) {
			if strings.HasPrefix(c.Params["text"], "Un instant…") {
				return true
			}
		}
		return false
	})
	start := time.Now()
	if err := cmd.Process.Signal(syscall.SIGTERM); err != nil {
		t.Fatal(err)
	}
	exited, err := waitExit(cmd, drainLimit+5*time.Second)
	if !exited {
		t.Fatalf("still running %s after SIGTERM", drainLimit+5*time.Second)
	}
	if err != nil {
		t.Errorf("exit after SIGTERM: %v\n%s", err, logs.String())
	}
	t.Logf("stopped in %s; %d messages to the flooding chat", time.Since(start).Round(time.Millisecond), len(tg.Sent(chat)))
	if n := len(tg.Sent(chat)); n > 20 {
		t.Errorf("%d messages to the flooding chat: the flood was answered", n)
	}
	checkLeaseReleased(t, u, prefix, tg.Token)
}

// checkLeaseReleased fails if the polling lease of token is still in
// Redis under prefix.
func checkLeaseReleased(t *testing.T, u, prefix, token string) {
	t.Helper()
	c := redisClient(t, u)
	key := prefix + ":" + telegram.PollLeaseName(token)
	if n, err := c.Exists(context.Background(), key).Result(); err != nil || n != 0 {
		t.Errorf("polling lease %s still held after the stop (%d, %v)", key, n, err)
	}
}

// TestStopReleasesLeasePastDrain stops a polling instance whose answer is
// held at the fake Bot API past the drain bound: serve returns at the
// bound, the update is left for the next start (unconfirmed, or kept in
// the inbox), and the polling lease is released.
func TestStopReleasesLeasePastDrain(t *testing.T) {
	u, prefix := redistest.New(t)
	tg := telegramtest.New(telegramtest.Options{})
	defer tg.Close()
	cfg := pollingConfig(t, tg, u, prefix, time.Minute)
	cfg.Telegram.Drain = 300 * time.Millisecond
	ctx, cancel := context.WithCancel(context.Background())
	defer cancel()
	logs := &testkit.SyncBuffer{}
	errc := goServe(ctx, cfg, logs)
	defer tg.Hold("sendMessage")()
	id := tg.Text(559, "fr", "/start")
	testkit.WaitFor(t, "the answer to be held", func() bool { return tg.Held("sendMessage") == 1 })
	cancel()
	// 10 s, with a drain bound of 300 ms.
	if err := serveResult(t, errc, 10*time.Second); err != nil {
		t.Errorf("serve = %v", err)
	}
	// With Redis the update is confirmed as soon as it is kept in the
	// inbox: past the offset, it must still be there for the next start.
	if got := tg.Offset(); got > id {
		if n := inboxLen(t, u, prefix, tg.Token); n != 1 {
			t.Errorf("offset %d confirmed the unanswered update %d, and the inbox holds %d updates, want it kept", got, id, n)
		}
	}
	checkLeaseReleased(t, u, prefix, tg.Token)
}

// inboxLen is how many updates the poller's inbox keeps for the bot.
func inboxLen(t *testing.T, u, prefix, token string) int64 {
	t.Helper()
	c := redisClient(t, u)
	n, err := c.HLen(context.Background(), prefix+":"+telegram.InboxName(token)).Result()
	if err != nil {
		t.Fatalf("inbox: %v", err)
	}
	return n
}

// redisClient is a client of the test's Redis, closed with the test.
func redisClient(t *testing.T, u string) goredis.UniversalClient {
	t.Helper()
	o, err := redis.ParseURL(u)
	if err != nil {
		t.Fatal(err)
	}
	c := goredis.NewUniversalClient(o)
	t.Cleanup(func() { c.Close() })
	return c
}
