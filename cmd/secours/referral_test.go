package main

import (
	"bytes"
	"context"
	"crypto/sha256"
	"encoding/hex"
	"errors"
	"html"
	"net/http"
	"net/url"
	"regexp"
	"strconv"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/secours/secours/bot/telegram/telegramtest"
	"github.com/secours/secours/flows"
	"github.com/secours/secours/internal/testkit"
	"github.com/secours/secours/referral/mail/smtptest"
	"github.com/secours/secours/store/redis"
	"github.com/secours/secours/store/redis/redistest"
)

// TestServeReferralEndToEnd runs the whole binary's wiring: a person on a
// fake Telegram answers the diagnostic and consents; the referral reaches
// a local SMTP sink; the structure opens the link in the mail and accepts
// on the page; the person is told on Telegram.
func TestServeReferralEndToEnd(t *testing.T) {
	tg := telegramtest.New(telegramtest.Options{})
	defer tg.Close()
	sink := smtptest.NewServer(t)
	addr := testkit.FreeAddr(t)
	cfg := telegramConfig(t, tg, []string{"-http-addr", addr, "-base-url", "http://" + addr},
		map[string]string{"SMTP_URL": sink.URL("secours@example.org"), "REFERRAL_HOLD": "200ms"})
	stderr, stop := startServe(t, cfg)

	// A chat id long enough that no duration or port in the logs can
	// hold its digits by chance (4242 did, once in a while).
	const chat = 7301948261
	chatID := strconv.Itoa(chat)
	answers := []string{"/start", "1", "2", "1", "4", "1", "1", "3", "3", "1", "1", "1", "59000", "1", "1", "1"}
	for i, a := range answers {
		before := len(tg.Sent(chat))
		tg.Text(chat, "fr", a)
		if i == len(answers)-1 {
			break // the confirmation, below, has no question
		}
		// The answer ends with the next question and its buttons: the
		// place list before it is several messages (a card and a map pin
		// each), paced, and typing on after the first of them would
		// answer a question not asked yet.
		testkit.WaitFor(t, "the question after "+a, func() bool {
			sent := tg.Sent(chat)
			if len(sent) <= before {
				return false
			}
			m := sent[len(sent)-1].Markup()
			return len(m.InlineKeyboard) > 0 || len(m.Keyboard) > 0
		})
	}
	testkit.WaitFor(t, "the confirmation", func() bool { return strings.Contains(lastText(tg, chat), "C'est envoyé à") })

	msgs := sink.Wait(t, 1, 10*time.Second)
	body := strings.ReplaceAll(string(msgs[0].Data), "=\r\n", "")
	link := regexp.MustCompile(`http://` + regexp.QuoteMeta(addr) + `/s/[A-Za-z0-9_-]{43}`).FindString(body)
	if link == "" {
		t.Fatalf("no page link in the mail:\n%s", body)
	}
	if strings.Contains(body, chatID) {
		t.Errorf("the person's chat id is in the mail")
	}

	page := testkit.Get(t, link)
	form := regexp.MustCompile(`<form method="post" action="([^"]+)" class="accept"><input type="hidden" name="csrf" value="([^"]+)">`).FindStringSubmatch(page)
	if form == nil {
		t.Fatalf("no accept form on the page:\n%s", page)
	}
	// Opening the link tells the person nothing: a mail scanner opens it too.
	if last := lastText(tg, chat); !strings.Contains(last, "C'est envoyé à") {
		t.Errorf("after opening the page the person got %q", last)
	}
	resp, err := http.PostForm("http://"+addr+html.UnescapeString(form[1]), url.Values{"csrf": {html.UnescapeString(form[2])}, "action": {"accept"}})
	if err != nil {
		t.Fatal(err)
	}
	resp.Body.Close()
	if resp.StatusCode != http.StatusOK || !strings.Contains(resp.Request.URL.RawQuery, "m=") {
		t.Errorf("accept: status %d at %s", resp.StatusCode, resp.Request.URL)
	}
	testkit.WaitFor(t, "the acceptance notice", func() bool { return strings.Contains(lastText(tg, chat), "a accepté votre demande") })
	stop()
	if logs := stderr.String(); strings.Contains(logs, chatID) || strings.Contains(logs, link[len(link)-43:]) {
		t.Errorf("logs hold the chat id or the page token:\n%s", logs)
	}
}

