package network

import (
	"html/template"
	"net/url"
	"strconv"
	"strings"

	nw "github.com/secours/secours/network"
	"github.com/secours/secours/text"
)

// pageData is what the templates show. Every text is rendered in Go or
// written in by localize; the templates only lay it out, and never see
// a network.Draft or Entry, so that nothing else reaches the page.
type pageData struct {
	Lang   text.Lang
	Title  string
	CSS    template.CSS
	Switch []langLink
	Action string        // the network's page path, base of the forms
	Back   string        // the network's page, in the language chosen
	Check  string        // the upload's action: the language in its URL, as the body of a refused file is not read
	Hidden template.HTML // the forms' hidden fields, escaped once
	Flash  string
	Warn   bool // the flash is a warning

	// The network's page.
	Summary string
	Empty   string
	Places  []placeRow
	Upload  string // the upload form's message after a refused file
	Hint    string // under the file field
	Changes []changeRow

	// A draft's page.
	Draft *draftView
}

type langLink struct {
	Code, Label, Href string
	Current           bool
}

// placeRow is one of the network's places.
type placeRow struct {
	Name, Commune, Confirmed string
	Stale, Closed, Edited    bool
}

// changeRow is one audit entry.
type changeRow struct {
	At, Place, By, What string
	Fields              []fieldRow
}

// fieldRow is one field a change changes: old → new.
type fieldRow struct{ Label, Old, New string }

// draftView is a draft's report and preview.
type draftView struct {
	Title, Summary, Counts string
	Alert                  string // conflict, or blocked
	Blocking, Warnings     []problemRow
	Added, Changed         []placeChange
	Removed                []placeChange
	Nothing                string // the file changes nothing
	Publishable            bool
	Stale                  bool   // after a conflict: check the file again
	Publish                string // the publish form's action
}

type problemRow struct{ Where, What, Fix string }

type placeChange struct {
	Name, ID string
	Fields   []fieldRow
}

// base fills what every page of a session shows.
func (p *Page) base(s session) (pageData, tr) {
	t := p.tr(s.lang)
	d := pageData{Lang: s.lang, CSS: p.css, Action: s.base(), Back: s.link("", ""), Check: s.link("/check", "")}
	hidden := `<input type="hidden" name="csrf" value="` + template.HTMLEscapeString(p.forms.Field(s.token)) + `">`
	if s.chosen {
		hidden += `<input type="hidden" name="lang" value="` + template.HTMLEscapeString(string(s.lang)) + `">`
	}
	d.Hidden = template.HTML(hidden)
	d.Title = t.s("page.title", "network", s.network)
	for _, l := range text.Langs {
		// Relative links: the token stays out of the markup.
		d.Switch = append(d.Switch, langLink{Code: string(l), Label: t.s("switch." + string(l)),
			Href: "?lang=" + string(l), Current: l == s.lang})
	}
	return d, t
}

// pageData builds the network's page.
func (p *Page) pageData(s session, entries []nw.Entry, changes []nw.Change, flash, upload string) pageData {
	d, t := p.base(s)
	if warn, ok := flashes[flash]; ok {
		d.Flash, d.Warn = t.s("flash."+flash), warn
	}
	d.Upload = upload
	d.Hint = t.s("upload.hint", "max", strconv.FormatInt(p.maxFile>>20, 10))
	stale := 0
	names := make(map[string]string, len(entries))
	d.Places = make([]placeRow, len(entries))
	for i, e := range entries {
		names[e.ID] = e.Name
		if e.Stale {
			stale++
		}
		d.Places[i] = placeRow{Name: e.Name, Commune: e.Commune, Confirmed: t.date(e.Confirmed),
			Stale: e.Stale, Closed: e.Closed, Edited: e.EditedByPlace}
	}
	d.Summary = t.s("page.summary", "n", strconv.Itoa(len(entries)), "stale", strconv.Itoa(stale))
	if len(entries) == 0 {
		d.Empty = t.s("page.empty")
	}
	d.Changes = make([]changeRow, len(changes))
	for i, c := range changes {
		place := names[c.PlaceID]
		if place == "" {
			place = c.PlaceID // a place removed since: its id is all the page knows
		}
		d.Changes[i] = changeRow{At: t.at(c.At), Place: place, By: by(t, c.By), What: what(t, c.What),
			Fields: fieldRows(t, c.Fields)}
	}
	return d
}

// by names who made a change.
func by(t tr, who string) string {
	kind, name, _ := strings.Cut(who, ":")
	switch kind {
	case "network":
		return t.s("by.network", "name", name)
	case "structure":
		return t.s("by.structure")
	}
	return t.s("by.other")
}

// what names a change's kind.
func what(t tr, w string) string {
	switch w {
	case "publish", "undo", "edit":
		return t.s("what." + w)
	}
	return t.s("what.other")
}

func fieldRows(t tr, fs []nw.FieldChange) []fieldRow {
	rows := make([]fieldRow, len(fs))
	for i, f := range fs {
		rows[i] = fieldRow{Label: t.field(f.Field), Old: t.value(f.Field, f.Old), New: t.value(f.Field, f.New)}
	}
	return rows
}

// draftData builds a draft's page; alert is a message above it.
func (p *Page) draftData(s session, dr nw.Draft, alert string) pageData {
	d, t := p.base(s)
	v := &draftView{Title: t.s("draft.title", "file", dr.File), Alert: alert, Publishable: dr.Publishable(),
		Publish: s.base() + "/draft/" + url.PathEscape(dr.ID) + "/publish"}
	for _, pr := range dr.Problems {
		row := problemRow{Where: where(t, pr), What: pr.What, Fix: pr.Fix}
		if pr.Blocking {
			v.Blocking = append(v.Blocking, row)
		} else {
			v.Warnings = append(v.Warnings, row)
		}
	}
	v.Counts = t.s("draft.counts", "blocking", strconv.Itoa(len(v.Blocking)), "warnings", strconv.Itoa(len(v.Warnings)))
	for _, c := range dr.Changes {
		pc := placeChange{Name: c.Name, ID: c.ID, Fields: fieldRows(t, c.Fields)}
		if pc.Name == "" {
			pc.Name = c.ID
		}
		switch c.Kind {
		case "added":
			v.Added = append(v.Added, pc)
		case "removed":
			v.Removed = append(v.Removed, pc)
		default:
			v.Changed = append(v.Changed, pc)
		}
	}
	v.Summary = t.s("draft.summary", "places", strconv.Itoa(dr.Places), "added", strconv.Itoa(len(v.Added)),
		"changed", strconv.Itoa(len(v.Changed)), "removed", strconv.Itoa(len(v.Removed)))
	if len(dr.Changes) == 0 {
		v.Nothing = t.s("draft.nothing")
	}
	d.Draft = v
	return d
}

// where says where a problem is: the whole file, the header, a line, a
// line's column.
func where(t tr, pr nw.Problem) string {
	switch {
	case pr.Line <= 0:
		return t.s("where.file")
	case pr.Line == 1 && pr.Field == "":
		return t.s("where.header")
	case pr.Field == "":
		return t.s("where.line", "line", strconv.Itoa(pr.Line))
	}
	return t.s("where.line_field", "line", strconv.Itoa(pr.Line), "field", pr.Field)
}
