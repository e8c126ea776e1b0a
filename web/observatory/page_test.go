package observatory

import (
	"bytes"
	"context"
	"crypto/sha256"
	"encoding/base64"
	"encoding/csv"
	"errors"
	"fmt"
	"io/fs"
	"log/slog"
	"maps"
	"math/rand/v2"
	"net/http"
	"net/http/httptest"
	"regexp"
	"slices"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/secours/secours/configs"
	"github.com/secours/secours/flows"
	"github.com/secours/secours/internal/testkit"
	"github.com/secours/secours/store/memory"
	"github.com/secours/secours/text"
	"github.com/secours/secours/text/texttest"
	"github.com/secours/secours/web"
	"github.com/secours/secours/web/webtest"
)

const testToken = "Zx8c-obs_token_0123456789abcdefghijklmno"

// failingStore is a store whose Counts fails.
type failingStore struct{ flows.StatsStore }

func (failingStore) Counts(context.Context, string, string) ([]flows.Cell, error) {
	return nil, errors.New("connection refused")
}

type fixture struct {
	page  *Page
	store *memory.Store
	clock *testkit.Clock
	log   *bytes.Buffer
	cells []flows.Cell
}

func hashOf(token string) []byte {
	h := sha256.Sum256([]byte(token))
	return h[:]
}

// newFixture serves the page on a memory store holding cells, on 15
// March 2026.
func newFixture(tb testing.TB, cells []flows.Cell, opts ...func(*Options)) *fixture {
	tb.Helper()
	f := &fixture{store: memory.New(time.Hour, nil), clock: testkit.NewClock(time.Date(2026, 3, 15, 10, 0, 0, 0, time.UTC)),
		log: &bytes.Buffer{}, cells: cells}
	for _, c := range cells {
		if err := f.store.Record(tb.Context(), flows.Tally{Month: c.Month, Area: c.Area, Counts: map[string]int{c.Metric: c.N}}); err != nil {
			tb.Fatal(err)
		}
	}
	o := Options{Store: f.store, TokenHash: hashOf(testToken), Catalogs: webtest.Catalogs(tb), Texts: configs.FS,
		Templates: configs.Web, Policy: web.Policy{Logger: slog.New(slog.NewTextHandler(f.log, nil))}, Now: f.clock.Now}
	f.page = testkit.Build(tb, New, o, opts...)
	return f
}

// sampleCells: a large, a medium and a small commune over the first
// quarter of 2026, and the started conversations.
func sampleCells() []flows.Cell {
	rnd := rand.New(rand.NewPCG(1, 2))
	var cells []flows.Cell
	for _, m := range []string{"2026-01", "2026-02", "2026-03"} {
		cells = append(cells, flows.Cell{Month: m, Metric: flows.MetricStarted, N: 60})
		for _, a := range []struct {
			area string
			n    int
		}{{"BE:Antwerpen", 40}, {"BE:Gent", 15}, {"BE:Aalst", 2}} {
			cells = append(cells, finished(m, a.area, a.n, rnd)...)
			cells = append(cells,
				flows.Cell{Month: m, Area: a.area, Metric: flows.MetricAidant, N: a.n / 3},
				flows.Cell{Month: m, Area: a.area, Metric: flows.MetricShared, N: a.n / 4},
				flows.Cell{Month: m, Area: a.area, Metric: flows.MetricRefSent, N: a.n / 2},
				flows.Cell{Month: m, Area: a.area, Metric: flows.MetricRefAccepted, N: a.n / 3},
				flows.Cell{Month: m, Area: a.area, Metric: flows.MetricAcceptAfter + "24", N: a.n / 3},
				flows.Cell{Month: m, Area: a.area, Metric: flows.MetricRefClosed, N: a.n / 5})
		}
	}
	return cells
}

func (f *fixture) get(tb testing.TB, target string, hdr ...string) *httptest.ResponseRecorder {
	tb.Helper()
	r := httptest.NewRequest(http.MethodGet, target, nil)
	r.RemoteAddr = "192.0.2.7:5123"
	for i := 0; i+1 < len(hdr); i += 2 {
		r.Header.Set(hdr[i], hdr[i+1])
	}
	w := httptest.NewRecorder()
	f.page.ServeHTTP(w, r)
	return w
}

