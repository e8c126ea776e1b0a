package network

import (
	"context"
	"errors"
	"fmt"
	"html/template"
	"io"
	"io/fs"
	"log/slog"
	"mime/multipart"
	"net/http"
	"net/url"
	"os"
	"strconv"
	"time"

	nw "github.com/secours/secours/network"
	"github.com/secours/secours/text"
	"github.com/secours/secours/web"
)

// Service is what the page needs of package network; *network.Service
// implements it.
type Service interface {
	// Network returns the network a page token opens (its SHA-256 is in
	// the configured list); false if none.
	Network(token string) (name string, ok bool)
	// Check validates an uploaded file and stores its draft: the report
	// in lang, and the preview.
	Check(ctx context.Context, network, fileName string, data []byte, lang string) (nw.Draft, error)
	// Draft returns a draft of the network; nw.ErrNoDraft if unknown or
	// expired.
	Draft(ctx context.Context, network, id string) (nw.Draft, error)
	// Publish publishes a draft: nw.ErrNoDraft, or nw.ErrConflict when
	// the network's places changed since the check.
	Publish(ctx context.Context, network, draftID string) (nw.Draft, error)
	// Undo undoes the network's last publish; nw.ErrNothingToUndo.
	Undo(ctx context.Context, network string) error
	// Places lists the network's places as the page shows them.
	Places(ctx context.Context, network string) ([]nw.Entry, error)
	// History returns the network's last changes, newest first.
	History(ctx context.Context, network string, limit int) ([]nw.Change, error)
}

// Options configures New. Service, Texts and Templates are required;
// every other field has a default.
type Options struct {
	Service Service
	// Texts holds i18n/network.<lang>.json (configs.FS).
	Texts fs.FS
	// Templates holds web/network.tmpl (configs.Web).
	Templates fs.FS
	// Policy is the pages' common policy: logger, proxies, bad tokens,
	// forms (web.Policy).
	web.Policy
	// MaxFile bounds an uploaded file; default 10 MB (MaxFile).
	MaxFile int64
	// BodyTimeout bounds the reading of a form, a file included, once its
	// token proved good; default 25 s, within the server's 30 s.
	BodyTimeout time.Duration
	// History is how many of the last changes the page shows; default 30.
	History int
	// Location is the time zone of the dates shown; default
	// Europe/Brussels.
	Location *time.Location
	// Now is the clock of the CSRF keys and the rate limit; default
	// time.Now.
	Now func() time.Time
}

// MaxFile is the default bound of an uploaded file: a network's whole
// list in CSV is a few hundred kilobytes.
const MaxFile = 10 << 20

// Limits of the forms.
const (
	formSlack = 64 << 10 // the multipart envelope and the small fields around the file
	maxField  = 1 << 10  // a csrf or lang field
	maxDrain  = 64 << 20 // a larger body is read to its end (see drain) up to this
	maxIDLen  = 128
)

// Page is a network's page, /net/{token}, and its draft pages. It is safe
// for concurrent use.
type Page struct {
	svc     Service
	texts   text.Catalogs
	tmpl    map[text.Lang]*template.Template
	css     template.CSS
	log     *slog.Logger
	forms   *web.CSRF
	gate    *web.Gate
	loc     *time.Location
	maxFile int64
	body    time.Duration
	history int
	handler http.Handler
}

// New checks o and builds the page. It fails on a missing dependency or a
// broken network.<lang>.json or template, so that the process does not
// start with a page that shows keys.
func New(o Options) (*Page, error) {
	if o.Service == nil || o.Templates == nil {
		return nil, errors.New("network page: Service and Templates are required")
	}
	tx, err := text.Load(o.Texts, "network", text.Spec{Keys: codeKeys(), Holes: holes})
	if err != nil {
		return nil, err
	}
	p := &Page{svc: o.Service, texts: tx, log: o.Log(), loc: o.Location, maxFile: o.MaxFile,
		body: o.BodyTimeout, history: o.History}
	if p.loc == nil {
		if p.loc, err = time.LoadLocation("Europe/Brussels"); err != nil {
			return nil, fmt.Errorf("network page: %w", err)
		}
	}
	if o.Now == nil {
		o.Now = time.Now
	}
	if p.maxFile <= 0 {
		p.maxFile = MaxFile
	}
	if p.body <= 0 {
		p.body = 25 * time.Second
	}
	if p.history <= 0 {
		p.history = 30
	}
	if p.forms, err = o.Forms(o.Now); err != nil {
		return nil, fmt.Errorf("network page: %w", err)
	}
	p.gate = o.Gate("network", o.Now)
	if p.tmpl, p.css, err = web.Templates(o.Templates, "network", p.texts); err != nil {
		return nil, err
	}

	mux := http.NewServeMux()
	mux.HandleFunc("GET /net/{token}", p.servePage)
	mux.HandleFunc("POST /net/{token}/check", p.serveCheck)
	mux.HandleFunc("GET /net/{token}/draft/{id}", p.serveDraft)
	mux.HandleFunc("POST /net/{token}/draft/{id}/publish", p.servePublish)
	mux.HandleFunc("POST /net/{token}/undo", p.serveUndo)
	p.handler = web.FormPage(mux, p.forms, "network", web.CSP(string(p.css)), p.log, p.notFound,
		func(w http.ResponseWriter) { p.fail(w, http.StatusForbidden, "", "", "forbidden") })
	return p, nil
}

