package wacloudtest

import (
	"bytes"
	"context"
	"encoding/json"
	"io"
	"net/http"
	"net/http/httptest"
	"strconv"
	"strings"
	"testing"
	"time"
)

// inbound decodes the only message of a webhook body.
func inbound(t *testing.T, body []byte) map[string]any {
	t.Helper()
	var env struct {
		Object string `json:"object"`
		Entry  []struct {
			ID      string `json:"id"`
			Changes []struct {
				Field string `json:"field"`
				Value struct {
					MessagingProduct string `json:"messaging_product"`
					Metadata         struct {
						PhoneNumberID string `json:"phone_number_id"`
					} `json:"metadata"`
					Contacts []struct {
						Profile struct {
							Name string `json:"name"`
						} `json:"profile"`
						WaID string `json:"wa_id"`
					} `json:"contacts"`
					Messages []map[string]any `json:"messages"`
				} `json:"value"`
			} `json:"changes"`
		} `json:"entry"`
	}
	if err := json.Unmarshal(body, &env); err != nil {
		t.Fatalf("webhook %s: %v", body, err)
	}
	v := env.Entry[0].Changes[0].Value
	if env.Object != "whatsapp_business_account" || env.Entry[0].Changes[0].Field != "messages" ||
		v.MessagingProduct != "whatsapp" || v.Metadata.PhoneNumberID != DefaultPhoneNumberID ||
		v.Contacts[0].WaID != person || v.Contacts[0].Profile.Name == "" || len(v.Messages) != 1 {
		t.Fatalf("webhook %s is not Meta's envelope", body)
	}
	return v.Messages[0]
}

func TestInbound(t *testing.T) {
	s, a, clk := start(t, Options{})
	id, st := s.Text(person, "bonjour")
	if st != 200 || !strings.HasPrefix(id, "wamid.") {
		t.Fatalf("Text = %q, %d", id, st)
	}
	m := inbound(t, a.got()[0])
	if m["from"] != person || m["id"] != id || m["type"] != "text" || m["text"].(map[string]any)["body"] != "bonjour" ||
		m["timestamp"] != strconv.FormatInt(clk.Now().Unix(), 10) {
		t.Errorf("text message %v", m)
	}
	if !s.LastInbound(person).Equal(clk.Now()) {
		t.Errorf("LastInbound = %v, want %v", s.LastInbound(person), clk.Now())
	}
	kinds := []struct {
		post func() (string, int)
		typ  string
		key  string
	}{
		{func() (string, int) { return s.Location(person, 50.85, 4.35) }, "location", "location"},
		{func() (string, int) { return s.Media(person, "image") }, "image", "image"},
		{func() (string, int) { return s.Media(person, "audio") }, "audio", "audio"},
		{func() (string, int) { return s.Media(person, "sticker") }, "sticker", "sticker"},
		{func() (string, int) { return s.Media(person, "unsupported") }, "unsupported", "errors"},
		{func() (string, int) { return s.Reaction(person, id, "👍") }, "reaction", "reaction"},
	}
	for i, k := range kinds {
		if _, st := k.post(); st != 200 {
			t.Errorf("%s: app answered %d", k.typ, st)
		}
		m := inbound(t, a.got()[i+1])
		if m["type"] != k.typ || m[k.key] == nil {
			t.Errorf("%s message %v", k.typ, m)
		}
	}
	if a := inbound(t, a.got()[3])["audio"].(map[string]any); a["voice"] != true {
		t.Errorf("audio %v is no voice note", a)
	}
}

func TestSignatureRedeliverPost(t *testing.T) {
	s, a, _ := start(t, Options{})
	id, _ := s.Text(person, "bonjour")
	if st, ok := s.Redeliver(id); !ok || st != 200 {
		t.Fatalf("Redeliver = %d, %v", st, ok)
	}
	if got := a.got(); len(got) != 2 || !bytes.Equal(got[0], got[1]) {
		t.Errorf("redelivery is not the same body: %q", got)
	}
	if _, ok := s.Redeliver("wamid.unknown"); ok {
		t.Error("Redeliver of an unknown wamid reported ok")
	}
	body := a.got()[0]
	if st := s.Post(body, s.Sign(body)); st != 200 {
		t.Errorf("Post signed = %d, want 200", st)
	}
	if st := s.Post(body, ""); st != 401 {
		t.Errorf("Post unsigned = %d, want 401", st)
	}
	forged := bytes.Replace(body, []byte("bonjour"), []byte("bonsoir"), 1)
	if st := s.Post(forged, s.Sign(body)); st != 401 {
		t.Errorf("Post forged = %d, want 401", st)
	}
	other := New(Options{AppSecret: "other"})
	defer other.Close()
	if st := s.Post(body, other.Sign(body)); st != 401 {
		t.Errorf("Post signed with another secret = %d, want 401", st)
	}
}