func TestPageLanguages(t *testing.T) {
	f := newFixture(t, sampleCells())
	tests := []struct {
		name, query, accept string
		lang                flows.Lang
		want                []string
	}{
		{"french by default", "?from=2026-01&to=2026-03", "", flows.FR,
			[]string{"Observatoire des besoins numériques", "De janvier 2026 à mars 2026", "Antwerpen (BE)", "Aalst (BE)",
				"Papiers, démarche", "Besoin d&#39;assistance", "≤ 24 h", "Conversations commencées, par mois"}},
		{"dutch from the browser", "?from=2026-01&to=2026-03", "nl-BE,nl;q=0.9,en;q=0.5", flows.NL,
			[]string{"Observatorium van de digitale noden", "Van januari 2026 tot maart 2026", "Gent (BE)",
				"Papieren, aanvraag", "Heeft begeleiding nodig", "≤ 24 u", "Gestarte gesprekken, per maand"}},
		{"french before dutch by weight", "?from=2026-01&to=2026-03", "nl;q=0.4,fr-BE;q=0.8", flows.FR,
			[]string{"Observatoire des besoins numériques"}},
		{"?lang wins", "?from=2026-01&to=2026-03&lang=nl", "fr-BE", flows.NL,
			[]string{"Observatorium", `<input type="hidden" name="lang" value="nl">`}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			w := f.get(t, "/obs/"+testToken+tt.query, "Accept-Language", tt.accept)
			body := w.Body.String()
			if w.Code != http.StatusOK {
				t.Fatalf("status %d, want 200\n%s", w.Code, body)
			}
			if !strings.Contains(body, `<html lang="`+string(tt.lang)+`">`) {
				t.Errorf("page not in %s", tt.lang)
			}
			for _, s := range tt.want {
				if !strings.Contains(body, s) {
					t.Errorf("page lacks %q", s)
				}
			}
			// Aalst's 2 a month are hidden, and its bars too.
			if !strings.Contains(body, `class="h" title=`) || !strings.Contains(body, "&lt; 5") {
				t.Error("no hidden cell shown as < 5")
			}
			if n := strings.Count(body, "<rect "); n < 4 {
				t.Errorf("%d bars drawn, want the shown profiles and needs", n)
			}
			if strings.Contains(body, testToken+"?") || strings.Count(body, testToken) != 1 {
				t.Errorf("the token appears %d times in the page, want once (the export link)", strings.Count(body, testToken))
			}
		})
	}
	if strings.Contains(f.log.String(), testToken) {
		t.Error("the token reached the log")
	}
}

func TestPageHeaders(t *testing.T) {
	f := newFixture(t, sampleCells())
	for _, target := range []string{"/obs/" + testToken, "/obs/" + testToken + "/export.csv", "/obs/wrong-token-1234", "/elsewhere",
		"/obs/" + testToken + "?from=x"} {
		w := f.get(t, target)
		h := w.Header()
		csp := h.Get("Content-Security-Policy")
		for _, want := range []string{"default-src 'none'", "style-src 'sha256-", "frame-ancestors 'none'", "form-action 'self'", "base-uri 'none'"} {
			if !strings.Contains(csp, want) {
				t.Errorf("%s: CSP %q lacks %q", target, csp, want)
			}
		}
		if strings.Contains(csp, "unsafe-inline") {
			t.Errorf("%s: CSP allows unsafe-inline", target)
		}
		for k, v := range map[string]string{"Referrer-Policy": "no-referrer", "Cache-Control": "no-store",
			"X-Content-Type-Options": "nosniff", "X-Frame-Options": "DENY"} {
			if h.Get(k) != v {
				t.Errorf("%s: %s = %q, want %q", target, k, h.Get(k), v)
			}
		}
	}
	// The hash allows exactly the style the page carries.
	body := f.get(t, "/obs/"+testToken).Body.String()
	css := regexp.MustCompile(`(?s)<style>(.*?)</style>`).FindStringSubmatch(body)
	if css == nil {
		t.Fatal("no inline style")
	}
	sum := sha256.Sum256([]byte(css[1]))
	if !strings.Contains(f.page.csp, fmt.Sprintf("'sha256-%s'", b64(sum[:]))) {
		t.Error("the CSP hash does not match the inline style")
	}
}

func TestPageDefaultRange(t *testing.T) {
	f := newFixture(t, sampleCells())
	body := f.get(t, "/obs/"+testToken).Body.String()
	for _, want := range []string{"De avril 2025 à mars 2026", `name="from" value="2025-04"`, `name="to" value="2026-03"`} {
		if !strings.Contains(body, want) {
			t.Errorf("default page lacks %q", want)
		}
	}
}

