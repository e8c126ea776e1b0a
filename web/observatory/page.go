package observatory

import (
	"bytes"
	"crypto/sha256"
	"crypto/subtle"
	"errors"
	"fmt"
	"html/template"
	"io/fs"
	"log/slog"
	"mime"
	"net/http"
	"slices"
	"strings"
	"time"

	"github.com/secours/secours/flows"
	"github.com/secours/secours/text"
	"github.com/secours/secours/web"
)

// Options configures New. Store, TokenHash, Catalogs, Texts and
// Templates are required; every other field has a default.
type Options struct {
	Store flows.StatsStore
	// TokenHash is the SHA-256 of the coordinators' token
	// (OBSERVATORY_TOKEN_SHA256, printed by "secours stats token"): the
	// server never holds the token itself.
	TokenHash []byte
	// Catalogs are the bot catalogues (flows.LoadCatalogs): profiles and
	// needs are named as the bot names them.
	Catalogs map[flows.Lang]flows.Catalog
	// Texts holds the observatory's catalogue, i18n/observatory.<lang>.json
	// (configs.FS).
	Texts fs.FS
	// Templates holds web/observatory.tmpl (configs.Web).
	Templates fs.FS
	// Policy is the pages' common policy: logger, proxies, bad tokens
	// (web.Policy); the observatory has no forms.
	web.Policy
	// Now is the clock of the default range and the rate limit; default
	// time.Now.
	Now func() time.Time
}

// Page is the observatory's web page, GET /obs/{token}, and its export,
// GET /obs/{token}/export.csv; both take ?from=YYYY-MM&to=YYYY-MM (default:
// the last 12 months), ?area= (default: all) and ?lang=fr|nl (default:
// the browser's). It is safe for concurrent use.
type Page struct {
	store   flows.StatsStore
	hash    []byte
	words   map[flows.Lang]Words
	tmpl    map[flows.Lang]*template.Template
	css     template.CSS
	csp     string
	log     *slog.Logger
	now     func() time.Time
	gate    *web.Gate
	handler http.Handler
}

// New checks o and builds the page. It fails on a missing dependency, a
// token hash that is not 32 bytes, or a broken observatory.<lang>.json or
// template, so that the process does not start with a page that shows
// keys.
func New(o Options) (*Page, error) {
	if o.Store == nil || o.Templates == nil {
		return nil, errors.New("observatory: Store and Templates are required")
	}
	if len(o.TokenHash) != sha256.Size {
		return nil, fmt.Errorf("observatory: token hash of %d bytes, want %d (hex of SHA-256)", len(o.TokenHash), sha256.Size)
	}
	words, err := LoadWords(o.Texts, o.Catalogs)
	if err != nil {
		return nil, err
	}
	p := &Page{store: o.Store, hash: slices.Clone(o.TokenHash), words: words, log: o.Log(), now: o.Now}
	if p.now == nil {
		p.now = time.Now
	}
	p.gate = o.Gate("observatory", p.now)
	cats := text.Catalogs{}
	for l, w := range words {
		cats[l] = w.c
	}
	if p.tmpl, p.css, err = web.Templates(o.Templates, "observatory", cats); err != nil {
		return nil, err
	}
	// The charts are inline SVG, drawn with attributes, so they need no
	// style-src of their own.
	p.csp = web.CSP(string(p.css))

	mux := http.NewServeMux()
	mux.HandleFunc("GET /obs/{token}", p.servePage)
	mux.HandleFunc("GET /obs/{token}/export.csv", p.serveCSV)
	mux.HandleFunc("/", func(w http.ResponseWriter, r *http.Request) { p.notFound(w) })
	p.handler = web.Headers(mux, "observatory", p.csp, p.log)
	return p, nil
}

// ServeHTTP serves the page and its export.
func (p *Page) ServeHTTP(w http.ResponseWriter, r *http.Request) { p.handler.ServeHTTP(w, r) }

// open checks the token. On failure it has answered (404 or 429) and
// returns false. The limit is asked only after the token proved bad, so
// that the right token is served whoever failed from the same address
// (behind a proxy without TRUSTED_PROXIES, everyone).
func (p *Page) open(w http.ResponseWriter, r *http.Request) bool {
	token := r.PathValue("token")
	sum := sha256.Sum256([]byte(token))
	// Constant time, so that the time of an answer says nothing of how
	// close a guess came; hashing first makes every comparison 32 bytes.
	if web.ValidToken(token) && subtle.ConstantTimeCompare(sum[:], p.hash) == 1 {
		return true
	}
	if mins, blocked := p.gate.Bad(w, r); blocked {
		p.fail(w, http.StatusTooManyRequests, "", "toomany", "min", mins)
		return false
	}
	p.notFound(w)
	return false
}

