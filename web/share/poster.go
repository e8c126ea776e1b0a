package share

import (
	"bytes"
	"crypto/sha256"
	"encoding/base64"
	"encoding/json"
	"errors"
	"fmt"
	"html/template"
	"io"
	"io/fs"
	"maps"
	"net/url"
	"regexp"
	"slices"
	"strings"
	"unicode"
	"unicode/utf8"

	"github.com/secours/secours/geo"
)

// Kit makes a place's share links and poster. It holds share.json and
// the poster template, parsed and checked once by New, and is safe for
// concurrent use.
type Kit struct {
	texts  map[Lang]map[string]string
	poster *template.Template
	css    template.CSS
	csp    string
}

// PosterData is what one poster shows.
type PosterData struct {
	// Lang is FR, NL, or Both (two columns, French on the left).
	Lang Lang
	// Name is the structure's name, printed large; "" leaves it out.
	Name string
	// Hours are the structure's opening hours as imported
	// (geo.Place.Hours, OSM-like: "Mo-Fr 09:00-12:00"). Poster writes
	// them out in words, or prints them as they are if it cannot read
	// them; "" leaves them out.
	Hours string
	// Links are the place's links (Kit.For); at least one is needed.
	Links Links
}

// textKeys lists every key of share.json the code reads, with the
// placeholders each must hold.
func textKeys() map[string][]string {
	keys := map[string][]string{
		"poster.tagline": nil,
		"poster.line1":   nil,
		"poster.line2":   nil,
		"poster.line3":   nil,
		"poster.hours":   nil,
		"poster.type":    nil,
		"whatsapp.text":  {"{code}"},
		"hours.line":     {"{days}", "{times}"},
		"hours.range":    {"{from}", "{to}"},
	}
	for d := range 7 {
		keys[dayKey(d)] = nil
	}
	return keys
}

var placeholder = regexp.MustCompile(`\{[a-z_]+\}`)

// New reads web/poster.tmpl from templates (configs.Web) and share.json
// (configs.ShareTexts()). It fails on a missing or extra key, a language
// missing, placeholders that differ from what the code fills, or a
// template that does not parse, so that no poster ever shows a key.
func New(templates fs.FS, texts []byte) (*Kit, error) {
	if templates == nil || texts == nil {
		return nil, errors.New("share: templates and texts are required")
	}
	var all map[Lang]map[string]string
	if err := json.Unmarshal(texts, &all); err != nil {
		return nil, fmt.Errorf("share.json: %w", err)
	}
	if len(all) != 2 || all[FR] == nil || all[NL] == nil {
		return nil, errors.New("share.json: want exactly fr and nl")
	}
	var bad []string
	keys := textKeys()
	for _, l := range []Lang{FR, NL} {
		for _, k := range slices.Sorted(maps.Keys(keys)) {
			text, ok := all[l][k]
			switch {
			case !ok:
				bad = append(bad, fmt.Sprintf("%s lacks %s", l, k))
			case strings.TrimSpace(text) == "":
				bad = append(bad, fmt.Sprintf("%s: empty %s", l, k))
			case !slices.Equal(placeholders(text), keys[k]):
				bad = append(bad, fmt.Sprintf("%s: %s must hold exactly %v", l, k, keys[k]))
			}
		}
		for _, k := range slices.Sorted(maps.Keys(all[l])) {
			if _, ok := keys[k]; !ok {
				bad = append(bad, fmt.Sprintf("%s: unknown key %s", l, k))
			}
		}
	}
	if len(bad) > 0 {
		return nil, fmt.Errorf("share.json: %s", strings.Join(bad, ", "))
	}
	src, err := fs.ReadFile(templates, "web/poster.tmpl")
	if err != nil {
		return nil, fmt.Errorf("share templates: %w", err)
	}
	t, err := template.New("poster.tmpl").Parse(string(src))
	if err != nil {
		return nil, fmt.Errorf("share templates: %w", err)
	}
	var css bytes.Buffer
	if err := t.ExecuteTemplate(&css, "style", nil); err != nil {
		return nil, fmt.Errorf("share style: %w", err)
	}
	k := &Kit{texts: all, poster: t, css: template.CSS(css.String())}
	// The style sheet is inline, allowed by its hash: a poster is one
	// file that prints the same opened from a disk or from the page.
	sum := sha256.Sum256(css.Bytes())
	k.csp = "default-src 'none'; style-src 'sha256-" + base64.StdEncoding.EncodeToString(sum[:]) +
		"'; form-action 'none'; frame-ancestors 'none'; base-uri 'none'"
	return k, nil
}

// placeholders returns a text's {names}, sorted and once each.
func placeholders(s string) []string {
	p := placeholder.FindAllString(s, -1)
	slices.Sort(p)
	return slices.Compact(p)
}

// CSP is the Content-Security-Policy to serve a poster with: nothing
// loads, and only the poster's own style sheet applies.
func (k *Kit) CSP() string { return k.csp }

// text returns a text of share.json with its placeholders filled from
// name, value pairs. New checked every key the code names.
func (k *Kit) text(l Lang, key string, args ...string) string {
	s := k.texts[l][key]
	for i := 0; i+1 < len(args); i += 2 {
		s = strings.ReplaceAll(s, "{"+args[i]+"}", args[i+1])
	}
	return s
}

