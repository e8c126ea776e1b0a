package structure

import (
	"bytes"
	"errors"
	"fmt"
	"html/template"
	"io/fs"
	texttemplate "text/template"

	"github.com/secours/secours/flows"
	"github.com/secours/secours/web"
)

// localize writes the fixed texts into the template name's source, as
// web.Localize: a key missing from the catalogue stops NewWeb instead of
// a page.
func localize(name, src string, c flows.Catalog, escape func(string) string) (string, error) {
	out, err := web.Localize(src, c, escape)
	if err != nil {
		return "", fmt.Errorf("structure template %s: %w", name, err)
	}
	return out, nil
}

// parseTemplates reads web/page.tmpl, web/style.tmpl, web/mail.txt.tmpl
// and web/mail.html.tmpl from fsys, once per language.
func parseTemplates(w *Web) error {
	read := func(name string) (string, error) {
		b, err := fs.ReadFile(w.fsys, "web/"+name)
		if err != nil {
			return "", fmt.Errorf("structure templates: %w", err)
		}
		return string(b), nil
	}
	srcs := map[string]string{}
	for _, name := range []string{"page.tmpl", "style.tmpl", "mail.txt.tmpl", "mail.html.tmpl"} {
		src, err := read(name)
		if err != nil {
			return err
		}
		srcs[name] = src
	}
	keep := func(s string) string { return s }
	w.page = map[flows.Lang]*template.Template{}
	w.mailHTML = map[flows.Lang]*template.Template{}
	w.mailText = map[flows.Lang]*texttemplate.Template{}
	for _, l := range flows.Langs {
		c := w.texts[l]
		page, err := localize("page.tmpl", srcs["page.tmpl"], c, template.HTMLEscapeString)
		if err != nil {
			return err
		}
		t, err := template.New("page.tmpl").Parse(page)
		if err == nil {
			_, err = t.New("style.tmpl").Parse(srcs["style.tmpl"])
		}
		if err != nil {
			return fmt.Errorf("structure templates: %w", err)
		}
		w.page[l] = t
		html, err := localize("mail.html.tmpl", srcs["mail.html.tmpl"], c, template.HTMLEscapeString)
		if err != nil {
			return err
		}
		if w.mailHTML[l], err = template.New("mail.html.tmpl").Parse(html); err != nil {
			return fmt.Errorf("structure templates: %w", err)
		}
		// Text mail: text/template and no escaping, so that "&" or "'"
		// in a name are not turned into entities in a plain-text body.
		text, err := localize("mail.txt.tmpl", srcs["mail.txt.tmpl"], c, keep)
		if err != nil {
			return err
		}
		if w.mailText[l], err = texttemplate.New("mail.txt.tmpl").Parse(text); err != nil {
			return fmt.Errorf("structure templates: %w", err)
		}
	}
	w.declines, w.closes = map[flows.Lang]template.HTML{}, map[flows.Lang]template.HTML{}
	for _, l := range flows.Langs {
		t := w.tr(l)
		opts := func(reasons []string) (template.HTML, error) {
			var b bytes.Buffer
			var o []option
			for _, r := range reasons {
				o = append(o, option{r, t.s("reason." + r)})
			}
			err := w.page[l].ExecuteTemplate(&b, "options", o)
			// Safe to trust: html/template escaped it for the very
			// context (a select's content) it is written into.
			return template.HTML(b.String()), err
		}
		var err1, err2 error
		w.declines[l], err1 = opts(flows.DeclineReasons)
		w.closes[l], err2 = opts(flows.CloseReasons)
		if err := errors.Join(err1, err2); err != nil {
			return fmt.Errorf("structure options: %w", err)
		}
	}
	var err error
	if w.css, err = web.Style(w.page[flows.FR]); err != nil {
		return fmt.Errorf("structure style: %w", err)
	}
	return nil
}
