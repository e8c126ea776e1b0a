package observatory

import (
	"bytes"
	"crypto/sha256"
	"crypto/subtle"
	"encoding/base64"
	"errors"
	"fmt"
	"html/template"
	"io/fs"
	"log/slog"
	"mime"
	"net/http"
	"regexp"
	"slices"
	"strconv"
	"strings"
	"time"

	"github.com/secours/secours/flows"
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
	// Texts is observatory.json (configs.ObservatoryTexts()).
	Texts []byte
	// Templates holds web/observatory.tmpl (configs.Web).
	Templates fs.FS
	// Logger gets one line per request and the errors; nil discards.
	Logger *slog.Logger
	// Now is the clock of the default range and the rate limit; default
	// time.Now.
	Now func() time.Time
	// FailLimit bad tokens from one client within FailWindow get that
	// client's further bad tokens a 429 until the window ends; the right
	// token is always served. Defaults: 10 in 10 minutes.
	FailLimit  int
	FailWindow time.Duration
	// Proxies are the reverse proxies whose X-Forwarded-For names the
	// client (TRUSTED_PROXIES); none: the client is the TCP peer.
	Proxies web.Proxies
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
	proxies web.Proxies
	fails   *web.Limiter
	handler http.Handler
}

// Limits of the page.
const (
	maxTokenLen  = 256
	maxEntries   = 10000 // clients the rate limit remembers
	defaultLimit = 10
)

// New checks o and builds the page. It fails on a missing dependency, a
// token hash that is not 32 bytes, or a broken observatory.json or
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
	p := &Page{store: o.Store, hash: slices.Clone(o.TokenHash), words: words, log: o.Logger, now: o.Now, proxies: o.Proxies}
	if p.log == nil {
		p.log = slog.New(slog.DiscardHandler)
	}
	if p.now == nil {
		p.now = time.Now
	}
	limit, window := o.FailLimit, o.FailWindow
	if limit <= 0 {
		limit = defaultLimit
	}
	if window <= 0 {
		window = 10 * time.Minute
	}
	p.fails = web.NewLimiter(limit, window, maxEntries)
	if err := p.parse(o.Templates); err != nil {
		return nil, err
	}
	// The style sheet is inline, allowed by its hash: no second request,
	// and no 'unsafe-inline'. The charts are inline SVG, drawn with
	// attributes, so they need no style-src of their own.
	sum := sha256.Sum256([]byte(p.css))
	p.csp = "default-src 'none'; style-src 'sha256-" + base64.StdEncoding.EncodeToString(sum[:]) +
		"'; form-action 'self'; frame-ancestors 'none'; base-uri 'none'"

	mux := http.NewServeMux()
	mux.HandleFunc("GET /obs/{token}", p.servePage)
	mux.HandleFunc("GET /obs/{token}/export.csv", p.serveCSV)
	mux.HandleFunc("/", func(w http.ResponseWriter, r *http.Request) { p.notFound(w) })
	p.handler = p.headers(mux)
	return p, nil
}

// ServeHTTP serves the page and its export.
func (p *Page) ServeHTTP(w http.ResponseWriter, r *http.Request) { p.handler.ServeHTTP(w, r) }

// staticText matches {{T "key"}}: a fixed text of observatory.json.
var staticText = regexp.MustCompile(`\{\{T "([a-z0-9_.]+)"\}\}`)

