package structure

import (
	"context"
	"errors"
	"net/http"
	"slices"
	"strings"
	"time"

	"github.com/secours/secours/geo"
	nw "github.com/secours/secours/network"
)

// Cards is what the card's form needs of package network, whose
// *Service implements it (issue 19): a structure corrects its own card
// (hours, closures, phone, e-mail for referrals, services, languages,
// accessibility, temporarily closed), and the bot uses it at once.
type Cards interface {
	// Card returns what the place's card says now.
	Card(ctx context.Context, placeID string) (nw.Card, error)
	// Edit saves a corrected card and returns the fields it changed; a
	// *nw.EditError with the problems when it refuses, nothing saved.
	Edit(ctx context.Context, placeID string, c nw.Card) ([]nw.FieldChange, error)
}

// cardServices are the standard's services the form offers, with the
// key of their words (card.service.<key>).
var cardServices = []struct{ value, key string }{
	{geo.ServiceProcedures, "procedures"}, {geo.ServiceEveryday, "everyday"}, {geo.ServiceAccess, "access"},
	{geo.ServiceSafety, "safety"}, {geo.ServiceJob, "job"}, {geo.ServiceParenting, "parenting"},
	{geo.ServiceCulture, "culture"}, {geo.ServiceLeisure, "leisure"}, {geo.ServiceEquipment, "equipment"},
}

// cardCares are the standard's prise_en_charge_specifique values.
var cardCares = []struct{ value, key string }{
	{geo.CareMotor, "motor"}, {geo.CareVisual, "visual"}, {geo.CareDeaf, "deaf"}, {geo.CareMental, "mental"},
	{geo.CareIlliteracy, "illiteracy"}, {geo.CareEnglish, "english"}, {geo.CareOtherLangs, "other_langs"},
}

// cardLangs are the languages a place may say it serves.
var cardLangs = []string{"fr", "nl", "de", "en"}

// cardFields are the form's fields, in its order: where a problem is
// shown and how a change is named (card.field.<name>).
var cardFields = []string{"hours", "closures", "phone", "email", "services", "langs", "accessibility", "temp_closed"}

// fieldAliases map the standard's column names, which package network
// may use in a Problem or a FieldChange, to the form's fields.
var fieldAliases = map[string]string{
	"horaires": "hours", "fermetures": "closures", "telephone": "phone", "courriel": "email", "courriels": "email",
	"langues": "langs", "prise_en_charge_specifique": "accessibility", "ferme_temporairement": "temp_closed",
	"fermeture_temporaire": "temp_closed",
	"closed":               "temp_closed", "tempclosed": "temp_closed",
}

// cardField is the form's field a name from package network stands for;
// "" if none.
func cardField(name string) string {
	n := strings.ToLower(strings.TrimSpace(name))
	if a, ok := fieldAliases[n]; ok {
		return a
	}
	if slices.Contains(cardFields, n) {
		return n
	}
	return ""
}

// closureRows is how many empty closure rows the form adds to the card's.
const closureRows = 2

// cardView is the card's page.
type cardView struct {
	Post                string
	Back                string
	Hours, Phone, Email string
	TempClosed          bool
	Closures            []closureRow
	Services, Langs     []checkOption
	Care                []checkOption
	// Problems by field, next to it; Other, those of no field, at the top.
	Problems map[string]string
	Other    []string
	Refused  bool // the card was not saved: say so at the top
	Saved    bool
	Changes  []changeView
}

type closureRow struct{ From, To, Note string }

type checkOption struct {
	Value, Label string
	Checked      bool
}

type changeView struct{ Label, Old, New string }

// openCard opens the page for its card with open (w.open or w.openPost);
// without a card store, the one 404, before the token is read.
func (w *Web) openCard(rw http.ResponseWriter, r *http.Request, open func(http.ResponseWriter, *http.Request) (session, bool)) (session, bool) {
	if w.cards == nil {
		w.notFound(rw)
		return session{}, false
	}
	return open(rw, r)
}

// serveCard is GET /s/{token}/card: the form, filled with the card.
func (w *Web) serveCard(rw http.ResponseWriter, r *http.Request) {
	s, ok := w.openCard(rw, r, w.open)
	if !ok {
		return
	}
	c, err := w.cards.Card(r.Context(), s.place)
	if err != nil {
		w.internal(rw, r, s.base(), s.lang, err)
		return
	}
	w.renderCard(rw, r, s, http.StatusOK, w.cardView(s, c, nil))
}

