package network

import (
	"bytes"
	"errors"
	"fmt"
	"io"
	"log/slog"
	"mime/multipart"
	"net/http"
	"net/http/httptest"
	"net/url"
	"strings"
	"testing"
	"time"

	"github.com/secours/secours/configs"
	"github.com/secours/secours/internal/testkit"
	nw "github.com/secours/secours/network"
	"github.com/secours/secours/web"
)

const (
	tokA    = "net_A-token-0123456789abcdef"
	tokBad  = "net_X-token-0123456789abcdef"
	network = "EPN de Wallonie"
)

var t0 = time.Date(2026, 12, 6, 10, 0, 0, 0, time.UTC)

type fixture struct {
	page  *Page
	svc   *fakeService
	clock *testkit.Clock
	logs  *testkit.SyncBuffer
}

func newFixture(tb testing.TB, edit ...func(*Options)) *fixture {
	tb.Helper()
	f := &fixture{clock: testkit.NewClock(t0), logs: &testkit.SyncBuffer{}}
	f.svc = newFake(f.clock.Now)
	f.svc.tokens[tokA] = network
	o := Options{Service: f.svc, Texts: configs.FS, Templates: configs.Web,
		Policy: web.Policy{Logger: slog.New(slog.NewTextHandler(f.logs, nil)),
			CSRFSecrets: [][]byte{[]byte("test key, not a secret")}}, Now: f.clock.Now}
	for _, e := range edit {
		e(&o)
	}
	p, err := New(o)
	if err != nil {
		tb.Fatal(err)
	}
	f.page = p
	return f
}

// seed gives the network three published places: one confirmed today,
// one over a year ago (stale), one closed and corrected by its structure.
func (f *fixture) seed() {
	f.svc.entries = []nw.Entry{
		{ID: "epn-1", Name: "EPN de Namur", Commune: "Namur", Confirmed: t0.AddDate(0, -1, 0)},
		{ID: "epn-2", Name: "EPN de Dinant", Commune: "Dinant", Confirmed: t0.AddDate(-1, -1, 0), Stale: true},
		{ID: "epn-3", Name: "EPN d'Arlon", Commune: "Arlon", Confirmed: t0.AddDate(0, -2, 0), Closed: true, EditedByPlace: true},
	}
	f.svc.hours = map[string]string{"epn-1": "Mo-Fr 09:00-12:00", "epn-2": "Tu 14:00-17:00", "epn-3": "We 09:00-12:00"}
	f.svc.history = []nw.Change{{At: t0.Add(-time.Hour), PlaceID: "epn-3", By: "structure:epn-3", What: "edit",
		Fields: []nw.FieldChange{{Field: "horaires", Old: "Mo 09:00-12:00", New: "We 09:00-12:00"}, {Field: "fermeture_temporaire", Old: "false", New: "true"},
			{Field: "langues", Old: "fr", New: "fr|nl"}}}}
}

func (f *fixture) do(r *http.Request) *httptest.ResponseRecorder {
	w := httptest.NewRecorder()
	f.page.ServeHTTP(w, r)
	return w
}

func (f *fixture) get(target string, hdr ...string) *httptest.ResponseRecorder {
	r := httptest.NewRequest(http.MethodGet, target, nil)
	for i := 0; i+1 < len(hdr); i += 2 {
		r.Header.Set(hdr[i], hdr[i+1])
	}
	return f.do(r)
}

// post sends a urlencoded form; csrf "" leaves the field out.
func (f *fixture) post(target string, form url.Values) *httptest.ResponseRecorder {
	r := httptest.NewRequest(http.MethodPost, target, strings.NewReader(form.Encode()))
	r.Header.Set("Content-Type", "application/x-www-form-urlencoded")
	return f.do(r)
}

func (f *fixture) csrf() string { return f.page.forms.Field(tokA) }

// multipartBody is an upload form: fields in order, then the file.
func multipartBody(tb testing.TB, fields map[string]string, name string, data []byte) (*bytes.Buffer, string) {
	tb.Helper()
	var b bytes.Buffer
	mw := multipart.NewWriter(&b)
	for _, k := range []string{"csrf", "lang"} {
		if v, ok := fields[k]; ok {
			mw.WriteField(k, v)
		}
	}
	if data != nil {
		fw, err := mw.CreateFormFile("file", name)
		if err != nil {
			tb.Fatal(err)
		}
		fw.Write(data)
	}
	mw.Close()
	return &b, mw.FormDataContentType()
}

