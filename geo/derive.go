package geo

import (
	"cmp"
	"fmt"
	"slices"
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

// communeName is one name of a commune and the NIS code it had: a name
// merged in 2025 keeps its old code, whose province may differ
// (Zwijndrecht moved from Antwerpen to Oost-Vlaanderen).
type communeName struct{ nis, name string }

// names are every name of c: FR, NL, DE, then the merged communes'.
func (c *CommuneRecord) names() []communeName {
	var out []communeName
	for _, n := range []string{c.NameFR, c.NameNL, c.NameDE} {
		if n != "" {
			out = append(out, communeName{c.NIS, n})
		}
	}
	for _, e := range c.OldNames {
		if nis, name, ok := strings.Cut(e, ":"); ok {
			out = append(out, communeName{nis, name})
		}
	}
	return out
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
		if pc := d.byPostcode[c.SeatPostcode]; pc != nil && c.SeatName != "" {
			for _, r := range pc.rows {
				if normName(d.pcs[r].Name) == normName(c.SeatName) {
					named[r] = int32(i) + 1
				}
			}
		}
	}
	for r := range d.pcs {
		row := &d.pcs[r]
		if row.Country != BE || named[r] != 0 || row.Area == "" {
			continue
		}
		for _, c := range byName[key{areaGroup(row.Area), normName(row.Name)}] {
			cr := &d.communes[c]
			if !cr.HasSeat || Distance(cr.Seat, row.Point) <= nameMatchKM {
				named[r] = c + 1
				break
			}
		}
	}
	// A merged commune with no seat of its own (Pajottegem …): the mean of
	// its named localities, so that nearness can still be measured.
	for i := range d.communes {
		c := &d.communes[i]
		if c.HasSeat {
			continue
		}
		var sum Point
		n := 0
		for r, v := range named {
			if v == int32(i)+1 {
				sum.Lat += d.pcs[r].Point.Lat
				sum.Lon += d.pcs[r].Point.Lon
				n++
			}
		}
		if n > 0 {
			c.Seat, c.HasSeat = Point{sum.Lat / float64(n), sum.Lon / float64(n)}, true
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
				s = communeSet{idx: d.byDistance(slices.Clone(inPC), row.Point), method: methodNear}
			case row.Area == "":
				*issues = append(*issues, Issue{File: LocalitiesFile, Field: "arrondissement", Warning: true,
					Msg: fmt.Sprintf("%s %s: no arrondissement, so no commune: import the GeoNames file with the communes", code, row.Name)})
				continue
			default:
				s = communeSet{idx: d.nearestSeats(areaGroup(row.Area), row.Point, nearChoices), method: methodNear}
			}
			if len(s.idx) == 0 {
				*issues = append(*issues, Issue{File: LocalitiesFile, Warning: true,
					Msg: fmt.Sprintf("%s %s: no commune of its province has a seat point", code, row.Name)})
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
		c, ok := d.byNIS[e.NIS]
		if !ok {
			*issues = append(*issues, Issue{File: BeSTFile, Warning: true,
				Msg: fmt.Sprintf("%s: nis %s is not a commune of 2025; the postcode is derived instead", code, e.NIS)})
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
		n := normName(d.pcs[r].Name)
		c := int32(-1)
		for k, e := range es {
			if slices.ContainsFunc(e.Names, func(s string) bool { return normName(s) == n }) {
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
		if !d.communes[c].HasSeat {
			return 1e9
		}
		return Distance(d.communes[c].Seat, p)
	}
	slices.SortFunc(cs, func(a, b int32) int { return cmp.Or(cmp.Compare(km(a), km(b)), cmp.Compare(a, b)) })
	return cs
}

// nearestSeats is the n communes of group whose seats are nearest to p.
func (d *Directory) nearestSeats(group string, p Point, n int) []int32 {
	var cs []int32
	for i := range d.communes {
		if d.communes[i].HasSeat && areaGroup(d.communes[i].NIS) == group {
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
		if d.pcs[r].Area != "" {
			group = areaGroup(d.pcs[r].Area)
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
		if !c.HasSeat || d.byPostcode[c.SeatPostcode] == nil {
			*issues = append(*issues, Issue{File: CommunesFile, Field: "nis", Warning: true,
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
func cpasPlace(c *CommuneRecord) *Place {
	p := &Place{
		ID:          SourceCPAS + "/" + c.NIS,
		Country:     BE,
		Postcode:    c.SeatPostcode,
		Point:       c.Seat,
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
