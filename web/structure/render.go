package structure

import (
	"html/template"
	"io/fs"
	"slices"
	"strconv"
	"strings"
	"time"

	"github.com/secours/secours/flows"
	"github.com/secours/secours/geo"
	"github.com/secours/secours/text"
	"github.com/secours/secours/web"
)

// texts holds the structure's catalogue: the page's and the mails' words,
// per language.
type texts = text.Catalogs

// loadTexts reads the structure's catalogue (i18n/structure.<lang>.json)
// from fsys with text.Load: both languages, the same keys and
// placeholders, and every key the Go code names. A wrong file stops the
// start rather than showing a key to a structure.
func loadTexts(fsys fs.FS) (texts, error) {
	return text.Load(fsys, "structure", text.Spec{Keys: codeKeys()})
}

// statuses lists every status, in the order of docs/diagnostic.md G.4.
var statuses = []flows.Status{flows.StatusSent, flows.StatusSeen, flows.StatusAccepted,
	flows.StatusDeclined, flows.StatusContacted, flows.StatusClosed}

// flashes are the messages a redirect may name in ?m=; anything else in
// ?m= is ignored, so a crafted link cannot put words on the page.
var flashes = []string{"seen", "accepted", "declined", "contacted", "closed", "written", "unlinked",
	"empty", "too_long", "no_reason", "denied.write",
	"denied.sent", "denied.seen", "denied.accepted", "denied.contacted", "denied.declined", "denied.closed"}

// mailKinds are the kinds Mail renders.
var mailKinds = []string{flows.MailNew, flows.MailReminder, flows.MailReply, flows.MailWithdrawn, flows.MailForget}

// errorPages are the error pages fail renders (err.<name>, its .title).
var errorPages = []string{"notfound", "toomany", "bad", "forbidden", "toolarge", "internal"}

// codeKeys lists the keys the Go code names or builds; the templates'
// keys are checked when localize writes them in.
func codeKeys() []string {
	keys := []string{"age.now", "age.min", "age.hour", "age.day", "age.days", "time.at", "line",
		"lang.fr", "lang.nl", "switch.fr", "switch.nl", "page.title", "page.title_noplace",
		"ref.title", "ref.received", "ref.delivery", "ref.delivery_stopped", "ref.delivery_detail",
		"ref.need", "ref.profile", "ref.confidence", "ref.lang", "ref.postcode", "ref.consent", "ref.contact", "ref.aidant", "ref.shared",
		"consent.self", "consent.aidant_for_person", "consent.other",
		"contact.phone_line", "contact.relay_away", "contact.aidant",
		"thread.person", "thread.structure", "thread.meta", "act.write_hint", "tg.step_bot", "tg.step_bot_named",
		"tg.linked", "tg.linked_undated", "tg.channel_other",
		"mail.new", "mail.reminder", "mail.reply", "mail.withdrawn", "mail.summary", "mail.open", "mail.no_page", "mail.place_default",
		"sum.title", "sum.reminder", "sum.reply", "err.back", "ref.reason",
		"mail.forget", "sum.forget", "mail.subject.reply_first", "mail.reply_first", "sum.reply_first",
		"share.poster_both", "share.poster_fr", "share.poster_nl"}
	keys = append(keys, cardKeys()...)
	for _, s := range statuses {
		keys = append(keys, "status."+string(s))
	}
	for _, r := range slices.Concat(flows.CloseReasons, flows.DeclineReasons, []string{flows.ReasonWithdrawn, flows.ReasonExpired, flows.ReasonUndeliverable, flows.ReasonRemoved}) {
		keys = append(keys, "reason."+r)
	}
	for _, f := range flashes {
		keys = append(keys, "flash."+f)
	}
	for _, k := range mailKinds {
		keys = append(keys, "mail.subject."+k)
	}
	keys = append(keys, web.ErrorKeys(errorPages)...)
	return keys
}

// tr renders the texts of one language that the Go code fills: those
// with placeholders, and the words that depend on a referral.
type tr struct {
	c   flows.Catalog
	bot flows.Catalog // the bot catalogue of the same language
	loc *time.Location
}

// s returns the text of key with its placeholders filled from name, value
// pairs. loadTexts checked the keys the code builds; the key itself is the
// last resort.
func (t tr) s(key string, args ...string) string {
	return t.c.Text(key, args...)
}

