package structure

import (
	"crypto/sha256"
	"encoding/base64"
	"fmt"
	"io"
	"io/fs"
	"log/slog"
	"maps"
	"net/http"
	"net/http/httptest"
	"net/url"
	"regexp"
	"slices"
	"strings"
	"testing"
	"testing/fstest"
	"time"

	"github.com/secours/secours/configs"
	"github.com/secours/secours/flows"
	"github.com/secours/secours/geo"
	"github.com/secours/secours/internal/testkit"
	"github.com/secours/secours/text"
	"github.com/secours/secours/text/texttest"
	"github.com/secours/secours/web"
	"github.com/secours/secours/web/webtest"
)

// Fixture data: two places, each with its token, and referrals that
// between them show every part of the page.
const (
	tokA       = "tokA_9f8e7d6c5b4a3210"
	tokB       = "tokB_0123456789abcdef"
	tokRevoked = "tokR_deadbeefdeadbeef"
	placeA     = "epn-marolles"
	placeB     = "ocmw-gent"
	chatA      = flows.ChatID("tg:5550001112223")
	phoneA     = "+32470123456"
	idA1       = "a1x9k2sentrelay01" // sent, relay, aidant, a failed mail, a note
	idA2       = "a2m4q7acceptphon2" // accepted, phone
	idA3       = "a3w5z8withdrawn03" // closed: withdrawn and scrubbed
	idB1       = "b1r6t3sentplaceb4" // place B's
	personNote = "Je suis libre mardi matin"
)

// t0 is the fixture's "now": Thursday 12 March 2026, 14:05 in Brussels.
var t0 = time.Date(2026, 3, 12, 13, 5, 0, 0, time.UTC)

type fixture struct {
	clock *testkit.Clock // shared by the fake desk and the page
	desk  *fakeDesk
	web   *Web
	logs  *testkit.SyncBuffer
}

func places() fakePlaces {
	return fakePlaces{
		placeA: {ID: placeA, Name: "EPN Les Marolles", Country: geo.BE, Langs: []string{"fr", "nl"}},
		placeB: {ID: placeB, Name: "OCMW Gent – digitaal", Country: geo.BE, Langs: []string{"nl"}},
	}
}

func referralA1() flows.Referral {
	return flows.Referral{
		V: flows.ReferralVersion, ID: idA1, Place: placeA, Lang: flows.NL, Country: "BE", Postcode: "1000",
		Need: "banking", Profile: "besoin_assistance", Why: "why.needs_boost", Confidence: "medium",
		Aidant: true, ConsentBy: "aidant_for_person", ConsentAt: t0.Add(-3 * time.Hour),
		Contact: flows.ContactRelay, Chat: chatA, Status: flows.StatusSent,
		Created: t0.Add(-3 * time.Hour), Updated: t0.Add(-time.Hour),
		History: []flows.Change{{At: t0.Add(-3 * time.Hour), Status: flows.StatusSent, Actor: flows.ActorPerson}},
		Thread:  []flows.Note{{At: t0.Add(-time.Hour), From: flows.ActorPerson, Text: personNote}},
		Delivery: flows.Delivery{Queue: []string{flows.MailNew}, Attempts: 2, Next: t0.Add(30 * time.Minute),
			Err: "smtp 550 mailbox unavailable"},
	}
}

func referralA2() flows.Referral {
	return flows.Referral{
		V: flows.ReferralVersion, ID: idA2, Place: placeA, Lang: flows.FR, Country: "BE", Postcode: "1060",
		Need: "procedure", Profile: "grand_debutant", Why: "why.basics_missing", Confidence: "high",
		ConsentBy: "self", ConsentAt: t0.Add(-50 * time.Hour),
		Contact: flows.ContactPhone, Phone: phoneA, Chat: "wa:32470123456", Status: flows.StatusAccepted, Unreachable: true,
		Created: t0.Add(-50 * time.Hour), Updated: t0.Add(-40 * time.Hour),
		History: []flows.Change{{At: t0.Add(-50 * time.Hour), Status: flows.StatusSent, Actor: flows.ActorPerson},
			{At: t0.Add(-40 * time.Hour), Status: flows.StatusAccepted, Actor: flows.ActorStructure}},
	}
}

func referralA3() flows.Referral {
	r := flows.Referral{
		V: flows.ReferralVersion, ID: idA3, Place: placeA, Lang: flows.FR, ConsentBy: "self",
		ConsentAt: t0.Add(-100 * time.Hour), Contact: flows.ContactRelay,
		Status: flows.StatusClosed, Reason: flows.ReasonWithdrawn,
		Created: t0.Add(-100 * time.Hour), Updated: t0.Add(-90 * time.Hour),
	}
	r.Scrub()
	return r
}

func referralB1() flows.Referral {
	return flows.Referral{
		V: flows.ReferralVersion, ID: idB1, Place: placeB, Lang: flows.NL, Country: "BE", Postcode: "9000",
		Need: "health", Profile: "proche_autonomie", Why: "why.needs_boost", Confidence: "high",
		ConsentBy: "aidant_for_person", ConsentAt: t0.Add(-20 * time.Minute), Contact: flows.ContactRelay, ContactAidant: true, Chat: "tg:999888777",
		Status: flows.StatusSent, Created: t0.Add(-20 * time.Minute), Updated: t0.Add(-20 * time.Minute),
	}
}

func newFixture(tb testing.TB, edit ...func(*WebOptions)) *fixture {
	tb.Helper()
	f := &fixture{clock: testkit.NewClock(t0), logs: &testkit.SyncBuffer{}}
	f.desk = newFakeDesk(f.clock.Now)
	f.desk.addToken(tokA, placeA)
	f.desk.addToken(tokB, placeB)
	f.desk.addToken(tokRevoked, placeA)
	f.desk.revoke(tokRevoked)
	for _, r := range []flows.Referral{referralA1(), referralA2(), referralA3(), referralB1()} {
		f.desk.add(r)
	}
	o := WebOptions{
		Desk: f.desk, Places: places(), Catalogs: webtest.Catalogs(tb), Texts: configs.FS, Templates: configs.Web,
		Policy: web.Policy{Logger: slog.New(slog.NewTextHandler(f.logs, &slog.HandlerOptions{Level: slog.LevelDebug})),
			CSRFSecrets: [][]byte{[]byte("test key, not a secret")}},
		Now: f.clock.Now,
	}
	f.web = testkit.Build(tb, NewWeb, o, edit...)
	return f
}

// do runs one request through the handler. remote "" keeps httptest's
// 192.0.2.1.
func (f *fixture) do(method, target string, form url.Values, edit ...func(*http.Request)) *httptest.ResponseRecorder {
	var body io.Reader
	if form != nil {
		body = strings.NewReader(form.Encode())
	}
	r := httptest.NewRequest(method, target, body)
	if form != nil {
		r.Header.Set("Content-Type", "application/x-www-form-urlencoded")
	}
	for _, e := range edit {
		e(r)
	}
	rec := httptest.NewRecorder()
	f.web.ServeHTTP(rec, r)
	return rec
}

// get drops a #fragment, as a browser does before it asks.
func (f *fixture) get(target string, edit ...func(*http.Request)) *httptest.ResponseRecorder {
	target, _, _ = strings.Cut(target, "#")
	return f.do(http.MethodGet, target, nil, edit...)
}

