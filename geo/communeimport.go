package geo

import (
	"cmp"
	"fmt"
	"slices"
	"strconv"
	"strings"
)

// SourceCPAS is the dataset key of the CPAS/OCMW cards that Import makes
// for every commune without a sourced seat (Brussels, Wallonia).
const SourceCPAS = "cpas-be"

// nameMatchKM: a locality bearing a commune's name farther than this from
// the commune's seat is another place of the same name.
const nameMatchKM = 25

// nearChoices is how many commune seats an approximate locality offers.
const nearChoices = 3

// parseCommunes2025 reads ../shared/data/be-communes/communes-2025.csv:
// nis2025, name_fr, name_nl, seat_postcode, geonames_locality, lat, lon,
// note. A bad row is an error naming the file and line (see
// parseCommunes).
func parseCommunes2025(file string, data []byte) ([]communeRec, error) {
	var issues []Issue
	header, recs := readCSV(file, data, ',', &issues)
	if len(issues) > 0 {
		return nil, fmt.Errorf("%s", issues[0])
	}
	cols, ok := columns(file, header, []string{"nis2025", "name_fr", "name_nl", "seat_postcode", "geonames_locality", "lat", "lon"}, &issues)
	if !ok {
		return nil, fmt.Errorf("%s", issues[len(issues)-1])
	}
	var out []communeRec
	seen := make(map[string]int)
	for _, r := range recs {
		if len(r.fields) != len(header) {
			return nil, fmt.Errorf("%s:%d: %d fields, the header has %d", file, r.line, len(r.fields), len(header))
		}
		get := func(c string) string { return strings.TrimSpace(r.fields[cols[c]]) }
		c := communeRec{Commune: Commune{NIS: get("nis2025"), NameFR: get("name_fr"), NameNL: get("name_nl")},
			seatPC: get("seat_postcode"), seatName: get("geonames_locality")}
		if !isNIS(c.NIS) || regionOf(c.NIS) == "" {
			return nil, fmt.Errorf("%s:%d: nis2025 %q is not a commune's 5-digit NIS code", file, r.line, c.NIS)
		}
		if first, dup := seen[c.NIS]; dup {
			return nil, fmt.Errorf("%s:%d: nis2025 %s already on line %d", file, r.line, c.NIS, first)
		}
		seen[c.NIS] = r.line
		if c.NameFR == "" || c.NameNL == "" {
			return nil, fmt.Errorf("%s:%d: a commune needs its French and Dutch names", file, r.line)
		}
		c.Region, c.Province = regionOf(c.NIS), provinceOf(c.NIS)
		if lat, lon := get("lat"), get("lon"); lat != "" || lon != "" {
			la, err1 := strconv.ParseFloat(lat, 64)
			lo, err2 := strconv.ParseFloat(lon, 64)
			c.seat = Point{la, lo}
			if err1 != nil || err2 != nil || !c.seat.valid() {
				return nil, fmt.Errorf("%s:%d: bad coordinates %q, %q", file, r.line, lat, lon)
			}
			c.hasSeat = true
		}
		out = append(out, c)
	}
	if len(out) == 0 {
		return nil, fmt.Errorf("%s: no commune", file)
	}
	slices.SortFunc(out, func(a, b communeRec) int { return cmp.Compare(a.NIS, b.NIS) })
	return out, nil
}

// communeName is one name of a commune and the NIS code it had: a name
// merged in 2025 keeps its old code, whose province may differ
// (Zwijndrecht moved from Antwerpen to Oost-Vlaanderen).
type communeName struct{ nis, name string }

// names are every name of c: FR, NL, DE, then the merged communes'.
func (c *communeRec) names() []communeName {
	var out []communeName
	for _, n := range []string{c.NameFR, c.NameNL, c.NameDE} {
		if n != "" {
			out = append(out, communeName{c.NIS, n})
		}
	}
	for _, e := range c.oldNames {
		if nis, name, ok := strings.Cut(e, ":"); ok {
			out = append(out, communeName{nis, name})
		}
	}
	return out
}

// bestEntry is one commune of a postcode in FPS BOSA's BeST address
// register, with the postal names its addresses use there.
type bestEntry struct {
	nis   string
	names []string
}

// bestHeader is the first line of best-codes-postaux.tsv.
const bestHeader = "code_postal\tnis\tlocalites"