func (f *fixture) upload(tb testing.TB, fields map[string]string, name string, data []byte) *httptest.ResponseRecorder {
	tb.Helper()
	body, ct := multipartBody(tb, fields, name, data)
	r := httptest.NewRequest(http.MethodPost, "/net/"+tokA+"/check", body)
	r.Header.Set("Content-Type", ct)
	return f.do(r)
}

const goodFile = "id;nom;commune;horaires\nepn-1;EPN de Namur;Namur;Mo-Fr 09:00-17:00\nepn-2;EPN de Dinant;Dinant;Tu 14:00-17:00\nepn-4;EPN de Ciney;Ciney;Th 09:00-12:00\n"
const badFile = "id;nom;commune;horaires\nepn-1;EPN de Namur;Namur;n'importe quand\nepn-4;EPN de Ciney;;Th 09:00-12:00\n"

// checkFile uploads data and follows the redirect to the draft's page.
func (f *fixture) checkFile(t *testing.T, data, lang string) (string, *httptest.ResponseRecorder) {
	t.Helper()
	fields := map[string]string{"csrf": f.csrf()}
	if lang != "" {
		fields["lang"] = lang
	}
	w := f.upload(t, fields, "lieux.csv", []byte(data))
	if w.Code != http.StatusSeeOther {
		t.Fatalf("upload: %d, want 303\n%s", w.Code, w.Body)
	}
	loc := w.Header().Get("Location")
	if !strings.HasPrefix(loc, "/net/"+tokA+"/draft/") {
		t.Fatalf("upload redirects to %q", loc)
	}
	return loc, f.get(loc)
}

func TestBadToken(t *testing.T) {
	f := newFixture(t, func(o *Options) { o.FailLimit = 3 })
	var first string
	for i, target := range []string{"/net/" + tokBad, "/net/short", "/net/" + tokBad + "/draft/d1", "/elsewhere"} {
		w := f.get(target)
		if w.Code != http.StatusNotFound {
			t.Fatalf("%s: %d, want 404", target, w.Code)
		}
		if i == 0 {
			first = w.Body.String()
			testkit.WantText(t, first, "Ce lien ne fonctionne pas.", "Deze link werkt niet.")
		} else if target != "/elsewhere" && w.Body.String() != first {
			t.Errorf("%s: another 404 body than the first", target)
		}
	}
	// The limit is reached: further bad tokens wait, the right one is served.
	if w := f.get("/net/" + tokBad); w.Code != http.StatusTooManyRequests || w.Header().Get("Retry-After") == "" {
		t.Errorf("after 3 bad tokens: %d, Retry-After %q; want 429 with it", w.Code, w.Header().Get("Retry-After"))
	}
	if w := f.get("/net/" + tokA); w.Code != http.StatusOK {
		t.Errorf("the right token after the limit: %d, want 200", w.Code)
	}
	// A post with a bad token is refused before its body is read.
	w := f.post("/net/"+tokBad+"/undo", url.Values{"csrf": {f.page.forms.Field(tokBad)}, "confirm": {"yes"}})
	if w.Code != http.StatusTooManyRequests {
		t.Errorf("undo with a bad token: %d, want 429", w.Code)
	}
	if strings.Contains(f.logs.String(), tokA) || strings.Contains(f.logs.String(), tokBad) {
		t.Errorf("a token reached the log:\n%s", f.logs)
	}
}

func TestHeaders(t *testing.T) {
	f := newFixture(t)
	w := f.get("/net/" + tokA)
	h := w.Header()
	for k, want := range map[string]string{"Referrer-Policy": "no-referrer", "Cache-Control": "no-store", "X-Frame-Options": "DENY"} {
		if got := h.Get(k); got != want {
			t.Errorf("%s = %q, want %q", k, got, want)
		}
	}
	if csp := h.Get("Content-Security-Policy"); !strings.Contains(csp, "style-src 'sha256-") || strings.Contains(csp, "unsafe-inline") || strings.Contains(csp, "script-src") {
		t.Errorf("CSP %q", csp)
	}
	if strings.Contains(w.Body.String(), "<script") {
		t.Error("the page has a script")
	}
	if !strings.Contains(f.logs.String(), `pattern="GET /net/{token}"`) {
		t.Errorf("no request line by pattern in the log:\n%s", f.logs)
	}
}

