package wacloudtest

import (
	"crypto/hmac"
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"io"
	"net/http"
	"net/http/httptest"
	"strings"
	"sync"
	"testing"
	"time"
)

const person = "32470123456"

// clock is a settable clock for the window.
type clock struct {
	mu sync.Mutex
	t  time.Time
}

func (c *clock) Now() time.Time { c.mu.Lock(); defer c.mu.Unlock(); return c.t }
func (c *clock) Add(d time.Duration) {
	c.mu.Lock()
	defer c.mu.Unlock()
	c.t = c.t.Add(d)
}

// app is a webhook receiver that checks signatures as the transport must.
type app struct {
	mu     sync.Mutex
	bodies [][]byte
}

func (a *app) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	body, _ := io.ReadAll(r.Body)
	mac := hmac.New(sha256.New, []byte(DefaultAppSecret))
	mac.Write(body)
	want := "sha256=" + hex.EncodeToString(mac.Sum(nil))
	if !hmac.Equal([]byte(r.Header.Get("X-Hub-Signature-256")), []byte(want)) {
		w.WriteHeader(http.StatusUnauthorized)
		return
	}
	a.mu.Lock()
	a.bodies = append(a.bodies, body)
	a.mu.Unlock()
}

func (a *app) got() [][]byte {
	a.mu.Lock()
	defer a.mu.Unlock()
	return append([][]byte(nil), a.bodies...)
}

// start runs a fake with a webhook app and a clock at a fixed time.
func start(t *testing.T, o Options) (*Server, *app, *clock) {
	t.Helper()
	a := &app{}
	hook := httptest.NewServer(a)
	t.Cleanup(hook.Close)
	c := &clock{t: time.Date(2026, 12, 6, 9, 0, 0, 0, time.UTC)}
	o.Now, o.Webhook = c.Now, hook.URL
	s := New(o)
	t.Cleanup(s.Close)
	return s, a, c
}

// post sends a body to the messages endpoint as the transport would.
func post(t *testing.T, s *Server, token, path, body string) (int, map[string]any) {
	t.Helper()
	req, err := http.NewRequestWithContext(t.Context(), http.MethodPost, s.URL+path, strings.NewReader(body))
	if err != nil {
		t.Fatal(err)
	}
	req.Header.Set("Authorization", "Bearer "+token)
	req.Header.Set("Content-Type", "application/json")
	res, err := http.DefaultClient.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	defer res.Body.Close()
	var out map[string]any
	if err := json.NewDecoder(res.Body).Decode(&out); err != nil {
		t.Fatalf("decode answer: %v", err)
	}
	return res.StatusCode, out
}

const path = "/v21.0/" + DefaultPhoneNumberID + "/messages"

func send(t *testing.T, s *Server, body string) (int, map[string]any) {
	t.Helper()
	return post(t, s, DefaultToken, path, body)
}

// code is the Graph error code of an answer; 0 if none.
func code(out map[string]any) int {
	e, _ := out["error"].(map[string]any)
	c, _ := e["code"].(float64)
	return int(c)
}

func text(to, body string) string {
	b, _ := json.Marshal(map[string]any{"messaging_product": "whatsapp", "recipient_type": "individual",
		"to": to, "type": "text", "text": map[string]string{"body": body}})
	return string(b)
}

func buttons(to string, titles ...string) string {
	var bs []map[string]any
	for i, t := range titles {
		bs = append(bs, map[string]any{"type": "reply", "reply": map[string]string{"id": "b" + string(rune('0'+i)), "title": t}})
	}
	b, _ := json.Marshal(map[string]any{"messaging_product": "whatsapp", "to": to, "type": "interactive",
		"interactive": map[string]any{"type": "button", "body": map[string]string{"text": "Vous êtes d'accord ?"},
			"action": map[string]any{"buttons": bs}}})
	return string(b)
}

func list(to string, rows ...string) string {
	var rs []map[string]string
	for i, t := range rows {
		rs = append(rs, map[string]string{"id": "r" + string(rune('a'+i)), "title": t, "description": "détail"})
	}
	b, _ := json.Marshal(map[string]any{"messaging_product": "whatsapp", "to": to, "type": "interactive",
		"interactive": map[string]any{"type": "list", "body": map[string]string{"text": "Choisissez"},
			"action": map[string]any{"button": "Voir", "sections": []map[string]any{{"title": "Lieux", "rows": rs}}}}})
	return string(b)
}

func tmpl(to, name, lang string, params ...string) string {
	var ps []map[string]string
	for _, p := range params {
		ps = append(ps, map[string]string{"type": "text", "text": p})
	}
	b, _ := json.Marshal(map[string]any{"messaging_product": "whatsapp", "to": to, "type": "template",
		"template": map[string]any{"name": name, "language": map[string]string{"code": lang},
			"components": []map[string]any{{"type": "body", "parameters": ps}}}})
	return string(b)
}

