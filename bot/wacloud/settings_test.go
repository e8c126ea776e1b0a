package wacloud

import (
	"context"
	"log/slog"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/secours/secours/bot/channeltest"
	"github.com/secours/secours/flows"
)

func goodSettings() Settings {
	return Settings{Token: "EAAsecret-token", PhoneID: "106540352242922", AppSecret: "app-secret-value", VerifyToken: "verify-token-value",
		Templates: map[flows.Lang]Template{flows.FR: {Name: "secours_suivi", Language: "fr"}}}
}

// TestSettingsCheck names each problem in plain words, and never a
// secret.
func TestSettingsCheck(t *testing.T) {
	if got := (Settings{}).Check(); got != nil {
		t.Errorf("off: %v, want nothing", got)
	}
	if got := (Settings{VerifyToken: "x"}).Check(); len(got) != 1 {
		t.Errorf("a verify token alone: %v, want it named", got)
	}
	if got := goodSettings().Check(); got != nil {
		t.Errorf("good settings: %v", got)
	}
	dir := t.TempDir()
	tokenFile := filepath.Join(dir, "token")
	if err := os.WriteFile(tokenFile, []byte("EAAfrom-file\n"), 0o600); err != nil {
		t.Fatal(err)
	}
	fromFile := goodSettings()
	fromFile.Token, fromFile.TokenFile = "", tokenFile
	if got := fromFile.Check(); got != nil {
		t.Errorf("token from a file: %v", got)
	}
	for _, c := range []struct {
		name string
		edit func(*Settings)
		want string
	}{
		{"no token", func(s *Settings) { s.Token = "" }, "WHATSAPP_CLOUD_TOKEN"},
		{"token file missing", func(s *Settings) { s.Token, s.TokenFile = "", filepath.Join(dir, "none") }, "WHATSAPP_CLOUD_TOKEN_FILE"},
		{"token given both ways", func(s *Settings) { s.TokenFile = tokenFile }, "WHATSAPP_CLOUD_TOKEN and -whatsapp-cloud-token-file are both set"},
		{"app secret given both ways", func(s *Settings) { s.AppSecretFile = tokenFile }, "WHATSAPP_CLOUD_APP_SECRET and -whatsapp-cloud-app-secret-file are both set"},
		{"phone id not digits", func(s *Settings) { s.PhoneID = "+32 470" }, "WHATSAPP_CLOUD_PHONE_ID"},
		{"no app secret", func(s *Settings) { s.AppSecret = "" }, "WHATSAPP_CLOUD_APP_SECRET"},
		{"no verify token", func(s *Settings) { s.VerifyToken = "" }, "WHATSAPP_CLOUD_VERIFY_TOKEN"},
		{"bad version", func(s *Settings) { s.APIVersion = "23" }, "WHATSAPP_CLOUD_API_VERSION"},
		{"bad base URL", func(s *Settings) { s.BaseURL = "graph.facebook.com" }, "WHATSAPP_CLOUD_BASE_URL"},
		{"bad rate", func(s *Settings) { s.Rate = "-3" }, "WHATSAPP_CLOUD_RATE"},
		{"template without a code", func(s *Settings) { s.Templates[flows.NL] = Template{Name: "x"} }, "WHATSAPP_CLOUD_TEMPLATES"},
		{"template for no language", func(s *Settings) { s.Templates["de"] = Template{Name: "x", Language: "de"} }, "WHATSAPP_CLOUD_TEMPLATES"},
		{"bad default language", func(s *Settings) { s.DefaultLang = "en" }, "WHATSAPP_CLOUD_LANG"},
	} {
		s := goodSettings()
		c.edit(&s)
		got := strings.Join(s.Check(), "\n")
		if !strings.Contains(got, c.want) {
			t.Errorf("%s: %q, want it to name %s", c.name, got, c.want)
		}
		for _, secret := range []string{"EAAsecret-token", "app-secret-value", "verify-token-value"} {
			if strings.Contains(got, secret) {
				t.Errorf("%s: %q quotes a secret", c.name, got)
			}
		}
	}
}

