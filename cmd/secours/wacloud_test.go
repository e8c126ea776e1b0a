package main

import (
	"bytes"
	"html"
	"io"
	"net/http"
	"net/url"
	"os"
	"path/filepath"
	"regexp"
	"strconv"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/secours/secours/bot/wacloud"
	"github.com/secours/secours/bot/wacloud/wacloudtest"
	"github.com/secours/secours/flows"
	"github.com/secours/secours/internal/testkit"
)

// cloudVerify is the webhook's verify token in these tests.
const cloudVerify = "verify-me-0123"

func TestWhatsAppCloudConfig(t *testing.T) {
	full := map[string]string{"WHATSAPP_CLOUD_TOKEN": "EAA-tok", "WHATSAPP_CLOUD_PHONE_ID": "1065", "WHATSAPP_CLOUD_APP_SECRET": "app-sec",
		"WHATSAPP_CLOUD_VERIFY_TOKEN": "vt"}
	with := func(kv ...string) map[string]string {
		m := map[string]string{}
		for k, v := range full {
			m[k] = v
		}
		for i := 0; i < len(kv); i += 2 {
			m[kv[i]] = kv[i+1]
		}
		return m
	}
	base := wacloud.Settings{Token: "EAA-tok", PhoneID: "1065", AppSecret: "app-sec", VerifyToken: "vt"}
	tests := []configCase[wacloud.Settings]{
		{name: "off", want: wacloud.Settings{}},
		{name: "on", env: full, want: base},
		{name: "everything", env: with("WHATSAPP_CLOUD_API_VERSION", "v21.0", "WHATSAPP_CLOUD_BASE_URL", "http://127.0.0.1:9",
			"WHATSAPP_CLOUD_RATE", "off", "WHATSAPP_CLOUD_TEMPLATES", "fr=secours_suivi:fr, nl=secours_opvolging:nl_BE", "WHATSAPP_CLOUD_LANG", "NL"),
			want: wacloud.Settings{Token: "EAA-tok", PhoneID: "1065", AppSecret: "app-sec", VerifyToken: "vt", APIVersion: "v21.0",
				BaseURL: "http://127.0.0.1:9", Rate: "off", DefaultLang: flows.NL, Templates: map[flows.Lang]wacloud.Template{
					flows.FR: {Name: "secours_suivi", Language: "fr"}, flows.NL: {Name: "secours_opvolging", Language: "nl_BE"}}}},
		{name: "flag wins", args: []string{"-whatsapp-cloud-phone-id", "2077"}, env: with("WHATSAPP_CLOUD_PHONE_ID", "1065"),
			want: wacloud.Settings{Token: "EAA-tok", PhoneID: "2077", AppSecret: "app-sec", VerifyToken: "vt"}},
		{name: "no secret", env: map[string]string{"WHATSAPP_CLOUD_PHONE_ID": "1065"},
			bad: []string{"WHATSAPP_CLOUD_TOKEN", "WHATSAPP_CLOUD_APP_SECRET", "WHATSAPP_CLOUD_VERIFY_TOKEN"}},
		{name: "secret without the channel", env: map[string]string{"WHATSAPP_CLOUD_APP_SECRET": "s"}, bad: []string{"WHATSAPP_CLOUD_PHONE_ID"}},
		{name: "malformed", env: with("WHATSAPP_CLOUD_PHONE_ID", "+32 470", "WHATSAPP_CLOUD_RATE", "fast", "WHATSAPP_CLOUD_LANG", "en",
			"WHATSAPP_CLOUD_BASE_URL", "graph.facebook.com", "WHATSAPP_CLOUD_API_VERSION", "23"),
			bad: []string{"WHATSAPP_CLOUD_PHONE_ID", "WHATSAPP_CLOUD_RATE", "WHATSAPP_CLOUD_LANG", "WHATSAPP_CLOUD_BASE_URL", "WHATSAPP_CLOUD_API_VERSION"}},
		{name: "bad templates", env: with("WHATSAPP_CLOUD_TEMPLATES", "fr=secours_suivi"), bad: []string{"WHATSAPP_CLOUD_TEMPLATES"}},
		{name: "template of no catalogue", env: with("WHATSAPP_CLOUD_TEMPLATES", "de=x:de"), bad: []string{"WHATSAPP_CLOUD_TEMPLATES"}},
	}
	runConfigCases(t, tests, []string{"EAA-tok", "app-sec"}, func(t *testing.T, c Config, want wacloud.Settings) {
		if got := c.WhatsAppCloud; got.LogValue().String() != want.LogValue().String() || got.Token != want.Token ||
			got.AppSecret != want.AppSecret || got.DefaultLang != want.DefaultLang || len(got.Templates) != len(want.Templates) {
			t.Errorf("WhatsAppCloud = %+v, want %+v", got, want)
		}
		if c.hasChannel() != want.Enabled() {
			t.Errorf("hasChannel %v, want %v", c.hasChannel(), want.Enabled())
		}
	})
	refuseSecretFlags(t, "-whatsapp-cloud-token", "-whatsapp-cloud-app-secret", "-whatsapp-cloud-verify-token")
	var help bytes.Buffer
	_, _ = parseConfig([]string{"-h"}, envOf(nil), &help)
	for _, want := range []string{"-whatsapp-cloud-phone-id", "WHATSAPP_CLOUD_TEMPLATES", "-whatsapp-cloud-token-file", "/whatsapp/webhook"} {
		if !strings.Contains(help.String(), want) {
			t.Errorf("-h does not show %s", want)
		}
	}
}