// parse reads the template once per language, with T giving that
// language's texts, after checking that every key it names exists.
func (p *Page) parse(fsys fs.FS) error {
	b, err := fs.ReadFile(fsys, "web/observatory.tmpl")
	if err != nil {
		return fmt.Errorf("observatory template: %w", err)
	}
	src := string(b)
	var missing []string
	for _, m := range staticText.FindAllStringSubmatch(src, -1) {
		if _, ok := p.words[flows.FR].c[m[1]]; !ok {
			missing = append(missing, m[1])
		}
	}
	if len(missing) > 0 {
		slices.Sort(missing)
		return fmt.Errorf("observatory template: observatory.json lacks %s", strings.Join(slices.Compact(missing), ", "))
	}
	p.tmpl = map[flows.Lang]*template.Template{}
	for _, l := range flows.Langs {
		w := p.words[l]
		t, err := template.New("observatory.tmpl").Funcs(template.FuncMap{"T": func(key string) string { return w.s(key) }}).Parse(src)
		if err != nil {
			return fmt.Errorf("observatory template: %w", err)
		}
		p.tmpl[l] = t
	}
	var css bytes.Buffer
	if err := p.tmpl[flows.FR].ExecuteTemplate(&css, "style", nil); err != nil {
		return fmt.Errorf("observatory style: %w", err)
	}
	p.css = template.CSS(css.String())
	return nil
}

// statusWriter remembers the status, for the request log.
type statusWriter struct {
	http.ResponseWriter
	status int
}

func (s *statusWriter) WriteHeader(code int) {
	if s.status == 0 {
		s.status = code
	}
	s.ResponseWriter.WriteHeader(code)
}

func (s *statusWriter) Write(b []byte) (int, error) {
	if s.status == 0 {
		s.status = http.StatusOK
	}
	return s.ResponseWriter.Write(b)
}

// headers sets the security headers on every response, errors included,
// and logs the request by its route pattern: the path holds the token,
// which must never reach a log.
func (p *Page) headers(next http.Handler) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		start := time.Now() // a measure, not a rule: the real clock
		h := w.Header()
		h.Set("Content-Security-Policy", p.csp)
		h.Set("Referrer-Policy", "no-referrer") // the token is in the URL
		h.Set("Cache-Control", "no-store")      // a shared PC must not keep the figures
		h.Set("X-Content-Type-Options", "nosniff")
		h.Set("X-Frame-Options", "DENY") // frame-ancestors, for browsers older than CSP 2
		sw := &statusWriter{ResponseWriter: w}
		next.ServeHTTP(sw, r)
		p.log.Info("observatory page", "pattern", r.Pattern, "method", r.Method,
			"status", sw.status, "dur", time.Since(start))
	})
}

// validToken is a cheap shape check before hashing: tokens are URL-safe
// random strings.
func validToken(s string) bool {
	if len(s) < 8 || len(s) > maxTokenLen {
		return false
	}
	for _, c := range []byte(s) {
		if !(c >= 'a' && c <= 'z' || c >= 'A' && c <= 'Z' || c >= '0' && c <= '9' || c == '-' || c == '_') {
			return false
		}
	}
	return true
}

// open checks the token. On failure it has answered (404 or 429) and
// returns false. The limit is asked only after the token proved bad, so
// that the right token is served whoever failed from the same address
// (behind a proxy without TRUSTED_PROXIES, everyone).
func (p *Page) open(w http.ResponseWriter, r *http.Request) bool {
	token := r.PathValue("token")
	sum := sha256.Sum256([]byte(token))
	// Constant time, so that the time of an answer says nothing of how
	// close a guess came; hashing first makes every comparison 32 bytes.
	if validToken(token) && subtle.ConstantTimeCompare(sum[:], p.hash) == 1 {
		return true
	}
	client, now := p.proxies.Client(r), p.now()
	if wait, blocked := p.fails.Blocked(client, now); blocked {
		mins := int((wait + time.Minute - 1) / time.Minute)
		w.Header().Set("Retry-After", strconv.Itoa(int((wait+time.Second-1)/time.Second)))
		p.log.Warn("observatory token rate limited", "pattern", r.Pattern)
		p.fail(w, http.StatusTooManyRequests, "", "toomany", "min", strconv.Itoa(mins))
		return false
	}
	p.fails.Fail(client, now)
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
	rq.lang = acceptLang(r.Header.Get("Accept-Language"))
	if l := q.Get("lang"); l == string(flows.FR) || l == string(flows.NL) {
		rq.lang, rq.chosen = flows.Lang(l), true
	}
	rq.filter, rq.err = ParseFilter(rq.from, rq.to, rq.area, p.now())
	return rq
}