// TestSettingsLog shows the settings without a secret.
func TestSettingsLog(t *testing.T) {
	var b channeltest.Buffer
	slog.New(slog.NewTextHandler(&b, nil)).Info("settings", slog.Any("wacloud", goodSettings()))
	got := b.String()
	for _, secret := range []string{"EAAsecret-token", "app-secret-value", "verify-token-value"} {
		if strings.Contains(got, secret) {
			t.Errorf("log %q shows a secret", got)
		}
	}
	for _, want := range []string{"phone_id=106540352242922", "api=v23.0", "base_url=https://graph.facebook.com", "token=true", "template_fr=secours_suivi:fr"} {
		if !strings.Contains(got, want) {
			t.Errorf("log %q lacks %s", got, want)
		}
	}
}

func TestParseTemplates(t *testing.T) {
	got, err := ParseTemplates(" fr=secours_suivi:fr, nl=secours_opvolging:nl_BE ")
	if err != nil || len(got) != 2 || got[flows.NL] != (Template{Name: "secours_opvolging", Language: "nl_BE"}) {
		t.Errorf("ParseTemplates = %v, %v", got, err)
	}
	if got, err := ParseTemplates(""); err != nil || len(got) != 0 {
		t.Errorf("empty: %v, %v", got, err)
	}
	for _, bad := range []string{"fr", "fr=name", "fr=:fr", "fr=x:"} {
		if _, err := ParseTemplates(bad); err == nil {
			t.Errorf("ParseTemplates(%q) = nil error", bad)
		}
	}
}

// TestNew refuses what would fail later: bad settings, no catalogues.
func TestNew(t *testing.T) {
	_, cats := channeltest.Engine(t)
	if _, err := New(&channeltest.Recorder{}, Options{Settings: Settings{PhoneID: "1"}, Catalogs: cats}); err == nil || strings.Contains(err.Error(), "secret") && strings.Contains(err.Error(), "EAA") {
		t.Errorf("New with bad settings = %v", err)
	}
	if _, err := New(&channeltest.Recorder{}, Options{Settings: goodSettings()}); err == nil {
		t.Error("New without catalogues = nil error")
	}
	if _, err := New(nil, Options{Settings: goodSettings(), Catalogs: cats}); err == nil {
		t.Error("New without a conversation = nil error")
	}
}

// FuzzWebhook: no post panics the parser; what it accepts reaches the
// conversation as messages of the channel.
func FuzzWebhook(f *testing.F) {
	f.Add([]byte(`{"object":"whatsapp_business_account","entry":[{"changes":[{"field":"messages","value":{"metadata":{"phone_number_id":"106540352242922"},"messages":[{"from":"32470000001","id":"w1","type":"text","text":{"body":"2"}}]}}]}]}`))
	f.Add([]byte(`{"object":"whatsapp_business_account","entry":[{"changes":[{"field":"messages","value":{"metadata":{"phone_number_id":"106540352242922"},"statuses":[{"id":"w","status":"failed","recipient_id":"1","errors":[{"code":131047}]}]}}]}]}`))
	f.Add([]byte(`{"object":"whatsapp_business_account","entry":[{"changes":[{"field":"messages","value":{"metadata":{"phone_number_id":"106540352242922"},"messages":[{"from":"3247","id":"w2","type":"interactive","interactive":{"type":"list_reply"}}]}}]}]}`))
	f.Add([]byte(`{"object":"page"}`))
	rec := &channeltest.Recorder{}
	h := newHarness(f, rec, nil) // the fake's phone id is the seeds'
	if h.fake.PhoneNumberID != "106540352242922" {
		f.Fatalf("the seeds name phone id 106540352242922, the fake has %s", h.fake.PhoneNumberID)
	}
	f.Fuzz(func(t *testing.T, body []byte) {
		h.a.HandleWebhook(context.Background(), body)
		for _, m := range rec.Msgs() {
			if !strings.HasPrefix(string(m.Chat), "wc:") || m.Chat.Channel() != "wc" {
				t.Fatalf("chat %q", m.Chat)
			}
		}
	})
}