// TestWhatsAppCloudSecretsFromFiles: the token and the app secret come
// from the files the flags name, over the environment.
func TestWhatsAppCloudSecretsFromFiles(t *testing.T) {
	dir := t.TempDir()
	tok, sec := filepath.Join(dir, "token"), filepath.Join(dir, "secret")
	for f, v := range map[string]string{tok: "EAA-from-file\n", sec: "secret-from-file\n"} {
		if err := os.WriteFile(f, []byte(v), 0o600); err != nil {
			t.Fatal(err)
		}
	}
	env := map[string]string{"WHATSAPP_CLOUD_PHONE_ID": "1065", "WHATSAPP_CLOUD_VERIFY_TOKEN": "vt"}
	c, err := parseConfig([]string{"-whatsapp-cloud-token-file", tok, "-whatsapp-cloud-app-secret-file", sec}, envOf(env), io.Discard)
	if err != nil {
		t.Fatal(err)
	}
	if c.WhatsAppCloud.TokenFile != tok || c.WhatsAppCloud.AppSecretFile != sec {
		t.Errorf("files %q, %q", c.WhatsAppCloud.TokenFile, c.WhatsAppCloud.AppSecretFile)
	}
	_, err = parseConfig([]string{"-whatsapp-cloud-token-file", filepath.Join(dir, "missing"), "-whatsapp-cloud-app-secret-file", sec}, envOf(env), io.Discard)
	if err == nil || !strings.Contains(err.Error(), "WHATSAPP_CLOUD_TOKEN_FILE") {
		t.Errorf("missing token file: %v", err)
	}
}

// TestWhatsAppCloudNoChannelMessage: with no channel and no input, the
// message names the Cloud API's variable too.
func TestWhatsAppCloudNoChannelMessage(t *testing.T) {
	var out, errb bytes.Buffer
	if code := run(nil, strings.NewReader(""), &out, &errb, envOf(map[string]string{"HTTP_ADDR": "127.0.0.1:0"})); code != 2 ||
		!strings.Contains(errb.String(), "WHATSAPP_CLOUD_PHONE_ID") {
		t.Errorf("exit %d: %s", code, errb.String())
	}
}

// cloudClock is the fake Meta's clock: behind the real one by lag, so
// that the person's messages can be dated in the past.
type cloudClock struct {
	mu  sync.Mutex
	lag time.Duration
}

func (c *cloudClock) Now() time.Time {
	c.mu.Lock()
	defer c.mu.Unlock()
	return time.Now().Add(-c.lag)
}

func (c *cloudClock) set(lag time.Duration) {
	c.mu.Lock()
	defer c.mu.Unlock()
	c.lag = lag
}

// cloudEnv is the environment of a process on the fake: the channel's
// settings, no pacing, the French template.
func cloudEnv(fake *wacloudtest.Server) map[string]string {
	return map[string]string{
		"WHATSAPP_CLOUD_TOKEN": fake.Token, "WHATSAPP_CLOUD_PHONE_ID": fake.PhoneNumberID,
		"WHATSAPP_CLOUD_APP_SECRET": fake.AppSecret, "WHATSAPP_CLOUD_VERIFY_TOKEN": cloudVerify,
		"WHATSAPP_CLOUD_BASE_URL": fake.URL, "WHATSAPP_CLOUD_RATE": "off",
		"WHATSAPP_CLOUD_TEMPLATES": "fr=secours_suivi:fr",
	}
}

