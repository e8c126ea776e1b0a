package geoimport

import (
	"cmp"
	"fmt"
	"slices"
	"strings"

	"github.com/secours/secours/geo"
	"github.com/secours/secours/geo/internal/sheet"
)

// parseCommunes2025 reads ../shared/data/be-communes/communes-2025.csv:
// nis2025, name_fr, name_nl, seat_postcode, geonames_locality, lat, lon,
// note. A bad row is an error naming the file and line (see
// parseCommunes).
func parseCommunes2025(file string, data []byte) ([]geo.CommuneRecord, error) {
	var issues []geo.Issue
	header, recs := sheet.ReadCSV(file, data, ',', &issues)
	if len(issues) > 0 {
		return nil, fmt.Errorf("%s", issues[0])
	}
	cols, ok := sheet.Columns(file, header, []string{"nis2025", "name_fr", "name_nl", "seat_postcode", "geonames_locality", "lat", "lon"}, &issues)
	if !ok {
		return nil, fmt.Errorf("%s", issues[len(issues)-1])
	}
	var out []geo.CommuneRecord
	seen := make(map[string]int)
	for _, r := range recs {
		if len(r.Fields) != len(header) {
			return nil, fmt.Errorf("%s:%d: %d fields, the header has %d", file, r.Line, len(r.Fields), len(header))
		}
		get := func(c string) string { return strings.TrimSpace(r.Fields[cols[c]]) }
		c := geo.CommuneRecord{Commune: geo.Commune{NIS: get("nis2025"), NameFR: get("name_fr"), NameNL: get("name_nl")},
			SeatPostcode: get("seat_postcode"), SeatName: get("geonames_locality")}
		if !geo.ValidNIS(c.NIS) {
			return nil, fmt.Errorf("%s:%d: nis2025 %q is not a commune's 5-digit NIS code", file, r.Line, c.NIS)
		}
		if first, dup := seen[c.NIS]; dup {
			return nil, fmt.Errorf("%s:%d: nis2025 %s already on line %d", file, r.Line, c.NIS, first)
		}
		seen[c.NIS] = r.Line
		if c.NameFR == "" || c.NameNL == "" {
			return nil, fmt.Errorf("%s:%d: a commune needs its French and Dutch names", file, r.Line)
		}
		if lat, lon := get("lat"), get("lon"); !c.SetSeat(lat, lon) {
			return nil, fmt.Errorf("%s:%d: bad coordinates %q, %q", file, r.Line, lat, lon)
		}
		out = append(out, c)
	}
	if len(out) == 0 {
		return nil, fmt.Errorf("%s: no commune", file)
	}
	slices.SortFunc(out, func(a, b geo.CommuneRecord) int { return cmp.Compare(a.NIS, b.NIS) })
	return out, nil
}

// bestHeader is the first line of best-codes-postaux.tsv.
const bestHeader = "code_postal\tnis\tlocalites"

// parseBeST reads best-codes-postaux.tsv: code_postal, nis ("21004" or
// "21004|21005" when the postcode's addresses lie in several communes),
// localites ("21004=Bruxelles;21005=Etterbeek" for those). Any bad line is
// an error naming file and line.
func parseBeST(file string, data []byte) (map[string][]geo.BeSTEntry, error) {
	out := make(map[string][]geo.BeSTEntry)
	err := sheet.Rows(file, data, bestHeader, 3, func(line int, f []string) error {
		if c, ok := geo.CountryOf(f[0]); !ok || c != geo.BE {
			return fmt.Errorf("%s:%d: %q is not a Belgian postcode", file, line, f[0])
		}
		if _, dup := out[f[0]]; dup {
			return fmt.Errorf("%s:%d: postcode %s twice", file, line, f[0])
		}
		var es []geo.BeSTEntry
		for _, nis := range strings.Split(f[1], "|") {
			if !geo.IsNIS(nis) {
				return fmt.Errorf("%s:%d: nis %q is not a 5-digit NIS code", file, line, nis)
			}
			es = append(es, geo.BeSTEntry{NIS: nis})
		}
		if f[2] != "" {
			for _, part := range strings.Split(f[2], ";") {
				nis, name, ok := strings.Cut(part, "=")
				k := slices.IndexFunc(es, func(e geo.BeSTEntry) bool { return e.NIS == nis })
				if !ok || k < 0 || name == "" {
					return fmt.Errorf("%s:%d: localites %q: want nis=name, a nis of the line", file, line, part)
				}
				es[k].Names = append(es[k].Names, name)
			}
		}
		out[f[0]] = es
		return nil
	})
	if err != nil {
		return nil, err
	}
	if len(out) == 0 {
		return nil, fmt.Errorf("%s: no postcode", file)
	}
	return out, nil
}

// namesDEHeader is the first line of communes-de.tsv.
const namesDEHeader = "nis\tnom_de"

// applyNamesDE reads communes-de.tsv (nis, nom_de: the German names BeST
// gives that differ from the French and Dutch ones, and the nine
// communes of the German-speaking Community) into cs.
func applyNamesDE(file string, data []byte, cs []geo.CommuneRecord) error {
	byNIS := make(map[string]int, len(cs))
	for i, c := range cs {
		byNIS[c.NIS] = i
	}
	body, err := sheet.Body(file, data, namesDEHeader)
	if err != nil {
		return err
	}
	for line, l := range body {
		nis, name, ok := strings.Cut(l, "\t")
		i, known := byNIS[nis]
		if !ok || !known || name == "" || strings.Contains(name, "\t") {
			return fmt.Errorf("%s:%d: want nis (a commune of 2025) and nom_de, got %q", file, line, l)
		}
		cs[i].NameDE = name
	}
	return nil
}

// fusion is one old commune merged on 1 January 2025.
type fusion struct{ oldNIS, oldName, newNIS string }

// parseFusions reads fusions-2025.tsv (ancien_nis, ancien_nom, nis2025).
func parseFusions(file string, data []byte) ([]fusion, error) {
	var out []fusion
	body, err := sheet.Body(file, data, fusionsHeader)
	if err != nil {
		return nil, err
	}
	for line, l := range body {
		f := strings.Split(l, "\t")
		if len(f) != 3 || !geo.IsNIS(f[0]) || f[1] == "" || !geo.IsNIS(f[2]) {
			return nil, fmt.Errorf("%s:%d: want ancien_nis, ancien_nom, nis2025 (5-digit NIS codes), got %q", file, line, l)
		}
		out = append(out, fusion{f[0], f[1], f[2]})
	}
	return out, nil
}

const fusionsHeader = "ancien_nis\tancien_nom\tnis2025"

// applyFusions records the merged communes' old names on their successors.
func applyFusions(file string, cs []geo.CommuneRecord, fs []fusion) error {
	byNIS := make(map[string]int, len(cs))
	for i, c := range cs {
		byNIS[c.NIS] = i
	}
	for _, f := range fs {
		i, ok := byNIS[f.newNIS]
		if !ok {
			return fmt.Errorf("%s: nis2025 %s (for %s) is not a commune of 2025", file, f.newNIS, f.oldName)
		}
		if e := f.oldNIS + ":" + f.oldName; !slices.Contains(cs[i].OldNames, e) && f.oldNIS != f.newNIS {
			cs[i].OldNames = append(cs[i].OldNames, e)
		}
	}
	return nil
}