func TestPageRangeErrors(t *testing.T) {
	f := newFixture(t, sampleCells())
	tests := []struct {
		query, want string
	}{
		{"?from=2026-13&to=2026-03", "« 2026-13 » n&#39;est pas un mois"},
		{"?from=mars&to=2026-03", "« mars » n&#39;est pas un mois"},
		{"?from=2026-03&to=2026-01", "Le premier mois est après le dernier"},
		{"?from=2000-01&to=2026-01", "trop longue : 120 mois au plus"},
		{"?from=2026-03&to=2026-01&lang=nl", "De eerste maand komt na de laatste"},
		{"?area=" + strings.Repeat("x", 300), "Ce nom de commune est trop long"},
	}
	for _, tt := range tests {
		for _, path := range []string{"/obs/" + testToken, "/obs/" + testToken + "/export.csv"} {
			w := f.get(t, path+tt.query)
			body := w.Body.String()
			if w.Code != http.StatusBadRequest || !strings.Contains(body, tt.want) {
				t.Errorf("%s%s: %d, want 400 with %q\n%s", path, tt.query, w.Code, tt.want, body)
			}
			if !strings.Contains(body, `role="alert"`) || !strings.Contains(body, `<form method="get"`) {
				t.Errorf("%s%s: the message is not on the page with its form", path, tt.query)
			}
		}
	}
	// What was typed comes back, escaped, to be corrected.
	body := f.get(t, "/obs/"+testToken+"?from=%22%3E%3Cb%3E&to=2026-01").Body.String()
	if strings.Contains(body, `"><b>`) || !strings.Contains(body, `value="&#34;&gt;&lt;b&gt;"`) {
		t.Error("the typed month is not escaped")
	}
}

func TestPageEmptyAndArea(t *testing.T) {
	f := newFixture(t, sampleCells())
	body := f.get(t, "/obs/"+testToken+"?from=2024-01&to=2024-12").Body.String()
	if !strings.Contains(body, "Aucun compte pour cette période.") || strings.Contains(body, "<table") {
		t.Errorf("empty range: want the message and no table")
	}
	w := f.get(t, "/obs/"+testToken+"?from=2026-01&to=2026-03&area=BE:Gent")
	body = w.Body.String()
	if w.Code != 200 || !strings.Contains(body, `<option value="BE:Gent" selected>Gent (BE)</option>`) ||
		!strings.Contains(body, "Gent (BE) · ") && !strings.Contains(body, "· Gent (BE)") {
		t.Errorf("area filter: %d, Gent not selected or not named", w.Code)
	}
	if strings.Contains(body, `<th scope="row">Antwerpen (BE)</th>`) {
		t.Error("area filter: Antwerpen still has a row")
	}
	if !strings.Contains(body, `<option value="BE:Antwerpen">`) {
		t.Error("area filter: the other communes left the list")
	}
	body = f.get(t, "/obs/"+testToken+"?from=2026-01&to=2026-03&area=BE:Nowhere").Body.String()
	if !strings.Contains(body, "Aucun compte pour cette commune sur cette période.") {
		t.Error("unknown area: no message")
	}
}

func TestPageStoreError(t *testing.T) {
	f := newFixture(t, nil, func(o *Options) { o.Store = failingStore{} })
	for _, path := range []string{"/obs/" + testToken, "/obs/" + testToken + "/export.csv"} {
		w := f.get(t, path+"?lang=nl")
		if w.Code != http.StatusInternalServerError || !strings.Contains(w.Body.String(), "Technisch probleem") {
			t.Errorf("%s: %d, want 500 in Dutch\n%s", path, w.Code, w.Body.String())
		}
	}
	if !strings.Contains(f.log.String(), "connection refused") || strings.Contains(f.log.String(), testToken) {
		t.Errorf("log: want the error and never the token:\n%s", f.log.String())
	}
}

func TestPageToken(t *testing.T) {
	f := newFixture(t, sampleCells())
	notFound := f.get(t, "/obs/not-the-token-at-all").Body.String()
	if !strings.Contains(notFound, "Page introuvable") || !strings.Contains(notFound, "Pagina niet gevonden") {
		t.Errorf("404 page not in both languages:\n%s", notFound)
	}
	for _, target := range []string{
		"/obs/" + testToken[:len(testToken)-1] + "X",
		"/obs/" + testToken + "x",
		"/obs/short",
		"/obs/" + strings.Repeat("a", 300),
		"/obs/has%20space%20in%20it",
		"/obs/" + testToken + "/other",
		"/obs/",
		"/s/" + testToken,
	} {
		w := f.get(t, target)
		if w.Code != http.StatusNotFound || w.Body.String() != notFound {
			t.Errorf("%s: %d, want the one 404", target, w.Code)
		}
	}
	if w := f.get(t, "/obs/"+testToken); w.Code != 200 {
		t.Errorf("good token: %d", w.Code)
	}
}

