package structure

import (
	"errors"
	"net/http"
	"net/url"
	"slices"
	"strings"
	"unicode/utf8"

	"github.com/secours/secours/flows"
	"github.com/secours/secours/web"
)

// actions maps a form's action to the status it asks for, the reasons it
// takes (nil: none) and the flash message of its success.
var actions = map[string]struct {
	to      flows.Status
	reasons []string
	flash   string
}{
	"seen":      {flows.StatusSeen, nil, "seen"}, // "Bien reçu": the one way a referral becomes seen
	"accept":    {flows.StatusAccepted, nil, "accepted"},
	"decline":   {flows.StatusDeclined, flows.DeclineReasons, "declined"},
	"contacted": {flows.StatusContacted, nil, "contacted"},
	"close":     {flows.StatusClosed, flows.CloseReasons, "closed"},
}

// openPost checks the token first, then reads the form within
// BodyTimeout and a bounded size, and checks its CSRF field; otherwise it
// has answered and returns false. A bad token is answered without a
// byte of the body read, so that a slow or endless body costs nothing
// to whoever has no page.
func (w *Web) openPost(rw http.ResponseWriter, r *http.Request) (session, bool) {
	s, ok := w.open(rw, r)
	if !ok {
		return session{}, false
	}
	switch web.ReadForm(rw, r, maxBody, w.body) {
	case 0:
	case http.StatusRequestEntityTooLarge:
		w.fail(rw, http.StatusRequestEntityTooLarge, "", "", "toolarge")
		return session{}, false
	case http.StatusRequestTimeout:
		w.fail(rw, http.StatusRequestTimeout, "", "", "bad")
		return session{}, false
	default:
		w.fail(rw, http.StatusBadRequest, "", "", "bad")
		return session{}, false
	}
	s.setLang(r.PostFormValue("lang"))
	if !w.forms.OK(s.token, r.PostFormValue("csrf")) {
		w.fail(rw, http.StatusForbidden, s.base(), s.lang, "forbidden")
		return session{}, false
	}
	return s, true
}

// serveAct is POST /s/{token}/r/{id}: one action on one referral, then a
// redirect to the page (Post/Redirect/Get, so that a reload does not post
// again).
func (w *Web) serveAct(rw http.ResponseWriter, r *http.Request) {
	s, ok := w.openPost(rw, r)
	if !ok {
		return
	}
	id := r.PathValue("id")
	if id == "" || len(id) > maxIDLen {
		w.notFound(rw)
		return
	}
	action, reason := r.PostFormValue("action"), r.PostFormValue("reason")
	var (
		err   error
		flash string
	)
	act, isStatus := actions[action]
	switch {
	case action == "write":
		text := strings.TrimSpace(r.PostFormValue("text"))
		switch {
		case text == "":
			flash = "empty"
		case utf8.RuneCountInString(text) > flows.MaxNoteText:
			flash = "too_long"
		default:
			_, err = w.desk.Write(r.Context(), s.place, id, text)
			flash = "written"
		}
	case !isStatus:
		w.fail(rw, http.StatusBadRequest, s.base(), s.lang, "bad")
		return
	case act.reasons == nil:
		_, err = w.desk.Act(r.Context(), s.place, id, act.to, "") // seen, accept and contacted take no reason
		flash = act.flash
	case reason == "":
		flash = "no_reason" // a browser that ignored the select's required
	case !slices.Contains(act.reasons, reason):
		w.fail(rw, http.StatusBadRequest, s.base(), s.lang, "bad")
		return
	default:
		_, err = w.desk.Act(r.Context(), s.place, id, act.to, reason)
		flash = act.flash
	}
	if te, ok := errors.AsType[*flows.TransitionError](err); ok {
		err, flash = nil, "denied."+string(te.From)
	} else if errors.Is(err, flows.ErrTransition) {
		err, flash = nil, "denied.write"
	}
	switch {
	case errors.Is(err, flows.ErrNoReferral):
		w.badToken(rw, r) // ids are unguessable too
		return
	case err != nil:
		w.internal(rw, r, s.base(), s.lang, err)
		return
	}
	s.redirect(rw, r, flash, "r-"+url.PathEscape(id))
}

// redirect answers an action with the page (Post/Redirect/Get, so that a
// reload does not post again), showing the flash message and scrolled to
// anchor, in the language the structure chose.
func (s session) redirect(rw http.ResponseWriter, r *http.Request, flash, anchor string) {
	q := url.Values{"m": {flash}}
	if s.chosen {
		q.Set("lang", string(s.lang))
	}
	// Encode sorts the keys: lang (if any) comes before m, which is fine.
	http.Redirect(rw, r, s.base()+"?"+q.Encode()+"#"+anchor, http.StatusSeeOther)
}

// serveTelegram is POST /s/{token}/telegram: a one-time code to link the
// structure's Telegram chat. It answers with the page itself (no
// redirect): the code is shown once and stored nowhere on our side.
func (w *Web) serveTelegram(rw http.ResponseWriter, r *http.Request) {
	s, ok := w.openPost(rw, r)
	if !ok {
		return
	}
	code, err := w.desk.LinkCode(r.Context(), s.place)
	if err != nil {
		w.internal(rw, r, s.base(), s.lang, err)
		return
	}
	d := w.pageData(s)
	d.Code = "/structure " + code
	d.BotStep = d.t.s("tg.step_bot")
	if w.bot != "" {
		d.BotStep = d.t.s("tg.step_bot_named", "bot", w.bot)
	}
	w.render(rw, r, http.StatusOK, "telegram", d, s)
}

// serveUnlink is POST /s/{token}/telegram/unlink: the linked chat gets
// no more referrals. There is one chat per place, so the form names none
// (and a chat id never reaches the page).
func (w *Web) serveUnlink(rw http.ResponseWriter, r *http.Request) {
	s, ok := w.openPost(rw, r)
	if !ok {
		return
	}
	if err := w.desk.UnlinkChat(r.Context(), s.place); err != nil {
		w.internal(rw, r, s.base(), s.lang, err)
		return
	}
	s.redirect(rw, r, "unlinked", "tg")
}

// linkedLabel is how the page names a linked chat: its channel and since
// when, never its id (a WhatsApp id is a phone number); "" if none.
func linkedLabel(t tr, l flows.ChatLink) string {
	if l.Chat == "" {
		return ""
	}
	var channel string
	switch l.Chat.Channel() {
	case "tg":
		channel = "Telegram" // names, not translated
	case "wa":
		channel = "WhatsApp"
	default:
		channel = t.s("tg.channel_other")
	}
	if l.Since.IsZero() {
		return t.s("tg.linked_undated", "channel", channel) // linked before links had a date
	}
	return t.s("tg.linked", "channel", channel, "at", t.at(l.Since))
}