// getOK is get, failing t unless the page answers 200 OK.
func (f *fixture) getOK(t *testing.T, target string) *httptest.ResponseRecorder {
	t.Helper()
	rec := f.get(target)
	if rec.Code != http.StatusOK {
		t.Fatalf("GET = %d", rec.Code)
	}
	return rec
}

// act posts an action with a good csrf field.
func (f *fixture) act(token, id, action, reason, text string, edit ...func(*http.Request)) *httptest.ResponseRecorder {
	form := url.Values{"csrf": {f.web.csrf(token)}, "action": {action}}
	if reason != "" {
		form.Set("reason", reason)
	}
	if text != "" {
		form.Set("text", text)
	}
	return f.do(http.MethodPost, "/s/"+token+"/r/"+id, form, edit...)
}

func from(addr string) func(*http.Request) {
	return func(r *http.Request) { r.RemoteAddr = addr }
}

func TestPageListsOnlyItsPlace(t *testing.T) {
	f := newFixture(t)
	tests := []struct {
		token     string
		want, not []string
	}{
		{tokA, []string{idA1, idA2, idA3}, []string{idB1}},
		{tokB, []string{idB1}, []string{idA1, idA2, idA3}},
	}
	for _, tt := range tests {
		t.Run(tt.token[:4], func(t *testing.T) {
			rec := f.get("/s/" + tt.token)
			if rec.Code != http.StatusOK {
				t.Fatalf("GET = %d, want 200", rec.Code)
			}
			body := rec.Body.String()
			var order []int
			for _, id := range tt.want {
				i := strings.Index(body, `id="r-`+id+`"`)
				if i < 0 {
					t.Errorf("referral %s missing", id)
				}
				order = append(order, i)
			}
			if !slices.IsSorted(order) {
				t.Errorf("referrals not newest first: positions %v", order)
			}
			for _, id := range tt.not {
				if strings.Contains(body, id) {
					t.Errorf("referral %s of another place shown", id)
				}
			}
		})
	}
}

// TestOpeningChangesNothing: a GET or HEAD of the page (a person, a mail
// scanner, a link preview) leaves every referral as it was; the "Bien
// reçu" button (a POST) marks one seen.
func TestOpeningChangesNothing(t *testing.T) {
	f := newFixture(t)
	for _, method := range []string{http.MethodGet, http.MethodHead} {
		if rec := f.do(method, "/s/"+tokA, nil); rec.Code != http.StatusOK {
			t.Fatalf("%s = %d", method, rec.Code)
		}
	}
	if got := f.desk.get(idA1); got.Status != flows.StatusSent || len(got.History) != 1 {
		t.Errorf("A1 after opening = %s, %d changes; want sent, unchanged", got.Status, len(got.History))
	}
	body := f.get("/s/" + tokA).Body.String()
	if !strings.Contains(body, `class="seen"`) || !strings.Contains(body, "Bien reçu") {
		t.Errorf("no Bien reçu button on a sent referral:\n%s", body)
	}
	rec := f.act(tokA, idA1, "seen", "", "")
	if rec.Code != http.StatusSeeOther || !strings.Contains(rec.Header().Get("Location"), "m=seen") {
		t.Fatalf("Bien reçu = %d, Location %q", rec.Code, rec.Header().Get("Location"))
	}
	if got := f.desk.get(idA1).Status; got != flows.StatusSeen {
		t.Errorf("A1 after Bien reçu = %s, want seen", got)
	}
	if body := f.get(rec.Header().Get("Location")).Body.String(); strings.Contains(body, `class="seen"`) {
		t.Error("a seen referral still offers Bien reçu")
	}
}

func TestOtherPlacesReferralIsNotFound(t *testing.T) {
	f := newFixture(t)
	before := f.desk.get(idB1)
	for _, action := range []string{"accept", "write"} {
		rec := f.act(tokA, idB1, action, "", "bonjour")
		if rec.Code != http.StatusNotFound {
			t.Errorf("%s on B's referral with A's token = %d, want 404", action, rec.Code)
		}
		if got := rec.Body.String(); got != f.notFoundBody(t) {
			t.Errorf("%s: not the generic not-found page", action)
		}
	}
	after := f.desk.get(idB1)
	if after.Status != before.Status || len(after.Thread) != len(before.Thread) || len(after.History) != len(before.History) {
		t.Errorf("B's referral changed: %+v", after)
	}
}

// notFoundBody is the body of a request for an unknown token.
func (f *fixture) notFoundBody(t *testing.T) string {
	t.Helper()
	rec := f.get("/s/tokZ_neverissued0000", from("198.51.100.200:1"))
	if rec.Code != http.StatusNotFound {
		t.Fatalf("unknown token = %d", rec.Code)
	}
	return rec.Body.String()
}

func TestNotFoundIsOnePage(t *testing.T) {
	f := newFixture(t)
	want := f.notFoundBody(t)
	for _, tt := range []struct{ name, method, target string }{
		{"unknown", http.MethodGet, "/s/tokU_unknown0000000"},
		{"revoked", http.MethodGet, "/s/" + tokRevoked},
		{"malformed", http.MethodGet, "/s/a%3Cb%3E"},
		{"short", http.MethodGet, "/s/abc"},
		{"revoked post", http.MethodPost, "/s/" + tokRevoked + "/r/" + idA1},
		{"unknown referral", http.MethodPost, "/s/" + tokA + "/r/nosuchreferral"},
		{"other route", http.MethodGet, "/admin"},
		{"root", http.MethodGet, "/"},
	} {
		t.Run(tt.name, func(t *testing.T) {
			form := url.Values{"csrf": {f.web.csrf(tokA)}, "action": {"accept"}}
			if tt.name == "revoked post" {
				form.Set("csrf", f.web.csrf(tokRevoked))
			}
			if tt.method == http.MethodGet {
				form = nil
			}
			rec := f.do(tt.method, tt.target, form, from(fmt.Sprintf("203.0.113.%d:4000", len(tt.name))))
			if rec.Code != http.StatusNotFound {
				t.Fatalf("%s %s = %d, want 404", tt.method, tt.target, rec.Code)
			}
			if rec.Body.String() != want {
				t.Errorf("body differs from the unknown token's:\n%s", rec.Body.String())
			}
		})
	}
	if !strings.Contains(want, "Page introuvable") || !strings.Contains(want, "Pagina niet gevonden") {
		t.Errorf("not-found page not in French and Dutch:\n%s", want)
	}
}

func TestRateLimit(t *testing.T) {
	f := newFixture(t)
	const ip = "198.51.100.7:5000"
	for i := range 10 {
		if rec := f.get(fmt.Sprintf("/s/tokX_bad%012d", i), from(ip)); rec.Code != http.StatusNotFound {
			t.Fatalf("bad token %d = %d, want 404", i+1, rec.Code)
		}
	}
	rec := f.get("/s/tokX_bad999999999999", from(ip))
	if rec.Code != http.StatusTooManyRequests {
		t.Fatalf("11th bad token = %d, want 429", rec.Code)
	}
	if ra := rec.Header().Get("Retry-After"); ra != "600" {
		t.Errorf("Retry-After = %q, want 600", ra)
	}
	if !strings.Contains(rec.Body.String(), "Réessayez dans 10 minutes") {
		t.Errorf("429 page not in words:\n%s", rec.Body.String())
	}
	// A lock-out only of bad tokens: a structure behind the same address
	// (a proxy, a school's NAT) still opens its page.
	if rec := f.get("/s/"+tokA, from(ip)); rec.Code != http.StatusOK {
		t.Errorf("good token from a blocked address = %d, want 200", rec.Code)
	}
	if rec := f.act(tokA, idA1, "accept", "", "", from(ip)); rec.Code != http.StatusSeeOther {
		t.Errorf("good form from a blocked address = %d, want 303", rec.Code)
	}
	if rec := f.get("/s/tokX_bad000000000000", from("198.51.100.8:5000")); rec.Code != http.StatusNotFound {
		t.Errorf("another address = %d, want 404", rec.Code)
	}
	f.clock.Add(10*time.Minute + time.Second)
	if rec := f.get("/s/tokX_bad000000000001", from(ip)); rec.Code != http.StatusNotFound {
		t.Errorf("after the window = %d, want 404", rec.Code)
	}
}

