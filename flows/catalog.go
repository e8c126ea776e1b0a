package flows

import (
	"fmt"
	"io/fs"
	"slices"
	"strings"

	"github.com/secours/secours/text"
)

// Catalog maps a message key to its text in one language. Texts may hold
// named placeholders such as {place}.
type Catalog = text.Catalog

// Langs lists the catalogue languages, French first.
var Langs = text.Langs

// LoadCatalogs reads the conversation's catalogue, i18n/<lang>.json for
// every language, from fsys, and checks it (text.Load): exactly the keys
// of AllKeys, the same placeholders in every language.
func LoadCatalogs(fsys fs.FS) (map[Lang]Catalog, error) {
	return text.Load(fsys, "", text.Spec{Keys: AllKeys(), Only: true})
}

// AllKeys lists every key the engine may render, sorted. A catalogue must
// hold exactly these keys.
func AllKeys() []string {
	keys := append(staticKeys(), referralKeys()...)
	keys = append(keys, relayKeys()...)
	keys = append(keys, matchKeys()...)
	keys = append(keys, "q.lang", "a.lang.fr", "a.lang.nl",
		"q.country", "a.country.BE", "a.country.FR",
		"q.location", "q.location.aidant", "a.location.more", "a.location.not_me",
		"q.consent", "q.consent.aidant", "a.consent.yes", "a.consent.no", "a.consent.what",
		"a.consent.yes.aidant", "a.consent.no.aidant", "a.consent.aidant",
		"a.done.restart", "a.done.about", "a.resume.continue", "a.resume.restart",
		"time.h", "time.hm")
	keys = append(keys, "q.need", "q.need.aidant")
	for _, n := range Needs {
		keys = append(keys, "a.need."+n)
		for _, c := range []string{"BE", "FR"} {
			for i := 1; i <= tipCount(n, c); i++ {
				keys = append(keys, tipKey(n, c, i))
			}
		}
	}
	for _, q := range Questions {
		keys = append(keys, "q."+q.Key)
		if q.Key != "who" {
			keys = append(keys, "q."+q.Key+".aidant")
		}
		for _, a := range q.Answers {
			keys = append(keys, "a."+q.Key+"."+a)
		}
	}
	for _, k := range shortKeys {
		keys = append(keys, k+shortSuffix)
	}
	for _, p := range Profiles {
		keys = append(keys, kProfilePrefix+p)
	}
	for _, w := range WhyKeys {
		keys = append(keys, w, w+kWhySelfSuffix)
	}
	slices.Sort(keys)
	return slices.Compact(keys)
}

// tipCounts is how many first-aid tips docs/diagnostic.md E gives per need and
// country.
var tipCounts = map[string][2]int{ // need → {BE, FR}
	"procedure": {3, 3}, "banking": {3, 3}, "job": {3, 3}, "health": {3, 3},
	"family": {3, 3}, "learning": {2, 2}, "other": {1, 1},
}

func tipCount(need, country string) int {
	c := tipCounts[need]
	if country == "BE" {
		return c[0]
	}
	return c[1]
}

func tipKey(need, country string, n int) string {
	return fmt.Sprintf("tip.%s.%s.%d", need, country, n)
}

// checkCatalogs returns an error naming every key missing from a
// catalogue, so a broken catalogue stops the start-up with a clear message.
// LoadCatalogs checked the files; this checks what NewEngine is given,
// which tests build too.
func checkCatalogs(cats map[Lang]Catalog) error {
	var missing []string
	for _, l := range Langs {
		c, ok := cats[l]
		if !ok {
			missing = append(missing, string(l)+": whole catalogue")
			continue
		}
		for _, k := range AllKeys() {
			if strings.TrimSpace(c[k]) == "" {
				missing = append(missing, string(l)+":"+k)
			}
		}
	}
	if len(missing) > 0 {
		return fmt.Errorf("catalogue keys missing: %s", strings.Join(missing, ", "))
	}
	return nil
}

// render replaces {name} placeholders: args are name, value pairs.
func render(s string, args ...string) string { return text.Fill(s, args...) }