func lastText(tg *telegramtest.Server, chat int64) string {
	sent := tg.Sent(chat)
	if len(sent) == 0 {
		return ""
	}
	return sent[len(sent)-1].Params["text"]
}

func TestStructureLinkCommand(t *testing.T) {
	var out, errb bytes.Buffer
	if code := run([]string{"structure", "link", "france-services/1"}, strings.NewReader(""), &out, &errb, envOf(nil)); code != 2 ||
		!strings.Contains(errb.String(), "REDIS_URL is not set") {
		t.Errorf("without Redis: exit %d, %q", code, errb.String())
	}
	u := redistest.URL(t)
	env := envOf(map[string]string{"REDIS_URL": u, "BASE_URL": "https://secours.example.org"})
	t.Cleanup(func() {
		st, err := redis.Open(context.Background(), u, redis.Options{})
		if err == nil {
			_ = st.RevokeAccess(context.Background(), "france-services/1")
			st.Close()
		}
	})
	var links []string
	for range 2 {
		out.Reset()
		errb.Reset()
		if code := run([]string{"structure", "link", "france-services/1"}, strings.NewReader(""), &out, &errb, env); code != 0 {
			t.Fatalf("exit %d: %s", code, errb.String())
		}
		lines := strings.Split(strings.TrimSpace(out.String()), "\n")
		if len(lines) != 2 || lines[0] != "France services de Valserhône" || !regexp.MustCompile(`^https://secours\.example\.org/s/[A-Za-z0-9_-]{43}$`).MatchString(lines[1]) {
			t.Fatalf("output %q", out.String())
		}
		links = append(links, lines[1])
	}
	st, err := redis.Open(t.Context(), u, redis.Options{})
	if err != nil {
		t.Fatal(err)
	}
	defer st.Close()
	for i, l := range links {
		sum := sha256.Sum256([]byte(l[len(l)-43:]))
		_, err := st.TokenPlace(t.Context(), hex.EncodeToString(sum[:]))
		if revoked := errors.Is(err, flows.ErrNoToken); revoked != (i == 0) {
			t.Errorf("link %d: revoked %v (err %v); only the first must be", i, revoked, err)
		}
	}
	// By name, unquoted, accents and case aside (issue 17.13).
	out.Reset()
	errb.Reset()
	if code := run([]string{"structure", "link", "france", "services", "de", "VALSERHONE"}, strings.NewReader(""), &out, &errb, env); code != 0 ||
		!strings.HasPrefix(out.String(), "France services de Valserhône\nhttps://secours.example.org/s/") {
		t.Errorf("by name: exit %d, stdout %q, stderr %q", code, out.String(), errb.String())
	}
}

// TestStructureLinkFindsPlace: "structure link" took an id only, and
// answered "not in the directory" to a place's name (issue 17.13). It
// finds a place by name as "secours share" does; an ambiguous or unknown
// name is refused before Redis is asked (the URL here leads nowhere),
// listing the candidates with their ids.
func TestStructureLinkFindsPlace(t *testing.T) {
	env := envOf(map[string]string{"REDIS_URL": "redis://127.0.0.1:1/0"})
	for _, tt := range []struct {
		name string
		args []string
		code int
		want []string // in stderr
	}{
		{"ambiguous", []string{"ocmw"}, 2, []string{`places match "ocmw"; give one id:`, "  cpas-be/21001  CPAS / OCMW Anderlecht (", "… and "}},
		{"ambiguous, flags after", []string{"Nogent", "-base-url", "https://x.example"}, 2, []string{"  france-services/2426  France services de Nogent ("}},
		{"unknown", []string{"no/such-place"}, 1, []string{`no place has the id "no/such-place" or a name that holds it`}},
		{"none given", nil, 2, []string{"give a place id or name"}},
	} {
		t.Run(tt.name, func(t *testing.T) {
			var out, errb bytes.Buffer
			code := run(append([]string{"structure", "link"}, tt.args...), strings.NewReader(""), &out, &errb, env)
			if code != tt.code || out.Len() != 0 {
				t.Errorf("exit %d, want %d; stdout %q", code, tt.code, out.String())
			}
			for _, w := range tt.want {
				if !strings.Contains(errb.String(), w) {
					t.Errorf("stderr lacks %q:\n%s", w, errb.String())
				}
			}
		})
	}
}