// TestRateLimitBehindProxy: behind the documented reverse proxy every
// request's peer is 127.0.0.1. Without TRUSTED_PROXIES, a guesser's bad
// tokens block every bad token, but no structure; with it, only that
// client; and a client cannot pick its address by writing the header.
func TestRateLimitBehindProxy(t *testing.T) {
	xff := func(v string) func(*http.Request) {
		return func(r *http.Request) { r.Header.Set("X-Forwarded-For", v) }
	}
	proxies, err := web.ParseProxies("127.0.0.1, ::1")
	if err != nil {
		t.Fatal(err)
	}
	for _, trust := range []bool{false, true} {
		t.Run(fmt.Sprint("trust=", trust), func(t *testing.T) {
			f := newFixture(t, func(o *WebOptions) {
				o.FailLimit = 2
				if trust {
					o.Proxies = proxies
				}
			})
			proxy := from("127.0.0.1:40000")
			// The guesser claims a new address each time on the left;
			// the proxy appends the real one.
			for i := range 3 {
				f.get(fmt.Sprintf("/s/tokX_bad%012d", i), proxy, xff(fmt.Sprintf("1.2.3.%d, 203.0.113.9", i)))
			}
			if rec := f.get("/s/tokX_bad999999999999", proxy, xff("1.2.3.77, 203.0.113.9")); rec.Code != http.StatusTooManyRequests {
				t.Errorf("the guesser = %d, want 429", rec.Code)
			}
			// Every structure behind the proxy still gets in.
			for _, tok := range []string{tokA, tokB} {
				if rec := f.get("/s/"+tok, proxy, xff("203.0.113.10")); rec.Code != http.StatusOK {
					t.Errorf("a structure behind the proxy = %d, want 200", rec.Code)
				}
			}
			rec := f.get("/s/tokX_bad000000000042", proxy, xff("203.0.113.10"))
			if want := map[bool]int{false: 429, true: 404}[trust]; rec.Code != want {
				t.Errorf("another client's bad token = %d, want %d", rec.Code, want)
			}
			// From an untrusted peer the header is ignored.
			rec = f.get("/s/tokX_bad000000000043", from("198.51.100.50:1"), xff("203.0.113.9"))
			if rec.Code != http.StatusNotFound {
				t.Errorf("an untrusted peer naming the guesser = %d, want 404", rec.Code)
			}
		})
	}
}

func TestCSRF(t *testing.T) {
	tests := []struct {
		name string
		csrf string
		edit func(*http.Request)
	}{
		{"missing", "", nil},
		{"wrong", strings.Repeat("ab", 32), nil},
		{"other token's", "B", nil},
		{"cross-site", "good", func(r *http.Request) { r.Header.Set("Sec-Fetch-Site", "cross-site") }},
		{"foreign origin", "good", func(r *http.Request) { r.Header.Set("Origin", "https://evil.example") }},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			f := newFixture(t)
			form := url.Values{"action": {"accept"}}
			switch tt.csrf {
			case "good":
				form.Set("csrf", f.web.csrf(tokA))
			case "B":
				form.Set("csrf", f.web.csrf(tokB))
			case "":
			default:
				form.Set("csrf", tt.csrf)
			}
			var edits []func(*http.Request)
			if tt.edit != nil {
				edits = append(edits, tt.edit)
			}
			rec := f.do(http.MethodPost, "/s/"+tokA+"/r/"+idA1, form, edits...)
			if rec.Code != http.StatusForbidden {
				t.Errorf("POST = %d, want 403", rec.Code)
			}
			if !strings.Contains(rec.Body.String(), "Action refusée") {
				t.Errorf("403 page not in words:\n%s", rec.Body.String())
			}
			if got := f.desk.get(idA1).Status; got != flows.StatusSent {
				t.Errorf("status = %s after a refused post, want sent", got)
			}
			// The telegram forms are guarded the same way.
			form.Del("action")
			if rec := f.do(http.MethodPost, "/s/"+tokA+"/telegram", form, edits...); rec.Code != http.StatusForbidden {
				t.Errorf("telegram POST = %d, want 403", rec.Code)
			}
			f.desk.linked = flows.ChatLink{Chat: "tg:42", Since: t0}
			if rec := f.do(http.MethodPost, "/s/"+tokA+"/telegram/unlink", form, edits...); rec.Code != http.StatusForbidden || f.desk.linked.Chat == "" {
				t.Errorf("unlink POST = %d, linked %q; want 403, still linked", rec.Code, f.desk.linked.Chat)
			}
		})
	}
	t.Run("same-origin browser", func(t *testing.T) {
		f := newFixture(t)
		rec := f.act(tokA, idA1, "accept", "", "", func(r *http.Request) { r.Header.Set("Sec-Fetch-Site", "same-origin") })
		if rec.Code != http.StatusSeeOther {
			t.Errorf("same-origin POST = %d, want 303", rec.Code)
		}
	})
}

func TestActions(t *testing.T) {
	tests := []struct {
		name                 string
		id                   string
		action, reason, text string
		flash                string
		status               flows.Status
		reasonWant           string
	}{
		{"accept", idA1, "accept", "", "", "Demande acceptée. La personne est prévenue.", flows.StatusAccepted, ""},
		{"decline", idA1, "decline", flows.DeclineFull, "", "Demande refusée.", flows.StatusDeclined, flows.DeclineFull},
		{"contacted", idA2, "contacted", "", "", "C'est noté : la personne a été contactée.", flows.StatusContacted, ""},
		{"close", idA2, "close", flows.ReasonUnreachable, "", "Demande clôturée.", flows.StatusClosed, flows.ReasonUnreachable},
		{"write", idA1, "write", "", "  Venez mardi à 10 h, rue Haute 5.\n", "Message envoyé.", flows.StatusSent, ""},
		{"close before accepting", idA1, "close", flows.ReasonDone, "", "Demande clôturée.", flows.StatusClosed, flows.ReasonDone},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			f := newFixture(t)
			rec := f.act(tokA, tt.id, tt.action, tt.reason, tt.text)
			if rec.Code != http.StatusSeeOther {
				t.Fatalf("POST = %d, want 303:\n%s", rec.Code, rec.Body.String())
			}
			loc := rec.Header().Get("Location")
			m := map[string]string{"accept": "accepted", "decline": "declined", "contacted": "contacted",
				"close": "closed", "write": "written"}[tt.action]
			if want := "/s/" + tokA + "?m=" + m + "#r-" + tt.id; loc != want {
				t.Errorf("Location = %q, want %q", loc, want)
			}
			r := f.desk.get(tt.id)
			if r.Status != tt.status || r.Reason != tt.reasonWant {
				t.Errorf("referral = %s (%q), want %s (%q)", r.Status, r.Reason, tt.status, tt.reasonWant)
			}
			if tt.action == "write" {
				if n := r.Thread[len(r.Thread)-1]; n.From != flows.ActorStructure || n.Text != strings.TrimSpace(tt.text) {
					t.Errorf("last note = %+v, want the trimmed text from the structure", n)
				}
			}
			page := f.get(loc)
			if !strings.Contains(page.Body.String(), `<p class="flash" role="status">`+htmlEscape(tt.flash)) {
				t.Errorf("flash %q not shown:\n%s", tt.flash, page.Body.String())
			}
		})
	}
}