// startCloud serves a process on the fake with env added, the webhook
// registered with the fake; it returns the process's address.
func startCloud(t *testing.T, fake *wacloudtest.Server, env map[string]string) (string, *testkit.SyncBuffer, func()) {
	t.Helper()
	addr := testkit.FreeAddr(t)
	all := cloudEnv(fake)
	for k, v := range env {
		all[k] = v
	}
	cfg, err := parseConfig([]string{"-http-addr", addr, "-base-url", "http://" + addr}, envOf(all), &bytes.Buffer{})
	if err != nil {
		t.Fatal(err)
	}
	stderr, stop := startServe(t, cfg)
	fake.SetWebhook("http://" + addr + wacloudWebhook)
	testkit.WaitFor(t, "the webhook", func() bool { code, _ := fake.Verify(cloudVerify); return code == http.StatusOK })
	return addr, stderr, stop
}

// answer plays the person: a number presses that button or picks that
// row of the last message, when it has them; anything else is typed.
func answer(t *testing.T, fake *wacloudtest.Server, waID, in string) {
	t.Helper()
	n, err := strconv.Atoi(in)
	m, ok := fake.Last(waID)
	var code int
	switch {
	case err != nil || !ok:
		_, code = fake.Text(waID, in)
	case n >= 1 && n <= len(m.Buttons):
		_, code = fake.Press(waID, m.Buttons[n-1].ID, m.Buttons[n-1].Title)
	case n >= 1 && n <= len(m.Rows):
		_, code = fake.Pick(waID, m.Rows[n-1].ID, m.Rows[n-1].Title)
	default:
		_, code = fake.Text(waID, in)
	}
	if code != http.StatusOK {
		t.Fatalf("%q: the webhook answered %d", in, code)
	}
}

// TestWhatsAppCloudConversation runs the real serve on the fake Cloud
// API: a whole conversation (diagnostic, place, consent), the referral
// mailed to the structure (the outbox), and the structure's answers on
// its page, which reach the person 30 hours after their last message:
// as the approved template, its text in the template's variable.
//
// The 30 hours: the person writes on Meta's clock (the fake's), set 30
// hours back during the conversation; the webhook's timestamps date
// the messages, and the adapter opens the window from them, so the
// process, on the real clock, sees the window closed when the structure
// answers. No clock of the process is changed.
func TestWhatsAppCloudConversation(t *testing.T) {
	clk := &cloudClock{}
	fake := wacloudtest.New(wacloudtest.Options{Now: clk.Now})
	defer fake.Close()
	fake.Template("secours_suivi", "fr", "Secours : {{1}}")
	outbox := t.TempDir()
	addr, stderr, stop := startCloud(t, fake, map[string]string{"OUTBOX_DIR": outbox})

	// The Cloud channel alone: no terminal chat, the server is up.
	if page := testkit.Get(t, "http://"+addr+"/readyz"); strings.TrimSpace(page) != "ready" {
		t.Errorf("/readyz: %q", page)
	}
	const waID = "33612345678" // French: no country question
	clk.set(30 * time.Hour)
	for _, in := range []string{"Bonjour", "1", "1", "5", "1", "1", "3", "1", "1", "1", "1", "75011", "1", "1", "1"} {
		answer(t, fake, waID, in)
	}
	if tr := fake.Transcript(waID); !strings.Contains(tr, "C'est envoyé à") {
		t.Fatalf("no confirmation of the referral:\n%s", tr)
	}
	clk.set(0)

	var mail []byte
	testkit.WaitFor(t, "the structure's mail", func() bool {
		files, _ := filepath.Glob(filepath.Join(outbox, "*.eml"))
		if len(files) == 0 {
			return false
		}
		mail, _ = os.ReadFile(files[0])
		return true
	})
	body := strings.ReplaceAll(string(mail), "=\r\n", "")
	link := regexp.MustCompile(`http://` + regexp.QuoteMeta(addr) + `/s/[A-Za-z0-9_-]{43}`).FindString(body)
	if link == "" {
		t.Fatalf("no page link in the mail:\n%s", body)
	}
	if strings.Contains(body, waID) {
		t.Error("the person's number is in the mail")
	}
	before := len(fake.Sent(waID))
	structureAct(t, addr, testkit.Get(t, link), "accept", nil)
	testkit.WaitFor(t, "the acceptance, as the template", func() bool { return len(fake.Sent(waID)) > before })
	sent := fake.Sent(waID)[before:]
	if m := sent[0]; m.Type != "template" || m.Template == nil || m.Template.Name != "secours_suivi" || len(m.Template.Params) != 1 ||
		!strings.Contains(m.Template.Params[0], "a accepté votre demande") {
		t.Fatalf("the acceptance 30 h later went as %s %+v, want the template with the notice", m.Type, m.Template)
	}
	before = len(fake.Sent(waID))
	structureAct(t, addr, testkit.Get(t, link), "write", url.Values{"text": {"Venez mardi à 10 h."}})
	testkit.WaitFor(t, "the structure's message", func() bool { return len(fake.Sent(waID)) > before })
	if m := fake.Sent(waID)[before]; m.Type != "template" || m.Template == nil || !strings.Contains(strings.Join(m.Template.Params, " "), "Venez mardi à 10 h.") {
		t.Errorf("the structure's message went as %s %+v, want the template with its text", m.Type, m.Template)
	}
	// The person answers: the window is open again, a free message.
	before = len(fake.Sent(waID))
	answer(t, fake, waID, "Merci, je viendrai.")
	if sent := fake.Sent(waID); len(sent) <= before || sent[before].Type == "template" {
		t.Errorf("after the person wrote again: %d more messages, want free ones", len(sent)-before)
	}
	stop()
	if logs := stderr.String(); strings.Contains(logs, waID) || strings.Contains(logs, fake.Token) || strings.Contains(logs, fake.AppSecret) || strings.Contains(logs, cloudVerify) {
		t.Errorf("logs hold the number or a secret:\n%s", logs)
	}
}