// column is the poster's words in one language.
type column struct {
	Lang       Lang
	Tagline    string
	Lines      []string
	HoursTitle string
	Hours      []string
}

// code is one QR code of the poster.
type code struct {
	Name string        // the app: Telegram, WhatsApp (a brand, not translated)
	SVG  template.HTML // drawn by SVG from the link: only numbers and fixed markup
	Link string        // printed small, for people who type it
}

// posterView is the template's data.
type posterView struct {
	HTMLLang Lang
	Title    string
	CSS      template.CSS
	Name     string
	Cols     []column
	Type     string // "ou tapez / of typ", above each printed link
	Codes    []code
}

// Poster renders the poster of d as one HTML page, whole or not at all:
// a failure leaves w untouched.
func (k *Kit) Poster(w io.Writer, d PosterData) error {
	if _, ok := ParseLang(string(d.Lang)); !ok {
		return fmt.Errorf("share poster: language %q is not fr, nl or both", d.Lang)
	}
	if d.Links.Telegram == "" && d.Links.WhatsApp == "" {
		return errors.New("share poster: no link to print")
	}
	v := posterView{HTMLLang: d.Lang.langs()[0], Title: "Secours", CSS: k.css, Name: strings.TrimSpace(d.Name)}
	if v.Name != "" {
		v.Title += " – " + v.Name
	}
	var types []string
	for _, l := range d.Lang.langs() {
		c := column{Lang: l, Tagline: k.text(l, "poster.tagline"), HoursTitle: k.text(l, "poster.hours"),
			Lines: []string{k.text(l, "poster.line1"), k.text(l, "poster.line2"), k.text(l, "poster.line3")},
			Hours: k.hours(l, d.Hours)}
		v.Cols = append(v.Cols, c)
		types = append(types, k.text(l, "poster.type"))
	}
	v.Type = strings.Join(types, " / ")
	for _, c := range []struct{ name, link string }{{"Telegram", d.Links.Telegram}, {"WhatsApp", d.Links.WhatsApp}} {
		if c.link == "" {
			continue
		}
		svg, err := SVG(c.link)
		if err != nil {
			return fmt.Errorf("share poster: %w", err)
		}
		// Safe to trust: SVG writes numbers into fixed markup, nothing
		// of the link itself.
		v.Codes = append(v.Codes, code{Name: c.name, SVG: template.HTML(svg), Link: typed(c.link)})
	}
	var b bytes.Buffer
	if err := k.poster.ExecuteTemplate(&b, "poster", v); err != nil {
		return fmt.Errorf("share poster: %w", err)
	}
	if _, err := w.Write(b.Bytes()); err != nil {
		return fmt.Errorf("share poster: %w", err)
	}
	return nil
}

// typed is a link as people type it: no https://, and the WhatsApp
// greeting in words rather than %20s (a browser encodes what is typed),
// unless the words hold a character that would end the query.
func typed(link string) string {
	short := strings.TrimPrefix(link, "https://")
	u, err := url.Parse(link)
	if err != nil {
		return short
	}
	text := u.Query().Get("text")
	if text == "" || strings.ContainsAny(text, "&#?+%") {
		return short
	}
	return u.Host + u.Path + "?text=" + text
}

// dayCodes are the OSM day codes, Monday first, two letters each.
const dayCodes = "MoTuWeThFrSaSu"

// dayKey is the share.json key of a day's name: "day.mo".
func dayKey(d int) string { return "day." + strings.ToLower(dayCodes[2*d:2*d+2]) }

// maxRawHours bounds hours printed as they are: a long text the poster
// cannot read would push the codes onto a second page.
const maxRawHours = 120

// hours writes a week's opening hours in words, one line per run of days
// with the same times: "Du lundi au jeudi : 9:00–12:00, 13:30–17:00". They
// are read as the directory reads them (geo.ParseHours), so the poster and
// the bot never disagree; public-holiday rules are left out, since we
// cannot know each commune's holidays. Hours geo cannot read, and "24/7",
// are printed as they are, if short, rather than risk a wrong hour on a
// wall.
func (k *Kit) hours(l Lang, raw string) []string {
	raw = strings.TrimSpace(raw)
	if raw == "" {
		return nil
	}
	week, err := geo.ParseHours(raw)
	if err != nil || raw == "24/7" {
		if utf8.RuneCountInString(raw) > maxRawHours {
			return nil
		}
		return []string{raw}
	}
	clock := func(m int) string { return fmt.Sprintf("%d:%02d", m/60, m%60) }
	var out []string
	for _, r := range week.Runs() {
		times := make([]string, len(r.Spans))
		for i, sp := range r.Spans {
			times[i] = clock(sp.From) + "–" + clock(sp.To)
		}
		days := k.text(l, dayKey(r.First))
		if r.Last > r.First {
			days = k.text(l, "hours.range", "from", days, "to", k.text(l, dayKey(r.Last)))
		}
		out = append(out, upperFirst(k.text(l, "hours.line", "days", days, "times", strings.Join(times, ", "))))
	}
	return out
}

// upperFirst capitalises a line's first letter: "du lundi" starts one.
func upperFirst(s string) string {
	r, n := utf8.DecodeRuneInString(s)
	return string(unicode.ToUpper(r)) + s[n:]
}