// label returns the bot catalogue's wording of key without its leading
// emoji ("🏦 Banque, argent" → "Banque, argent"): an old PC may show an
// emoji as a box, and a structure reads a list, not buttons. An unknown
// key is shown as is rather than hidden: the structure still learns
// something, and the test of the catalogues catches it.
func (t tr) label(key string) string {
	s, ok := t.bot[key]
	if !ok {
		return key
	}
	return text.Bare(s)
}

// at says when, in the structure's time zone: "le 12/03/2026 à 14:05".
func (t tr) at(when time.Time) string { return web.At(t.c, t.loc, when) }

// age says how long ago, roughly: "il y a 3 h", "hier".
func (t tr) age(then, now time.Time) string {
	d := now.Sub(then)
	switch {
	case d < time.Minute:
		return t.s("age.now")
	case d < time.Hour:
		return t.s("age.min", "n", strconv.Itoa(int(d/time.Minute)))
	case d < 24*time.Hour:
		return t.s("age.hour", "n", strconv.Itoa(int(d/time.Hour)))
	case d < 48*time.Hour:
		return t.s("age.day")
	default:
		return t.s("age.days", "n", strconv.Itoa(int(d/(24*time.Hour))))
	}
}

// shortRef is what people read aloud on the phone: the id's first 6
// characters.
func shortRef(id string) string {
	if len(id) > 6 {
		return id[:6]
	}
	return id
}

// tel returns a tel: link for a normalised number, or "" if it holds
// anything but digits, spaces and a leading +: html/template refuses tel:
// URLs, so the link is built here and only from what cannot carry markup.
func tel(phone string) template.URL {
	digits := strings.ReplaceAll(phone, " ", "")
	if digits == "" || strings.TrimLeft(strings.TrimPrefix(digits, "+"), "0123456789") != "" {
		return ""
	}
	return template.URL("tel:" + digits)
}

// option is one choice of a <select>.
type option struct{ Value, Label string }

// noteView is one message of a thread.
type noteView struct {
	Meta, Text string // Meta: who and when
	Mine       bool   // written by the structure
}

// refView is what the page shows of a referral. The page is rendered from
// it, never from flows.Referral, so that a template cannot print the chat
// id or anything else the structure must not see.
type refView struct {
	ID, Title               string
	Post                    string // the forms' target
	Status, Class           string // status in words; CSS class of the badge
	Final, Withdrawn        bool
	Received                string
	Need, Profile, Why      string
	Conf, Lang, Postcode    string
	Aidant                  bool
	SharedBy                string // "Arrivée par le lien de partage de …"
	Consent                 string
	Relay, ContactAidant    bool
	Phone                   string
	Tel                     template.URL
	NoContact               bool
	Delivery, DeliveryError string
	Unreachable             bool
	Reason                  string // "Raison : …", of a final status
	Notes                   []noteView
	Seen, Accept, Decline   bool
	Contacted, Close, Write bool
}

// view turns a referral into what the page shows, with the forms its
// status allows.
func (w *Web) view(t tr, r *flows.Referral, now time.Time) refView {
	v := refView{
		ID: r.ID, Title: t.s("ref.title", "ref", shortRef(r.ID)),
		Status: t.s("status." + string(r.Status)), Class: "b-" + string(r.Status),
		Final:     !r.Status.Open(),
		Withdrawn: r.Status == flows.StatusClosed && r.Reason == flows.ReasonWithdrawn,
		Received:  t.s("ref.received", "age", t.age(r.Created, now), "at", t.at(r.Created)),
		Aidant:    r.Aidant, Unreachable: r.Unreachable && r.Status.Open(),
		Seen: w.can[r.Status][flows.StatusSeen], Accept: w.can[r.Status][flows.StatusAccepted], Decline: w.can[r.Status][flows.StatusDeclined],
		Contacted: w.can[r.Status][flows.StatusContacted], Close: w.can[r.Status][flows.StatusClosed],
		Write: r.Status.Open(),
	}
	if v.Withdrawn {
		return v // scrubbed: the one line of the template says it all
	}
	if !r.Status.Open() && r.Reason != "" {
		v.Reason = t.s("line", "label", t.s("ref.reason"), "value", t.s("reason."+r.Reason))
	}
	w.summary(t, r, &v)
	switch {
	case r.Delivery.Err == "":
	case r.Delivery.Next.IsZero():
		v.Delivery, v.DeliveryError = t.s("ref.delivery_stopped"), t.s("ref.delivery_detail", "err", r.Delivery.Err)
	default:
		v.Delivery, v.DeliveryError = t.s("ref.delivery", "at", t.at(r.Delivery.Next)), t.s("ref.delivery_detail", "err", r.Delivery.Err)
	}
	v.Notes = make([]noteView, len(r.Thread))
	for i, n := range r.Thread {
		who := "thread.person"
		if n.From == flows.ActorStructure {
			who = "thread.structure"
		}
		v.Notes[i] = noteView{Meta: t.s("thread.meta", "who", t.s(who), "at", t.at(n.At)), Text: n.Text, Mine: n.From == flows.ActorStructure}
	}
	return v
}

