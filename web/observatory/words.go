package observatory

import (
	"fmt"
	"io/fs"
	"strconv"
	"strings"
	"unicode"
	"unicode/utf8"

	"github.com/secours/secours/flows"
	"github.com/secours/secours/text"
	"github.com/secours/secours/web"
)

// Words are the observatory's texts in one language: observatory's
// catalogue and, for profiles and needs, the bot catalogue's. LoadWords
// makes them.
type Words struct {
	Lang flows.Lang    // the language of the words
	c    flows.Catalog // the observatory catalogue, this language
	bot  flows.Catalog // the bot catalogue of the same language
}

// LoadWords reads the observatory's catalogue (i18n/observatory.<lang>.json)
// from fsys (configs.FS) with text.Load: both languages, the same keys and
// placeholders, no empty text, and every key the code names; and checks
// that cats has both languages with every profile and need. A wrong file
// stops the start rather than showing a key to a coordinator.
func LoadWords(fsys fs.FS, cats map[flows.Lang]flows.Catalog) (map[flows.Lang]Words, error) {
	all, err := text.Load(fsys, "observatory", text.Spec{Keys: codeKeys()})
	if err != nil {
		return nil, err
	}
	if err := text.Catalogs(cats).Check("", text.Spec{Keys: botKeys()}); err != nil {
		return nil, fmt.Errorf("observatory: %w", err)
	}
	out := make(map[flows.Lang]Words, 2)
	for _, l := range flows.Langs {
		out[l] = Words{Lang: l, c: all[l], bot: cats[l]}
	}
	return out, nil
}

// codeKeys lists the keys the Go code names or builds; the template's
// are checked when web.Templates writes them in.
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
	keys = append(keys, web.ErrorKeys(errorPages)...)
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
func (w Words) s(key string, args ...string) string { return w.c.Text(key, args...) }

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
	s = text.Bare(s)
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
	if _, ok := text.ParseMonth(m); !ok {
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
