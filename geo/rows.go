package geo

import (
	"github.com/secours/secours/geo/internal/sheet"
)

// This file is the seam between the directory and what checks a
// network's upload (package network): the standard's rows and the checks
// of its values, as an import makes them.

// Row is one row of a file in the standard's form: its line and its
// values by column (lower-case names, trimmed values).
type Row struct {
	Line   int
	Values map[string]string
}

// ReadStandardCSV splits a CSV file separated by comma into its header
// (lower-cased) and rows; a malformed row or one of the wrong width is an
// issue, and the reading goes on.
func ReadStandardCSV(file string, data []byte, comma rune) (header []string, rows []Row, issues []Issue) {
	header, recs := sheet.ReadCSV(file, data, comma, &issues)
	for _, rec := range recs {
		rc := sheet.Check{File: file, Line: rec.Line, Issues: &issues}
		if v := sheet.RowValues(&rc, header, rec); v != nil {
			rows = append(rows, Row{Line: rec.Line, Values: v})
		}
	}
	return header, rows, issues
}

// StandardPlaces builds the places of rows as an import does, checked
// against d's postcodes: source is their dataset (Place.Source), and each
// ID is source + "/" + the row's id. A rejected row has an issue that is
// not a Warning and no place.
func (d *Directory) StandardPlaces(source string, rows []Row) ([]*Place, []Issue) {
	var issues []Issue
	ids := make(map[string]int, len(rows))
	var out []*Place
	for _, r := range rows {
		rc := sheet.Check{File: source, Line: r.Line, Issues: &issues}
		p := standardPlace(&rc, r.Values, source, d, ids)
		if p != nil && !rc.Rejected {
			p.Source, p.ID = source, source+"/"+r.Values["id"]
			out = append(out, p)
		}
	}
	return out, issues
}

// StandardColumns are the standard's columns and langues, ours for
// networks, in order: what a network's file may hold. (The other columns
// of the shipped file are the import's.)
func StandardColumns() []string { return append(standardColumns(), colLangs) }

// RequiredColumns are the columns no row can be read without.
func RequiredColumns() []string { return []string{"id", "nom", "commune", "code_postal", "adresse"} }

// CheckPhone is a phone number of country c in its display form; false
// if it is not one.
func CheckPhone(s string, c Country) (string, bool) {
	var issues []Issue
	out := sheet.Phone(&sheet.Check{Issues: &issues}, "telephone", s, string(c))
	return out, out != "" || s == ""
}

// CheckEmail says whether s is one e-mail address.
func CheckEmail(s string) bool {
	var issues []Issue
	return sheet.FirstEmail(&sheet.Check{Issues: &issues}, "courriels", s) == s
}

// Vocabulary is the standard's list of values of a field: "services",
// "prise_en_charge_specifique" or "langues"; nil for another.
func Vocabulary(field string) []string {
	switch field {
	case "services":
		return vocabServices()
	case "prise_en_charge_specifique":
		return vocabCare()
	case colLangs:
		return vocabLangs()
	}
	return nil
}

// Record is p's values by the standard's column (StandardColumns), as the
// shipped file writes them: what a preview compares.
func Record(p *Place) map[string]string {
	rec := ShippedRecord(p)
	out := make(map[string]string, len(rec))
	for i, h := range ShippedHeader() {
		out[h] = rec[i]
	}
	return out
}