// structureAct posts the form of action on the structure's page, with
// more fields.
func structureAct(t *testing.T, addr, page, action string, more url.Values) {
	t.Helper()
	form := regexp.MustCompile(`<form method="post" action="([^"]+)" class="` + action + `"><input type="hidden" name="csrf" value="([^"]+)">`).FindStringSubmatch(page)
	if form == nil {
		t.Fatalf("no %s form on the page:\n%s", action, page)
	}
	v := url.Values{"csrf": {html.UnescapeString(form[2])}, "action": {action}}
	for k, vs := range more {
		v[k] = vs
	}
	resp, err := http.PostForm("http://"+addr+html.UnescapeString(form[1]), v)
	if err != nil {
		t.Fatal(err)
	}
	resp.Body.Close()
	if resp.StatusCode != http.StatusOK {
		t.Fatalf("%s: status %d", action, resp.StatusCode)
	}
}

// TestWhatsAppCloudWebhookAuth: the webhook on -http-addr refuses a
// forged or unsigned post (401) before the conversation sees it, and
// answers Meta's subscription check only with the verify token.
func TestWhatsAppCloudWebhookAuth(t *testing.T) {
	fake := wacloudtest.New(wacloudtest.Options{})
	defer fake.Close()
	_, _, stop := startCloud(t, fake, map[string]string{"OUTBOX_DIR": t.TempDir()})
	const waID = "32470000009"
	body := []byte(`{"object":"whatsapp_business_account","entry":[{"id":"` + wacloudtest.DefaultWABAID + `","changes":[{"field":"messages","value":{` +
		`"messaging_product":"whatsapp","metadata":{"display_phone_number":"` + wacloudtest.DefaultDisplayNumber + `","phone_number_id":"` + fake.PhoneNumberID + `"},` +
		`"contacts":[{"profile":{"name":"T"},"wa_id":"` + waID + `"}],"messages":[{"from":"` + waID + `","id":"wamid.forged1","timestamp":"1700000000","type":"text","text":{"body":"Bonjour"}}]}}]}]}`)
	for name, sig := range map[string]string{"unsigned": "", "forged": "sha256=" + strings.Repeat("ab", 32), "other secret": fake.Sign([]byte("other"))} {
		if code := fake.Post(body, sig); code != http.StatusUnauthorized {
			t.Errorf("%s: status %d, want 401", name, code)
		}
	}
	if n := len(fake.Sent(waID)); n != 0 {
		t.Errorf("a refused post got %d answers", n)
	}
	if code := fake.Post(body, fake.Sign(body)); code != http.StatusOK {
		t.Errorf("signed: status %d, want 200", code)
	}
	if len(fake.Sent(waID)) == 0 {
		t.Error("the signed post got no answer")
	}
	if code, echoed := fake.Verify(cloudVerify); code != http.StatusOK || !echoed {
		t.Errorf("right verify token: status %d, challenge echoed %v", code, echoed)
	}
	if code, echoed := fake.Verify("wrong-token"); code != http.StatusForbidden || echoed {
		t.Errorf("wrong verify token: status %d, challenge echoed %v", code, echoed)
	}
	stop()
}