// ServeHTTP serves the page; mount it on /net/.
func (p *Page) ServeHTTP(w http.ResponseWriter, r *http.Request) { p.handler.ServeHTTP(w, r) }

// session is a request whose token opened a network.
type session struct {
	token, network string
	lang           text.Lang
	chosen         bool // the language came from ?lang= or a form
}

// base is the network's page path.
func (s session) base() string { return "/net/" + s.token }

func (s *session) setLang(l string) {
	if l == string(text.FR) || l == string(text.NL) {
		s.lang, s.chosen = text.Lang(l), true
	}
}

// open checks the token; on failure it has answered (404 or 429). It
// reads nothing of the body: a form is read only once its token proved
// good, so that a slow or endless body costs nothing to whoever has no
// page.
func (p *Page) open(w http.ResponseWriter, r *http.Request) (session, bool) {
	token := r.PathValue("token")
	name, ok := "", false
	if web.ValidToken(token) {
		name, ok = p.svc.Network(token)
	}
	if !ok {
		// The limit is asked only once the token proved bad, so that the
		// right token is served whoever failed from the same address.
		if mins, blocked := p.gate.Bad(w, r); blocked {
			p.fail(w, http.StatusTooManyRequests, "", "", "toomany", "min", mins)
			return session{}, false
		}
		p.notFound(w)
		return session{}, false
	}
	s := session{token: token, network: name, lang: text.AcceptLang(r.Header.Get("Accept-Language"))}
	s.setLang(r.URL.Query().Get("lang"))
	return s, true
}

// readForm reads a small urlencoded form (publish, undo) and checks its
// CSRF field; otherwise it has answered and returns false.
func (p *Page) readForm(w http.ResponseWriter, r *http.Request, s *session) bool {
	switch web.ReadForm(w, r, maxField*4, p.body) {
	case 0:
	case http.StatusRequestTimeout:
		p.fail(w, http.StatusRequestTimeout, s.base(), s.lang, "bad")
		return false
	default:
		p.fail(w, http.StatusBadRequest, s.base(), s.lang, "bad")
		return false
	}
	s.setLang(r.PostFormValue("lang"))
	if !p.forms.OK(s.token, r.PostFormValue("csrf")) {
		p.fail(w, http.StatusForbidden, s.base(), s.lang, "forbidden")
		return false
	}
	return true
}

// servePage is GET /net/{token}.
func (p *Page) servePage(w http.ResponseWriter, r *http.Request) {
	s, ok := p.open(w, r)
	if !ok {
		return
	}
	flash := r.URL.Query().Get("m")
	p.renderPage(w, r, s, http.StatusOK, flash, "")
}

// renderPage answers the network's page; upload is the upload form's
// message after a refused file ("" for none).
func (p *Page) renderPage(w http.ResponseWriter, r *http.Request, s session, code int, flash, upload string) {
	ctx := r.Context()
	entries, err := p.svc.Places(ctx, s.network)
	if err != nil {
		p.internal(w, r, s, err)
		return
	}
	changes, err := p.svc.History(ctx, s.network, p.history)
	if err != nil {
		p.internal(w, r, s, err)
		return
	}
	d := p.pageData(s, entries, changes, flash, upload)
	p.render(w, r, s, code, "page", d, 8<<10+400*len(entries)+600*len(changes))
}

// upload is what the upload form sent.
type upload struct {
	csrf, lang string
	name       string
	data       []byte
	chosen     bool // a file part was there, even empty
}

// errTooBig: the file is over the bound.
var errTooBig = errors.New("file too big")