// serveCardEdit is POST /s/{token}/card: the corrected card is saved, and
// the page says what changed; refused, the form comes back as typed with
// each problem next to its field. It answers with the page rather than a
// redirect: the changes are shown once and kept nowhere, and posting the
// same card again changes nothing.
func (w *Web) serveCardEdit(rw http.ResponseWriter, r *http.Request) {
	s, ok := w.openCard(rw, r, w.openPost)
	if !ok {
		return
	}
	t := w.tr(s.lang)
	c, rows, problems := w.readCard(t, r)
	if len(problems) > 0 {
		v := w.cardView(s, c, problems)
		v.Closures = rows // as typed, even what did not parse
		w.renderCard(rw, r, s, http.StatusUnprocessableEntity, v)
		return
	}
	changes, err := w.cards.Edit(r.Context(), s.place, c)
	if ee, ok := errors.AsType[*nw.EditError](err); ok {
		v := w.cardView(s, c, ee.Problems)
		v.Closures = rows
		w.renderCard(rw, r, s, http.StatusUnprocessableEntity, v)
		return
	}
	if err != nil {
		w.internal(rw, r, s.base(), s.lang, err)
		return
	}
	saved, err := w.cards.Card(r.Context(), s.place)
	if err != nil {
		w.internal(rw, r, s.base(), s.lang, err)
		return
	}
	v := w.cardView(s, saved, nil)
	v.Saved = true
	for _, ch := range changes {
		f := cardField(ch.Field)
		v.Changes = append(v.Changes, changeView{Label: cardLabel(t, ch.Field), Old: shown(t, f, ch.Old), New: shown(t, f, ch.New)})
	}
	w.renderCard(rw, r, s, http.StatusOK, v)
}

// readCard reads the form into a card. Dates that do not read are
// problems of the form itself, found before the card goes anywhere; rows
// are the closures as typed, to show them again.
func (w *Web) readCard(t tr, r *http.Request) (nw.Card, []closureRow, []nw.Problem) {
	f := r.PostForm
	c := nw.Card{Hours: strings.TrimSpace(f.Get("hours")), Phone: strings.TrimSpace(f.Get("phone")),
		Email: strings.TrimSpace(f.Get("email")), TempClosed: f.Get("temp_closed") == "yes"}
	for _, s := range cardServices {
		if slices.Contains(f["service"], s.value) {
			c.Services = append(c.Services, s.value)
		}
	}
	for _, s := range cardCares {
		if slices.Contains(f["care"], s.value) {
			c.Accessibility = append(c.Accessibility, s.value)
		}
	}
	for _, l := range cardLangs {
		if slices.Contains(f["served"], l) {
			c.Langs = append(c.Langs, l)
		}
	}
	var rows []closureRow
	var problems []nw.Problem
	from, to, note := f["closure_from"], f["closure_to"], f["closure_note"]
	for i := range max(len(from), len(to), len(note)) {
		row := closureRow{From: strings.TrimSpace(at(from, i)), To: strings.TrimSpace(at(to, i)), Note: strings.TrimSpace(at(note, i))}
		if row == (closureRow{}) {
			continue
		}
		rows = append(rows, row)
		if row.To == "" {
			row.To = row.From // one day
		}
		d1, ok1 := w.parseDay(row.From)
		d2, ok2 := w.parseDay(row.To)
		switch {
		case row.From == "":
			problems = append(problems, nw.Problem{Field: "closures", What: t.s("card.err.no_from"), Fix: t.s("card.err.date_fix")})
		case !ok1 || !ok2:
			bad := row.From
			if ok1 {
				bad = row.To
			}
			problems = append(problems, nw.Problem{Field: "closures", What: t.s("card.err.date", "value", bad), Fix: t.s("card.err.date_fix")})
		case d2.Before(d1):
			problems = append(problems, nw.Problem{Field: "closures", What: t.s("card.err.reversed", "from", row.From, "to", row.To), Fix: t.s("card.err.reversed_fix")})
		default:
			c.Closures = append(c.Closures, nw.Closure{From: d1, To: d2, Note: row.Note})
		}
	}
	return c, rows, problems
}

func at(s []string, i int) string {
	if i < len(s) {
		return s[i]
	}
	return ""
}

// parseDay reads a day as a date field sends it (2026-12-24) or as typed
// where the browser shows a plain text box (24/12/2026, 24-12-2026,
// 24.12.2026), at midnight in the page's time zone.
func (w *Web) parseDay(s string) (time.Time, bool) {
	s = strings.NewReplacer("-", "/", ".", "/").Replace(s)
	for _, layout := range []string{"2006/01/02", "2/1/2006", "02/01/2006"} {
		if d, err := time.ParseInLocation(layout, s, w.loc); err == nil {
			return d, true
		}
	}
	return time.Time{}, false
}

