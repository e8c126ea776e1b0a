package share

import (
	"bytes"
	"crypto/sha256"
	"encoding/base64"
	"errors"
	"fmt"
	"html/template"
	"io"
	"io/fs"
	"net/url"
	"strings"
	"unicode"
	"unicode/utf8"

	"github.com/secours/secours/geo"
	"github.com/secours/secours/text"
)

// Kit makes a place's share links and poster. It holds the share
// catalogue and the poster template, parsed and checked once by New, and is safe for
// concurrent use.
type Kit struct {
	texts  text.Catalogs
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

// textKeys lists every key of the share catalogue the code reads, with the
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

// New reads web/poster.tmpl from templates (configs.Web) and the share
// catalogue, i18n/share.<lang>.json, from texts (configs.FS). It fails on
// a missing or extra key, a language missing, placeholders that differ
// from what the code fills, or a template that does not parse, so that no
// poster ever shows a key.
func New(templates, texts fs.FS) (*Kit, error) {
	if templates == nil || texts == nil {
		return nil, errors.New("share: templates and texts are required")
	}
	all, err := text.Load(texts, "share", text.Spec{Only: true, Holes: textKeys()})
	if err != nil {
		return nil, fmt.Errorf("share: %w", err)
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

// CSP is the Content-Security-Policy to serve a poster with: nothing
// loads, and only the poster's own style sheet applies.
func (k *Kit) CSP() string { return k.csp }

// text returns a text of the share catalogue with its placeholders
// filled from name, value pairs. New checked every key the code names.
func (k *Kit) text(l Lang, key string, args ...string) string {
	return k.texts[text.Lang(l)].Text(key, args...)
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

// dayKey is the share.<lang>.json key of a day's name: "day.mo".
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
	return k.hoursWords(l).Lines(week.Runs())
}

// hoursWords writes hours as a poster does: "Du lundi au jeudi :
// 9:00–12:00, 13:30–17:00", a line per run of days.
func (k *Kit) hoursWords(l Lang) text.HoursWords {
	return text.HoursWords{
		Day: func(d int) string { return k.text(l, dayKey(d)) },
		Days: func(first, last string) string {
			return k.text(l, "hours.range", "from", first, "to", last)
		},
		Clock: func(m int) string { return fmt.Sprintf("%d:%02d", m/60, m%60) },
		Span:  func(from, to string) string { return from + "–" + to },
		Line: func(days, times string) string {
			return upperFirst(k.text(l, "hours.line", "days", days, "times", times))
		},
		Sep: ", ",
	}
}

// upperFirst capitalises a line's first letter: "du lundi" starts one.
func upperFirst(s string) string {
	r, n := utf8.DecodeRuneInString(s)
	return string(unicode.ToUpper(r)) + s[n:]
}
