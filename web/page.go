package web

import (
	"bytes"
	"fmt"
	"html/template"
	"io/fs"
	"net/http"
	"regexp"
	"strings"
	"time"

	"github.com/secours/secours/text"
)

// HTML executes t's template name with data into a buffer first, so that
// a template error becomes a clean error page instead of half a page, and
// answers it with code. On an error it has written nothing. size is a
// guess of the page's length, to grow the buffer once.
func HTML(w http.ResponseWriter, code int, t *template.Template, name string, data any, size int) error {
	var b bytes.Buffer
	b.Grow(size)
	if err := t.ExecuteTemplate(&b, name, data); err != nil {
		return err
	}
	w.Header().Set("Content-Type", "text/html; charset=utf-8")
	w.WriteHeader(code)
	w.Write(b.Bytes())
	return nil
}

// StaticText matches {{T "key"}}: a fixed text of a surface's catalogue,
// written into its template's source by Localize.
var StaticText = regexp.MustCompile(`\{\{T "([a-z0-9_.]+)"\}\}`)

// Localize writes the fixed texts of c into a template's source, each
// escaped with escape, before it is parsed: each language gets its own
// parsed template, so a long page spends no time looking its labels up.
// A key missing from c, or whose text has placeholders, is an error, so
// that it stops the start instead of a page.
func Localize(src string, c text.Catalog, escape func(string) string) (string, error) {
	var missing []string
	out := StaticText.ReplaceAllStringFunc(src, func(m string) string {
		key := StaticText.FindStringSubmatch(m)[1]
		s, ok := c[key]
		if !ok || strings.Contains(s, "{{") || len(text.Placeholders(s)) > 0 {
			missing = append(missing, key)
		}
		return escape(s)
	})
	if len(missing) > 0 {
		return "", fmt.Errorf("keys missing or with placeholders: %s", strings.Join(missing, ", "))
	}
	return out, nil
}

// At says when, in loc, with c's time.at ("le {date} à {time}"): "le
// 12/03/2026 à 14:05". Every page writes a moment this one way.
func At(c text.Catalog, loc *time.Location, when time.Time) string {
	w := when.In(loc)
	return c.Text("time.at", "date", w.Format("02/01/2006"), "time", w.Format("15:04"))
}

// Templates reads web/<surface>.tmpl from fsys and parses it once per
// language, with that language's fixed texts of cats written in
// (Localize), and renders its style (Style). An error names the surface
// and stops the start instead of a page.
func Templates(fsys fs.FS, surface string, cats text.Catalogs) (map[text.Lang]*template.Template, template.CSS, error) {
	b, err := fs.ReadFile(fsys, "web/"+surface+".tmpl")
	if err != nil {
		return nil, "", fmt.Errorf("%s template: %w", surface, err)
	}
	tmpl := map[text.Lang]*template.Template{}
	for _, l := range text.Langs {
		src, err := Localize(string(b), cats[l], template.HTMLEscapeString)
		if err != nil {
			return nil, "", fmt.Errorf("%s template: %w", surface, err)
		}
		t, err := template.New(surface + ".tmpl").Parse(src)
		if err != nil {
			return nil, "", fmt.Errorf("%s template: %w", surface, err)
		}
		tmpl[l] = t
	}
	css, err := Style(tmpl[text.FR])
	if err != nil {
		return nil, "", fmt.Errorf("%s style: %w", surface, err)
	}
	return tmpl, css, nil
}

// Style renders t's "style" template: the page's CSS. It names no text,
// so one language's serves them all.
func Style(t *template.Template) (template.CSS, error) {
	var b bytes.Buffer
	if err := t.ExecuteTemplate(&b, "style", nil); err != nil {
		return "", err
	}
	return template.CSS(b.String()), nil
}

// ErrorData is the error page: one block per language when the page's
// language is not known yet (no good token), else one.
type ErrorData struct {
	Lang   string // the first block's
	Title  string // the blocks' titles, joined by " / "
	CSS    template.CSS
	Back   string // the page's path, to link back to once the token was good
	Blocks []ErrorBlock
}

// ErrorBlock is the error page in one language.
type ErrorBlock struct {
	Lang              string
	Title, Text, Back string
}

// Add appends the page in one more language.
func (d *ErrorData) Add(b ErrorBlock) {
	if d.Title == "" {
		d.Lang, d.Title = b.Lang, b.Title
	} else {
		d.Title += " / " + b.Title
	}
	d.Blocks = append(d.Blocks, b)
}

// Error answers code with t's "error" template. If that template itself
// breaks, it answers plain words in both languages and returns the
// error, for the log.
func Error(w http.ResponseWriter, code int, t *template.Template, d ErrorData) error {
	err := HTML(w, code, t, "error", d, 2<<10)
	if err != nil {
		w.Header().Set("Content-Type", "text/plain; charset=utf-8")
		w.WriteHeader(code)
		fmt.Fprintln(w, "Erreur / Fout", code)
	}
	return err
}

// ErrorPages are a surface's error pages: err.<name> and err.<name>.title
// of its catalogue (err.back for the link back), in the "error" block of
// its template of each language.
type ErrorPages struct {
	Templates map[text.Lang]*template.Template
	CSS       template.CSS
	// Words looks a text of the surface's catalogue up in a language,
	// with its name, value pairs.
	Words func(l text.Lang, key string, args ...string) string
}

// ErrorKeys lists the keys of the error pages names in a catalogue, for
// the check of the keys its Go code reads: err.<name> and its .title.
func ErrorKeys(names []string) []string {
	keys := make([]string, 0, 2*len(names))
	for _, e := range names {
		keys = append(keys, "err."+e, "err."+e+".title")
	}
	return keys
}

// Answer answers the page err.<name> with code: in lang with a link back
// to back, or, with lang "" (no good token yet), in French then Dutch and
// linking nowhere. An error is the template's, for the log: the page
// answered plain words.
func (e ErrorPages) Answer(w http.ResponseWriter, code int, back string, lang text.Lang, name string, args ...string) error {
	langs := []text.Lang{lang}
	if lang == "" {
		langs, back = text.Langs, ""
	}
	d := ErrorData{CSS: e.CSS, Back: back}
	for _, l := range langs {
		b := ErrorBlock{Lang: string(l), Title: e.Words(l, "err."+name+".title"), Text: e.Words(l, "err."+name, args...)}
		if back != "" {
			b.Back = e.Words(l, "err.back")
		}
		d.Add(b)
	}
	return Error(w, code, e.Templates[langs[0]], d)
}
