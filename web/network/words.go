package network

import (
	"strings"
	"time"

	"github.com/secours/secours/text"
	"github.com/secours/secours/web"
)

// flashes are the messages a redirect may name in ?m=; anything else is
// ignored, so that a crafted link cannot put words on the page. bad
// flashes are shown as a warning.
var flashes = map[string]bool{"published": false, "undone": false, "nothing_to_undo": true,
	"undo_confirm": true, "undo_conflict": true}

// errorPages are the error pages fail renders (err.<name>, its .title).
var errorPages = []string{"notfound", "toomany", "bad", "slow", "forbidden", "nodraft", "internal"}

// fields are the standard's columns (and the card's fields) the page
// names in words; any other is shown by its column name, which is what
// the network's file calls it.
var fields = []string{"nom", "adresse", "code_postal", "commune", "latitude", "longitude", "telephone",
	"courriel", "site_web", "horaires", "services", "prise_en_charge_specifique", "langues",
	"fermetures", "ferme_temporairement", "fermeture_temporaire", "courriels", "modalites_acces", "publics_specifiquement_adresses",
	"frais_a_charge", "presentation_resume", "date_maj", "pivot"}

// holes are the placeholders of the texts the code fills.
var holes = map[string][]string{
	"page.title":       {"{network}"},
	"page.summary":     {"{n}", "{stale}"},
	"upload.too_big":   {"{max}"},
	"upload.hint":      {"{max}"},
	"err.toomany":      {"{min}"},
	"where.line":       {"{line}"},
	"where.line_field": {"{field}", "{line}"},
	"draft.title":      {"{file}"},
	"draft.summary":    {"{added}", "{changed}", "{places}", "{removed}"},
	"by.network":       {"{name}"},
	"date":             {"{date}"},
	"time.at":          {"{date}", "{time}"},
	"draft.counts":     {"{blocking}", "{warnings}"},
}

// codeKeys lists the keys the Go code names or builds; the template's
// are checked when web.Templates writes them in.
func codeKeys() []string {
	keys := []string{"switch.fr", "switch.nl", "err.back", "upload.none", "upload.empty",
		"where.file", "where.header", "value.empty", "value.never", "value.true", "value.false", "by.structure", "by.other",
		"what.publish", "what.undo", "what.edit", "what.other", "draft.blocked", "draft.conflict",
		"draft.nothing", "page.empty"}
	for f := range flashes {
		keys = append(keys, "flash."+f)
	}
	for _, f := range fields {
		keys = append(keys, "field."+f)
	}
	keys = append(keys, web.ErrorKeys(errorPages)...)
	return keys
}

// tr renders the texts of one language that the Go code fills.
type tr struct {
	c   text.Catalog
	loc *time.Location
}

func (p *Page) tr(l text.Lang) tr {
	if l != text.NL {
		l = text.FR
	}
	return tr{c: p.texts[l], loc: p.loc}
}

// s returns the text of key with its placeholders filled from name, value
// pairs.
func (t tr) s(key string, args ...string) string { return t.c.Text(key, args...) }

// field names a column in words, or by its name.
func (t tr) field(name string) string {
	if s, ok := t.c["field."+name]; ok {
		return s
	}
	return name
}

// date is a day in the page's time zone, "12/03/2026"; zero is "never".
func (t tr) date(d time.Time) string {
	if d.IsZero() {
		return t.s("value.never")
	}
	return t.s("date", "date", d.In(t.loc).Format("02/01/2006"))
}

// at is a day and time, "le 12/03/2026 à 14:05".
func (t tr) at(d time.Time) string { return web.At(t.c, t.loc, d) }

// value is a field's value, or "(empty)" in words.
// A list (services, languages, closures) comes joined by "|", and a yes
// or no as "true" or "false": both are shown in words.
func (t tr) value(field, v string) string {
	switch {
	case strings.TrimSpace(v) == "":
		return t.s("value.empty")
	case boolFields[field] && (v == "true" || v == "false"):
		return t.s("value." + v)
	}
	return strings.ReplaceAll(v, "|", " ; ")
}

// boolFields are the yes-or-no columns.
var boolFields = map[string]bool{"ferme_temporairement": true, "fermeture_temporaire": true}