func TestPageRateLimit(t *testing.T) {
	f := newFixture(t, sampleCells())
	for i := range 10 {
		if w := f.get(t, "/obs/wrong-token-"+strconv.Itoa(1000+i)); w.Code != http.StatusNotFound {
			t.Fatalf("bad token %d: %d, want 404", i, w.Code)
		}
	}
	w := f.get(t, "/obs/wrong-token-again")
	if w.Code != http.StatusTooManyRequests || !strings.Contains(w.Body.String(), "10 minutes") {
		t.Fatalf("11th bad token: %d, want 429 saying 10 minutes\n%s", w.Code, w.Body.String())
	}
	if ra := w.Header().Get("Retry-After"); ra != "600" {
		t.Errorf("Retry-After = %q, want 600", ra)
	}
	// A lock-out only of bad tokens: the coordinators' token is served
	// from the blocked address too (behind a proxy, every coordinator's).
	if w := f.get(t, "/obs/"+testToken); w.Code != http.StatusOK {
		t.Errorf("good token from a blocked address: %d, want 200", w.Code)
	}
	// Another address's bad tokens are not blocked.
	r := httptest.NewRequest(http.MethodGet, "/obs/wrong-token-other", nil)
	r.RemoteAddr = "198.51.100.9:4000"
	rec := httptest.NewRecorder()
	f.page.ServeHTTP(rec, r)
	if rec.Code != http.StatusNotFound {
		t.Errorf("other address: %d, want 404", rec.Code)
	}
	f.clock.Add(9 * time.Minute)
	if w := f.get(t, "/obs/wrong-token-later"); w.Code != http.StatusTooManyRequests || w.Header().Get("Retry-After") != "60" {
		t.Errorf("after 9 minutes: %d, Retry-After %q; want 429, 60", w.Code, w.Header().Get("Retry-After"))
	}
	f.clock.Add(time.Minute)
	if w := f.get(t, "/obs/wrong-token-after"); w.Code != http.StatusNotFound {
		t.Errorf("after the window: %d, want 404", w.Code)
	}
}

// TestPageRateLimitBehindProxy: behind a trusted proxy, one client's bad
// tokens block that client only; the peer address is the proxy's for all.
func TestPageRateLimitBehindProxy(t *testing.T) {
	proxies, err := web.ParseProxies("127.0.0.1")
	if err != nil {
		t.Fatal(err)
	}
	f := newFixture(t, sampleCells(), func(o *Options) { o.Proxies, o.FailLimit = proxies, 2 })
	via := func(target, client string) int {
		r := httptest.NewRequest(http.MethodGet, target, nil)
		r.RemoteAddr = "127.0.0.1:40000"
		r.Header.Set("X-Forwarded-For", client)
		w := httptest.NewRecorder()
		f.page.ServeHTTP(w, r)
		return w.Code
	}
	for i := range 3 {
		via("/obs/wrong-token-"+strconv.Itoa(1000+i), "6.6.6.6, 203.0.113.66")
	}
	if code := via("/obs/wrong-token-again", "203.0.113.66"); code != http.StatusTooManyRequests {
		t.Errorf("the guessing client: %d, want 429", code)
	}
	if code := via("/obs/wrong-token-once", "203.0.113.10"); code != http.StatusNotFound {
		t.Errorf("another client behind the proxy: %d, want 404", code)
	}
}

