package observatory

import (
	"encoding/json"
	"errors"
	"fmt"
	"maps"
	"regexp"
	"slices"
	"strconv"
	"strings"
	"unicode"
	"unicode/utf8"

	"github.com/secours/secours/flows"
)

// Words are the observatory's texts in one language: observatory.json's
// and, for profiles and needs, the bot catalogue's. LoadWords makes them.
type Words struct {
	Lang flows.Lang    // the language of the words
	c    flows.Catalog // observatory.json, this language
	bot  flows.Catalog // the bot catalogue of the same language
}

var placeholder = regexp.MustCompile(`\{[a-z_]+\}`)

// LoadWords reads observatory.json (configs.ObservatoryTexts) and checks
// it as the bot catalogues are checked: both languages and only them, the
// same keys, the same placeholders in each text, no empty text, and every
// key the code names; and that cats has both languages with every
// profile and need. A wrong file stops the start rather than showing a
// key to a coordinator.
func LoadWords(texts []byte, cats map[flows.Lang]flows.Catalog) (map[flows.Lang]Words, error) {
	if texts == nil {
		return nil, errors.New("observatory.json: no texts")
	}
	var all map[flows.Lang]flows.Catalog
	if err := json.Unmarshal(texts, &all); err != nil {
		return nil, fmt.Errorf("observatory.json: %w", err)
	}
	fr, nl := all[flows.FR], all[flows.NL]
	if fr == nil || nl == nil || len(all) != 2 {
		return nil, errors.New("observatory.json: want exactly fr and nl")
	}
	var bad []string
	for _, k := range slices.Sorted(maps.Keys(fr)) {
		n, ok := nl[k]
		switch {
		case !ok:
			bad = append(bad, "nl lacks "+k)
		case !slices.Equal(placeholders(fr[k]), placeholders(n)):
			bad = append(bad, "placeholders differ in "+k)
		case strings.TrimSpace(fr[k]) == "" || strings.TrimSpace(n) == "":
			bad = append(bad, "empty "+k)
		}
	}
	for _, k := range slices.Sorted(maps.Keys(nl)) {
		if _, ok := fr[k]; !ok {
			bad = append(bad, "fr lacks "+k)
		}
	}
	for _, k := range codeKeys() {
		if _, ok := fr[k]; !ok {
			bad = append(bad, "missing "+k)
		}
	}
	for _, l := range flows.Langs {
		for _, k := range botKeys() {
			if _, ok := cats[l][k]; !ok {
				bad = append(bad, fmt.Sprintf("%s bot catalogue lacks %s", l, k))
			}
		}
	}
	if len(bad) > 0 {
		return nil, fmt.Errorf("observatory.json: %s", strings.Join(bad, ", "))
	}
	out := make(map[flows.Lang]Words, 2)
	for _, l := range flows.Langs {
		out[l] = Words{Lang: l, c: all[l], bot: cats[l]}
	}
	return out, nil
}

// placeholders returns a text's {names}, sorted, so that two languages
// compare whatever their word order.
func placeholders(s string) []string {
	p := placeholder.FindAllString(s, -1)
	slices.Sort(p)
	return slices.Compact(p)
}

// codeKeys lists the keys the Go code names or builds; the template's are
// checked when the page parses it.
func codeKeys() []string {
	keys := []string{"switch.fr", "switch.nl", "area.none", "area.label", "month.label", "total",
		"median.le", "median.more", "hidden", "pct", "period", "filter.all",
		"chart.profiles", "chart.needs", "chart.bar", "head.area", "head.month",
		"csv.section", "csv.area", "csv.month", "csv.started", "csv.median", "csv.file",
		"csv.section.area", "csv.section.month", "csv.section.total", "csv.section.started",
		"group.conversations", "group.profiles", "group.needs", "group.referrals",
		"col.finished", "col.aidant", "col.shared", "col.ref.sent", "col.ref.accepted", "col.ref.closed", "col.median",
		"key.started", "key.finished", "key.aidant", "key.shared",
		"empty", "empty.area", "page.title", "started.title", "table.areas", "table.months",
		"note.suppression", "chart.value"}
	for m := 1; m <= 12; m++ {
		keys = append(keys, fmt.Sprintf("month.%02d", m))
	}
	for _, p := range []string{ProblemMonth, ProblemReversed, ProblemLong, ProblemArea} {
		keys = append(keys, "err.range."+p)
	}
	for _, e := range errorPages {
		keys = append(keys, "err."+e, "err."+e+".title")
	}
	return keys
}

// botKeys are the bot catalogue's keys the observatory shows.
func botKeys() []string {
	var keys []string
	for _, p := range flows.Profiles {
		keys = append(keys, "profile."+p)
	}
	for _, n := range flows.Needs {
		keys = append(keys, "a.need."+n)
	}
	return keys
}

// errorPages are the error pages of the page (err.<name>, its .title).
var errorPages = []string{"notfound", "toomany", "internal"}

// s returns the text of key with its placeholders filled from name, value
// pairs. LoadWords checked the keys the code names; the key itself is the
// last resort.
func (w Words) s(key string, args ...string) string {
	t, ok := w.c[key]
	if !ok {
		return key
	}
	for i := 0; i+1 < len(args); i += 2 {
		t = strings.ReplaceAll(t, "{"+args[i]+"}", args[i+1])
	}
	return t
}

// Column names a column of Report.Columns: profiles and needs as the bot
// names them, without their emoji (an old PC may show a box) and with a
// capital.
func (w Words) Column(metric string) string {
	if p, ok := strings.CutPrefix(metric, flows.MetricProfile); ok {
		return w.label("profile." + p)
	}
	if n, ok := strings.CutPrefix(metric, flows.MetricNeed); ok {
		return w.label("a.need." + n)
	}
	return w.s("col." + metric)
}

func (w Words) label(key string) string {
	s, ok := w.bot[key]
	if !ok {
		return key
	}
	s = strings.TrimLeftFunc(s, func(r rune) bool { return !unicode.IsLetter(r) && !unicode.IsDigit(r) })
	r, n := utf8.DecodeRuneInString(s)
	return string(unicode.ToUpper(r)) + s[n:]
}

// Area names an area: "BE:Antwerpen" is "Antwerpen (BE)"; "" is the
// conversations not located yet.
func (w Words) Area(area string) string {
	if area == "" {
		return w.s("area.none")
	}
	country, commune, ok := strings.Cut(area, ":")
	if !ok || commune == "" {
		return area
	}
	return w.s("area.label", "commune", commune, "country", country)
}

// Month names a month: "2026-03" is "mars 2026".
func (w Words) Month(m string) string {
	if _, ok := monthIndex(m); !ok {
		return m
	}
	return w.s("month.label", "month", w.s("month."+m[5:]), "year", m[:4])
}

// Median words a median time to acceptance: "≤ 24 h"; "< 5" when hidden.
func (w Words) Median(m Median) string {
	switch {
	case m.Hidden:
		return w.s("hidden")
	case m.More:
		return w.s("median.more", "h", strconv.Itoa(flows.AcceptBuckets[len(flows.AcceptBuckets)-1]))
	}
	return w.s("median.le", "h", strconv.Itoa(m.Hours))
}

// Count words a count: the number, or "< 5" when hidden.
func (w Words) Count(c Count) string {
	if c.Hidden {
		return w.s("hidden")
	}
	return strconv.Itoa(c.N)
}
