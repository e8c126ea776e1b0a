package wacloud

import (
	"net/http"
	"slices"
	"strings"
	"testing"

	"github.com/secours/secours/bot/channeltest"
	"github.com/secours/secours/flows"
	"github.com/secours/secours/geo"
	"github.com/secours/secours/internal/testkit"
)

// TestInbound: each kind of message Meta posts reaches the engine as the
// right neutral message, with the wamid as its id.
func TestInbound(t *testing.T) {
	rec := &channeltest.Recorder{Out: []flows.Reply{{Text: "Q ?", Question: "q", Choices: []flows.Choice{{Key: "q:a", Label: "Oui"}, {Key: "q:b", Label: "Non"}}}}}
	h := newHarness(t, rec, nil)
	for _, c := range []struct {
		name string
		post func() (string, int)
		want flows.Msg
	}{
		{"text", func() (string, int) { return h.fake.Text(beID, "bonjour") }, flows.Msg{Kind: flows.KindText, Text: "bonjour"}},
		{"button", func() (string, int) { return h.fake.Press(beID, "q:b", "Non") }, flows.Msg{Kind: flows.KindChoice, Choice: "q:b"}},
		{"list row", func() (string, int) { return h.fake.Pick(beID, "need:health", "Santé") }, flows.Msg{Kind: flows.KindChoice, Choice: "need:health"}},
		{"location", func() (string, int) { return h.fake.Location(beID, 50.85, 4.35) }, flows.Msg{Kind: flows.KindLocation, Loc: geo.Point{Lat: 50.85, Lon: 4.35}}},
		{"image", func() (string, int) { return h.fake.Media(beID, "image") }, flows.Msg{Kind: flows.KindUnsupported}},
		{"voice", func() (string, int) { return h.fake.Media(beID, "audio") }, flows.Msg{Kind: flows.KindUnsupported}},
		{"sticker", func() (string, int) { return h.fake.Media(beID, "sticker") }, flows.Msg{Kind: flows.KindUnsupported}},
		{"video", func() (string, int) { return h.fake.Media(beID, "video") }, flows.Msg{Kind: flows.KindUnsupported}},
		{"document", func() (string, int) { return h.fake.Media(beID, "document") }, flows.Msg{Kind: flows.KindUnsupported}},
		{"unsupported", func() (string, int) { return h.fake.Media(beID, "unsupported") }, flows.Msg{Kind: flows.KindUnsupported}},
	} {
		t.Run(c.name, func(t *testing.T) {
			id, code := c.post()
			if code != http.StatusOK {
				t.Fatalf("webhook answered %d", code)
			}
			got := rec.Last(t)
			testkit.WaitFor(t, "the message marked read once answered", func() bool { return slices.Contains(h.fake.Reads(), id) })
			c.want.Chat, c.want.ID, c.want.Country = "wc:"+beID, id, "BE"
			got.Waited = 0
			if got != c.want {
				t.Errorf("reached the engine %+v, want %+v", got, c.want)
			}
		})
	}
	n := rec.Count()
	wamid, _ := h.fake.Text(frID, "salut")
	if _, code := h.fake.Reaction(frID, wamid, "👍"); code != http.StatusOK || rec.Count() != n+1 {
		t.Errorf("a reaction: %d, %d messages reached the engine, want 200 and none", code, rec.Count()-n-1)
	}
	if got := rec.Last(t); got.Country != "FR" || got.Chat != "wc:"+frID {
		t.Errorf("French number: chat %q country %q", got.Chat, got.Country)
	}
}

// TestTemplateButton: a template's quick reply reaches the engine as its
// payload.
func TestTemplateButton(t *testing.T) {
	rec := &channeltest.Recorder{}
	h := newHarness(t, rec, nil)
	body := `{"object":"whatsapp_business_account","entry":[{"id":"1","changes":[{"field":"messages","value":{
		"messaging_product":"whatsapp","metadata":{"phone_number_id":"` + h.fake.PhoneNumberID + `"},
		"messages":[{"from":"` + beID + `","id":"wamid.T1","timestamp":"1741078800","type":"button",
		"button":{"payload":"ref:ok","text":"Oui"}}]}}]}]}`
	if code := h.fake.Post([]byte(body), h.fake.Sign([]byte(body))); code != http.StatusOK {
		t.Fatalf("webhook answered %d", code)
	}
	if got := rec.Last(t); got.Kind != flows.KindChoice || got.Choice != "ref:ok" || got.ID != "wamid.T1" {
		t.Errorf("quick reply reached the engine as %+v", got)
	}
}