// serveCheck is POST /net/{token}/check: the file is checked, its draft
// stored, and the draft's page shown (Post/Redirect/Get).
func (p *Page) serveCheck(w http.ResponseWriter, r *http.Request) {
	s, ok := p.open(w, r)
	if !ok {
		return
	}
	rc := http.NewResponseController(w)
	_ = rc.SetReadDeadline(time.Now().Add(p.body)) // recorders in tests do not support it
	orig := r.Body
	var (
		up  upload
		err error
	)
	if r.ContentLength > p.maxFile+formSlack {
		err = errTooBig // no need to read what the header already says
	} else {
		r.Body = http.MaxBytesReader(w, orig, p.maxFile+formSlack)
		up, err = p.readUpload(r)
	}
	if _, over := errors.AsType[*http.MaxBytesError](err); over || errors.Is(err, errTooBig) {
		drain(orig)
		_ = rc.SetReadDeadline(time.Time{})
		// The page itself, with the plain words at the form: the fields
		// read so far may not include the language, so the page keeps the
		// one of the URL or the browser.
		s.setLang(up.lang)
		p.renderPage(w, r, s, http.StatusRequestEntityTooLarge, "",
			p.tr(s.lang).s("upload.too_big", "max", strconv.FormatInt(p.maxFile>>20, 10)))
		return
	}
	switch {
	case errors.Is(err, os.ErrDeadlineExceeded):
		p.fail(w, http.StatusRequestTimeout, s.base(), s.lang, "slow")
		return
	case err != nil:
		p.fail(w, http.StatusBadRequest, s.base(), s.lang, "bad")
		return
	}
	_ = rc.SetReadDeadline(time.Time{})
	s.setLang(up.lang)
	if !p.forms.OK(s.token, up.csrf) {
		p.fail(w, http.StatusForbidden, s.base(), s.lang, "forbidden")
		return
	}
	if len(up.data) == 0 {
		key := "upload.none"
		if up.chosen && up.name != "" {
			key = "upload.empty"
		}
		p.renderPage(w, r, s, http.StatusBadRequest, "", p.tr(s.lang).s(key))
		return
	}
	d, err := p.svc.Check(r.Context(), s.network, up.name, up.data, string(s.lang))
	if err != nil {
		p.internal(w, r, s, err)
		return
	}
	http.Redirect(w, r, s.link("/draft/"+url.PathEscape(d.ID), ""), http.StatusSeeOther)
}

// readUpload reads the multipart form part by part: the file is kept in
// memory only up to the bound, never on disk.
func (p *Page) readUpload(r *http.Request) (upload, error) {
	var up upload
	mr, err := r.MultipartReader()
	if err != nil {
		return up, fmt.Errorf("upload: %w", err)
	}
	for {
		part, err := mr.NextPart()
		if errors.Is(err, io.EOF) {
			return up, nil
		}
		if err != nil {
			return up, fmt.Errorf("upload: %w", err)
		}
		switch part.FormName() {
		case "csrf":
			up.csrf, err = small(part)
		case "lang":
			up.lang, err = small(part)
		case "file":
			up.chosen, up.name = true, part.FileName()
			up.data, err = io.ReadAll(io.LimitReader(part, p.maxFile+1))
			if err == nil && int64(len(up.data)) > p.maxFile {
				err = errTooBig
			}
		default:
			_, err = io.Copy(io.Discard, part)
		}
		part.Close()
		if err != nil {
			return up, err
		}
	}
}

// small reads a small field.
func small(part *multipart.Part) (string, error) {
	b, err := io.ReadAll(io.LimitReader(part, maxField))
	return string(b), err
}

// drain reads what is left of a body that was too large, up to maxDrain,
// before the answer: a browser still sending a file it was refused would
// otherwise have its connection reset and show its own error page
// instead of ours.
func drain(body io.Reader) {
	_, _ = io.Copy(io.Discard, io.LimitReader(body, maxDrain))
}

// serveDraft is GET /net/{token}/draft/{id}: the report and the preview.
func (p *Page) serveDraft(w http.ResponseWriter, r *http.Request) {
	s, ok := p.open(w, r)
	if !ok {
		return
	}
	d, ok := p.draft(w, r, s)
	if !ok {
		return
	}
	p.renderDraft(w, r, s, http.StatusOK, d, "")
}

// draft reads the draft of the URL; otherwise it has answered.
func (p *Page) draft(w http.ResponseWriter, r *http.Request, s session) (nw.Draft, bool) {
	id := r.PathValue("id")
	if id == "" || len(id) > maxIDLen {
		p.fail(w, http.StatusNotFound, s.base(), s.lang, "nodraft")
		return nw.Draft{}, false
	}
	d, err := p.svc.Draft(r.Context(), s.network, id)
	switch {
	case errors.Is(err, nw.ErrNoDraft):
		p.fail(w, http.StatusNotFound, s.base(), s.lang, "nodraft")
		return nw.Draft{}, false
	case err != nil:
		p.internal(w, r, s, err)
		return nw.Draft{}, false
	}
	return d, true
}