func TestPageLists(t *testing.T) {
	f := newFixture(t)
	f.seed()
	w := f.get("/net/" + tokA)
	if w.Code != http.StatusOK {
		t.Fatalf("page: %d", w.Code)
	}
	body := w.Body.String()
	testkit.WantText(t, body, "Les lieux du réseau EPN de Wallonie", "3 lieu(x) publié(s), dont 1 à confirmer.",
		"EPN de Namur Namur 06/11/2026", "EPN de Dinant Dinant 06/11/2025 À confirmer",
		"EPN d'Arlon Arlon 06/10/2026 Fermé temporairement Corrigé par la structure",
		"le 06/12/2026 à 10:00 · La structure elle-même · fiche corrigée EPN d'Arlon",
		"Horaires : Mo 09:00-12:00 → devient We 09:00-12:00", "Fermé temporairement : non → devient oui", "Langues : fr → devient fr ; nl",
		"Vérifier le fichier", "Oui, je veux annuler la dernière publication")
	if n := strings.Count(body, `class="stale"`); n != 1 {
		t.Errorf("%d rows flagged stale, want 1", n)
	}
	// Every form carries the CSRF field.
	if forms, fields := strings.Count(body, "<form"), strings.Count(body, `name="csrf" value="`+f.csrf()+`"`); forms != 2 || fields != forms {
		t.Errorf("%d forms, %d csrf fields; want 2 and 2", forms, fields)
	}
	if !strings.Contains(body, `enctype="multipart/form-data"`) {
		t.Error("the upload form is not multipart")
	}
}

func TestPageEmpty(t *testing.T) {
	f := newFixture(t)
	testkit.WantText(t, f.get("/net/"+tokA).Body.String(), "Aucun lieu n'est encore publié pour votre réseau.", "Aucun changement pour l'instant.")
}

func TestLanguages(t *testing.T) {
	f := newFixture(t)
	f.seed()
	nl := f.get("/net/"+tokA, "Accept-Language", "nl-BE,nl;q=0.9,fr;q=0.5")
	testkit.WantText(t, nl.Body.String(), "De plaatsen van het netwerk EPN de Wallonie", "Te bevestigen", "Bestand controleren")
	if !strings.Contains(nl.Body.String(), `<html lang="nl">`) {
		t.Error("Dutch page not marked nl")
	}
	fr := f.get("/net/"+tokA+"?lang=fr", "Accept-Language", "nl")
	testkit.WantText(t, fr.Body.String(), "Les lieux du réseau")
	// The choice is kept through the forms and the redirects.
	if !strings.Contains(fr.Body.String(), `name="lang" value="fr"`) {
		t.Error("?lang=fr not kept in the forms")
	}
	loc, draft := f.checkFile(t, goodFile, "nl")
	if !strings.Contains(loc, "lang=nl") {
		t.Errorf("draft link %q lost the language", loc)
	}
	testkit.WantText(t, draft.Body.String(), "Controle van het bestand ‘lieux.csv’", "Toegevoegde plaatsen", "Deze plaatsen publiceren")
	if f.svc.lastLang != "nl" {
		t.Errorf("Check got lang %q, want nl (the report is in the reader's language)", f.svc.lastLang)
	}
}

func TestUploadReport(t *testing.T) {
	f := newFixture(t)
	f.seed()
	_, w := f.checkFile(t, badFile, "")
	body := w.Body.String()
	testkit.WantText(t, body, "Vérification du fichier « lieux.csv »", "1 erreur(s) qui empêchent la publication, 1 remarque(s).",
		"Erreurs à corriger", "Ligne 2, colonne « horaires » : Ces horaires ne se lisent pas. Comment corriger : Écrivez par exemple Mo-Fr 09:00-12:00.",
		"Remarques", "Ligne 3, colonne « commune » : La commune manque. Comment corriger : Ajoutez la commune du lieu.",
		"Ce fichier ne peut pas être publié tant que les erreurs ci-dessus ne sont pas corrigées.")
	if strings.Contains(body, `class="publish"`) {
		t.Error("a Publish button on a blocked draft")
	}
	// A post anyway is told why, and nothing is published.
	id := strings.TrimPrefix(f.svc.drafts["d1"].ID, "")
	p := f.post("/net/"+tokA+"/draft/"+id+"/publish", url.Values{"csrf": {f.csrf()}})
	if p.Code != http.StatusUnprocessableEntity {
		t.Errorf("publish of a blocked draft: %d, want 422", p.Code)
	}
	testkit.WantText(t, p.Body.String(), "Ce fichier ne peut pas être publié : corrigez d'abord les erreurs en rouge")
	if f.svc.rev != 0 {
		t.Error("a blocked draft was published")
	}
	// The header and the whole file are named as such.
	_, w = f.checkFile(t, "nom,commune\n", "")
	testkit.WantText(t, w.Body.String(), "Ligne 1 (l'en-tête) : La première ligne n'est pas celle du modèle.")
}

