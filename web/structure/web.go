package structure

import (
	"context"
	"errors"
	"fmt"
	"html/template"
	"io/fs"
	"log/slog"
	"net/http"
	"net/url"
	"slices"
	"strconv"
	texttemplate "text/template"
	"time"

	"github.com/secours/secours/flows"
	"github.com/secours/secours/geo"
	"github.com/secours/secours/web"
	"github.com/secours/secours/web/share"
)

// Desk is what the page needs of the referral service.
type Desk interface {
	// Place returns the place id a page token opens; an error wrapping
	// flows.ErrNoToken if the token is unknown, revoked or expired.
	Place(ctx context.Context, token string) (string, error)
	// List returns the place's referrals newest first. It changes
	// nothing: a GET (a mail scanner following the link) must not tell
	// the person their request was seen.
	List(ctx context.Context, place string) ([]flows.Referral, error)
	// Act applies a structure's change (to = seen, accepted, declined,
	// contacted, closed) with its reason key; an error wrapping
	// *flows.TransitionError if not allowed from the current status,
	// flows.ErrNoReferral if the referral does not exist or is not this
	// place's. Asking for the current status again is a no-op (double
	// click), returning the referral and nil.
	Act(ctx context.Context, place, id string, to flows.Status, reason string) (flows.Referral, error)
	// Write relays a message from the structure to the person;
	// flows.ErrNoReferral as above; an error wrapping flows.ErrTransition
	// if the referral is final.
	Write(ctx context.Context, place, id, text string) (flows.Referral, error)
	// LinkCode returns a one-time code the structure's admin sends as
	// "/structure <code>" to the Telegram bot to receive new referrals
	// there.
	LinkCode(ctx context.Context, place string) (string, error)
	// LinkedChat returns the chat that gets the place's new referrals,
	// the zero ChatLink if none; UnlinkChat stops that.
	LinkedChat(ctx context.Context, place string) (flows.ChatLink, error)
	UnlinkChat(ctx context.Context, place string) error
}

// Places finds a structure's place by id; *geo.Directory is one.
type Places interface {
	Place(id string) (*geo.Place, bool)
}

// WebOptions configures NewWeb. Desk, Places, Catalogs, Texts and
// Templates are required; every other field has a default.
type WebOptions struct {
	Desk   Desk
	Places Places
	// Catalogs are the bot catalogues (flows.LoadCatalogs): the page and
	// the mails show a referral's need, profile, why and confidence in
	// the bot's own wording, in the structure's language.
	Catalogs map[flows.Lang]flows.Catalog
	// Texts holds the structure's catalogue, i18n/structure.<lang>.json
	// (configs.FS).
	Texts fs.FS
	// Templates holds web/page.tmpl, web/style.tmpl, web/mail.txt.tmpl
	// and web/mail.html.tmpl (configs.Web).
	Templates fs.FS
	// Policy is the pages' common policy: logger, proxies, bad tokens,
	// forms (web.Policy).
	web.Policy
	// BodyTimeout bounds the reading of a form once its token proved
	// good, so that a slow POST cannot hold a connection; default 5 s.
	BodyTimeout time.Duration
	// Bot is the Telegram bot's username ("@secours_bot"), named in the
	// instructions for linking a chat; empty: "the Secours bot".
	Bot string
	// TelegramUsername ("secours_bot", with or without "@") and
	// WhatsAppNumber ("+32 470 12 34 56") are the bot's, for the links
	// that start it with the structure's code (issue 9). With either,
	// the page gets a share section (links, QR codes to download, a
	// poster to print, served on /s/<token>/poster and /s/<token>/qr/);
	// with neither, it has none. NewWeb refuses a malformed one.
	TelegramUsername string
	WhatsAppNumber   string
	// ShareTexts holds the share catalogue, i18n/share.<lang>.json
	// (configs.FS), the poster's words; required with TelegramUsername or
	// WhatsAppNumber. The poster's markup is web/poster.tmpl of Templates.
	ShareTexts fs.FS
	// Cards lets a structure correct its own card from its page (issue
	// 19): hours, closures, phone, e-mail, services, languages,
	// accessibility, temporarily closed (/s/<token>/card). Nil: the page
	// has no such form.
	Cards Cards
	// Location is the time zone of the times shown; default
	// Europe/Brussels (Paris has the same clock).
	Location *time.Location
	// Now is the clock; default time.Now.
	Now func() time.Time
}