func TestCSV(t *testing.T) {
	f := newFixture(t, sampleCells())
	for _, lang := range flows.Langs {
		w := f.get(t, "/obs/"+testToken+"/export.csv?from=2026-01&to=2026-03&lang="+string(lang))
		if w.Code != 200 {
			t.Fatalf("%s: status %d\n%s", lang, w.Code, w.Body.String())
		}
		if ct := w.Header().Get("Content-Type"); ct != "text/csv; charset=utf-8" {
			t.Errorf("Content-Type %q", ct)
		}
		wantFile := map[flows.Lang]string{flows.FR: "observatoire", flows.NL: "observatorium"}[lang] + "-secours-2026-01-2026-03.csv"
		if cd := w.Header().Get("Content-Disposition"); cd != "attachment; filename="+wantFile {
			t.Errorf("Content-Disposition %q", cd)
		}
		body := w.Body.Bytes()
		if !bytes.HasPrefix(body, []byte("\uFEFF")) {
			t.Fatal("no byte order mark")
		}
		rd := csv.NewReader(bytes.NewReader(body[3:]))
		rd.Comma = ';'
		recs, err := rd.ReadAll()
		if err != nil {
			t.Fatalf("%s: the CSV does not read back: %v", lang, err)
		}
		words := f.page.words[lang]
		rep := Build(f.cells, Filter{From: "2026-01", To: "2026-03"})
		head := recs[0]
		if len(head) != len(rep.Columns)+5 || head[4] != words.Column(rep.Columns[0]) {
			t.Fatalf("%s: header %q", lang, head)
		}
		// Every line of the report is there, each number as the page
		// shows it.
		want := [][]string{}
		line := func(section, area, month, started string, x *Row) {
			rec := []string{section, area, month, started}
			for _, c := range x.Cells {
				rec = append(rec, c.String())
			}
			want = append(want, append(rec, exportMedian(x.Median, words)))
		}
		for i := range rep.Areas {
			line(words.s("csv.section.area"), words.Area(rep.Areas[i].Label), "2026-01/2026-03", "", &rep.Areas[i])
		}
		for i := range rep.Months {
			line(words.s("csv.section.month"), words.s("filter.all"), rep.Months[i].Label, "", &rep.Months[i])
		}
		line(words.s("csv.section.total"), words.s("filter.all"), "2026-01/2026-03", "", &rep.Total)
		empty := make([]string, len(rep.Columns)+1)
		for i := range rep.Months {
			want = append(want, slices.Concat([]string{words.s("csv.section.started"), words.s("filter.all"), rep.Months[i].Label, rep.Started[i].String()}, empty))
		}
		want = append(want, slices.Concat([]string{words.s("csv.section.started"), words.s("filter.all"), "2026-01/2026-03", rep.StartedTotal.String()}, empty))
		if !slices.EqualFunc(recs[1:], want, slices.Equal) {
			t.Errorf("%s: CSV rows\n%q\nwant\n%q", lang, recs[1:], want)
		}
		if !strings.Contains(string(body), ";<5;") {
			t.Errorf("%s: no hidden cell written <5", lang)
		}
		if !bytes.Contains(body, []byte("\r\n")) {
			t.Errorf("%s: not CRLF", lang)
		}
	}
}

func TestCSVFormula(t *testing.T) {
	cells := []flows.Cell{{Month: "2026-01", Area: "=HYPERLINK(\"x\")", Metric: flows.MetricFinished, N: 9}}
	words, err := LoadWords(configs.FS, webtest.Catalogs(t))
	if err != nil {
		t.Fatal(err)
	}
	var b bytes.Buffer
	if err := WriteCSV(&b, Build(cells, Filter{From: "2026-01", To: "2026-01"}), words[flows.FR]); err != nil {
		t.Fatal(err)
	}
	if !strings.Contains(b.String(), `;"'=HYPERLINK`) {
		t.Errorf("a name starting with = is not defused:\n%s", b.String())
	}
}

func TestWriteText(t *testing.T) {
	words, err := LoadWords(configs.FS, webtest.Catalogs(t))
	if err != nil {
		t.Fatal(err)
	}
	var b bytes.Buffer
	rep := Build(sampleCells(), Filter{From: "2026-01", To: "2026-03"})
	if err := WriteText(&b, rep, words[flows.NL]); err != nil {
		t.Fatal(err)
	}
	out := b.String()
	for _, want := range []string{"Van januari 2026 tot maart 2026", "Alle gemeenten", "Aalst (BE)", "<5", "Totaal", "≤ 24 u"} {
		if !strings.Contains(out, want) {
			t.Errorf("text lacks %q:\n%s", want, out)
		}
	}
	// Aligned: every line of a table is as wide as its header.
	blocks := strings.Split(out, "\n\n")
	table := strings.Split(strings.TrimSpace(blocks[2]), "\n")[1:] // "Per gemeente", then the table
	width := len([]rune(table[0]))
	for _, l := range table[1:] {
		if len([]rune(l)) != width {
			t.Errorf("line %q is %d wide, the header %d", l, len([]rune(l)), width)
		}
	}
}

