package wacloud

import (
	"fmt"
	"io/fs"
	"strings"

	"github.com/secours/secours/bot"
	"github.com/secours/secours/flows"
	"github.com/secours/secours/text"
)

// textKeys are the keys each language of the Cloud API catalogue
// (configs/i18n/wacloud.<lang>.json) must have, and no other: the list
// button, its two section titles, the hint under a numbered list ({list}),
// the line on sharing a location, and the body of the choices that follow
// a location request.
var textKeys = []string{"answers", "hint", "list", "location", "more", "or", "pick"}

// texts is the catalogue by language; both languages joined for a reply
// whose language its labels do not tell (the language question).
type texts struct {
	by map[flows.Lang]text.Catalog
}

func loadTexts(fsys fs.FS) (*texts, error) {
	all, err := text.Load(fsys, "wacloud", text.Spec{Keys: textKeys, Only: true, Holes: map[string][]string{"hint": {"{list}"}}})
	if err != nil {
		return nil, fmt.Errorf("wacloud texts: %w", err)
	}
	return &texts{by: all}, nil
}

// get is key in lang, or in both languages ("Choisir / Kiezen") when lang
// is unknown; sep joins them.
func (t *texts) get(lang flows.Lang, key, sep string) string {
	if c, ok := t.by[lang]; ok {
		return c[key]
	}
	return t.by[flows.FR][key] + sep + t.by[flows.NL][key]
}

// hint builds "Répondez 1, 2 ou 3" for n choices.
func (t *texts) hint(lang flows.Lang, n int) string {
	if n <= 0 {
		return ""
	}
	c, ok := t.by[lang]
	if !ok {
		return t.hint(flows.FR, n) + " / " + t.hint(flows.NL, n)
	}
	return strings.ReplaceAll(c["hint"], "{list}", bot.NumberList(n, c["or"]))
}
