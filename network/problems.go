package network

import (
	"cmp"
	"io/fs"
	"slices"
	"strings"

	"github.com/secours/secours/geo"
	"github.com/secours/secours/text"
)

// The problems of a report are kinds with values: their words are the
// catalogue's (configs/i18n/places.<lang>.json), "p.<kind>.what" and
// "p.<kind>.fix", never Go's.

// problem is one problem before it is put in words.
type problem struct {
	line     int
	field    string
	kind     string
	args     []string // name, value pairs for the catalogue's placeholders
	blocking bool
}

// kinds lists every problem kind and the placeholders of its "what".
var kinds = map[string][]string{
	"too_big": {"{max}"}, "empty": nil, "utf16": nil, "latin1": nil, "encoding": nil,
	"sep_tab": nil, "sep_none": nil, "csv_malformed": nil, "json_array": nil, "json_malformed": nil,
	"missing_column": {"{field}"}, "unknown_columns": {"{names}"}, "dup_column": {"{field}"},
	"required": {"{field}"}, "duplicate_id": {"{first}", "{value}"}, "width": {"{n}", "{want}"},
	"not_utf8": {"{field}"}, "phone": {"{value}"}, "email": {"{value}"}, "url": {"{value}"},
	"postcode_form": {"{value}"}, "insee_be": nil, "insee_bad": {"{value}"}, "pivot_missing": nil,
	"pivot_bad": {"{value}"}, "date_missing": nil, "date_bad": {"{value}"}, "summary_long": {"{n}"},
	"no_service": nil, "unknown_value": {"{field}", "{value}"}, "legacy_value": {"{new}", "{value}"},
	"nis_bad": {"{value}"}, "postcode_unknown": {"{value}"}, "no_location": nil, "centroid": nil,
	"bad_coords": {"{lat}", "{lon}"}, "outside": {"{lat}", "{lon}"}, "country_mismatch": nil,
	"far": {"{n}", "{value}"}, "hours": {"{value}"}, "other_owner": {"{value}"}, "other": {"{field}"},
	"closure_order": nil, "closures_many": {"{max}"}, "unknown_choice": {"{field}", "{value}"},
}

// catalogKeys are the keys the code names: what and fix of every kind.
func catalogKeys() []string {
	var keys []string
	for k := range kinds {
		keys = append(keys, "p."+k+".what", "p."+k+".fix")
	}
	slices.Sort(keys)
	return keys
}

func catalogHoles() map[string][]string {
	h := make(map[string][]string, len(kinds))
	for k, holes := range kinds {
		if holes != nil {
			h["p."+k+".what"] = holes
		}
	}
	return h
}

// LoadTexts reads the catalogue of the reports (i18n/places.<lang>.json)
// from fsys (configs.FS) and checks that every kind is in both languages
// with its placeholders.
func LoadTexts(fsys fs.FS) (text.Catalogs, error) {
	return text.Load(fsys, "places", text.Spec{Keys: catalogKeys(), Holes: catalogHoles()})
}

// words puts problems in the words of lang, ordered by line.
func words(cats text.Catalogs, lang string, ps []problem) []Problem {
	c := cats[text.FR]
	if l := text.Lang(lang); cats[l] != nil {
		c = cats[l]
	}
	out := make([]Problem, 0, len(ps))
	for _, p := range ps {
		args := append([]string{"field", p.field}, p.args...)
		out = append(out, Problem{Line: p.line, Field: p.field, Blocking: p.blocking,
			What: c.Text("p."+p.kind+".what", args...), Fix: c.Text("p."+p.kind+".fix", args...)})
	}
	slices.SortStableFunc(out, func(a, b Problem) int { return cmp.Compare(a.Line, b.Line) })
	return out
}

// issueKinds maps the formats of geo's issues to kinds, with the names
// of their values in order ("" drops one).
var issueKinds = map[string]struct {
	kind string
	args []string
}{
	"required":                            {"required", nil},
	"duplicated id %q (first on line %d)": {"duplicate_id", []string{"value", "first"}},
	"has %d fields, the header has %d (a missing or extra column, or a stray comma)":  {"width", []string{"n", "want"}},
	"not valid UTF-8: save the file as UTF-8 (it looks like Latin-1 or Windows-1252)": {"not_utf8", nil},
	"not valid UTF-8":                                                      {"not_utf8", nil},
	"%q is not a phone number; dropped":                                    {"phone", []string{"value"}},
	"%q is not a %s phone number; dropped":                                 {"phone", []string{"value", ""}},
	"%q is not an e-mail address; dropped":                                 {"email", []string{"value"}},
	"%q is not an http(s) URL; dropped":                                    {"url", []string{"value"}},
	"%q is neither a Belgian (4 digits) nor a French (5 digits) postcode":  {"postcode_form", []string{"value"}},
	"ignored for a Belgian place":                                          {"insee_be", nil},
	"%q is not an INSEE code; ignored":                                     {"insee_bad", []string{"value"}},
	"missing (SIRET/RNA in France, KBO/BCE number in Belgium)":             {"pivot_missing", nil},
	"%q is not a SIRET, RNA or KBO number":                                 {"pivot_bad", []string{"value"}},
	"missing":                                                              {"date_missing", nil},
	"%q is not YYYY-MM-DD":                                                 {"date_bad", []string{"value"}},
	"%d characters, the standard allows 280":                               {"summary_long", []string{"n"}},
	"no service: this place can never be matched":                          {"no_service", nil},
	"unknown value %q dropped":                                             {"unknown_value", []string{"value"}},
	"v0.1 value %q read as %q (docs/diagnostic.md D.4)":                    {"legacy_value", []string{"value", "new"}},
	"%q is not a Belgian NIS code; ignored":                                {"nis_bad", []string{"value"}},
	"%s is not in the postcode table":                                      {"postcode_unknown", []string{"value"}},
	"no coordinates and an unknown postcode: the place cannot be located":  {"no_location", nil},
	"no coordinates: the postcode centroid is used (distance approximate)": {"centroid", nil},
	"bad coordinates %q, %q":                                               {"bad_coords", []string{"lat", "lon"}},
	"%v, %v is more than %d km from every known postcode: in the sea, outside Belgium and France, or latitude and longitude swapped": {"outside", []string{"lat", "lon", ""}},
	"the point is in %s but the postcode is %s": {"country_mismatch", []string{"", ""}},
	"the point is %.0f km from postcode %s":     {"far", []string{"n", "value"}},
	"%v; the raw text is shown as is":           {"hours", []string{""}},
	"malformed CSV":                             {"csv_malformed", nil},
	"JSON must be an array of places":           {"json_array", nil},
	"malformed JSON":                            {"json_malformed", nil},
}

// fromIssue is the problem of one of geo's issues; row is the values of
// its line, for the kinds whose words show the value as written.
func fromIssue(is geo.Issue, row map[string]string) problem {
	p := problem{line: is.Line, field: is.Field, kind: "other", blocking: !is.Warning}
	k, ok := issueKinds[is.Key]
	if !ok {
		return p
	}
	p.kind = k.kind
	for i, name := range k.args {
		if name != "" && i < len(is.Args) {
			p.args = append(p.args, name, strings.Trim(is.Args[i], `"`))
		}
	}
	if p.kind == "hours" {
		p.args = []string{"value", row[is.Field]}
	}
	return p
}