func TestAnswer(t *testing.T) {
	s, a, _ := start(t, Options{})
	s.Text(person, "bonjour")
	_, out := send(t, s, buttons(person, "Oui", "Non"))
	bid := out["messages"].([]any)[0].(map[string]any)["id"]
	s.Answer(person, "Non")
	m := inbound(t, a.got()[1])
	ix := m["interactive"].(map[string]any)
	if m["type"] != "interactive" || ix["type"] != "button_reply" || ix["button_reply"].(map[string]any)["id"] != "b1" ||
		m["context"].(map[string]any)["id"] != bid {
		t.Errorf("Answer on buttons posted %v", m)
	}
	send(t, s, list(person, "Bruxelles", "Namur"))
	s.Answer(person, "Namur")
	ix = inbound(t, a.got()[2])["interactive"].(map[string]any)
	if r := ix["list_reply"].(map[string]any); ix["type"] != "list_reply" || r["id"] != "rb" || r["title"] != "Namur" || r["description"] != "détail" {
		t.Errorf("Answer on a list posted %v", ix)
	}
	s.Answer(person, "autre chose")
	if m := inbound(t, a.got()[3]); m["type"] != "text" {
		t.Errorf("Answer with no such choice posted %v, want text", m)
	}
}

func TestFailAndBlock(t *testing.T) {
	s, _, _ := start(t, Options{})
	s.Text(person, "bonjour")
	s.Text("32470999999", "bonjour")
	s.Fail(Failure{Code: 130429, Times: 2})
	s.Fail(Failure{Code: 131056, To: "32470999999"})
	s.Fail(Failure{Code: 131000, HTTP: 500, Subcode: 7})
	for i, want := range []struct{ status, code int }{{429, 130429}, {429, 130429}, {500, 131000}, {200, 0}} {
		st, out := send(t, s, text(person, "x"))
		if st != want.status || code(out) != want.code {
			t.Errorf("send %d to person: %d %d, want %d %d", i, st, code(out), want.status, want.code)
		}
	}
	if st, out := send(t, s, text("32470999999", "x")); st != 429 || code(out) != 131056 {
		t.Errorf("pair rate failure: %d %v", st, out)
	}
	s.Block(person)
	if st, _ := send(t, s, text(person, "x")); st != 200 {
		t.Errorf("send to a blocked number: %d, want 200 then a failed status", st)
	}
	s.Flush()
	assertStatus(t, s, "failed", 131026)
	if l, _ := s.Last(person); l.Text != "x" || l.Delivered != true {
		t.Errorf("Last = %+v, want the one delivered before the block", l)
	}
}

func TestHold(t *testing.T) {
	s, _, _ := start(t, Options{})
	s.Text(person, "bonjour")
	release := s.Hold()
	done := make(chan int)
	go func() {
		st, _ := send(t, s, text(person, "attend"))
		done <- st
	}()
	waitFor(t, func() bool { return s.Held() == 1 })
	if n := len(s.Sent(person)); n != 0 {
		t.Fatalf("a held send was carried out")
	}
	ctx, cancel := context.WithTimeout(t.Context(), 50*time.Millisecond)
	defer cancel()
	req, _ := http.NewRequestWithContext(ctx, http.MethodPost, s.URL+path, strings.NewReader(text(person, "abandon")))
	req.Header.Set("Authorization", "Bearer "+DefaultToken)
	if _, err := http.DefaultClient.Do(req); err == nil {
		t.Error("a held request answered before release")
	}
	waitFor(t, func() bool { return s.Held() == 1 }) // the server saw it go
	release()
	release()
	if st := <-done; st != 200 {
		t.Errorf("released send: %d", st)
	}
	waitFor(t, func() bool { return len(s.Calls()) == 2 })
	var got []int
	for _, c := range s.Calls() {
		got = append(got, c.Status)
	}
	if len(s.Sent(person)) != 1 || !(equal(got, []int{499, 200}) || equal(got, []int{200, 499})) {
		t.Errorf("calls %v, sent %d: want the given-up one recorded 499 and not sent", got, len(s.Sent(person)))
	}
}