// summary fills what a referral says about the person: the one place that
// decides what reaches a structure, for the page, the mails and Telegram.
func (w *Web) summary(t tr, r *flows.Referral, v *refView) {
	if r.Need != "" {
		v.Need = t.label("a.need." + r.Need)
	}
	if r.Profile != "" {
		v.Profile = t.label("profile." + r.Profile)
	}
	if r.Why != "" {
		v.Why = t.label(r.Why)
	}
	if r.Confidence != "" {
		v.Conf = t.label("conf." + r.Confidence)
	}
	if r.Lang != "" {
		v.Lang = t.s("lang." + string(r.Lang))
	}
	v.Postcode, v.Aidant = r.Postcode, r.Aidant
	if r.SharedBy != "" {
		// The structure whose link or poster brought the person (issue 9).
		name := r.SharedBy
		if p, ok := w.places.Place(r.SharedBy); ok {
			name = p.Name
		}
		v.SharedBy = t.s("ref.shared", "place", name)
	}
	switch {
	case r.ConsentAt.IsZero():
		// No consent time (never in a referral the bot made): say
		// nothing rather than "on 01/01/0001".
	case r.ConsentBy == "self" || r.ConsentBy == "aidant_for_person":
		v.Consent = t.s("consent."+r.ConsentBy, "at", t.at(r.ConsentAt))
	default:
		v.Consent = t.s("consent.other", "at", t.at(r.ConsentAt))
	}
	v.ContactAidant = r.ContactAidant
	switch {
	case r.Contact == flows.ContactPhone && r.Phone != "":
		v.Phone, v.Tel = r.Phone, tel(r.Phone)
	case r.Contact == flows.ContactRelay && r.Status.Open():
		v.Relay = true
	case r.Contact == flows.ContactRelay:
		// Final: the relay no longer carries messages; say nothing.
	default:
		v.NoContact = true
	}
}

// langLink is one entry of the language switch.
type langLink struct {
	Code, Label, Href string
	Current           bool
}

// pageData is the page template's data.
type pageData struct {
	t         tr
	Lang      flows.Lang
	Title     string
	CSS       template.CSS
	Flash     string
	Switch    []langLink
	Refs      []refView
	Action    string        // the page's path, base of the forms' actions
	Hidden    template.HTML // the forms' hidden fields, escaped once
	LangField string        // the ?lang= chosen, kept through the forms
	Declines  template.HTML // <option>s, rendered once per language
	Closes    template.HTML
	MaxNote   int
	Hint      string // under the message box
	BotStep   string // the telegram page's step that names the bot
	Code      string // the Telegram command, once asked for
	Linked    string // the linked chat's label, "" if none
	Share     *shareView
	CardLink  string    // the card's form, "" without Cards
	Card      *cardView // the card's page
}

// shareView is the page's share section (issue 9): the links that start
// the bot with the structure's code, their QR codes, and the posters.
type shareView struct {
	Code    string // the share code, for people who type it in WhatsApp
	QRs     []qrView
	Posters []langLink // the poster in both languages, in French, in Dutch
}

// qrView is one channel's link with its QR code.
type qrView struct {
	Name             string // Telegram, WhatsApp: names, not translated
	Link             string
	SVG              template.HTML // drawn by share.SVG: numbers in fixed markup
	SVGHref, PNGHref string        // the downloads
}

// tr returns the renderer of a language.
func (w *Web) tr(l flows.Lang) tr {
	if l != flows.NL {
		l = flows.FR
	}
	return tr{c: w.texts[l], bot: w.cats[l], loc: w.loc}
}

// Lang returns the language to address a structure in: text.PlaceLang
// of its country and languages (Dutch if the place lists Dutch first, or
// is in Belgium and lists Dutch but not French); French for a nil place.
func (w *Web) Lang(place *geo.Place) flows.Lang {
	if place == nil {
		return flows.FR
	}
	return text.PlaceLang(string(place.Country), place.Langs)
}

// placeName is the place's name, or "your structure" in words.
func placeName(t tr, place *geo.Place) string {
	if place != nil && place.Name != "" {
		return place.Name
	}
	return t.s("mail.place_default")
}