// Web is the structure's web page: the list of its referrals with the
// actions it may take, reached through a magic link /s/<token>, and the
// renderer of the mails that carry that link. It is safe for concurrent
// use.
type Web struct {
	desk   Desk
	places Places
	cards  Cards // nil: no card form
	texts  texts
	cats   map[flows.Lang]flows.Catalog
	fsys   fs.FS
	log    *slog.Logger
	forms  *web.CSRF
	bot    string
	loc    *time.Location
	now    func() time.Time
	gate   *web.Gate
	body   time.Duration // BodyTimeout

	// The share section; share is nil when no channel is configured.
	share            *share.Kit
	tgUser, waNumber string // checked: a username without "@", a number's digits

	// Templates per language, with the fixed texts written in.
	page     map[flows.Lang]*template.Template
	mailHTML map[flows.Lang]*template.Template
	mailText map[flows.Lang]*texttemplate.Template
	declines map[flows.Lang]template.HTML // the reason lists' <option>s
	closes   map[flows.Lang]template.HTML
	css      template.CSS
	csp      string
	// can[from][to] says whether a structure may move a referral from
	// status from to status to; the page offers only those forms.
	can     map[flows.Status]map[flows.Status]bool
	handler http.Handler
}

// Limits of the page.
const (
	maxBody  = 16 << 10 // a form holds at most a 1000-character note
	maxIDLen = 128
)

// NewWeb checks o and builds the page. It fails on a missing dependency or
// a broken structure.<lang>.json or template, so that the process does not start
// with a page that shows keys.
func NewWeb(o WebOptions) (*Web, error) {
	if o.Desk == nil || o.Places == nil || o.Templates == nil {
		return nil, errors.New("structure web: Desk, Places and Templates are required")
	}
	for _, l := range flows.Langs {
		if o.Catalogs[l] == nil {
			return nil, fmt.Errorf("structure web: no %s bot catalogue", l)
		}
	}
	tx, err := loadTexts(o.Texts)
	if err != nil {
		return nil, err
	}
	w := &Web{desk: o.Desk, places: o.Places, cards: o.Cards, texts: tx, cats: o.Catalogs, fsys: o.Templates,
		log: o.Log(), bot: o.Bot, loc: o.Location, now: o.Now, body: o.BodyTimeout}
	if w.loc == nil {
		if w.loc, err = time.LoadLocation("Europe/Brussels"); err != nil {
			return nil, fmt.Errorf("structure web: %w", err) // geo imports time/tzdata, so only if that goes
		}
	}
	if w.now == nil {
		w.now = time.Now
	}
	if w.forms, err = o.Forms(w.now); err != nil {
		return nil, fmt.Errorf("structure web: %w", err)
	}
	w.gate = o.Gate("structure", w.now)
	if w.body <= 0 {
		w.body = 5 * time.Second
	}
	if err := parseTemplates(w); err != nil {
		return nil, err
	}
	if err := w.setShare(o); err != nil {
		return nil, err
	}
	w.csp = web.CSP(string(w.css))
	w.can = make(map[flows.Status]map[flows.Status]bool)
	for _, from := range statuses {
		w.can[from] = make(map[flows.Status]bool)
		for _, to := range []flows.Status{flows.StatusSeen, flows.StatusAccepted, flows.StatusDeclined, flows.StatusContacted, flows.StatusClosed} {
			// Ask the domain rather than copy its table; a probe has no
			// history to disturb.
			probe := flows.Referral{Status: from}
			changed, err := probe.Transition(to, flows.ActorStructure, "", time.Time{})
			w.can[from][to] = changed && err == nil
		}
	}

	mux := http.NewServeMux()
	mux.HandleFunc("GET /s/{token}", w.servePage)
	mux.HandleFunc("POST /s/{token}/r/{id}", w.serveAct)
	mux.HandleFunc("POST /s/{token}/telegram", w.serveTelegram)
	mux.HandleFunc("POST /s/{token}/telegram/unlink", w.serveUnlink)
	mux.HandleFunc("GET /s/{token}/card", w.serveCard)
	mux.HandleFunc("POST /s/{token}/card", w.serveCardEdit)
	mux.HandleFunc("GET /s/{token}/poster", w.servePoster)
	mux.HandleFunc("GET /s/{token}/qr/{file}", w.serveQR)
	w.handler = web.FormPage(mux, w.forms, "structure", w.csp, w.log, w.notFound,
		func(rw http.ResponseWriter) { w.fail(rw, http.StatusForbidden, "", "", "forbidden") })
	return w, nil
}