func TestAuthAndPath(t *testing.T) {
	s, _, _ := start(t, Options{Version: "v21.0"})
	cases := []struct {
		name, token, path string
		status, code      int
	}{
		{"wrong token", "nope", path, 401, 190},
		{"wrong number", DefaultToken, "/v21.0/999/messages", 400, 100},
		{"wrong version", DefaultToken, "/v20.0/" + DefaultPhoneNumberID + "/messages", 400, 100},
		{"not messages", DefaultToken, "/v21.0/" + DefaultPhoneNumberID + "/media", 400, 100},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			st, out := post(t, s, c.token, c.path, text(person, "x"))
			if st != c.status || code(out) != c.code {
				t.Errorf("status %d code %d, want %d %d (%v)", st, code(out), c.status, c.code, out)
			}
		})
	}
	if n := len(s.Sent(person)); n != 0 {
		t.Errorf("Sent = %d messages after refused calls, want 0", n)
	}
}

func TestValidation(t *testing.T) {
	s, _, _ := start(t, Options{Templates: []Approved{{Name: "rappel", Lang: "fr", Body: "Bonjour {{1}}, {{2}} vous répond."}}})
	long := func(n int) string { return strings.Repeat("é", n) }
	cases := []struct {
		name string
		body string
		code int // 0: accepted
	}{
		{"text", text(person, "bonjour"), 0},
		{"empty text", text(person, " "), 100},
		{"text 4096", text(person, long(4096)), 0},
		{"text 4097", text(person, long(4097)), 100},
		{"no product", `{"to":"` + person + `","type":"text","text":{"body":"x"}}`, 100},
		{"group recipient", `{"messaging_product":"whatsapp","recipient_type":"group","to":"` + person + `","type":"text","text":{"body":"x"}}`, 100},
		{"no to", `{"messaging_product":"whatsapp","type":"text","text":{"body":"x"}}`, 100},
		{"3 buttons", buttons(person, "Oui", "Non", "Peut-être"), 0},
		{"4 buttons", buttons(person, "a", "b", "c", "d"), 131009},
		{"title 20", buttons(person, long(20)), 0},
		{"title 21", buttons(person, long(21)), 131009},
		{"same titles", buttons(person, "a", "a"), 131009},
		{"10 rows", list(person, "1", "2", "3", "4", "5", "6", "7", "8", "9", "10"), 0},
		{"11 rows", list(person, "1", "2", "3", "4", "5", "6", "7", "8", "9", "10", "11"), 131009},
		{"row 24", list(person, long(24)), 0},
		{"row 25", list(person, long(25)), 131009},
		{"body 1025", strings.Replace(buttons(person, "Oui"), "Vous êtes d'accord ?", long(1025), 1), 131009},
		{"location request", `{"messaging_product":"whatsapp","to":"` + person + `","type":"interactive","interactive":{"type":"location_request_message","body":{"text":"Où êtes-vous ?"},"action":{"name":"send_location"}}}`, 0},
		{"location request bad action", `{"messaging_product":"whatsapp","to":"` + person + `","type":"interactive","interactive":{"type":"location_request_message","body":{"text":"Où ?"},"action":{"name":"x"}}}`, 100},
		{"location", `{"messaging_product":"whatsapp","to":"` + person + `","type":"location","location":{"latitude":"50.85","longitude":4.35,"name":"EPN","address":"Rue 1"}}`, 0},
		{"location without longitude", `{"messaging_product":"whatsapp","to":"` + person + `","type":"location","location":{"latitude":50.85}}`, 100},
		{"template", tmpl(person, "rappel", "fr", "Anne", "L'EPN"), 0},
		{"template unknown", tmpl(person, "rappel", "nl", "Anne", "L'EPN"), 132001},
		{"template param count", tmpl(person, "rappel", "fr", "Anne"), 132000},
		{"template newline", tmpl(person, "rappel", "fr", "Anne\nB", "x"), 131009},
		{"template tab", tmpl(person, "rappel", "fr", "Anne\tB", "x"), 131009},
		{"template spaces", tmpl(person, "rappel", "fr", "Anne     B", "x"), 131009},
		{"image", `{"messaging_product":"whatsapp","to":"` + person + `","type":"image","image":{"link":"x"}}`, 131051},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			st, out := send(t, s, c.body)
			switch {
			case c.code == 0 && st != 200:
				t.Errorf("status %d %v, want 200", st, out)
			case c.code != 0 && (st != 400 || code(out) != c.code):
				t.Errorf("status %d code %d, want 400 %d (%v)", st, code(out), c.code, out)
			case c.code != 0:
				e := out["error"].(map[string]any)
				if e["type"] != "OAuthException" || e["fbtrace_id"] == "" || e["message"] == "" {
					t.Errorf("error body %v lacks Meta's fields", e)
				}
			}
		})
	}
}