// parseBeST reads best-codes-postaux.tsv: code_postal, nis ("21004" or
// "21004|21005" when the postcode's addresses lie in several communes),
// localites ("21004=Bruxelles;21005=Etterbeek" for those). Any bad line is
// an error naming file and line.
func parseBeST(file string, data []byte) (map[string][]bestEntry, error) {
	out := make(map[string][]bestEntry)
	for line, l := range lines(data) {
		if line == 1 {
			if l != bestHeader {
				return nil, fmt.Errorf("%s:1: header %q, want %q", file, l, bestHeader)
			}
			continue
		}
		f := strings.Split(l, "\t")
		if len(f) != 3 {
			return nil, fmt.Errorf("%s:%d: %d fields, want 3", file, line, len(f))
		}
		if c, ok := countryOf(f[0]); !ok || c != BE {
			return nil, fmt.Errorf("%s:%d: %q is not a Belgian postcode", file, line, f[0])
		}
		if _, dup := out[f[0]]; dup {
			return nil, fmt.Errorf("%s:%d: postcode %s twice", file, line, f[0])
		}
		var es []bestEntry
		for _, nis := range strings.Split(f[1], "|") {
			if !isNIS(nis) {
				return nil, fmt.Errorf("%s:%d: nis %q is not a 5-digit NIS code", file, line, nis)
			}
			es = append(es, bestEntry{nis: nis})
		}
		if f[2] != "" {
			for _, part := range strings.Split(f[2], ";") {
				nis, name, ok := strings.Cut(part, "=")
				k := slices.IndexFunc(es, func(e bestEntry) bool { return e.nis == nis })
				if !ok || k < 0 || name == "" {
					return nil, fmt.Errorf("%s:%d: localites %q: want nis=name, a nis of the line", file, line, part)
				}
				es[k].names = append(es[k].names, name)
			}
		}
		out[f[0]] = es
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
func applyNamesDE(file string, data []byte, cs []communeRec) error {
	byNIS := make(map[string]int, len(cs))
	for i, c := range cs {
		byNIS[c.NIS] = i
	}
	for line, l := range lines(data) {
		if line == 1 {
			if l != namesDEHeader {
				return fmt.Errorf("%s:1: header %q, want %q", file, l, namesDEHeader)
			}
			continue
		}
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
	for line, l := range lines(data) {
		if line == 1 {
			if l != fusionsHeader {
				return nil, fmt.Errorf("%s:1: header %q, want %q", file, l, fusionsHeader)
			}
			continue
		}
		f := strings.Split(l, "\t")
		if len(f) != 3 || !isNIS(f[0]) || f[1] == "" || !isNIS(f[2]) {
			return nil, fmt.Errorf("%s:%d: want ancien_nis, ancien_nom, nis2025 (5-digit NIS codes), got %q", file, line, l)
		}
		out = append(out, fusion{f[0], f[1], f[2]})
	}
	return out, nil
}

const fusionsHeader = "ancien_nis\tancien_nom\tnis2025"

// applyFusions records the merged communes' old names on their successors.
func applyFusions(file string, cs []communeRec, fs []fusion) error {
	byNIS := make(map[string]int, len(cs))
	for i, c := range cs {
		byNIS[c.NIS] = i
	}
	for _, f := range fs {
		i, ok := byNIS[f.newNIS]
		if !ok {
			return fmt.Errorf("%s: nis2025 %s (for %s) is not a commune of 2025", file, f.newNIS, f.oldName)
		}
		if e := f.oldNIS + ":" + f.oldName; !slices.Contains(cs[i].oldNames, e) && f.oldNIS != f.newNIS {
			cs[i].oldNames = append(cs[i].oldNames, e)
		}
	}
	return nil
}

// areaGroup is where a name can be a commune's: its province (Brussels
// as its own group), read from a NIS or a 2-digit arrondissement code.
func areaGroup(nis string) string { return regionOf(nis) + "/" + provinceOf(nis) }

// deriveLocalities ties every Belgian postcode locality (with its GeoNames
// arrondissement) to its commune, as SOURCE-be-communes.md describes:
//  1. the seat locality of a commune, or a locality bearing the name (FR,
//     NL, DE, or a name merged in 2025) of a commune of its province
//     within nameMatchKM of the seat: that commune (methodName);
//  2. another locality of a postcode where exactly one commune was named:
//     that commune (methodPostcode);
//  3. anything else: approximate (methodNear), the communes named in its
//     postcode or else the nearChoices nearest seats of its province,
//     nearest first. The bot asks.
func (d *Directory) deriveLocalities(issues *[]Issue) {
	d.sets = []communeSet{{}}
	d.setIndex = nil
	type key struct{ group, name string }
	byName := make(map[key][]int32)
	for i := range d.communes {
		c := &d.communes[i]
		for _, n := range c.names() {
			k := key{areaGroup(n.nis), normName(n.name)}
			if !slices.Contains(byName[k], int32(i)) {
				byName[k] = append(byName[k], int32(i))
			}
		}
	}
	named := make([]int32, len(d.pcs)) // commune index + 1 of rule 1, 0 for none
	for i := range d.communes {
		c := &d.communes[i]
		if pc := d.byPostcode[c.seatPC]; pc != nil && c.seatName != "" {
			for _, r := range pc.rows {
				if normName(d.pcs[r].name) == normName(c.seatName) {
					named[r] = int32(i) + 1
				}
			}
		}
	}
	for r := range d.pcs {
		row := &d.pcs[r]
		if row.country != BE || named[r] != 0 || row.area == "" {
			continue
		}
		for _, c := range byName[key{areaGroup(row.area), normName(row.name)}] {
			cr := &d.communes[c]
			if !cr.hasSeat || Distance(cr.seat, row.pt) <= nameMatchKM {
				named[r] = c + 1
				break
			}
		}
	}
	// A merged commune with no seat of its own (Pajottegem …): the mean of
	// its named localities, so that nearness can still be measured.
	for i := range d.communes {
		c := &d.communes[i]
		if c.hasSeat {
			continue
		}
		var sum Point
		n := 0
		for r, v := range named {
			if v == int32(i)+1 {
				sum.Lat += d.pcs[r].pt.Lat
				sum.Lon += d.pcs[r].pt.Lon
				n++
			}
		}
		if n > 0 {
			c.seat, c.hasSeat = Point{sum.Lat / float64(n), sum.Lon / float64(n)}, true
		}
	}
	for code, pc := range d.byPostcode {
		if pc.country != BE {
			continue
		}
		if d.bestPostcode(code, pc, named, issues) {
			continue
		}
		var inPC []int32
		for _, r := range pc.rows {
			if c := named[r] - 1; c >= 0 && !slices.Contains(inPC, c) {
				inPC = append(inPC, c)
			}
		}
		for _, r := range pc.rows {
			row := &d.pcs[r]
			var s communeSet
			switch c := named[r] - 1; {
			case c >= 0:
				s = communeSet{idx: []int32{c}, method: methodName}
			case len(inPC) == 1:
				s = communeSet{idx: inPC, method: methodPostcode}
			case len(inPC) > 1:
				s = communeSet{idx: d.byDistance(slices.Clone(inPC), row.pt), method: methodNear}
			case row.area == "":
				*issues = append(*issues, Issue{File: localitiesFile, Field: "arrondissement", Warning: true,
					Msg: fmt.Sprintf("%s %s: no arrondissement, so no commune: import the GeoNames file with the communes", code, row.name)})
				continue
			default:
				s = communeSet{idx: d.nearestSeats(areaGroup(row.area), row.pt, nearChoices), method: methodNear}
			}
			if len(s.idx) == 0 {
				*issues = append(*issues, Issue{File: localitiesFile, Warning: true,
					Msg: fmt.Sprintf("%s %s: no commune of its province has a seat point", code, row.name)})
				continue
			}
			row.set = d.addSet(s)
		}
	}
}

// bestPostcode ties the localities of a postcode of the BeST table to
// their communes: all of them to its one commune, or, when its addresses
// lie in several, each locality bearing one commune's postal name to it
// and the postcode as a whole to all of them (the bot asks). It reports
// false for a postcode BeST does not list.
func (d *Directory) bestPostcode(code string, pc *postcode, named []int32, issues *[]Issue) bool {
	es := d.best[code]
	if len(es) == 0 {
		return false
	}
	var all []int32
	for _, e := range es {
		c, ok := d.byNIS[e.nis]
		if !ok {
			*issues = append(*issues, Issue{File: bestFile, Warning: true,
				Msg: fmt.Sprintf("%s: nis %s is not a commune of 2025; the postcode is derived instead", code, e.nis)})
			return false
		}
		all = append(all, c)
	}
	if len(all) == 1 {
		for _, r := range pc.rows {
			d.pcs[r].set = d.addSet(communeSet{idx: all, method: methodBeST})
		}
		return true
	}
	// Several communes: the one a locality names (by BeST's postal names,
	// or by the commune's own name) comes first in the question.
	var first []int32
	for _, r := range pc.rows {
		n := normName(d.pcs[r].name)
		c := int32(-1)
		for k, e := range es {
			if slices.ContainsFunc(e.names, func(s string) bool { return normName(s) == n }) {
				c = all[k]
				break
			}
		}
		if c < 0 && named[r] > 0 && slices.Contains(all, named[r]-1) {
			c = named[r] - 1
		}
		s := communeSet{idx: all, method: methodBeST}
		if c >= 0 {
			s.idx = []int32{c}
			if !slices.Contains(first, c) {
				first = append(first, c)
			}
		}
		d.pcs[r].set = d.addSet(s)
	}
	order := slices.Clone(first)
	for _, c := range all {
		if !slices.Contains(order, c) {
			order = append(order, c)
		}
	}
	pc.set = d.addSet(communeSet{idx: order, method: methodBeST})
	return true
}

// byDistance orders commune indices by their seat's distance to p.
func (d *Directory) byDistance(cs []int32, p Point) []int32 {
	km := func(c int32) float64 {
		if !d.communes[c].hasSeat {
			return 1e9
		}
		return Distance(d.communes[c].seat, p)
	}
	slices.SortFunc(cs, func(a, b int32) int { return cmp.Or(cmp.Compare(km(a), km(b)), cmp.Compare(a, b)) })
	return cs
}

// nearestSeats is the n communes of group whose seats are nearest to p.
func (d *Directory) nearestSeats(group string, p Point, n int) []int32 {
	var cs []int32
	for i := range d.communes {
		if d.communes[i].hasSeat && areaGroup(d.communes[i].NIS) == group {
			cs = append(cs, int32(i))
		}
	}
	cs = d.byDistance(cs, p)
	return cs[:min(n, len(cs))]
}

// communeOfPlace finds the commune a Belgian commune-only place serves:
// the one its postcode locality is certain of, else the commune bearing
// its commune name in the province of its postcode.
func (d *Directory) communeOfPlace(p *Place) (int32, bool) {
	pc := d.byPostcode[p.Postcode]
	if pc == nil {
		return 0, false
	}
	n := normName(p.Commune)
	var loc Location
	loc.Country = BE
	d.setLocation(&loc, pc.rows, pc.set)
	group := ""
	for _, r := range pc.rows {
		if d.pcs[r].area != "" {
			group = areaGroup(d.pcs[r].area)
		}
	}
	for i := range d.communes {
		c := &d.communes[i]
		for _, name := range c.names() {
			if (group == "" || areaGroup(name.nis) == group) && normName(name.name) == n {
				return int32(i), true
			}
		}
	}
	if loc.NIS != "" {
		return d.byNIS[loc.NIS], true
	}
	return 0, false
}

// cpasPlaces ties the Belgian commune-only places to their commune (NIS)
// and makes a CPAS/OCMW card for every commune that has none. Such a card
// carries what the law says and nothing a source does not give: no
// street, phone, e-mail or hours; its point is the commune seat, which
// is not an address (NoPoint).
func (d *Directory) cpasPlaces(places []*Place, issues *[]Issue) []*Place {
	served := make(map[string]bool)
	var out []*Place
	for _, p := range places {
		if p.Source == SourceCPAS {
			continue // regenerated below
		}
		if p.Country == BE && p.CommuneOnly {
			if p.NIS == "" {
				if c, ok := d.communeOfPlace(p); ok {
					p.NIS = d.communes[c].NIS
				} else {
					*issues = append(*issues, Issue{File: p.Source, Field: "commune", Warning: true,
						Msg: fmt.Sprintf("%s: commune %q (%s) is not a commune of 2025: the place serves nobody", p.ID, p.Commune, p.Postcode)})
				}
			}
			if p.NIS != "" {
				served[p.NIS] = true
			}
		}
		out = append(out, p)
	}
	for i := range d.communes {
		c := &d.communes[i]
		if served[c.NIS] {
			continue
		}
		if !c.hasSeat || d.byPostcode[c.seatPC] == nil {
			*issues = append(*issues, Issue{File: communesFile, Field: "nis", Warning: true,
				Msg: fmt.Sprintf("%s %s: no CPAS/OCMW place and no seat to make one on", c.NIS, c.NameFR)})
			continue
		}
		out = append(out, cpasPlace(c))
	}
	return out
}

// cpasPlace is the card of c's CPAS/OCMW. Its services are the legal
// mission (social aid, including help to obtain one's rights, one to
// one), never digital training: no source says a CPAS gives it.
func cpasPlace(c *communeRec) *Place {
	p := &Place{
		ID:          SourceCPAS + "/" + c.NIS,
		Country:     BE,
		Postcode:    c.seatPC,
		Point:       c.seat,
		Approx:      true,
		NoPoint:     true,
		NIS:         c.NIS,
		Services:    []string{ServiceProcedures},
		Modalities:  []string{ModeOneToOne},
		Programmes:  []string{ProgrammeCPAS},
		TagSource:   TagLegalMission,
		Source:      SourceCPAS,
		CommuneOnly: true,
	}
	switch {
	case germanSpeaking(c.NIS):
		p.Name, p.Commune, p.Langs = "CPAS / ÖSHZ "+c.Name("de"), c.Name("de"), []string{"de", "fr"}
	case c.Region == "BRU":
		p.Name, p.Commune, p.Langs = "CPAS / OCMW "+c.Bilingual(), c.Bilingual(), []string{"fr", "nl"}
	case c.Region == "VLG":
		p.Name, p.Commune, p.Langs = "OCMW "+c.NameNL, c.NameNL, []string{"nl"}
	default:
		p.Name, p.Commune, p.Langs = "CPAS "+c.NameFR, c.NameFR, []string{"fr"}
	}
	return p
}