// Handler returns the page's handler, for an http.Server or a mux that
// routes /s/ to it.
func (w *Web) Handler() http.Handler { return w.handler }

// ServeHTTP serves the page.
func (w *Web) ServeHTTP(rw http.ResponseWriter, r *http.Request) { w.handler.ServeHTTP(rw, r) }

// session is a request whose token opened a place.
type session struct {
	token, place string
	geo          *geo.Place
	lang         flows.Lang
	chosen       bool // the language came from ?lang= or the form
}

// open checks the token. On failure it has answered (404, 429 or 500)
// and returns false. It reads nothing of the body: a form is read only
// once its token proved good (openPost). The language is ?lang= here;
// a form's hidden lang field is read by openPost.
func (w *Web) open(rw http.ResponseWriter, r *http.Request) (session, bool) {
	token := r.PathValue("token")
	place, err := "", error(flows.ErrNoToken)
	if web.ValidToken(token) {
		place, err = w.desk.Place(r.Context(), token)
	}
	if errors.Is(err, flows.ErrNoToken) {
		w.badToken(rw, r)
		return session{}, false
	}
	if err != nil {
		w.internal(rw, r, "", "", err)
		return session{}, false
	}
	s := session{token: token, place: place}
	s.geo, _ = w.places.Place(place)
	s.lang = w.Lang(s.geo)
	s.setLang(r.URL.Query().Get("lang"))
	return s, true
}

// setLang applies a language the structure chose, if it is one.
func (s *session) setLang(l string) {
	if l == "fr" || l == "nl" {
		s.lang, s.chosen = flows.Lang(l), true
	}
}

// badToken answers a token (or a referral id) that opens nothing: the
// one 404, or a 429 once the client has failed too often. The limit is
// asked only here, after the look-up, so that a valid token is served
// whoever failed from the same address (behind a proxy without
// TRUSTED_PROXIES, everyone): it slows guessing, and locks no one out.
func (w *Web) badToken(rw http.ResponseWriter, r *http.Request) {
	if mins, blocked := w.gate.Bad(rw, r); blocked {
		w.fail(rw, http.StatusTooManyRequests, "", "", "toomany", "min", mins)
		return
	}
	w.notFound(rw)
}

// base is the page's path.
func (s session) base() string { return "/s/" + s.token }

// csrf is the forms' hidden field for token.
func (w *Web) csrf(token string) string { return w.forms.Field(token) }