func TestPreviewPublish(t *testing.T) {
	f := newFixture(t)
	f.seed()
	loc, w := f.checkFile(t, goodFile, "")
	body := w.Body.String()
	testkit.WantText(t, body, "Le fichier contient 3 lieu(x) : 1 ajouté(s), 1 modifié(s), 1 retiré(s).",
		"Aucun problème : le fichier est correct.",
		"Lieux ajoutés EPN de Ciney Nom : (vide) → devient EPN de Ciney Horaires : (vide) → devient Th 09:00-12:00",
		"Lieux modifiés EPN de Namur Horaires : Mo-Fr 09:00-12:00 → devient Mo-Fr 09:00-17:00",
		"Lieux retirés", "EPN d'Arlon", "Publier ces lieux")
	if strings.Contains(testkit.PageText(body), "EPN de Dinant") {
		t.Error("an unchanged place is in the preview")
	}
	if f.svc.rev != 0 {
		t.Fatal("checking published something")
	}
	// Publishing needs the CSRF field.
	publish := strings.SplitN(loc, "?", 2)[0] + "/publish"
	if p := f.post(publish, url.Values{}); p.Code != http.StatusForbidden {
		t.Errorf("publish without csrf: %d, want 403", p.Code)
	}
	p := f.post(publish, url.Values{"csrf": {f.csrf()}})
	if p.Code != http.StatusSeeOther || p.Header().Get("Location") != "/net/"+tokA+"?m=published" {
		t.Fatalf("publish: %d to %q", p.Code, p.Header().Get("Location"))
	}
	if got := strings.Join(f.svc.names(), ", "); got != "EPN de Namur, EPN de Dinant, EPN de Ciney" {
		t.Errorf("published places %s", got)
	}
	testkit.WantText(t, f.get(p.Header().Get("Location")).Body.String(), "C'est publié. Le bot propose déjà ces lieux.",
		"EPN de Ciney Ciney 06/12/2026", "Le réseau EPN de Wallonie · publication EPN de Ciney")
}

func TestConflict(t *testing.T) {
	f := newFixture(t)
	f.seed()
	first, _ := f.checkFile(t, goodFile, "")
	second, _ := f.checkFile(t, goodFile, "")
	if p := f.post(first+"/publish", url.Values{"csrf": {f.csrf()}}); p.Code != http.StatusSeeOther {
		t.Fatalf("first publish: %d", p.Code)
	}
	p := f.post(second+"/publish", url.Values{"csrf": {f.csrf()}})
	if p.Code != http.StatusConflict {
		t.Fatalf("second publish: %d, want 409", p.Code)
	}
	testkit.WantText(t, p.Body.String(), "Quelqu'un a publié ou annulé une liste pendant ce temps. Rien n'a été publié : vérifiez à nouveau le fichier",
		"La liste a changé depuis cette vérification : envoyez à nouveau votre fichier.")
	if strings.Contains(p.Body.String(), `class="publish"`) {
		t.Error("the conflict page still offers to publish")
	}
}

func TestUndo(t *testing.T) {
	f := newFixture(t)
	f.seed()
	undo := "/net/" + tokA + "/undo"
	// Nothing published by the network yet.
	w := f.post(undo, url.Values{"csrf": {f.csrf()}, "confirm": {"yes"}})
	if w.Code != http.StatusSeeOther || w.Header().Get("Location") != "/net/"+tokA+"?m=nothing_to_undo" {
		t.Fatalf("undo with nothing: %d to %q", w.Code, w.Header().Get("Location"))
	}
	testkit.WantText(t, f.get(w.Header().Get("Location")).Body.String(), "Il n'y a rien à annuler")
	loc, _ := f.checkFile(t, goodFile, "")
	f.post(loc+"/publish", url.Values{"csrf": {f.csrf()}})
	// Without the box ticked, nothing is undone.
	w = f.post(undo, url.Values{"csrf": {f.csrf()}})
	if w.Header().Get("Location") != "/net/"+tokA+"?m=undo_confirm#undo" || len(f.svc.undo) != 1 {
		t.Errorf("undo unconfirmed: to %q, %d publishes left", w.Header().Get("Location"), len(f.svc.undo))
	}
	if w := f.post(undo, url.Values{"confirm": {"yes"}}); w.Code != http.StatusForbidden || len(f.svc.undo) != 1 {
		t.Errorf("undo without csrf: %d", w.Code)
	}
	w = f.post(undo, url.Values{"csrf": {f.csrf()}, "confirm": {"yes"}, "lang": {"nl"}})
	if w.Header().Get("Location") != "/net/"+tokA+"?lang=nl&m=undone" {
		t.Fatalf("undo: to %q", w.Header().Get("Location"))
	}
	if got := strings.Join(f.svc.names(), ", "); got != "EPN de Namur, EPN de Dinant, EPN d'Arlon" {
		t.Errorf("after undo: %s", got)
	}
	testkit.WantText(t, f.get(w.Header().Get("Location")).Body.String(), "De laatste publicatie is ongedaan gemaakt.")
}