// acceptLang picks French or Dutch from an Accept-Language header, by
// weight then order; French if it names neither.
func acceptLang(h string) flows.Lang {
	best, bestQ := flows.FR, -1.0
	for part := range strings.SplitSeq(h, ",") {
		tag, params, _ := strings.Cut(strings.TrimSpace(part), ";")
		q := 1.0
		if v, ok := strings.CutPrefix(strings.TrimSpace(params), "q="); ok {
			if f, err := strconv.ParseFloat(v, 64); err == nil {
				q = f
			}
		}
		primary, _, _ := strings.Cut(strings.ToLower(tag), "-")
		if (primary == "fr" || primary == "nl") && q > bestQ && q > 0 {
			best, bestQ = flows.Lang(primary), q
		}
	}
	return best
}

// servePage is GET /obs/{token}.
func (p *Page) servePage(w http.ResponseWriter, r *http.Request) {
	if !p.open(w, r) {
		return
	}
	rq := p.request(r)
	if rq.err != nil {
		p.render(w, r, http.StatusBadRequest, p.view(rq, nil))
		return
	}
	cells, err := p.store.Counts(r.Context(), rq.filter.From, rq.filter.To)
	if err != nil {
		p.internal(w, r, rq.lang, err)
		return
	}
	rep := Build(cells, rq.filter)
	p.render(w, r, http.StatusOK, p.view(rq, &rep))
}

// serveCSV is GET /obs/{token}/export.csv: the same report as a file.
// A bad range gets the page with its message, as a 400.
func (p *Page) serveCSV(w http.ResponseWriter, r *http.Request) {
	if !p.open(w, r) {
		return
	}
	rq := p.request(r)
	if rq.err != nil {
		p.render(w, r, http.StatusBadRequest, p.view(rq, nil))
		return
	}
	cells, err := p.store.Counts(r.Context(), rq.filter.From, rq.filter.To)
	if err != nil {
		p.internal(w, r, rq.lang, err)
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
	var b bytes.Buffer
	b.Grow(16 << 10)
	if err := p.tmpl[d.Lang].ExecuteTemplate(&b, "page", d); err != nil {
		p.internal(w, r, d.Lang, err)
		return
	}
	w.Header().Set("Content-Type", "text/html; charset=utf-8")
	w.WriteHeader(code)
	w.Write(b.Bytes())
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

// errData is an error page: one block per language.
type errData struct {
	Lang   flows.Lang
	Title  string
	CSS    template.CSS
	Blocks []errBlock
}

type errBlock struct {
	Lang        flows.Lang
	Title, Text string
}

// fail answers the error page err.<name>: in lang, or with lang "" (no
// good token yet) in French then Dutch. args are name, value pairs for
// the text.
func (p *Page) fail(w http.ResponseWriter, code int, lang flows.Lang, name string, args ...string) {
	langs := []flows.Lang{lang}
	if lang == "" {
		langs = flows.Langs
	}
	d := errData{Lang: langs[0], CSS: p.css}
	for _, l := range langs {
		t := p.words[l]
		b := errBlock{Lang: l, Title: t.s("err." + name + ".title"), Text: t.s("err."+name, args...)}
		if d.Title == "" {
			d.Title = b.Title
		} else {
			d.Title += " / " + b.Title
		}
		d.Blocks = append(d.Blocks, b)
	}
	var buf bytes.Buffer
	if err := p.tmpl[d.Lang].ExecuteTemplate(&buf, "error", d); err != nil {
		p.log.Error("observatory error page", "err", err)
		w.Header().Set("Content-Type", "text/plain; charset=utf-8")
		w.WriteHeader(code)
		fmt.Fprintln(w, "Erreur / Fout", code)
		return
	}
	w.Header().Set("Content-Type", "text/html; charset=utf-8")
	w.WriteHeader(code)
	w.Write(buf.Bytes())
}