func htmlEscape(s string) string {
	return strings.NewReplacer("'", "&#39;", "&", "&amp;", "<", "&lt;").Replace(s)
}

func TestActionNotAllowed(t *testing.T) {
	tests := []struct {
		name, id, action, reason, m, flash string
	}{
		{"contacted before accepting", idA1, "contacted", "", "denied.sent", "Acceptez d'abord la demande."},
		{"decline after accepting", idA2, "decline", flows.DeclineFull, "denied.accepted", "Cette demande est déjà acceptée : action impossible."},
		{"accept a closed one", idA3, "accept", "", "denied.closed", "Cette demande est déjà clôturée : action impossible."},
		{"write to a closed one", idA3, "write", "", "denied.write", "Cette demande est terminée"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			f := newFixture(t)
			before := f.desk.get(tt.id)
			rec := f.act(tokA, tt.id, tt.action, tt.reason, "bonjour")
			if rec.Code != http.StatusSeeOther {
				t.Fatalf("POST = %d, want 303", rec.Code)
			}
			if want := "/s/" + tokA + "?m=" + tt.m + "#r-" + tt.id; rec.Header().Get("Location") != want {
				t.Errorf("Location = %q, want %q", rec.Header().Get("Location"), want)
			}
			if after := f.desk.get(tt.id); after.Status != before.Status || len(after.Thread) != len(before.Thread) {
				t.Errorf("referral changed: %s → %s", before.Status, after.Status)
			}
			if body := f.get(rec.Header().Get("Location")).Body.String(); !strings.Contains(body, htmlEscape(tt.flash)) {
				t.Errorf("flash %q not shown", tt.flash)
			}
		})
	}
}

func TestDoubleAccept(t *testing.T) {
	f := newFixture(t)
	first := f.act(tokA, idA1, "accept", "", "")
	second := f.act(tokA, idA1, "accept", "", "")
	if first.Code != http.StatusSeeOther || second.Code != http.StatusSeeOther {
		t.Fatalf("codes %d, %d; want 303 twice", first.Code, second.Code)
	}
	if a, b := first.Header().Get("Location"), second.Header().Get("Location"); a != b {
		t.Errorf("second click went to %q, first to %q", b, a)
	}
	n := 0
	for _, c := range f.desk.get(idA1).History {
		if c.Status == flows.StatusAccepted {
			n++
		}
	}
	if n != 1 {
		t.Errorf("%d accepted entries in the history, want 1", n)
	}
}

func TestBadInput(t *testing.T) {
	tests := []struct {
		name                 string
		action, reason, text string
		code                 int
		m                    string // flash of a redirect
	}{
		{"unknown action", "delete", "", "", http.StatusBadRequest, ""},
		{"no action", "", "", "", http.StatusBadRequest, ""},
		{"unknown decline reason", "decline", "bored", "", http.StatusBadRequest, ""},
		{"close reason given to decline", "decline", flows.ReasonDone, "", http.StatusBadRequest, ""},
		{"withdrawn is the person's", "close", flows.ReasonWithdrawn, "", http.StatusBadRequest, ""},
		{"no reason", "decline", "", "", http.StatusSeeOther, "no_reason"},
		{"empty text", "write", "", " \n\t ", http.StatusSeeOther, "empty"},
		{"text too long", "write", "", strings.Repeat("é", flows.MaxNoteText+1), http.StatusSeeOther, "too_long"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			f := newFixture(t)
			form := url.Values{"csrf": {f.web.csrf(tokA)}, "action": {tt.action}, "reason": {tt.reason}, "text": {tt.text}}
			rec := f.do(http.MethodPost, "/s/"+tokA+"/r/"+idA1, form)
			if rec.Code != tt.code {
				t.Fatalf("POST = %d, want %d", rec.Code, tt.code)
			}
			if tt.m != "" && !strings.Contains(rec.Header().Get("Location"), "m="+tt.m+"#") {
				t.Errorf("Location = %q, want m=%s", rec.Header().Get("Location"), tt.m)
			}
			if tt.code == http.StatusBadRequest && !strings.Contains(rec.Body.String(), "Cette action n&#39;est pas reconnue") {
				t.Errorf("400 page not in words:\n%s", rec.Body.String())
			}
			if r := f.desk.get(idA1); r.Status != flows.StatusSent || len(r.Thread) != 1 {
				t.Errorf("referral changed: %s, %d notes", r.Status, len(r.Thread))
			}
		})
	}
	t.Run("body too large", func(t *testing.T) {
		f := newFixture(t)
		form := url.Values{"csrf": {f.web.csrf(tokA)}, "action": {"write"}, "text": {strings.Repeat("a", 17<<10)}}
		rec := f.do(http.MethodPost, "/s/"+tokA+"/r/"+idA1, form)
		if rec.Code != http.StatusRequestEntityTooLarge {
			t.Errorf("POST = %d, want 413", rec.Code)
		}
	})
	t.Run("unknown flash ignored", func(t *testing.T) {
		f := newFixture(t)
		body := f.get("/s/" + tokA + "?m=<script>").Body.String()
		if strings.Contains(body, `class="flash"`) || strings.Contains(body, "<script>") {
			t.Error("an unknown ?m= reached the page")
		}
	})
}

func TestInternalError(t *testing.T) {
	f := newFixture(t)
	f.desk.fail(errBackend)
	for _, target := range []string{"/s/" + tokA} {
		rec := f.get(target)
		if rec.Code != http.StatusInternalServerError {
			t.Fatalf("GET = %d, want 500", rec.Code)
		}
		if !strings.Contains(rec.Body.String(), "Un problème technique") {
			t.Errorf("500 page not in words:\n%s", rec.Body.String())
		}
	}
	logs := f.logs.String()
	if !strings.Contains(logs, errBackend.Error()) || !strings.Contains(logs, "pattern=\"GET /s/{token}\"") {
		t.Errorf("error not logged with its pattern:\n%s", logs)
	}
	if strings.Contains(logs, tokA) {
		t.Error("token in the logs")
	}
	// After the token, the error page speaks the place's language and
	// links back to the page.
	f = newFixture(t)
	f.desk.mu.Lock()
	f.desk.listErr = errBackend
	f.desk.mu.Unlock()
	rec := f.get("/s/" + tokB)
	body := rec.Body.String()
	if rec.Code != http.StatusInternalServerError || !strings.Contains(body, "Technisch probleem") ||
		strings.Contains(body, "Problème technique") || !strings.Contains(body, `href="/s/`+tokB+`"`) {
		t.Errorf("500 after a good token = %d, want a Dutch page with a link back:\n%s", rec.Code, body)
	}
}