func TestCrossOrigin(t *testing.T) {
	f := newFixture(t)
	r := httptest.NewRequest(http.MethodPost, "/net/"+tokA+"/undo", strings.NewReader(url.Values{"csrf": {f.csrf()}, "confirm": {"yes"}}.Encode()))
	r.Header.Set("Content-Type", "application/x-www-form-urlencoded")
	r.Header.Set("Sec-Fetch-Site", "cross-site")
	if w := f.do(r); w.Code != http.StatusForbidden {
		t.Errorf("cross-site post: %d, want 403", w.Code)
	}
}

func TestUploadRefused(t *testing.T) {
	f := newFixture(t)
	// No CSRF field: refused, the file never checked.
	if w := f.upload(t, map[string]string{}, "lieux.csv", []byte(goodFile)); w.Code != http.StatusForbidden {
		t.Errorf("upload without csrf: %d, want 403", w.Code)
	}
	if w := f.upload(t, map[string]string{"csrf": "0123"}, "lieux.csv", []byte(goodFile)); w.Code != http.StatusForbidden {
		t.Errorf("upload with a wrong csrf: %d, want 403", w.Code)
	}
	// No file chosen, an empty file: the page says so.
	w := f.upload(t, map[string]string{"csrf": f.csrf()}, "", nil)
	if w.Code != http.StatusBadRequest {
		t.Errorf("no file: %d, want 400", w.Code)
	}
	testkit.WantText(t, w.Body.String(), "Aucun fichier n'a été choisi.")
	w = f.upload(t, map[string]string{"csrf": f.csrf()}, "vide.csv", []byte{})
	testkit.WantText(t, w.Body.String(), "Ce fichier est vide.")
	// Not a multipart form.
	if w := f.post("/net/"+tokA+"/check", url.Values{"csrf": {f.csrf()}}); w.Code != http.StatusBadRequest {
		t.Errorf("urlencoded upload: %d, want 400", w.Code)
	}
	if f.svc.checks != 0 {
		t.Errorf("%d files checked, want none", f.svc.checks)
	}
}

// TestUploadTooBig sends a 50 MB file over a real connection, with and
// without a Content-Length: the person reads the page's plain message,
// not a connection reset nor the server's bare 413.
func TestUploadTooBig(t *testing.T) {
	f := newFixture(t)
	srv := httptest.NewServer(f.page)
	defer srv.Close()
	for _, sized := range []bool{true, false} {
		t.Run(fmt.Sprintf("content-length=%v", sized), func(t *testing.T) {
			// The browser's form: the csrf field, then a 50 MB file.
			pr, pw := io.Pipe()
			mw := multipart.NewWriter(pw)
			go func() {
				mw.WriteField("csrf", f.csrf())
				fw, _ := mw.CreateFormFile("file", "photos.zip")
				chunk := bytes.Repeat([]byte("x"), 1<<20)
				for range 50 {
					if _, err := fw.Write(chunk); err != nil {
						pw.CloseWithError(err)
						return
					}
				}
				pw.CloseWithError(mw.Close())
			}()
			var body io.Reader = pr
			if sized {
				b, err := io.ReadAll(pr)
				if err != nil {
					t.Fatal(err)
				}
				body = bytes.NewReader(b) // NewRequest sets its Content-Length
			}
			r, err := http.NewRequestWithContext(t.Context(), http.MethodPost, srv.URL+"/net/"+tokA+"/check", body)
			if err != nil {
				t.Fatal(err)
			}
			r.Header.Set("Content-Type", mw.FormDataContentType())
			resp, err := http.DefaultClient.Do(r)
			if err != nil {
				t.Fatalf("the answer did not arrive: %v", err)
			}
			defer resp.Body.Close()
			b, _ := io.ReadAll(resp.Body)
			if resp.StatusCode != http.StatusRequestEntityTooLarge {
				t.Errorf("50 MB: %d, want 413", resp.StatusCode)
			}
			testkit.WantText(t, string(b), "Ce fichier est trop gros : 10 Mo au plus.", "Vérifier le fichier")
		})
	}
	if f.svc.checks != 0 {
		t.Errorf("%d files checked, want none", f.svc.checks)
	}
}