func TestTexts(t *testing.T) {
	all, err := text.Load(configs.FS, "observatory", text.Spec{})
	if err != nil {
		t.Fatal(err) // fr and nl have different keys or placeholders
	}
	fr := all[flows.FR]
	// Every key is used, by the code or the template.
	src, err := configs.Web.ReadFile("web/observatory.tmpl")
	if err != nil {
		t.Fatal(err)
	}
	used := map[string]bool{}
	for _, k := range codeKeys() {
		used[k] = true
	}
	for _, m := range web.StaticText.FindAllStringSubmatch(string(src), -1) {
		used[m[1]] = true
	}
	for k := range fr {
		if !used[k] {
			t.Errorf("key %s is never used", k)
		}
	}

	// LoadWords refuses what would show a key or a wrong placeholder.
	cats := webtest.Catalogs(t)
	broken := func(edit func(fr, nl flows.Catalog)) fs.FS {
		return texttest.Edited(t, configs.FS, "observatory", edit)
	}
	for name, b := range map[string]fs.FS{
		"nl lacks a key":      broken(func(_, nl flows.Catalog) { delete(nl, "total") }),
		"fr has an extra key": broken(func(fr, _ flows.Catalog) { fr["extra"] = "x" }),
		"placeholder differs": broken(func(_, nl flows.Catalog) { nl["period"] = "Van {van} tot {to}" }),
		"empty text":          broken(func(fr, _ flows.Catalog) { fr["total"] = " " }),
		"code key missing":    broken(func(fr, nl flows.Catalog) { delete(fr, "hidden"); delete(nl, "hidden") }),
		"not json":            texttest.Raw("observatory", "{", "{}"),
		"nil":                 nil,
	} {
		if _, err := LoadWords(b, cats); err == nil {
			t.Errorf("%s: LoadWords accepted it", name)
		}
	}
	noNeed := map[flows.Lang]flows.Catalog{flows.FR: cats[flows.FR], flows.NL: maps.Clone(cats[flows.NL])}
	delete(noNeed[flows.NL], "a.need.health")
	if _, err := LoadWords(configs.FS, noNeed); err == nil {
		t.Error("LoadWords accepted a bot catalogue without a need")
	}
}

func TestNewRefuses(t *testing.T) {
	good := Options{Store: memory.New(0, nil), TokenHash: hashOf(testToken), Catalogs: webtest.Catalogs(t),
		Texts: configs.FS, Templates: configs.Web}
	for name, edit := range map[string]func(*Options){
		"no store":        func(o *Options) { o.Store = nil },
		"no templates":    func(o *Options) { o.Templates = nil },
		"hex, not bytes":  func(o *Options) { o.TokenHash = []byte(fmt.Sprintf("%x", hashOf(testToken))) },
		"no token hash":   func(o *Options) { o.TokenHash = nil },
		"no texts":        func(o *Options) { o.Texts = nil },
		"no bot catalogs": func(o *Options) { o.Catalogs = nil },
	} {
		o := good
		edit(&o)
		if _, err := New(o); err == nil {
			t.Errorf("%s: New accepted it", name)
		}
	}
	if _, err := New(good); err != nil {
		t.Errorf("New(good) = %v", err)
	}
}

// benchCells is n communes × m months of a busy observatory.
func benchCells(n, m int) []flows.Cell {
	rnd := rand.New(rand.NewPCG(7, 7))
	var areas, months []string
	for i := range n {
		areas = append(areas, fmt.Sprintf("BE:Commune %03d", i))
	}
	for i := range m {
		months = append(months, text.Month(2025*12+i).String())
	}
	return randomCells(rnd, areas, months)
}

// BenchmarkPage serves the page of 100 communes × 12 months from the
// memory store, against 1 commune × 1 month for the ratio.
func BenchmarkPage(b *testing.B) {
	for _, size := range []struct{ areas, months int }{{1, 1}, {100, 12}} {
		b.Run(fmt.Sprintf("%dx%d", size.areas, size.months), func(b *testing.B) {
			f := newFixture(b, benchCells(size.areas, size.months))
			target := fmt.Sprintf("/obs/%s?from=2025-01&to=%s", testToken, text.Month(2025*12+size.months-1).String())
			var n int
			for b.Loop() {
				w := f.get(b, target)
				if w.Code != 200 {
					b.Fatalf("status %d", w.Code)
				}
				n = w.Body.Len()
			}
			b.ReportMetric(float64(n), "B/page")
		})
	}
}

func b64(b []byte) string { return base64.StdEncoding.EncodeToString(b) }