// TestServeObservatory: six people of one commune, started from a
// structure's share link, go through the bot on a fake Telegram; the
// coordinators' page counts them, and a token it does not know sees
// nothing.
func TestServeObservatory(t *testing.T) {
	tg := telegramtest.New(telegramtest.Options{})
	defer tg.Close()
	addr := testkit.FreeAddr(t)
	token := "coordinators-test-token-0123456789abcdef"
	sum := sha256.Sum256([]byte(token))
	cfg := telegramConfig(t, tg, []string{"-http-addr", addr}, map[string]string{
		"OUTBOX_DIR":               t.TempDir(),
		"OBSERVATORY_TOKEN_SHA256": hex.EncodeToString(sum[:]),
	})
	_, stop := startServe(t, cfg)
	code := flows.ShareCode("france-services/1")
	// In parallel: Telegram paces each chat to about a message a second.
	var wg sync.WaitGroup
	for u := range int64(6) {
		chat := 7000 + u
		wg.Go(func() {
			for _, a := range []string{"/start " + code, "1", "2", "1", "4", "1", "1", "3", "3", "1", "1", "1", "59000"} {
				before := len(tg.Sent(chat))
				tg.Text(chat, "fr", a)
				deadline := time.Now().Add(20 * time.Second)
				for len(tg.Sent(chat)) <= before && time.Now().Before(deadline) {
					time.Sleep(10 * time.Millisecond)
				}
			}
		})
	}
	wg.Wait()
	for u := range int64(6) {
		// Each place comes with its pin (issue 21): a list is seven
		// messages, paced at one a second in a chat past the burst.
		deadline := time.Now().Add(30 * time.Second)
		for !strings.Contains(lastText(tg, 7000+u), "Quel lieu choisissez-vous") && time.Now().Before(deadline) {
			time.Sleep(10 * time.Millisecond)
		}
		if !strings.Contains(lastText(tg, 7000+u), "Quel lieu choisissez-vous") {
			t.Fatalf("chat %d: timed out waiting for the place list", 7000+u)
		}
	}
	page := testkit.Get(t, "http://"+addr+"/obs/"+token+"?lang=fr")
	csv := testkit.Get(t, "http://"+addr+"/obs/"+token+"/export.csv")
	for _, want := range []string{"Lille"} {
		if !strings.Contains(page, want) || !strings.Contains(csv, want) {
			t.Errorf("observatory lacks %q", want)
		}
	}
	// Six finished, six shared, six health needs: shown; nothing personal.
	if !regexp.MustCompile(`;6;`).MatchString(csv) {
		t.Errorf("no count of 6 in the CSV:\n%s", csv)
	}
	if strings.Contains(csv, "7000") || strings.Contains(page, "7000") {
		t.Errorf("a chat id leaked into the observatory")
	}
	resp, err := http.Get("http://" + addr + "/obs/wrong-token-0123456789abcdef0123")
	if err != nil {
		t.Fatal(err)
	}
	resp.Body.Close()
	if resp.StatusCode != http.StatusNotFound {
		t.Errorf("wrong token: %d", resp.StatusCode)
	}
	stop()
}