// renderDraft answers a draft's page; alert is a message above it ("" for
// none).
func (p *Page) renderDraft(w http.ResponseWriter, r *http.Request, s session, code int, d nw.Draft, alert string) {
	data := p.draftData(s, d, alert)
	p.render(w, r, s, code, "draft", data, 8<<10+500*(len(d.Problems)+len(d.Changes)))
}

// servePublish is POST /net/{token}/draft/{id}/publish.
func (p *Page) servePublish(w http.ResponseWriter, r *http.Request) {
	s, ok := p.open(w, r)
	if !ok || !p.readForm(w, r, &s) {
		return
	}
	d, ok := p.draft(w, r, s)
	if !ok {
		return
	}
	t := p.tr(s.lang)
	if !d.Publishable() {
		// The page offers no button then; a post anyway is told why.
		p.renderDraft(w, r, s, http.StatusUnprocessableEntity, d, t.s("draft.blocked"))
		return
	}
	_, err := p.svc.Publish(r.Context(), s.network, d.ID)
	switch {
	case errors.Is(err, nw.ErrConflict):
		// The report and preview stay as they were, without the button:
		// the preview was computed on places that have changed since.
		data := p.draftData(s, d, t.s("draft.conflict"))
		data.Draft.Publishable, data.Draft.Stale = false, true
		p.render(w, r, s, http.StatusConflict, "draft", data, 8<<10+500*len(d.Changes))
		return
	case errors.Is(err, nw.ErrNoDraft):
		p.fail(w, http.StatusNotFound, s.base(), s.lang, "nodraft")
		return
	case err != nil:
		p.internal(w, r, s, err)
		return
	}
	http.Redirect(w, r, s.link("", "published"), http.StatusSeeOther)
}

// serveUndo is POST /net/{token}/undo: the last publish is undone once
// the person ticked that they mean it.
func (p *Page) serveUndo(w http.ResponseWriter, r *http.Request) {
	s, ok := p.open(w, r)
	if !ok || !p.readForm(w, r, &s) {
		return
	}
	if r.PostFormValue("confirm") != "yes" {
		http.Redirect(w, r, s.link("", "undo_confirm")+"#undo", http.StatusSeeOther)
		return
	}
	flash := "undone"
	switch err := p.svc.Undo(r.Context(), s.network); {
	case errors.Is(err, nw.ErrNothingToUndo):
		flash = "nothing_to_undo"
	case errors.Is(err, nw.ErrConflict):
		flash = "undo_conflict"
	case err != nil:
		p.internal(w, r, s, err)
		return
	}
	http.Redirect(w, r, s.link("", flash), http.StatusSeeOther)
}

// link is a path of the network's pages, keeping the language chosen and
// naming the flash message m ("" for none).
func (s session) link(path, m string) string {
	q := url.Values{}
	if s.chosen {
		q.Set("lang", string(s.lang))
	}
	if m != "" {
		q.Set("m", m)
	}
	u := s.base() + path
	if len(q) > 0 {
		u += "?" + q.Encode()
	}
	return u
}

// render executes a page template into a buffer first, so that a
// template error becomes a clean 500 instead of half a page.
func (p *Page) render(w http.ResponseWriter, r *http.Request, s session, code int, name string, d pageData, size int) {
	if err := web.HTML(w, code, p.tmpl[s.lang], name, d, size); err != nil {
		p.internal(w, r, s, err)
	}
}

// notFound is the one answer for every bad token and every other path.
func (p *Page) notFound(w http.ResponseWriter) { p.fail(w, http.StatusNotFound, "", "", "notfound") }

// internal logs an unexpected error (never the token or the file) and
// answers a 500 page in words.
func (p *Page) internal(w http.ResponseWriter, r *http.Request, s session, err error) {
	p.log.Error("network page error", "pattern", r.Pattern, "err", err)
	p.fail(w, http.StatusInternalServerError, s.base(), s.lang, "internal")
}

// fail answers the error page err.<name>: in lang with a link back to
// the page, or with lang "" (no good token yet) in French then Dutch and
// no link. args are name, value pairs for the text.
func (p *Page) fail(w http.ResponseWriter, code int, back string, lang text.Lang, name string, args ...string) {
	pages := web.ErrorPages{Templates: p.tmpl, CSS: p.css,
		Words: func(l text.Lang, key string, args ...string) string { return p.tr(l).s(key, args...) }}
	if err := pages.Answer(w, code, back, lang, name, args...); err != nil {
		p.log.Error("network error page", "err", err) // it answered plain words
	}
}