// cardView fills the form from c, with problems next to their fields.
func (w *Web) cardView(s session, c nw.Card, problems []nw.Problem) *cardView {
	t := w.tr(s.lang)
	v := &cardView{Post: s.base() + "/card", Back: s.base(), Hours: c.Hours, Phone: c.Phone, Email: c.Email,
		TempClosed: c.TempClosed, Problems: map[string]string{}, Refused: len(problems) > 0}
	if s.chosen {
		v.Back += "?lang=" + string(s.lang)
	}
	for _, cl := range c.Closures {
		v.Closures = append(v.Closures, closureRow{From: w.day(cl.From), To: w.day(cl.To), Note: cl.Note})
	}
	for _, o := range cardServices {
		v.Services = append(v.Services, checkOption{o.value, t.s("card.service." + o.key), slices.Contains(c.Services, o.value)})
	}
	for _, o := range cardCares {
		v.Care = append(v.Care, checkOption{o.value, t.s("card.care." + o.key), slices.Contains(c.Accessibility, o.value)})
	}
	for _, l := range cardLangs {
		v.Langs = append(v.Langs, checkOption{l, t.s("card.lang." + l), slices.Contains(c.Langs, l)})
	}
	for _, p := range problems {
		msg := strings.TrimSpace(p.What + " " + p.Fix)
		field := cardField(p.Field)
		switch {
		case field == "":
			v.Other = append(v.Other, msg)
		case v.Problems[field] != "":
			v.Problems[field] += " " + msg
		default:
			v.Problems[field] = msg
		}
	}
	return v
}

// day is a closure's day for a date field.
func (w *Web) day(d time.Time) string {
	if d.IsZero() {
		return ""
	}
	return d.In(w.loc).Format("2006-01-02")
}

// cardLabel names a changed field in words, or by its name.
func cardLabel(t tr, name string) string {
	if f := cardField(name); f != "" {
		return t.s("card.field." + f)
	}
	return name
}

// shown is a changed value in words: lists come joined by "|" (services,
// accessibility and languages are named as the form names them), a yes
// or no as "true" or "false".
func shown(t tr, field, s string) string {
	switch {
	case strings.TrimSpace(s) == "":
		return t.s("card.empty")
	case field == "temp_closed" && (s == "true" || s == "false"):
		return t.s("card." + s)
	}
	parts := strings.Split(s, "|")
	for i, v := range parts {
		parts[i] = choiceLabel(t, field, v)
	}
	return strings.Join(parts, " ; ")
}

// choiceLabel names one value of a list field as its box does.
func choiceLabel(t tr, field, v string) string {
	var opts []struct{ value, key string }
	prefix := ""
	switch field {
	case "services":
		opts, prefix = cardServices, "card.service."
	case "accessibility":
		opts, prefix = cardCares, "card.care."
	case "langs":
		if slices.Contains(cardLangs, v) {
			return t.s("card.lang." + v)
		}
	}
	for _, o := range opts {
		if o.value == v {
			return t.s(prefix + o.key)
		}
	}
	return v
}

// renderCard answers the card's page; the form always shows the empty
// rows a structure fills to add a closure.
func (w *Web) renderCard(rw http.ResponseWriter, r *http.Request, s session, code int, v *cardView) {
	for range closureRows {
		v.Closures = append(v.Closures, closureRow{})
	}
	d := w.pageData(s)
	d.Title = d.t.s("card.page_title", "place", placeName(d.t, s.geo))
	d.Card = v
	w.render(rw, r, code, "card", d, s)
}

// cardLink is the main page's link to the card's form; "" without Cards.
func (w *Web) cardLink(s session) string {
	if w.cards == nil {
		return ""
	}
	u := s.base() + "/card"
	if s.chosen {
		u += "?lang=" + string(s.lang)
	}
	return u
}

// cardKeys are the keys of the card the Go code builds.
func cardKeys() []string {
	keys := []string{"card.page_title", "card.empty", "card.true", "card.false", "card.err.no_from", "card.err.date", "card.err.date_fix",
		"card.err.reversed", "card.err.reversed_fix"}
	for _, o := range cardServices {
		keys = append(keys, "card.service."+o.key)
	}
	for _, o := range cardCares {
		keys = append(keys, "card.care."+o.key)
	}
	for _, l := range cardLangs {
		keys = append(keys, "card.lang."+l)
	}
	for _, f := range cardFields {
		keys = append(keys, "card.field."+f)
	}
	return keys
}