func TestSendAnswerAndDecode(t *testing.T) {
	s, _, _ := start(t, Options{})
	s.Text(person, "bonjour")
	st, out := send(t, s, buttons(person, "Oui", "Non"))
	if st != 200 {
		t.Fatalf("status %d %v", st, out)
	}
	id := out["messages"].([]any)[0].(map[string]any)["id"].(string)
	contacts := out["contacts"].([]any)[0].(map[string]any)
	if !strings.HasPrefix(id, "wamid.") || contacts["wa_id"] != person || contacts["input"] != person || out["messaging_product"] != "whatsapp" {
		t.Errorf("answer %v is not Meta's", out)
	}
	_, out2 := send(t, s, text(person, "deux"))
	if id2 := out2["messages"].([]any)[0].(map[string]any)["id"]; id2 == id {
		t.Errorf("two sends got the same wamid %s", id)
	}
	sent := s.Sent(person)
	if len(sent) != 2 || sent[0].ID != id || !sent[0].Delivered || sent[0].Text != "Vous êtes d'accord ?" ||
		len(sent[0].Buttons) != 2 || sent[0].Buttons[1] != (Choice{ID: "b1", Title: "Non"}) || len(sent[0].Raw) == 0 {
		t.Errorf("Sent = %+v", sent)
	}
	if calls := s.Calls(); len(calls) != 2 || calls[0].ID != id || calls[0].To != person || calls[0].Status != 200 {
		t.Errorf("Calls = %+v", calls)
	}
}

func TestWindow(t *testing.T) {
	s, a, clk := start(t, Options{Templates: []Approved{{Name: "reponse", Lang: "fr", Body: "{{1}} a répondu."}}})
	// Never wrote: accepted, then failed by a status webhook.
	if st, _ := send(t, s, text(person, "hors fenêtre")); st != 200 {
		t.Fatalf("status %d, want 200: Meta accepts then fails", st)
	}
	s.Flush()
	assertStatus(t, s, "failed", 131047)
	s.Text(person, "bonjour")
	clk.Add(Window)
	send(t, s, text(person, "à 24 h pile"))
	clk.Add(time.Second)
	send(t, s, text(person, "à 24 h 1 s"))
	send(t, s, tmpl(person, "reponse", "fr", "L'EPN"))
	s.Flush()
	var got []bool
	for _, m := range s.Sent(person) {
		got = append(got, m.Delivered)
	}
	if want := []bool{false, true, false, true}; !equal(got, want) {
		t.Errorf("delivered = %v, want %v", got, want)
	}
	if m := s.Sent(person)[3]; m.Text != "L'EPN a répondu." || m.Template == nil || m.Template.Params[0] != "L'EPN" {
		t.Errorf("template = %+v", m)
	}
	if n := len(s.Statuses()); n != 2 {
		t.Errorf("%d statuses, want the 2 failures only (Statuses off)", n)
	}
	// The failed status is in Meta's envelope, signed (the app accepted it).
	var env envelope
	last := a.got()[len(a.got())-1]
	if err := json.Unmarshal(last, &env); err != nil || env.Entry[0].Changes[0].Value.Statuses[0].Errors[0].Code != 131047 {
		t.Errorf("status webhook %s", last)
	}
}

func assertStatus(t *testing.T, s *Server, status string, code int) {
	t.Helper()
	st := s.Statuses()
	if len(st) == 0 {
		t.Fatalf("no status posted, want %s %d", status, code)
	}
	if l := st[len(st)-1]; l.Status != status || l.Code != code || l.Answer != 200 {
		t.Errorf("last status %+v, want %s %d answered 200", l, status, code)
	}
}

func equal[T comparable](a, b []T) bool {
	if len(a) != len(b) {
		return false
	}
	for i := range a {
		if a[i] != b[i] {
			return false
		}
	}
	return true
}

func TestStatusesOption(t *testing.T) {
	s, _, _ := start(t, Options{Statuses: true})
	s.Text(person, "bonjour")
	send(t, s, text(person, "salut"))
	s.Flush()
	var got []string
	for _, st := range s.Statuses() {
		got = append(got, st.Status)
	}
	if want := []string{"sent", "delivered"}; !equal(got, want) {
		t.Errorf("statuses %v, want %v", got, want)
	}
}

func TestReadReceipt(t *testing.T) {
	s, _, _ := start(t, Options{})
	id, _ := s.Text(person, "bonjour")
	st, out := send(t, s, `{"messaging_product":"whatsapp","status":"read","message_id":"`+id+`"}`)
	if st != 200 || out["success"] != true {
		t.Errorf("read receipt: %d %v", st, out)
	}
	if r := s.Reads(); len(r) != 1 || r[0] != id {
		t.Errorf("Reads = %v", r)
	}
}