// request is what a good token asked for.
type request struct {
	lang   flows.Lang
	chosen bool // the language came from ?lang=
	token  string
	from   string // as typed, for the form
	to     string
	area   string
	filter Filter
	err    error // a *RangeError, for a 400 page
}

func (p *Page) request(r *http.Request) request {
	q := r.URL.Query()
	rq := request{token: r.PathValue("token"), from: strings.TrimSpace(q.Get("from")),
		to: strings.TrimSpace(q.Get("to")), area: q.Get("area")}
	rq.lang = text.AcceptLang(r.Header.Get("Accept-Language"))
	if l := q.Get("lang"); l == string(flows.FR) || l == string(flows.NL) {
		rq.lang, rq.chosen = flows.Lang(l), true
	}
	rq.filter, rq.err = ParseFilter(rq.from, rq.to, rq.area, p.now())
	return rq
}

// counts opens the page and reads the counts of the range asked. It has
// answered and returns false for a bad token, a bad range (the page with
// its message, as a 400) or a store error.
func (p *Page) counts(w http.ResponseWriter, r *http.Request) (request, []flows.Cell, bool) {
	if !p.open(w, r) {
		return request{}, nil, false
	}
	rq := p.request(r)
	if rq.err != nil {
		p.render(w, r, http.StatusBadRequest, p.view(rq, nil))
		return request{}, nil, false
	}
	cells, err := p.store.Counts(r.Context(), rq.filter.From, rq.filter.To)
	if err != nil {
		p.internal(w, r, rq.lang, err)
		return request{}, nil, false
	}
	return rq, cells, true
}

// servePage is GET /obs/{token}.
func (p *Page) servePage(w http.ResponseWriter, r *http.Request) {
	rq, cells, ok := p.counts(w, r)
	if !ok {
		return
	}
	rep := Build(cells, rq.filter)
	p.render(w, r, http.StatusOK, p.view(rq, &rep))
}

// serveCSV is GET /obs/{token}/export.csv: the same report as a file.
func (p *Page) serveCSV(w http.ResponseWriter, r *http.Request) {
	rq, cells, ok := p.counts(w, r)
	if !ok {
		return
	}
	var b bytes.Buffer
	if err := WriteCSV(&b, Build(cells, rq.filter), p.words[rq.lang]); err != nil {
		p.internal(w, r, rq.lang, err)
		return
	}
	name := p.words[rq.lang].s("csv.file", "from", rq.filter.From, "to", rq.filter.To)
	w.Header().Set("Content-Type", "text/csv; charset=utf-8")
	w.Header().Set("Content-Disposition", mime.FormatMediaType("attachment", map[string]string{"filename": name}))
	w.Write(b.Bytes())
}

// render executes the page into a buffer first, so that a template error
// becomes a clean 500 instead of half a page.
func (p *Page) render(w http.ResponseWriter, r *http.Request, code int, d pageData) {
	if err := web.HTML(w, code, p.tmpl[d.Lang], "page", d, 16<<10); err != nil {
		p.internal(w, r, d.Lang, err)
	}
}

// notFound is the one answer for every bad token and every other path:
// the same body every time, so that it tells nothing.
func (p *Page) notFound(w http.ResponseWriter) {
	p.fail(w, http.StatusNotFound, "", "notfound")
}

// internal logs an unexpected error (never the token) and answers a 500
// page in words.
func (p *Page) internal(w http.ResponseWriter, r *http.Request, lang flows.Lang, err error) {
	p.log.Error("observatory page error", "pattern", r.Pattern, "err", err)
	p.fail(w, http.StatusInternalServerError, lang, "internal")
}

// fail answers the error page err.<name>: in lang, or with lang "" (no
// good token yet) in French then Dutch. args are name, value pairs for
// the text.
func (p *Page) fail(w http.ResponseWriter, code int, lang flows.Lang, name string, args ...string) {
	pages := web.ErrorPages{Templates: p.tmpl, CSS: p.css,
		Words: func(l flows.Lang, key string, args ...string) string { return p.words[l].s(key, args...) }}
	if err := pages.Answer(w, code, "", lang, name, args...); err != nil {
		p.log.Error("observatory error page", "err", err) // it answered plain words
	}
}