func TestTelegramCode(t *testing.T) {
	f := newFixture(t, func(o *WebOptions) { o.Bot = "@secours_test_bot" })
	form := url.Values{"csrf": {f.web.csrf(tokB)}}
	rec := f.do(http.MethodPost, "/s/"+tokB+"/telegram", form)
	if rec.Code != http.StatusOK {
		t.Fatalf("POST = %d, want 200", rec.Code)
	}
	body := rec.Body.String()
	for _, want := range []string{"/structure K00001", "@secours_test_bot", "Stuur dit bericht:", "Terug naar de aanvragen"} {
		if !strings.Contains(body, want) {
			t.Errorf("telegram page lacks %q:\n%s", want, body)
		}
	}
}

// TestNoChatNoToken: the chat id never reaches a page or a log; the token
// reaches the page only in the forms' targets (and the telegram page's
// link back), and never a log.
func TestNoChatNoToken(t *testing.T) {
	f := newFixture(t)
	var pages []string
	for _, target := range []string{"/s/" + tokA, "/s/" + tokA + "?lang=nl", "/s/" + tokA + "?m=accepted"} {
		pages = append(pages, f.get(target).Body.String())
	}
	pages = append(pages, f.do(http.MethodPost, "/s/"+tokA+"/telegram", url.Values{"csrf": {f.web.csrf(tokA)}}).Body.String())
	f.act(tokA, idA1, "write", "", "Bonjour, ici l'EPN")
	f.act(tokA, idA1, "accept", "", "")
	f.get("/s/tokX_bad000000000000")
	attr := regexp.MustCompile(`(action|href)="/s/` + tokA + `[^"]*"`)
	for i, p := range pages {
		for _, chat := range []string{string(chatA), "5550001112223", "wa:32470123456"} {
			if strings.Contains(p, chat) {
				t.Errorf("page %d holds the chat id %q", i, chat)
			}
		}
		if strings.Contains(attr.ReplaceAllString(p, ""), tokA) {
			t.Errorf("page %d holds the token outside a form target or link", i)
		}
	}
	logs := f.logs.String()
	for _, secret := range []string{tokA, "tokX_bad", string(chatA), "5550001112223", "Bonjour, ici", phoneA} {
		if strings.Contains(logs, secret) {
			t.Errorf("logs hold %q:\n%s", secret, logs)
		}
	}
	if !strings.Contains(logs, `pattern="POST /s/{token}/r/{id}"`) {
		t.Errorf("requests not logged by pattern:\n%s", logs)
	}
}

func TestPageContent(t *testing.T) {
	f := newFixture(t)
	tests := []struct {
		name, target string
		lang         string
		want, not    []string
	}{
		{"fr", "/s/" + tokA, "fr", []string{
			"Demandes reçues – EPN Les Marolles",
			`<span class="badge b-sent">Envoyée</span>`, // A1: opening changes nothing
			"Bien reçu (la personne est prévenue)",
			`<span class="badge b-accepted">Acceptée</span>`, // A2
			`<span class="badge b-closed">Clôturée</span>`,   // A3
			"Demande a1x9k2", "il y a 3 h", "il y a 2 jours", "il y a 4 jours",
			"Banque, argent", "besoin d&#39;assistance", "Elle a les outils et les bases",
			"Une réponse incertaine", "néerlandais", "1000",
			"Une personne aidante a répondu",
			"donné par une personne aidante, pour la personne, le 12/03/2026 à 11:05",
			"Répondre ici (le bot transmet).",
			`<a href="tel:&#43;32470123456">&#43;32470123456</a>`,
			"E-mail non remis, nouvel essai le 12/03/2026 à 14:35.",
			"Je suis libre mardi matin", "La personne, le 12/03/2026 à 13:05",
			"Personne injoignable : nos messages ne lui arrivent plus.",
			"La personne a retiré sa demande. Ses données sont effacées.",
			`class="ref final"`,
			`value="full">Plus de place pour le moment`, `value="unreachable">Personne injoignable`,
			`maxlength="1000"`, "Écrire à la personne",
			"Recevoir les demandes sur Telegram",
			`<a href="?lang=nl" hreflang="nl" lang="nl">Nederlands</a>`,
		}, []string{"🏦", "why.", "a.need.", "status."}},
		{"nl by place", "/s/" + tokB, "nl", []string{
			"Ontvangen aanvragen – OCMW Gent – digitaal",
			`<span class="badge b-sent">Verstuurd</span>`, "20 min geleden", "Goed ontvangen",
			"Gezondheid", "Aanvraag aanvaarden", "Weigeren", "Afsluiten",
			"Schrijf de persoon", "Hier antwoorden (de bot geeft het door).", "Contacteer de helper, niet de persoon zelf.",
		}, []string{"Envoyée", "Accepter", "Bien reçu"}},
		{"nl by choice", "/s/" + tokA + "?lang=nl", "nl", []string{
			`<span class="badge b-accepted">Aanvaard</span>`, "Ik heb de persoon gecontacteerd",
			"De persoon heeft de aanvraag ingetrokken.", `<input type="hidden" name="lang" value="nl">`,
			`<a href="?lang=fr" hreflang="fr" lang="fr">Français</a>`,
		}, []string{"Acceptée"}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			rec := f.get(tt.target)
			body := rec.Body.String()
			if !strings.Contains(body, `<html lang="`+tt.lang+`">`) {
				t.Errorf("html lang is not %s", tt.lang)
			}
			testkit.Holds(t, "page", body, tt.want, tt.not)
			if t.Failed() {
				t.Log(body)
			}
		})
	}
}

// TestFormsFollowStatus: a referral offers exactly the forms its status
// allows.
func TestFormsFollowStatus(t *testing.T) {
	tests := []struct {
		status flows.Status
		reason string
		forms  []string
		shown  string
	}{
		{flows.StatusSeen, "", []string{"accept", "write", "decline", "close"}, `class="badge b-seen"`},
		{flows.StatusAccepted, "", []string{"contacted", "write", "close"}, `class="badge b-accepted"`},
		{flows.StatusContacted, "", []string{"write", "close"}, `class="badge b-contacted"`},
		{flows.StatusDeclined, flows.DeclineFull, nil, "<strong>Reden: Nu geen plaats</strong>"},
		{flows.StatusClosed, flows.ReasonExpired, nil, "<strong>Reden: Niet op tijd beantwoord</strong>"},
	}
	formRE := regexp.MustCompile(`<form method="post" action="[^"]*/r/[^"]*" class="([a-z]+)"`)
	for _, tt := range tests {
		t.Run(string(tt.status), func(t *testing.T) {
			f := newFixture(t)
			r := referralB1()
			r.Status, r.Reason = tt.status, tt.reason
			f.desk.add(r)
			body := f.get("/s/" + tokB).Body.String()
			var got []string
			for _, m := range formRE.FindAllStringSubmatch(body, -1) {
				got = append(got, m[1])
			}
			if !slices.Equal(got, tt.forms) {
				t.Errorf("forms = %v, want %v", got, tt.forms)
			}
			if !strings.Contains(body, tt.shown) {
				t.Errorf("page lacks %q", tt.shown)
			}
		})
	}
}

