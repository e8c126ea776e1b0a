package geo

import (
	"maps"
	"slices"
	"strings"

	"github.com/secours/secours/geo/internal/sheet"
)

// This file is the seam between the runtime directory and its importer,
// geo/geoimport: the directory's contents in the shape of its files, and
// a Draft to build a new directory from imported ones. The bot uses
// none of it.

// Issue is one problem found in a source file: a rejected row (an error)
// or a doubtful value that was dropped or kept as is (a warning).
type Issue = sheet.Issue

// OutsideKM is how far a place may lie from every known postcode.
const OutsideKM = outsideKM

// BeSTEntry is one commune of a postcode in FPS BOSA's BeST address
// register, with the postal names its addresses use there.
type BeSTEntry struct {
	NIS   string
	Names []string
}

// Locality is one line of localites.tsv: what a Belgian postcode locality
// (or, with no Name, the postcode as a whole) says of its commune.
type Locality struct {
	Postcode, Name, Area string
	NIS                  []string // one commune, or the candidates nearest first
	Method               string
}

// Contents is what a directory holds, as its files hold it.
type Contents struct {
	Postcodes  []PostcodeRow
	Communes   []CommuneRecord // the caller's to change
	Localities []Locality      // in the order of localites.tsv
	BeST       map[string][]BeSTEntry
	BeSTData   []byte   // best-codes-postaux.tsv as Open read it, unparsed
	Places     []*Place // shared: must not be changed
}

// Contents returns what d holds, for an import into it and for writing
// it out.
func (d *Directory) Contents() Contents {
	c := Contents{BeST: d.best, BeSTData: d.bestData, Places: slices.Clone(d.places)}
	c.Postcodes = slices.Clone(d.pcs)
	for _, r := range d.communes {
		r.OldNames = slices.Clone(r.OldNames)
		c.Communes = append(c.Communes, r)
	}
	if len(d.communes) == 0 {
		return c
	}
	nis := func(si int32) ([]string, string) {
		s := d.sets[si]
		out := make([]string, len(s.idx))
		for k, i := range s.idx {
			out[k] = d.communes[i].NIS
		}
		return out, s.method
	}
	for _, r := range d.pcs {
		if r.Country != BE || r.set <= 0 {
			continue
		}
		l := Locality{Postcode: r.Postcode, Name: r.Name, Area: r.Area}
		l.NIS, l.Method = nis(r.set)
		c.Localities = append(c.Localities, l)
	}
	for _, code := range slices.Sorted(maps.Keys(d.byPostcode)) {
		pc := d.byPostcode[code]
		if pc.country != BE || pc.set <= 0 {
			continue
		}
		l := Locality{Postcode: code, Area: d.pcs[pc.rows[0]].Area}
		l.NIS, l.Method = nis(pc.set)
		c.Localities = append(c.Localities, l)
	}
	return c
}

// Draft is a directory being imported: its postcodes and communes are
// known, its places not yet.
type Draft struct{ d *Directory }

// NewDraft indexes the postcode rows and, when there are communes, ties
// every Belgian locality to its commune again (deriveLocalities, with
// best, BeST's postcode → communes, first); the issues are the
// localities it could not tie.
func NewDraft(pcs []PostcodeRow, communes []CommuneRecord, best map[string][]BeSTEntry) (*Draft, []Issue) {
	d := newDirectory(nil, slices.Clone(pcs))
	var issues []Issue
	if len(communes) == 0 {
		return &Draft{d}, nil
	}
	cs := slices.Clone(communes)
	for i := range cs {
		cs[i].Region, cs[i].Province = regionOf(cs[i].NIS), provinceOf(cs[i].NIS)
	}
	d.setCommunes(cs)
	d.best = best
	d.deriveLocalities(&issues)
	return &Draft{d}, issues
}

// StandardPlace reads one row of the standard's form (CSV columns or
// JSON keys); ids holds the row ids seen so far in its file.
func (dr *Draft) StandardPlace(rc *sheet.Check, v map[string]string, file string, ids map[string]int) *Place {
	return standardPlace(rc, v, file, dr.d, ids)
}

// StandardCSV reads a place file in the standard's CSV form.
func (dr *Draft) StandardCSV(file string, data []byte) ([]*Place, []Issue) {
	var issues []Issue
	rows := splitStandardCSV(file, data, &issues)
	return standardPlaces(file, rows, dr.d, &issues), issues
}

// SetPoint sets p.Point from lat and lon, or from its postcode's centroid
// (Approx) when they are empty; false rejects the row.
func (dr *Draft) SetPoint(rc *sheet.Check, p *Place, lat, lon string) bool {
	return placeCoords(rc, p, lat, lon, dr.d)
}

// SetDayColumns sets p's hours from one column per day from Monday (the
// France services list's h_lundi …): any broken column keeps the raw text.
func SetDayColumns(rc *sheet.Check, p *Place, v map[string]string, cols []string) {
	var w Week
	var raw []string
	broken := false
	for i, col := range cols {
		s := v[col]
		if s != "" && s != "-" {
			raw = append(raw, strings.TrimPrefix(col, "h_")+" "+s)
		}
		spans, err := parseDayColumn(s)
		if err != nil {
			rc.Warnf(col, "%v; the raw text is shown as is", err)
			broken = true
			continue
		}
		w[i] = spans
	}
	switch {
	case broken:
		p.Hours = strings.Join(raw, " ; ")
	case !w.empty():
		w.normalise()
		p.Hours = w.String()
		p.sched = &w
	}
}

// Finish makes the directory: the Belgian commune-only places tied to
// their commune, a CPAS/OCMW card for every commune without one
// (cpasPlaces), and the first place of each ID kept.
func (dr *Draft) Finish(places []*Place) (*Directory, []Issue) {
	var issues []Issue
	d := dr.d
	if len(d.communes) > 0 {
		places = d.cpasPlaces(places, &issues)
	}
	places, iss := dedupe(places)
	issues = append(issues, iss...)
	d.setPlaces(places)
	return d, issues
}

// PostcodeCountry is the country of a known postcode.
func (d *Directory) PostcodeCountry(code string) (Country, bool) {
	pc := d.byPostcode[code]
	if pc == nil {
		return "", false
	}
	return pc.country, true
}

// CountryOf tells a postcode's country from its form alone.
func CountryOf(pc string) (Country, bool) { return countryOf(pc) }

// ValidNIS says whether s is a Belgian commune's 5-digit NIS code.
func ValidNIS(s string) bool { return isNIS(s) && regionOf(s) != "" }

// IsNIS says whether s has the form of a NIS code (5 digits).
func IsNIS(s string) bool { return isNIS(s) }

// FoldName is the form names are compared in: lower case, no accents.
func FoldName(s string) string { return normName(s) }

// TitleName is a source's locality name as the bot shows it.
func TitleName(s string) string { return titleName(s) }

// Valid says whether p is a latitude and longitude.
func (p Point) Valid() bool { return p.valid() }

// ReadPostcodes reads a postcodes.tsv in the shipped form.
func ReadPostcodes(file string, data []byte) ([]PostcodeRow, []Issue) {
	rows, issues, _ := parseShippedPostcodes(file, data)
	return rows, issues
}