// TestDuplicate: Meta posting a message again passes it on with the same
// id: the engine drops the repeat.
func TestDuplicate(t *testing.T) {
	rec := &channeltest.Recorder{}
	h := newHarness(t, rec, nil)
	id, _ := h.fake.Text(beID, "bonjour")
	if code, ok := h.fake.Redeliver(id); !ok || code != http.StatusOK {
		t.Fatalf("redelivery: %d %v", code, ok)
	}
	if rec.Count() != 2 || rec.Msgs()[0].ID != id || rec.Msgs()[1].ID != id {
		t.Errorf("the engine saw %d messages (%+v), want the same id twice", rec.Count(), rec.Msgs())
	}
}

// TestWebhookRefusals: forged, unsigned and oversize posts, a wrong
// method, the subscription check, another number's posts.
func TestWebhookRefusals(t *testing.T) {
	rec := &channeltest.Recorder{}
	h := newHarness(t, rec, nil)
	body := []byte(`{"object":"whatsapp_business_account","entry":[]}`)
	if code := h.fake.Post(body, h.fake.Sign(body)); code != http.StatusOK {
		t.Errorf("signed: %d, want 200", code)
	}
	if code := h.fake.Post(body, "sha256="+strings.Repeat("ab", 32)); code != http.StatusUnauthorized {
		t.Errorf("forged: %d, want 401", code)
	}
	if code := h.fake.Post(body, ""); code != http.StatusUnauthorized {
		t.Errorf("unsigned: %d, want 401", code)
	}
	big := []byte(`{"object":"` + strings.Repeat("x", maxWebhookBody) + `"}`)
	if code := h.fake.Post(big, h.fake.Sign(big)); code != http.StatusRequestEntityTooLarge {
		t.Errorf("oversize: %d, want 413", code)
	}
	if code := h.fake.Post([]byte("[1,2"), h.fake.Sign([]byte("[1,2"))); code != http.StatusBadRequest {
		t.Errorf("not JSON: %d, want 400", code)
	}
	other := []byte(`{"object":"whatsapp_business_account","entry":[{"changes":[{"field":"messages","value":{
		"metadata":{"phone_number_id":"999"},"messages":[{"from":"` + beID + `","id":"wamid.X","type":"text","text":{"body":"hé"}}]}}]}]}`)
	if code := h.fake.Post(other, h.fake.Sign(other)); code != http.StatusOK || rec.Count() != 0 {
		t.Errorf("another number's post: %d, %d messages reached the engine, want 200 and none", code, rec.Count())
	}
	if code, echoed := h.fake.Verify("verify-me"); code != http.StatusOK || !echoed {
		t.Errorf("Meta's subscription check: %d, challenge echoed %v", code, echoed)
	}
	if code, _ := h.fake.Verify("guess"); code != http.StatusForbidden {
		t.Errorf("a subscription check with a wrong token: %d, want 403", code)
	}
	srv := h.a.WebhookHandler()
	for _, c := range []struct {
		method, target string
		code           int
	}{
		{http.MethodGet, "/?hub.mode=subscribe&hub.verify_token=verify-me&hub.challenge=42", http.StatusOK},
		{http.MethodGet, "/?hub.mode=subscribe&hub.verify_token=guess&hub.challenge=42", http.StatusForbidden},
		{http.MethodDelete, "/", http.StatusMethodNotAllowed},
	} {
		w := newRecorder()
		srv.ServeHTTP(w, newRequest(c.method, c.target))
		if w.Code != c.code || c.code == http.StatusOK && w.Body.String() != "42" {
			t.Errorf("%s %s: %d %q, want %d", c.method, c.target, w.Code, w.Body.String(), c.code)
		}
	}
}

// TestClosed: once closed, a message is refused, for Meta to post it
// again to another instance or later; nothing reaches the engine.
func TestClosed(t *testing.T) {
	rec := &channeltest.Recorder{}
	h := newHarness(t, rec, nil)
	h.a.Close()
	if _, code := h.fake.Text(beID, "bonjour"); code == http.StatusOK || rec.Count() != 0 {
		t.Errorf("a message after Close: %d, %d reached the engine, want a refusal and none", code, rec.Count())
	}
}