func TestSecurityHeaders(t *testing.T) {
	f := newFixture(t)
	page := f.get("/s/" + tokA)
	responses := map[string]*httptest.ResponseRecorder{
		"page":      page,
		"not found": f.get("/s/tokX_unknown00000000"),
		"redirect":  f.act(tokA, idA1, "accept", "", ""),
		"forbidden": f.do(http.MethodPost, "/s/"+tokA+"/r/"+idA1, url.Values{"action": {"accept"}}),
		"mux 404":   f.get("/favicon.ico"),
	}
	for name, rec := range responses {
		h := rec.Header()
		for k, want := range map[string]string{
			"Referrer-Policy": "no-referrer", "Cache-Control": "no-store", "X-Content-Type-Options": "nosniff",
		} {
			if got := h.Get(k); got != want {
				t.Errorf("%s: %s = %q, want %q", name, k, got, want)
			}
		}
		csp := h.Get("Content-Security-Policy")
		for _, want := range []string{"default-src 'none'", "form-action 'self'", "frame-ancestors 'none'", "base-uri 'none'", "style-src 'sha256-"} {
			if !strings.Contains(csp, want) {
				t.Errorf("%s: CSP %q lacks %q", name, csp, want)
			}
		}
	}
	// The CSP hash is the inline style's.
	body := page.Body.String()
	i, j := strings.Index(body, "<style>"), strings.Index(body, "</style>")
	if i < 0 || j < i {
		t.Fatal("no inline style")
	}
	sum := sha256.Sum256([]byte(body[i+len("<style>") : j]))
	if want := "'sha256-" + base64.StdEncoding.EncodeToString(sum[:]) + "'"; !strings.Contains(page.Header().Get("Content-Security-Policy"), want) {
		t.Errorf("CSP does not allow the inline style (%s)", want)
	}
	for _, banned := range []string{"<script", "http://", "https://", " style=", "<img", "<link"} {
		if strings.Contains(body, banned) {
			t.Errorf("page holds %q: scripts, external resources and style attributes are out", banned)
		}
	}
}

// TestTextsMatch is the catalogue test of the house style for the
// structure's catalogue: both languages, the same keys, the same
// placeholders (text.Load checks them), and every key the code names.
func TestTextsMatch(t *testing.T) {
	if _, err := text.Load(configs.FS, "structure", text.Spec{}); err != nil {
		t.Fatal(err)
	}
	all, err := loadTexts(configs.FS)
	if err != nil {
		t.Fatal(err) // a key used by the code is missing
	}
	for _, k := range codeKeys() {
		if _, ok := all[flows.FR][k]; !ok {
			t.Errorf("key %q used by the code is missing", k)
		}
	}
	for name, bad := range map[string]text.Catalogs{
		"placeholders differ": {text.FR: {"a": "x {n}"}, text.NL: {"a": "y"}},
		"one language":        {text.FR: {"a": "x"}},
		"keys differ":         {text.FR: {"a": "x"}, text.NL: {"b": "y"}},
	} {
		if _, err := loadTexts(texttest.FS(t, "structure", bad)); err == nil {
			t.Errorf("loadTexts(%s) accepted", name)
		}
	}
}

// TestTextsUsed: every text of the structure's catalogue is shown somewhere, so a
// translator never works on a dead line.
func TestTextsUsed(t *testing.T) {
	used := map[string]bool{}
	for _, k := range codeKeys() {
		used[k] = true
	}
	files, err := fs.Glob(configs.Web, "web/*.tmpl")
	if err != nil || len(files) < 4 { // at least page, style and the two mails; other packages keep theirs here too
		t.Fatalf("templates %v, %v", files, err)
	}
	for _, name := range files {
		b, _ := fs.ReadFile(configs.Web, name)
		for _, m := range web.StaticText.FindAllStringSubmatch(string(b), -1) {
			used[m[1]] = true
		}
	}
	all := texttest.Read(t, configs.FS, "structure")
	for _, k := range slices.Sorted(maps.Keys(all[text.FR])) {
		if !used[k] {
			t.Errorf("key %q is used nowhere", k)
		}
	}
}

func TestNewWebChecksOptions(t *testing.T) {
	good := WebOptions{Desk: newFakeDesk(time.Now), Places: places(), Catalogs: webtest.Catalogs(t), Texts: configs.FS, Templates: configs.Web}
	tests := []struct {
		name string
		edit func(*WebOptions)
	}{
		{"no desk", func(o *WebOptions) { o.Desk = nil }},
		{"no places", func(o *WebOptions) { o.Places = nil }},
		{"no templates", func(o *WebOptions) { o.Templates = nil }},
		{"no texts", func(o *WebOptions) { o.Texts = nil }},
		{"no nl catalogue", func(o *WebOptions) { o.Catalogs = map[flows.Lang]flows.Catalog{flows.FR: {}} }},
		{"template names a missing key", func(o *WebOptions) { o.Templates = brokenTemplates(t, `{{T "page.nope"}}`) }},
		{"template does not parse", func(o *WebOptions) { o.Templates = brokenTemplates(t, `{{if}}`) }},
		{"texts not JSON", func(o *WebOptions) {
			o.Texts = texttest.Raw("structure", "{", "{}")
		}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			o := good
			tt.edit(&o)
			if _, err := NewWeb(o); err == nil {
				t.Error("NewWeb accepted")
			}
		})
	}
	if _, err := NewWeb(good); err != nil {
		t.Errorf("NewWeb(good) = %v", err)
	}
}

// brokenTemplates is configs.Web with page.tmpl's page template replaced
// by body.
func brokenTemplates(t *testing.T, body string) fs.FS {
	m := fstest.MapFS{}
	for _, name := range []string{"page.tmpl", "style.tmpl", "mail.txt.tmpl", "mail.html.tmpl"} {
		b, err := fs.ReadFile(configs.Web, "web/"+name)
		if err != nil {
			t.Fatal(err)
		}
		m["web/"+name] = &fstest.MapFile{Data: b}
	}
	m["web/page.tmpl"].Data = append(m["web/page.tmpl"].Data, []byte(`{{define "broken"}}`+body+`{{end}}`)...)
	return m
}

func TestLang(t *testing.T) {
	f := newFixture(t)
	tests := []struct {
		place *geo.Place
		want  flows.Lang
	}{
		{nil, flows.FR},
		{&geo.Place{Country: geo.FR}, flows.FR},
		{&geo.Place{Country: geo.BE, Langs: []string{"nl"}}, flows.NL},
		{&geo.Place{Country: geo.BE, Langs: []string{"nl", "fr"}}, flows.NL},
		{&geo.Place{Country: geo.BE, Langs: []string{"fr", "nl"}}, flows.FR},
		{&geo.Place{Country: geo.BE, Langs: []string{"en", "nl"}}, flows.NL},
		{&geo.Place{Country: geo.FR, Langs: []string{"en", "nl"}}, flows.FR},
		{&geo.Place{Country: geo.BE, Langs: []string{"fr"}}, flows.FR},
	}
	for _, tt := range tests {
		if got := f.web.Lang(tt.place); got != tt.want {
			t.Errorf("Lang(%+v) = %s, want %s", tt.place, got, tt.want)
		}
	}
}