// servePage is GET /s/{token}.
func (w *Web) servePage(rw http.ResponseWriter, r *http.Request) {
	s, ok := w.open(rw, r)
	if !ok {
		return
	}
	refs, err := w.desk.List(r.Context(), s.place)
	if err != nil {
		w.internal(rw, r, s.base(), s.lang, err)
		return
	}
	link, err := w.desk.LinkedChat(r.Context(), s.place)
	if err != nil {
		w.internal(rw, r, s.base(), s.lang, err)
		return
	}
	d := w.pageData(s)
	if m := r.URL.Query().Get("m"); slices.Contains(flashes, m) {
		d.Flash = d.t.s("flash."+m, "max", strconv.Itoa(flows.MaxNoteText))
	}
	d.Linked = linkedLabel(d.t, link)
	d.CardLink = w.cardLink(s)
	if d.Share, err = w.shareView(s); err != nil {
		w.internal(rw, r, s.base(), s.lang, err)
		return
	}
	now := w.now()
	d.Refs = make([]refView, len(refs))
	for i := range refs {
		d.Refs[i] = w.view(d.t, &refs[i], now)
		d.Refs[i].Post = s.base() + "/r/" + url.PathEscape(refs[i].ID)
	}
	w.render(rw, r, http.StatusOK, "page", d, s)
}

// pageData is what every page of a session shows.
func (w *Web) pageData(s session) pageData {
	t := w.tr(s.lang)
	d := pageData{t: t, Lang: s.lang, CSS: w.css, Action: s.base(), MaxNote: flows.MaxNoteText,
		Hint: t.s("act.write_hint", "max", strconv.Itoa(flows.MaxNoteText))}
	// Built once here rather than by a sub-template in each of a long
	// page's forms. Both values are hex or a language code, escaped all
	// the same.
	hidden := `<input type="hidden" name="csrf" value="` + template.HTMLEscapeString(w.csrf(s.token)) + `">`
	if s.geo != nil && s.geo.Name != "" {
		d.Title = t.s("page.title", "place", s.geo.Name)
	} else {
		d.Title = t.s("page.title_noplace")
	}
	if s.chosen {
		d.LangField = string(s.lang)
		hidden += `<input type="hidden" name="lang" value="` + template.HTMLEscapeString(d.LangField) + `">`
	}
	d.Hidden = template.HTML(hidden)
	for _, l := range flows.Langs {
		// Relative links: the token stays out of the markup.
		d.Switch = append(d.Switch, langLink{Code: string(l), Label: t.s("switch." + string(l)), Href: "?lang=" + string(l), Current: l == s.lang})
	}
	d.Declines, d.Closes = w.declines[d.Lang], w.closes[d.Lang]
	return d
}

// render executes a page template into a buffer first, so that a
// template error becomes a clean 500 instead of half a page.
func (w *Web) render(rw http.ResponseWriter, r *http.Request, code int, name string, d pageData, s session) {
	// About a referral's share of the page, grown once.
	if err := web.HTML(rw, code, w.page[d.Lang], name, d, 8<<10+4<<10*len(d.Refs)); err != nil {
		w.internal(rw, r, s.base(), s.lang, err)
	}
}

// notFound is the one answer for an unknown, revoked, expired or
// malformed token and for a referral that is not the place's: the same
// body every time, so that it tells nothing about what exists.
func (w *Web) notFound(rw http.ResponseWriter) {
	w.fail(rw, http.StatusNotFound, "", "", "notfound")
}

// internal logs an unexpected error (never the token, the text or the
// chat) and answers a 500 page in words.
func (w *Web) internal(rw http.ResponseWriter, r *http.Request, back string, lang flows.Lang, err error) {
	w.log.Error("structure page error", "pattern", r.Pattern, "err", err)
	w.fail(rw, http.StatusInternalServerError, back, lang, "internal")
}

// fail answers an error page err.<name>. With a lang (after a good token)
// it speaks the structure's language and links back to the page (back);
// with lang "" it speaks French then Dutch and links nowhere. args are
// name, value pairs for the text.
func (w *Web) fail(rw http.ResponseWriter, code int, back string, lang flows.Lang, name string, args ...string) {
	pages := web.ErrorPages{Templates: w.page, CSS: w.css,
		Words: func(l flows.Lang, key string, args ...string) string { return w.tr(l).s(key, args...) }}
	if err := pages.Answer(rw, code, back, lang, name, args...); err != nil {
		w.log.Error("structure error page", "err", err) // it answered plain words
	}
}