func waitFor(t *testing.T, ok func() bool) {
	t.Helper()
	for range 2000 {
		if ok() {
			return
		}
		time.Sleep(time.Millisecond)
	}
	t.Fatal("condition not met in 2 s")
}

func TestTranscript(t *testing.T) {
	s, _, _ := start(t, Options{Templates: []Approved{{Name: "reponse", Lang: "fr", Body: "{{1}} a répondu."}}})
	send(t, s, text(person, "perdu: hors fenêtre"))
	s.Text(person, "bonjour")
	send(t, s, buttons(person, "Oui", "Non"))
	s.Answer(person, "Oui")
	send(t, s, list(person, "Bruxelles", "Namur"))
	s.Answer(person, "Namur")
	send(t, s, `{"messaging_product":"whatsapp","to":"`+person+`","type":"location","location":{"latitude":50.4669,"longitude":4.8675,"name":"EPN Namur","address":"Rue de Fer 1"}}`)
	send(t, s, `{"messaging_product":"whatsapp","to":"`+person+`","type":"interactive","interactive":{"type":"location_request_message","body":{"text":"Où êtes-vous ?"},"action":{"name":"send_location"}}}`)
	s.Location(person, 50.85, 4.35)
	send(t, s, text(person, "ligne 1\nligne 2"))
	send(t, s, tmpl(person, "reponse", "fr", "L'EPN"))
	want := `> bonjour
< Vous êtes d'accord ?
<   [Oui] [Non]
> [Oui]
< Choisissez
<   ≡ Voir
<   • Bruxelles — détail
<   • Namur — détail
> [Namur]
< 📍 EPN Namur, Rue de Fer 1 (50.4669, 4.8675)
< Où êtes-vous ?
<   [📍 Send location]
> 📍 50.85, 4.35
< ligne 1
< ligne 2
< L'EPN a répondu.
`
	if got := s.Transcript(person); got != want {
		t.Errorf("Transcript =\n%s\nwant\n%s", got, want)
	}
}

func TestVerify(t *testing.T) {
	s := New(Options{})
	defer s.Close()
	if st, ok := s.Verify("x"); st != 0 || ok {
		t.Errorf("Verify with no webhook = %d, %v; want 0, false", st, ok)
	}
	hook := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		q := r.URL.Query()
		if q.Get("hub.mode") != "subscribe" || q.Get("hub.verify_token") != "secret" {
			w.WriteHeader(http.StatusForbidden)
			return
		}
		io.WriteString(w, q.Get("hub.challenge"))
	}))
	defer hook.Close()
	s.SetWebhook(hook.URL + "/webhook?x=1")
	if st, ok := s.Verify("secret"); st != 200 || !ok {
		t.Errorf("Verify(right token) = %d, %v; want 200, true", st, ok)
	}
	if st, ok := s.Verify("wrong"); st != 403 || ok {
		t.Errorf("Verify(wrong token) = %d, %v; want 403, false", st, ok)
	}
}

func TestNoRecord(t *testing.T) {
	s, _, _ := start(t, Options{NoRecord: true})
	id, _ := s.Text(person, "bonjour")
	send(t, s, text(person, "un"))
	send(t, s, buttons(person, "Oui", "Non"))
	if _, st := s.Answer(person, "Oui"); st != 200 {
		t.Errorf("Answer = %d", st)
	}
	if sent := s.Sent(person); len(sent) != 1 || len(sent[0].Buttons) != 2 {
		t.Errorf("Sent = %+v, want the last message only", sent)
	}
	if len(s.Calls()) != 0 || len(s.Statuses()) != 0 {
		t.Errorf("%d calls and %d statuses kept", len(s.Calls()), len(s.Statuses()))
	}
	if _, ok := s.Redeliver(id); ok {
		t.Error("Redeliver found a message NoRecord should not keep")
	}
}
