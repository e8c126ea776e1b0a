package main

import (
	"io"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/secours/secours/bot/telegram"
	"github.com/secours/secours/bot/telegram/telegramtest"
	"github.com/secours/secours/cmd/loadtest/fleet"
	"github.com/secours/secours/store/redis/redistest"
)

// TestSeveralInstances runs three instances of the real binary in webhook
// mode on one Redis, then on a Redis Cluster, and 200 people through whole
// conversations across them: each person's successive updates go to the
// instances in turn, so that no step runs where the one before it did,
// and one update in ten is delivered to two instances at once. Every
// conversation must end, every update get exactly one new question, in
// order (no step applied twice, none lost), with no 5xx.
//
// The fake Bot API tells the chats apart by the chat_id of each call, as
// Telegram does: that is how the checks know, per person, what the three
// processes sent.
func TestSeveralInstances(t *testing.T) {
	if testing.Short() {
		t.Skip("starts real processes")
	}
	bin := buildBinary(t)
	for _, topo := range []struct {
		name string
		url  func(testing.TB) string
	}{{"redis", redistest.URL}, {"cluster", redistest.ClusterURL}} {
		t.Run(topo.name, func(t *testing.T) {
			u := topo.url(t)
			start := time.Now()
			api := telegramtest.New(telegramtest.Options{})
			defer api.Close()
			f, dir := startFleet(t, bin, u, fleet.Config{APIURL: api.URL, Token: api.Token})
			defer f.Stop()
			r := fleet.Drive(t.Context(), api, f, fleet.Options{Users: 200, FirstChat: 710_000_000,
				Think: 5 * time.Millisecond, Ramp: time.Second, DupEvery: 10, Retry: 200 * time.Millisecond, GiveUp: 20 * time.Second})
			checkOneMailPerReferral(t, filepath.Join(dir, "outbox"), consenting(200))
			if _, _, err := f.Stop(); err != nil {
				t.Error(err)
			}
			t.Logf("%d people, %d updates (%d posted twice) in %s, %d requests; reply p50 %s p99 %s max %s",
				r.Users, r.Steps, r.Dups, r.Elapsed.Round(time.Millisecond), r.Posts,
				r.Quantile(0.5), r.Quantile(0.99), r.Quantile(1))
			if !r.OK() {
				t.Errorf("%d of %d people completed, %d stuck, %d 5xx, %d other non-2xx, %d requests unanswered: %v",
					r.Completed, r.Users, r.Stuck, r.Status5xx, r.StatusBad, r.Failed, r.Errs)
			}
			// A copy that came late may be answered again, by design
			// (fleet.lateCopy): only on a machine short of CPU.
			if r.Dups == 0 || r.Retried != 0 || r.Nudges != 0 || r.Repeats > r.LateCopies {
				t.Errorf("%d duplicate deliveries (want some), %d retried, %d nudged, %d repeated with %d copies late (want none)",
					r.Dups, r.Retried, r.Nudges, r.Repeats, r.LateCopies)
			}
			if n := len(api.CallsTo("setWebhook")); n != 3 {
				t.Errorf("%d setWebhook calls, want one per instance", n)
			}
			logs := f.Logs()
			if strings.Contains(logs, api.Token) || strings.Contains(logs, f.Secret()) {
				t.Error("the instances logged a secret")
			}
			checkNoErrorLogged(t, logs)
			t.Logf("%s with %s", time.Since(start).Round(time.Millisecond), topo.name)
		})
	}
}

// startFleet starts three instances of bin on the Redis at u, under a
// clean prefix, in a folder of the test's (returned: the outbox is in
// it), with cfg's channel. A short hold, still far above a step here, so
// that the structures' mails go out within the test; and every mail to
// one address, so that none is refused for want of one.
func startFleet(t *testing.T, bin, u string, cfg fleet.Config) (*fleet.Fleet, string) {
	t.Helper()
	cfg.Bin, cfg.Instances, cfg.RedisURL, cfg.Prefix, cfg.Dir = bin, 3, u, redistest.CleanPrefix(t, u), t.TempDir()
	cfg.Env = []string{"REFERRAL_HOLD=1s", "MAIL_REDIRECT=structures@example.org"}
	f, err := fleet.Start(t.Context(), cfg)
	if err != nil {
		t.Fatal(err)
	}
	return f, cfg.Dir
}

// checkNoErrorLogged fails the test for each error line in the
// instances' logs. An error here is a bug, not noise: "record delivery:
// flows: no referral" was the sweep of one instance mailing the referral
// that the losing copy of a duplicated consent was about to drop
// (flows.Policy.Hold now keeps it back).
func checkNoErrorLogged(t *testing.T, logs string) {
	t.Helper()
	for line := range strings.Lines(logs) {
		if strings.Contains(line, "level=ERROR") {
			t.Errorf("an instance logged: %s", line)
		}
	}
}