func TestNoDraft(t *testing.T) {
	f := newFixture(t)
	for _, target := range []string{"/net/" + tokA + "/draft/nope?lang=nl", "/net/" + tokA + "/draft/" + strings.Repeat("x", 200) + "?lang=nl"} {
		w := f.get(target)
		if w.Code != http.StatusNotFound {
			t.Errorf("%s: %d, want 404", target, w.Code)
		}
		testkit.WantText(t, w.Body.String(), "Deze controle bestaat niet meer", "Terug naar de pagina van het netwerk")
	}
	w := f.post("/net/"+tokA+"/draft/nope/publish", url.Values{"csrf": {f.csrf()}})
	if w.Code != http.StatusNotFound {
		t.Errorf("publish of no draft: %d, want 404", w.Code)
	}
	testkit.WantText(t, w.Body.String(), "Cette vérification n'existe plus")
}

func TestInternal(t *testing.T) {
	f := newFixture(t)
	f.svc.fail(errors.New("redis: connection refused"))
	for _, w := range []*httptest.ResponseRecorder{
		f.get("/net/" + tokA),
		f.get("/net/" + tokA + "/draft/d1"),
		f.upload(t, map[string]string{"csrf": f.csrf()}, "lieux.csv", []byte(goodFile)),
		f.post("/net/"+tokA+"/undo", url.Values{"csrf": {f.csrf()}, "confirm": {"yes"}}),
	} {
		if w.Code != http.StatusInternalServerError {
			t.Errorf("%d, want 500", w.Code)
		}
		if strings.Contains(w.Body.String(), "redis") {
			t.Error("the error reached the page")
		}
		testkit.WantText(t, w.Body.String(), "Un problème technique")
	}
	if !strings.Contains(f.logs.String(), "connection refused") {
		t.Error("the error was not logged")
	}
}

func TestFlashIgnoresOthers(t *testing.T) {
	f := newFixture(t)
	if body := f.get("/net/" + tokA + "?m=<b>hi</b>").Body.String(); strings.Contains(body, `role="status"`) || strings.Contains(body, "hi</b>") {
		t.Error("a crafted ?m= put words on the page")
	}
}

func TestEscaping(t *testing.T) {
	f := newFixture(t)
	f.svc.entries = []nw.Entry{{ID: "x", Name: `<script>alert(1)</script>`, Commune: "Liège"}}
	if body := f.get("/net/" + tokA).Body.String(); strings.Contains(body, "<script>") {
		t.Error("a place's name reached the page unescaped")
	}
}

// BenchmarkPage renders the page of a network of 1,000 places with 30
// changes; target under 50 ms a page (issue 19).
func BenchmarkPage(b *testing.B) {
	f := newFixture(b)
	for i := range 1000 {
		f.svc.entries = append(f.svc.entries, nw.Entry{ID: fmt.Sprintf("epn-%d", i), Name: fmt.Sprintf("Espace public numérique n°%d", i),
			Commune: "Commune " + fmt.Sprint(i%262), Confirmed: t0.AddDate(0, -i%20, 0), Stale: i%20 > 12, Closed: i%50 == 0, EditedByPlace: i%7 == 0})
	}
	for i := range 30 {
		f.svc.history = append(f.svc.history, nw.Change{At: t0, PlaceID: fmt.Sprintf("epn-%d", i), By: "network:" + network, What: "publish",
			Fields: []nw.FieldChange{{Field: "horaires", Old: "Mo 09:00-12:00", New: "Mo-Fr 09:00-12:00"}}})
	}
	r := httptest.NewRequest(http.MethodGet, "/net/"+tokA, nil)
	for b.Loop() {
		w := httptest.NewRecorder()
		f.page.ServeHTTP(w, r)
		if w.Code != http.StatusOK {
			b.Fatal(w.Code)
		}
	}
}
