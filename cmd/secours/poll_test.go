package main

import (
	"context"
	"os"
	"os/exec"
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

// TestSIGKILLBeforeTheAnswer kills the real binary with SIGKILL between
// the receipt of an update and the send of its answer (the fake Bot API
// holds sendMessage): the update was not confirmed, so the next run gets
// it again and answers it, once.
func TestSIGKILLBeforeTheAnswer(t *testing.T) {
	bin := buildBinary(t)
	tg := telegramtest.New(telegramtest.Options{})
	defer tg.Close()
	const chat = 556
	release := tg.Hold("sendMessage")
	first, _ := pollingBinary(t, bin, tg)
	id := tg.Text(chat, "fr", "/start")
	testkit.WaitFor(t, "the answer to be held", func() bool { return tg.Held("sendMessage") == 1 })
	if err := first.Process.Kill(); err != nil {
		t.Fatal(err)
	}
	_ = first.Wait()
	// Release only once the fake has seen the held request end: released
	// before, it could still carry out the dead process's send.
	testkit.WaitFor(t, "the fake to see the killed request end", func() bool { return tg.Held("sendMessage") == 0 })
	release()
	if got := tg.Offset(); got > id {
		t.Fatalf("offset %d: update %d was confirmed before its answer, and is lost", got, id)
	}

	second, logs := pollingBinary(t, bin, tg)
	testkit.WaitFor(t, "the answer from the second run", func() bool { return len(tg.Sent(chat)) >= 2 })
	if err := second.Process.Signal(syscall.SIGTERM); err != nil {
		t.Fatal(err)
	}
	if err := second.Wait(); err != nil {
		t.Errorf("second run after SIGTERM: %v\n%s", err, logs.String())
	}
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
	testkit.WaitFor(t, "the first answer", func() bool { return len(tg.Sent(chat)) >= 2 })
	for i := range 300 {
		tg.Text(chat, "fr", "message "+strconv.Itoa(i))
	}
	tg.Text(other, "nl", "/start")
	testkit.WaitFor(t, "the other chat's answer during the flood", func() bool { return len(tg.Sent(other)) >= 2 })
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
	o, err := redis.ParseURL(u)
	if err != nil {
		t.Fatal(err)
	}
	c := goredis.NewUniversalClient(o)
	defer c.Close()
	key := prefix + ":" + telegram.PollLeaseName(token)
	if n, err := c.Exists(context.Background(), key).Result(); err != nil || n != 0 {
		t.Errorf("polling lease %s still held after the stop (%d, %v)", key, n, err)
	}
}

// TestStopReleasesLeasePastDrain stops a polling instance whose answer is
// held at the fake Bot API past the drain bound: serve returns at the
// bound, the update is left unconfirmed for the next start, and the
// polling lease is released.
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
	if got := tg.Offset(); got > id {
		t.Errorf("offset %d confirmed the unanswered update %d", got, id)
	}
	checkLeaseReleased(t, u, prefix, tg.Token)
}