// consenting is how many of n people end on a referral.
func consenting(n int) int {
	scs, c := fleet.Scripts(), 0
	for i := range n {
		if scs[i%len(scs)].Consents() {
			c++
		}
	}
	return c
}

// checkOneMailPerReferral waits for the structures' mails in the outbox:
// exactly one "new request" mail per consenting person, no more, none
// about a referral dropped by the losing copy of a duplicated consent.
func checkOneMailPerReferral(t *testing.T, outbox string, want int) {
	t.Helper()
	count := func() (mails, news int, dup string) {
		files, _ := filepath.Glob(filepath.Join(outbox, "*.eml"))
		seen := map[string]bool{}
		for _, f := range files {
			// <time>-<referral id>.<kind>.<n>.eml
			name := strings.TrimSuffix(filepath.Base(f), ".eml")
			_, rest, _ := strings.Cut(name, "-")
			id, kind, _ := strings.Cut(rest, ".")
			if strings.HasPrefix(kind, "new") {
				news++
				if seen[id] {
					dup = id
				}
				seen[id] = true
			}
		}
		return len(files), news, dup
	}
	deadline := time.Now().Add(15 * time.Second)
	for {
		if _, news, _ := count(); news >= want || time.Now().After(deadline) {
			break
		}
		time.Sleep(100 * time.Millisecond)
	}
	time.Sleep(1500 * time.Millisecond) // one more hold: a stray mail would show now
	mails, news, dup := count()
	if news != want || mails != want || dup != "" {
		t.Errorf("outbox: %d mails, %d of them new requests (a referral mailed twice: %q), want %d, one per consenting person",
			mails, news, dup, want)
	}
}

// TestTelegramRate reads TELEGRAM_RATE: instances that share the bot's
// limit each take a part of it.
func TestTelegramRate(t *testing.T) {
	tests := []struct {
		rate string
		want telegram.Limits
		bad  bool
	}{
		{rate: "", want: telegram.Limits{}},
		{rate: "off", want: telegram.Limits{Global: -1, Chat: -1}},
		{rate: "10", want: telegram.Limits{Global: 10, GlobalBurst: 10}},
		{rate: "7.5", want: telegram.Limits{Global: 7.5, GlobalBurst: 8}},
		{rate: "0", bad: true},
		{rate: "-1", bad: true},
		{rate: "NaN", bad: true},
		{rate: "fast", bad: true},
	}
	for _, tt := range tests {
		cfg, ok := parseEnv(t, map[string]string{"TELEGRAM_BOT_TOKEN": "1:abc", "TELEGRAM_RATE": tt.rate}, "TELEGRAM_RATE", tt.bad)
		if !ok {
			continue
		}
		if got := cfg.Telegram.Config().Limits; got != tt.want {
			t.Errorf("TELEGRAM_RATE=%q: limits %+v, want %+v", tt.rate, got, tt.want)
		}
	}
}

// TestReferralHold reads REFERRAL_HOLD: 15 s by default on a shared Redis,
// none on the in-memory store, else as given.
func TestReferralHold(t *testing.T) {
	tests := []struct {
		env  map[string]string
		want time.Duration
		bad  bool
	}{
		{env: map[string]string{}, want: 0},
		{env: map[string]string{"REDIS_URL": "redis://127.0.0.1:6379/0"}, want: 15 * time.Second},
		{env: map[string]string{"REDIS_URL": "redis://127.0.0.1:6379/0", "REFERRAL_HOLD": "30s"}, want: 30 * time.Second},
		{env: map[string]string{"REFERRAL_HOLD": "0s"}, want: 0},
		{env: map[string]string{"REFERRAL_HOLD": "-1s"}, bad: true},
		{env: map[string]string{"REFERRAL_HOLD": "soon"}, bad: true},
	}
	for _, tt := range tests {
		cfg, ok := parseEnv(t, tt.env, "REFERRAL_HOLD", tt.bad)
		if !ok {
			continue
		}
		if got := cfg.Referrals.Hold; got != tt.want {
			t.Errorf("%v: hold %v, want %v", tt.env, got, tt.want)
		}
	}
}

// parseEnv parses the configuration of env alone. With bad, it checks
// that the error names the variable v and returns false; otherwise an
// error fails the test.
func parseEnv(t *testing.T, env map[string]string, v string, bad bool) (Config, bool) {
	t.Helper()
	cfg, err := parseConfig(nil, envOf(env), io.Discard)
	if bad {
		if err == nil || !strings.Contains(err.Error(), v) {
			t.Errorf("%v: error %v, want one naming %s", env, err, v)
		}
		return Config{}, false
	}
	if err != nil {
		t.Fatalf("%v: %v", env, err)
	}
	return cfg, true
}
