package main

import (
	"io"
	"net/http"
	"os"
	"path/filepath"
	"reflect"
	"strings"
	"testing"

	"github.com/secours/secours/bot/telegram"
	"github.com/secours/secours/bot/telegram/telegramtest"
	"github.com/secours/secours/internal/testkit"
)

func TestTelegramConfig(t *testing.T) {
	tests := []configCase[telegram.Settings]{
		{name: "off", want: telegram.Settings{}},
		{name: "polling", env: map[string]string{"TELEGRAM_BOT_TOKEN": "1:abc"}, want: telegram.Settings{Token: "1:abc"}},
		{name: "flag wins", args: []string{"-telegram-api-url", "http://127.0.0.1:9/"},
			env:  map[string]string{"TELEGRAM_BOT_TOKEN": "1:abc", "TELEGRAM_API_URL": "http://other/"},
			want: telegram.Settings{Token: "1:abc", APIURL: "http://127.0.0.1:9/"}},
		{name: "webhook", env: map[string]string{"TELEGRAM_BOT_TOKEN": "1:abc", "TELEGRAM_WEBHOOK_URL": "https://x.test/tg", "TELEGRAM_WEBHOOK_SECRET": "s_1"},
			want: telegram.Settings{Token: "1:abc", WebhookURL: "https://x.test/tg", WebhookSecret: "s_1"}},
		{name: "webhook without secret", env: map[string]string{"TELEGRAM_BOT_TOKEN": "1:abc", "TELEGRAM_WEBHOOK_URL": "https://x.test/tg"},
			bad: []string{"TELEGRAM_WEBHOOK_SECRET"}},
		{name: "webhook without token", env: map[string]string{"TELEGRAM_WEBHOOK_URL": "https://x.test/tg"},
			bad: []string{"TELEGRAM_BOT_TOKEN"}},
		{name: "bad URLs", args: []string{"-telegram-api-url", "api.telegram.org", "-telegram-webhook-url", "http://x.test"},
			env: map[string]string{"TELEGRAM_BOT_TOKEN": "1:abc", "TELEGRAM_WEBHOOK_SECRET": "s"},
			bad: []string{"TELEGRAM_API_URL", "TELEGRAM_WEBHOOK_URL"}},
	}
	runConfigCases(t, tests, nil, func(t *testing.T, c Config, want telegram.Settings) {
		if !reflect.DeepEqual(c.Telegram, want) {
			t.Errorf("Telegram = %+v, want %+v", c.Telegram, want)
		}
	})
	refuseSecretFlags(t, "-telegram-bot-token", "-telegram-webhook-secret")
}

// TestServeTelegramPolling runs the service against a fake Bot API: the
// channel starts from TELEGRAM_BOT_TOKEN and TELEGRAM_API_URL alone.
func TestServeTelegramPolling(t *testing.T) {
	srv := telegramtest.New(telegramtest.Options{})
	defer srv.Close()
	cfg := telegramConfig(t, srv, []string{"-http-addr", "127.0.0.1:0"}, nil)
	stderr, stop := startServe(t, cfg)
	srv.Text(42, "nl", "/start")
	testkit.WaitFor(t, "the welcome", func() bool { return len(srv.Sent(42)) >= 1 })
	stop()
	if got := srv.Sent(42)[0].Params["text"]; !strings.Contains(got, "Hallo, ik ben Secours") {
		t.Errorf("first message %q, want the Dutch welcome", got)
	}
	if n := srv.Pending(); n != 0 {
		t.Errorf("%d updates unconfirmed after the stop", n)
	}
	if logs := stderr.String(); strings.Contains(logs, srv.Token) || !strings.Contains(logs, "update handled") {
		t.Errorf("logs hold the token or no update:\n%s", logs)
	}
}

// TestServeTelegramWebhook runs the webhook on HTTP_ADDR: a request
// without the secret is refused, one with it is answered.
func TestServeTelegramWebhook(t *testing.T) {
	srv := telegramtest.New(telegramtest.Options{})
	defer srv.Close()
	addr := testkit.FreeAddr(t)
	const secret = "hook_Secret-1"
	cfg := telegramConfig(t, srv, []string{"-http-addr", addr},
		map[string]string{"TELEGRAM_WEBHOOK_URL": "https://bot.example.test/tg/hook", "TELEGRAM_WEBHOOK_SECRET": secret})
	stderr, stop := startServe(t, cfg)
	testkit.WaitFor(t, "setWebhook", func() bool { return len(srv.CallsTo("setWebhook")) == 1 })
	body := `{"update_id":7001,"message":{"message_id":1,"date":1700000000,"chat":{"id":43,"type":"private"},"from":{"id":43,"is_bot":false,"first_name":"T","language_code":"fr"},"text":"/start"}}`
	post := func(secretHeader string) int {
		t.Helper()
		var resp *http.Response
		testkit.WaitFor(t, "the webhook server", func() bool {
			req, _ := http.NewRequest(http.MethodPost, "http://"+addr+"/tg/hook", strings.NewReader(body))
			if secretHeader != "" {
				req.Header.Set("X-Telegram-Bot-Api-Secret-Token", secretHeader)
			}
			var err error
			resp, err = http.DefaultClient.Do(req)
			return err == nil
		})
		resp.Body.Close()
		return resp.StatusCode
	}
	if code := post(""); code != http.StatusUnauthorized {
		t.Errorf("no secret: status %d, want 401", code)
	}
	if len(srv.Sent(43)) != 0 {
		t.Errorf("a refused request reached the conversation")
	}
	if code := post(secret); code != http.StatusOK {
		t.Errorf("right secret: status %d, want 200", code)
	}
	// One message: the welcome, then the first question with its buttons.
	if got := srv.Sent(43); len(got) < 1 || !strings.Contains(got[0].Params["text"], "Bonjour, je suis Secours") ||
		len(got[0].Markup().InlineKeyboard) == 0 {
		t.Errorf("after the 200: %d messages, want the welcome and the first question", len(got))
	}
	stop()
	if logs := stderr.String(); strings.Contains(logs, secret) || strings.Contains(logs, srv.Token) {
		t.Errorf("logs hold a secret:\n%s", logs)
	}
}

func TestTelegramSecretsFromFiles(t *testing.T) {
	dir := t.TempDir()
	tok := filepath.Join(dir, "token")
	if err := os.WriteFile(tok, []byte("123:from-file\n"), 0o600); err != nil {
		t.Fatal(err)
	}
	c, err := parseConfig([]string{"-telegram-token-file", tok}, func(string) string { return "" }, io.Discard)
	if err != nil {
		t.Fatal(err)
	}
	if c.Telegram.Token != "123:from-file" {
		t.Errorf("token = %q, want the file's, trimmed", c.Telegram.Token)
	}
	// Given both ways, neither wins: a rotated file would lose to a stale
	// variable, so the command asks to keep one.
	_, err = parseConfig([]string{"-telegram-token-file", tok}, func(k string) string {
		if k == "TELEGRAM_BOT_TOKEN" {
			return "123:from-env"
		}
		return ""
	}, io.Discard)
	if err == nil || !strings.Contains(err.Error(), "both set") || strings.Contains(err.Error(), "from-") {
		t.Errorf("token in a file and in the environment: %v, want both named and neither quoted", err)
	}
	_, err = parseConfig([]string{"-telegram-webhook-secret-file", filepath.Join(dir, "missing")}, func(string) string { return "" }, io.Discard)
	if err == nil || !strings.Contains(err.Error(), "-telegram-webhook-secret-file") {
		t.Errorf("missing secret file: %v", err)
	}
}
