// Package geoimport reads the place, postcode and commune sources in
// every supported format, merges them into a directory and writes the
// directory in its shipped form (configs/places): what "secours places
// import" and "places check" do. The bot itself only opens the shipped
// files (geo.Open).
package geoimport

import (
	"fmt"
	"maps"
	"slices"

	"github.com/secours/secours/geo"
)

// SourceFile is one file given to Import.
type SourceFile struct {
	Name string
	Data []byte
}

// Import validates files in any supported format and merges them into
// base (nil: start empty). Postcode files replace their country's
// postcodes; place files replace the places of their dataset (the file
// name for the standard format); a commune file (communes-2025.csv,
// fusions-2025.tsv) replaces the Belgian communes. Bad place and postcode
// rows are left out and reported; the rest imports. A bad commune file is
// an error naming its file and line, and nothing is imported: a commune
// read wrong would send people to another commune's CPAS.
//
// Whenever communes are known, every Belgian locality is tied to its
// commune again and every commune without a CPAS/OCMW place gets one
// (geo.NewDraft, Draft.Finish), so an import is reproducible from its
// files alone.
func Import(base *geo.Directory, files []SourceFile) (*geo.Directory, []geo.Issue, error) {
	var in geo.Contents
	if base != nil {
		in = base.Contents()
	}
	pcs, placeFiles, communeFiles, issues := importPostcodes(in.Postcodes, files)
	cs, best, err := importCommunes(in, communeFiles)
	if err != nil {
		return nil, issues, fmt.Errorf("import: %w", err)
	}
	dr, iss := geo.NewDraft(pcs, cs, best)
	issues = append(issues, iss...)

	replaced := make(map[string]bool)
	var places []*geo.Place
	for _, f := range placeFiles {
		ps, iss, err := parsePlaceFile(f.Name, f.Data, dr)
		issues = append(issues, iss...)
		if err != nil {
			issues = append(issues, geo.Issue{File: f.Name, Msg: err.Error()})
			continue
		}
		switch detect(f.Data) {
		case kindFranceServ:
			replaced[geo.SourceFranceServices] = true
		case kindOCMW:
			replaced[geo.SourceOCMW] = true
		default:
			replaced[geo.SourceKey(f.Name)] = true
		}
		for _, p := range ps {
			replaced[p.Source] = true
		}
		places = append(places, ps...)
	}
	if base != nil {
		var kept []*geo.Place
		for _, p := range in.Places {
			if !replaced[p.Source] {
				kept = append(kept, p)
			}
		}
		places = append(kept, places...)
	}
	d, iss := dr.Finish(places)
	return d, append(issues, iss...), nil
}

// importPostcodes reads the postcode files, which replace base's rows of
// their country, and sorts the other files into place and commune files.
func importPostcodes(base []geo.PostcodeRow, files []SourceFile) (pcs []geo.PostcodeRow, placeFiles, communeFiles []SourceFile, issues []geo.Issue) {
	newPC := make(map[geo.Country][]geo.PostcodeRow)
	for _, f := range files {
		k := detect(f.Data)
		switch {
		case k == kindUnknown:
			issues = append(issues, geo.Issue{File: f.Name, Line: 1, Msg: "unknown format: want the standard's CSV or JSON, the France services list, the Flemish OCMW list, a postcode file or a commune file"})
			continue
		case k.communes():
			communeFiles = append(communeFiles, f)
			continue
		case !k.postcodes():
			placeFiles = append(placeFiles, f)
			continue
		}
		rows, iss, err := parsePostcodeFile(f.Name, f.Data)
		issues = append(issues, iss...)
		if err != nil {
			issues = append(issues, geo.Issue{File: f.Name, Msg: err.Error()})
			continue
		}
		for _, r := range rows {
			newPC[r.Country] = append(newPC[r.Country], r)
		}
	}
	for _, r := range base {
		if _, replaced := newPC[r.Country]; !replaced {
			pcs = append(pcs, r)
		}
	}
	for _, c := range slices.Sorted(maps.Keys(newPC)) {
		pcs = append(pcs, newPC[c]...)
	}
	return pcs, placeFiles, communeFiles, issues
}

// importCommunes reads the commune files, or keeps base's communes and
// BeST table for those not given. The results are the caller's to change.
func importCommunes(base geo.Contents, files []SourceFile) ([]geo.CommuneRecord, map[string][]geo.BeSTEntry, error) {
	cs := base.Communes
	best := base.BeST
	if best == nil && base.BeSTData != nil {
		b, err := parseBeST(geo.BeSTFile, base.BeSTData)
		if err != nil {
			return nil, nil, err
		}
		best = b
	}
	var fus, de []SourceFile
	for _, f := range files {
		switch detect(f.Data) {
		case kindFusions:
			fus = append(fus, f)
		case kindNamesDE:
			de = append(de, f)
		case kindBeST:
			b, err := parseBeST(f.Name, f.Data)
			if err != nil {
				return nil, nil, err
			}
			best = b
		default:
			read, err := parseCommunes2025(f.Name, f.Data)
			if err != nil {
				return nil, nil, err
			}
			cs = read
		}
	}
	for _, f := range fus {
		if len(cs) == 0 {
			return nil, nil, fmt.Errorf("%s: the merged communes need the communes of 2025 (communes-2025.csv) in the same import", f.Name)
		}
		fs, err := parseFusions(f.Name, f.Data)
		if err != nil {
			return nil, nil, err
		}
		if err := applyFusions(f.Name, cs, fs); err != nil {
			return nil, nil, err
		}
	}
	for _, f := range de {
		if len(cs) == 0 {
			return nil, nil, fmt.Errorf("%s: German names need the communes of 2025 (communes-2025.csv) in the same import", f.Name)
		}
		if err := applyNamesDE(f.Name, f.Data, cs); err != nil {
			return nil, nil, err
		}
	}
	return cs, best, nil
}