func TestAge(t *testing.T) {
	f := newFixture(t)
	for _, tt := range []struct {
		ago    time.Duration
		fr, nl string
	}{
		{10 * time.Second, "à l'instant", "zonet"},
		{59 * time.Minute, "il y a 59 min", "59 min geleden"},
		{3*time.Hour + 59*time.Minute, "il y a 3 h", "3 uur geleden"},
		{30 * time.Hour, "hier", "gisteren"},
		{49 * time.Hour, "il y a 2 jours", "2 dagen geleden"},
		{-time.Hour, "à l'instant", "zonet"}, // a clock a little ahead
	} {
		if got := f.web.tr(flows.FR).age(t0.Add(-tt.ago), t0); got != tt.fr {
			t.Errorf("fr age(%v) = %q, want %q", tt.ago, got, tt.fr)
		}
		if got := f.web.tr(flows.NL).age(t0.Add(-tt.ago), t0); got != tt.nl {
			t.Errorf("nl age(%v) = %q, want %q", tt.ago, got, tt.nl)
		}
	}
}

func TestMail(t *testing.T) {
	f := newFixture(t)
	pl := places()
	const link = "https://secours.example.org/s/" + tokA
	phone := referralA2()
	phone.Status = flows.StatusSent
	withdrawn := referralA1()
	withdrawn.Status, withdrawn.Reason = flows.StatusClosed, flows.ReasonWithdrawn
	withdrawn.Scrub()
	// answered: the structure wrote, then the person answered.
	answered := func(r flows.Referral) flows.Referral {
		r.Thread = []flows.Note{{At: t0.Add(-2 * time.Hour), From: flows.ActorStructure, Text: "Venez mardi"},
			{At: t0.Add(-time.Hour), From: flows.ActorPerson, Text: personNote}}
		return r
	}
	wroteFirst := referralB1()
	wroteFirst.Thread = []flows.Note{{At: t0.Add(-time.Hour), From: flows.ActorPerson, Text: personNote}}
	tests := []struct {
		kind    string
		r       flows.Referral
		place   *geo.Place
		want    []string
		not     []string
		subject string
	}{
		{flows.MailNew, referralA1(), pl[placeA], []string{"Une personne demande de l'aide à EPN Les Marolles", "Besoin : Banque, argent",
			"Profil : besoin d'assistance. Elle a les outils", "Langue de la personne : néerlandais", "Code postal : 1000",
			"Contact : par message, depuis votre page (le bot transmet)", "Une personne aidante a répondu", "Ouvrir vos demandes : " + link},
			[]string{phoneA}, "Secours : nouvelle demande a1x9k2"},
		{flows.MailNew, phone, pl[placeB], []string{"Vraag: Papieren, aanvraag", "Contact: telefonisch, op " + phoneA, "Uw aanvragen openen: " + link},
			[]string{"bot geeft"}, "Secours: nieuwe aanvraag a2m4q7"},
		{flows.MailReminder, referralA1(), pl[placeA], []string{"reçue il y a 3 h", "Besoin : Banque, argent", link}, nil,
			"Secours : une demande attend votre réponse (a1x9k2)"},
		{flows.MailReminder, referralB1(), pl[placeB], []string{"kwam 20 min geleden binnen", link}, nil, "Secours: een aanvraag wacht op uw antwoord (b1r6t3)"},
		// The structure never wrote: the person's message is not a reply.
		{flows.MailReply, referralA1(), pl[placeA], []string{"La personne vous a écrit un message", link}, []string{personNote, "répondu à votre"}, "Secours : la personne vous a écrit (a1x9k2)"},
		{flows.MailReply, answered(referralA1()), pl[placeA], []string{"La personne a répondu à votre message", link}, []string{personNote}, "Secours : la personne a répondu (a1x9k2)"},
		{flows.MailReply, wroteFirst, pl[placeB], []string{"De persoon heeft u een bericht geschreven", link}, []string{"geantwoord"}, "Secours: de persoon heeft u geschreven (b1r6t3)"},
		{flows.MailReply, answered(referralB1()), pl[placeB], []string{"De persoon heeft op uw bericht geantwoord", link}, nil, "Secours: de persoon heeft geantwoord (b1r6t3)"},
		{flows.MailForget, withdrawn, pl[placeA], []string{"La personne de la demande a1x9k2 a demandé à Secours d'effacer ses données", "Merci d'effacer aussi", link},
			[]string{"Besoin", "1000", "Banque", "accepter"}, "Secours : effacez la demande a1x9k2"},
		{flows.MailForget, withdrawn, pl[placeB], []string{"De persoon van aanvraag a1x9k2 heeft Secours gevraagd de gegevens te wissen", link},
			[]string{"Vraag", "1000"}, "Secours: wis aanvraag a1x9k2"},
		{flows.MailWithdrawn, withdrawn, pl[placeA], []string{"La personne a retiré la demande a1x9k2. Ses données sont effacées.", link},
			[]string{"Besoin", "1000", "Banque", "néerlandais", "accepter"}, "Secours : demande a1x9k2 retirée"},
		{flows.MailWithdrawn, withdrawn, pl[placeB], []string{"De persoon heeft aanvraag a1x9k2 ingetrokken.", link},
			[]string{"Vraag", "1000"}, "Secours: aanvraag a1x9k2 ingetrokken"},
	}
	for _, tt := range tests {
		t.Run(tt.kind+"/"+string(f.web.Lang(tt.place)), func(t *testing.T) {
			subject, text, html, err := f.web.Mail(tt.kind, tt.r, tt.place, link)
			if err != nil {
				t.Fatal(err)
			}
			if subject != tt.subject {
				t.Errorf("subject = %q, want %q", subject, tt.subject)
			}
			for _, w := range tt.want {
				if !strings.Contains(text, w) {
					t.Errorf("text lacks %q:\n%s", w, text)
				}
			}
			if !strings.Contains(html, `href="`+link+`"`) {
				t.Errorf("html lacks the link:\n%s", html)
			}
			for _, n := range append(tt.not, string(chatA), "5550001112223", "tg:", "{", "<no value>") {
				if strings.Contains(text, n) || strings.Contains(html, n) {
					t.Errorf("mail holds %q", n)
				}
			}
			for _, banned := range []string{"<style", "<img", "<script", "class="} {
				if strings.Contains(html, banned) {
					t.Errorf("html holds %q: inline styles only", banned)
				}
			}
			if tt.r.Contact == flows.ContactPhone && !strings.Contains(html, "&#43;"+phoneA[1:]) {
				t.Errorf("html lacks the phone number")
			}
		})
	}
	if _, _, _, err := f.web.Mail("fax", referralA1(), pl[placeA], link); err == nil {
		t.Error("unknown kind rendered")
	}
	// A name with "&" stays "&" in the text body and is escaped in HTML.
	amp := &geo.Place{Name: "EPN Marolles & Co", Country: geo.BE, Langs: []string{"fr"}}
	_, text, html, _ := f.web.Mail(flows.MailNew, referralA1(), amp, link)
	if !strings.Contains(text, "Marolles & Co") || !strings.Contains(html, "Marolles &amp; Co") {
		t.Errorf("escaping wrong:\n%s\n%s", text, html)
	}
}

func TestSummary(t *testing.T) {
	f := newFixture(t)
	pl := places()
	const link = "https://secours.example.org/s/" + tokA
	for _, kind := range mailKinds {
		for _, r := range []flows.Referral{referralA1(), referralA2()} {
			for _, p := range []*geo.Place{pl[placeA], pl[placeB]} {
				got := f.web.Summary(kind, r, p, link)
				lines := strings.Split(got, "\n")
				if min := map[bool]int{true: 5, false: 2}[kind == flows.MailNew || kind == flows.MailReminder]; len(lines) < min || len(lines) > 8 {
					t.Errorf("Summary(%s, %s) has %d lines, want %d–8:\n%s", kind, r.ID, len(lines), min, got)
				}
				if !strings.HasSuffix(got, link) || strings.Contains(got, "tg:") || strings.Contains(got, "wa:") {
					t.Errorf("Summary(%s, %s): link not last, or a chat id:\n%s", kind, r.ID, got)
				}
			}
		}
	}
	got := f.web.Summary(flows.MailNew, referralA2(), pl[placeA], link)
	want := "Nouvelle demande a2m4q7 pour EPN Les Marolles\nBesoin : Papiers, démarche\n" +
		"Profil : grand débutant. Les bases du téléphone manquent encore : commencer par un atelier d'initiation.\n" +
		"Langue de la personne : français\nCode postal : 1060\nContact : par téléphone au +32470123456\n" +
		"Ouvrir vos demandes : " + link
	if got != want {
		t.Errorf("Summary =\n%s\nwant\n%s", got, want)
	}
	// The structure never wrote to this person: their message is no reply.
	if got := f.web.Summary(flows.MailReply, referralA1(), pl[placeA], link); !strings.HasPrefix(got, "La personne vous a écrit un message (demande a1x9k2)") {
		t.Errorf("first message summary:\n%s", got)
	}
}

func pageBench(b *testing.B, n int) {
	f := newFixture(b)
	f.desk = newFakeDesk(f.clock.Now)
	f.desk.addToken(tokA, placeA)
	w, err := NewWeb(WebOptions{Desk: f.desk, Places: places(), Catalogs: webtest.Catalogs(b), Texts: configs.FS,
		Templates: configs.Web, Now: f.clock.Now})
	if err != nil {
		b.Fatal(err)
	}
	statuses := []flows.Status{flows.StatusSeen, flows.StatusAccepted, flows.StatusContacted, flows.StatusDeclined, flows.StatusClosed}
	for i := range n {
		r := referralA1()
		r.ID = fmt.Sprintf("r%015d", i)
		r.Status = statuses[i%len(statuses)]
		r.Created = t0.Add(-time.Duration(i) * time.Hour)
		if i%2 == 0 {
			r.Contact, r.Phone = flows.ContactPhone, phoneA
		}
		for j := range 3 {
			r.AddNote([]string{flows.ActorPerson, flows.ActorStructure}[j%2], strings.Repeat("Un message de test. ", 8), t0)
		}
		f.desk.add(r)
	}
	req := httptest.NewRequest(http.MethodGet, "/s/"+tokA, nil)
	h := w.Handler()
	size := testkit.BenchServe(b, h, req)
	b.ReportMetric(float64(size), "B/page")
}

// BenchmarkPage500 renders a page of 500 referrals with 3 notes each
// through the handler (fake desk included); BenchmarkPage1 is the same
// with one, for the ratio.
func BenchmarkPage500(b *testing.B) { pageBench(b, 500) }

func BenchmarkPage1(b *testing.B) { pageBench(b, 1) }

func TestLinkedChatLabel(t *testing.T) {
	tests := []struct {
		name string
		link flows.ChatLink
		lang string
		want string
	}{
		{"none", flows.ChatLink{}, "fr", ""},
		{"telegram", flows.ChatLink{Chat: "tg:5550001112223", Since: t0.Add(-24 * time.Hour)}, "fr",
			"Les nouvelles demandes vont aussi à un chat Telegram, relié le 11/03/2026 à 14:05."},
		{"whatsapp nl", flows.ChatLink{Chat: "wa:32499887766", Since: t0}, "nl",
			"Nieuwe aanvragen gaan ook naar een WhatsApp-chat, gekoppeld op 12/03/2026 om 14:05."},
		{"before dates", flows.ChatLink{Chat: "tg:7770001"}, "fr", "Les nouvelles demandes vont aussi à un chat Telegram."},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			f := newFixture(t)
			f.desk.linked = tt.link
			body := f.get("/s/" + tokA + "?lang=" + tt.lang).Body.String()
			if tt.want == "" {
				if strings.Contains(body, `class="linked"`) || strings.Contains(body, `class="unlink"`) {
					t.Errorf("no chat linked, yet the page shows one")
				}
				return
			}
			if !strings.Contains(body, `<p class="linked">`+htmlEscape(tt.want)+`</p>`) {
				t.Errorf("page lacks %q", tt.want)
			}
			if id := string(tt.link.Chat); strings.Contains(body, id) || strings.Contains(body, id[3:]) {
				t.Errorf("page shows the chat id %s", id)
			}
			rec := f.do(http.MethodPost, "/s/"+tokA+"/telegram/unlink", url.Values{"csrf": {f.web.csrf(tokA)}, "lang": {tt.lang}})
			if rec.Code != http.StatusSeeOther || rec.Header().Get("Location") != "/s/"+tokA+"?lang="+tt.lang+"&m=unlinked#tg" {
				t.Errorf("unlink = %d to %q", rec.Code, rec.Header().Get("Location"))
			}
			if f.desk.linked.Chat != "" {
				t.Error("still linked")
			}
		})
	}
}

// TestCSRFAcrossInstancesAndRotation: two pages with the same secrets
// (two replicas, or before and after a restart) accept each other's
// forms; the signing key changes every CSRFRotate and the previous key
// is still accepted; a secret rotated out of first place still verifies,
// and one dropped no longer does.
func TestCSRFAcrossInstancesAndRotation(t *testing.T) {
	oldSecret, newSecret := []byte("the old secret, 32 bytes or so.."), []byte("the new secret, 32 bytes or so..")
	const week = 7 * 24 * time.Hour
	tests := []struct {
		name    string
		signer  [][]byte
		checker [][]byte
		later   time.Duration // between the page and its post
		ok      bool
	}{
		{"same secret, other instance", [][]byte{oldSecret}, [][]byte{oldSecret}, time.Minute, true},
		{"key changed meanwhile", [][]byte{oldSecret}, [][]byte{oldSecret}, week, true},
		{"two keys later", [][]byte{oldSecret}, [][]byte{oldSecret}, 2*week + time.Hour, false},
		{"secret rotated, old one kept", [][]byte{oldSecret}, [][]byte{newSecret, oldSecret}, time.Minute, true},
		{"signed under the new one", [][]byte{newSecret, oldSecret}, [][]byte{newSecret}, time.Minute, true},
		{"old one dropped", [][]byte{oldSecret}, [][]byte{newSecret}, time.Minute, false},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			a := newFixture(t, func(o *WebOptions) { o.CSRFSecrets = tt.signer })
			b := newFixture(t, func(o *WebOptions) { o.CSRFSecrets = tt.checker })
			field := csrfRE.FindStringSubmatch(a.get("/s/" + tokA).Body.String())
			if field == nil {
				t.Fatal("no csrf field on the page")
			}
			b.clock.Add(tt.later)
			rec := b.do(http.MethodPost, "/s/"+tokA+"/r/"+idA1, url.Values{"csrf": {field[1]}, "action": {"seen"}})
			if got := rec.Code == http.StatusSeeOther; got != tt.ok {
				t.Errorf("POST to the other instance = %d, want accepted %v", rec.Code, tt.ok)
			}
		})
	}
}

// csrfRE finds the forms' csrf field in a page.
var csrfRE = regexp.MustCompile(`name="csrf" value="([0-9a-f]+)"`)
