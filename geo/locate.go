package geo

import (
	"cmp"
	"errors"
	"fmt"
	"math"
	"slices"
	"strconv"
	"strings"
)

// Location is where a person is, as geocoded.
type Location struct {
	Point    Point
	Country  Country
	Postcode string // "1000", "75001"; for a raw point, the nearest postcode
	Commune  string // display name
	Approx   bool   // Point is a postcode/commune centroid
	// NIS is the Belgian commune (2025 NIS code), set only when it is
	// certain. Communes is set instead (two or more) when the postcode or
	// locality may lie in several communes or its mapping is approximate:
	// ask "Vous habitez à … ?" and narrow with InCommune; never guess.
	NIS      string
	Communes []Commune
}

// countryOf decides the country from the postcode's shape alone.
func countryOf(pc string) (Country, bool) {
	if !allDigits(pc) {
		return "", false
	}
	switch len(pc) {
	case 4:
		return BE, pc[0] != '0'
	case 5:
		return FR, true
	}
	return "", false
}

func allDigits(s string) bool {
	if s == "" {
		return false
	}
	for i := 0; i < len(s); i++ {
		if s[i] < '0' || s[i] > '9' {
			return false
		}
	}
	return true
}

// Locate geocodes a postcode ("1000", "75001", "B-1000"), a postcode with a
// name ("4000 Liège"), a commune name (accents and case ignored), or a raw
// "lat,lon". An unknown input gives a *NotFoundError with suggestions.
// A Belgian location carries its commune (NIS) when it is certain, or the
// communes to ask between (Communes).
func (d *Directory) Locate(input string) (Location, error) { return d.LocateIn(input, "") }

// LocateIn is Locate for a person of country (BE, FR, or "" for no
// hint): a name found in both countries ("Lille") is read in the
// person's country first, and suggestions from it come first.
func (d *Directory) LocateIn(input string, country Country) (Location, error) {
	s := strings.TrimSpace(input)
	if len(s) > 200 {
		return Location{}, &NotFoundError{Input: input}
	}
	if p, ok := parseLatLon(s); ok {
		if !p.valid() {
			return Location{}, fmt.Errorf("locate: %w", ErrBadPoint)
		}
		return d.LocatePoint(p)
	}
	// A postcode anywhere among the words wins; the rest names the locality.
	words := strings.FieldsFunc(s, func(r rune) bool { return r == ' ' || r == ',' || r == '\t' })
	for i, w := range words {
		pc := strings.TrimPrefix(strings.TrimPrefix(strings.ToUpper(w), "B-"), "F-")
		if !allDigits(pc) {
			continue
		}
		rest := strings.Join(append(slices.Clone(words[:i]), words[i+1:]...), " ")
		return d.locatePostcode(input, pc, rest)
	}
	if fixed, ok := misreadPostcode(s); ok {
		// "1OOO": letters O/l/I typed for digits. Offer the fix, do not guess.
		e := &NotFoundError{Input: input}
		if pc, ok := d.byPostcode[fixed]; ok {
			e.Suggestions = []string{fixed + " " + d.pcs[pc.rows[0]].Name}
		}
		return Location{}, e
	}
	return d.locateName(input, normName(s), country)
}

func (d *Directory) locatePostcode(input, code, name string) (Location, error) {
	c, ok := countryOf(code)
	pc := d.byPostcode[code]
	if !ok || pc == nil {
		return Location{}, &NotFoundError{Input: input}
	}
	loc := Location{Point: pc.centre, Country: c, Postcode: code, Commune: d.pcs[pc.rows[0]].Name, Approx: true}
	rows, pcSet := pc.rows, pc.set
	if n := normName(name); n != "" {
		for k, i := range pc.rows {
			if normName(d.pcs[i].Name) == n {
				loc.Point, loc.Commune = d.pcs[i].Point, d.pcs[i].Name
				// The person named their locality: its own commune, not
				// every commune of the postcode.
				rows, pcSet = pc.rows[k:k+1], 0
				break
			}
		}
	}
	d.setLocation(&loc, rows, pcSet)
	return loc, nil
}

// ambiguousKM: rows of one name farther apart than this are different
// communes (Saint-Denis 93 and 974), not quarters of one city (Paris 01–20).
const ambiguousKM = 20

func (d *Directory) locateName(input, n string, country Country) (Location, error) {
	rows := d.names().byName[n]
	if len(rows) == 0 {
		return Location{}, &NotFoundError{Input: input, Suggestions: d.suggest(n, country)}
	}
	if country != "" {
		// The person's country first: "Lille" is 59000 for a French
		// person, 2275 for a Belgian one.
		var home []int32
		for _, i := range rows {
			if d.pcs[i].Country == country {
				home = append(home, i)
			}
		}
		if len(home) > 0 {
			rows = home
		}
	}
	var sum Point
	for _, i := range rows {
		sum.Lat += d.pcs[i].Point.Lat
		sum.Lon += d.pcs[i].Point.Lon
	}
	mean := Point{sum.Lat / float64(len(rows)), sum.Lon / float64(len(rows))}
	best, bestD := rows[0], math.Inf(1)
	far := false
	for _, i := range rows {
		dist := Distance(mean, d.pcs[i].Point)
		if dist > ambiguousKM {
			far = true
		}
		if dist < bestD || (dist == bestD && d.pcs[i].Postcode < d.pcs[best].Postcode) {
			best, bestD = i, dist
		}
	}
	if far {
		e := &NotFoundError{Input: input, Ambiguous: true}
		seen := make(map[string]bool)
		sorted := slices.Clone(rows)
		slices.SortFunc(sorted, func(a, b int32) int { return cmp.Compare(d.pcs[a].Postcode, d.pcs[b].Postcode) })
		for _, i := range sorted {
			r := d.pcs[i]
			if !seen[r.Postcode] && len(e.Suggestions) < 3 {
				seen[r.Postcode] = true
				e.Suggestions = append(e.Suggestions, r.Postcode+" "+r.Name)
			}
		}
		return Location{}, e
	}
	r := d.pcs[best]
	loc := Location{Point: mean, Country: r.Country, Postcode: r.Postcode, Commune: r.Name, Approx: true}
	d.setLocation(&loc, rows, 0)
	return loc, nil
}

// suggest lists up to 3 known names close to n, each as "postcode name"
// (a choice Locate accepts): small edit distance, or n as the start of a
// longer name ("saint josse" → Saint-Josse-ten-Noode). Names of country
// come first at equal distance.
func (d *Directory) suggest(n string, country Country) []string {
	rn := []rune(n)
	// No commune name is longer than 60 letters: longer input is not a
	// typo of one, and must not cost an edit distance per name.
	if len(rn) < 3 || len(rn) > maxNameRunes {
		return nil
	}
	maxD := 1
	if l := len([]rune(n)); l >= 6 {
		maxD = 2
	}
	if l := len([]rune(n)); l >= 11 {
		maxD = 3
	}
	type cand struct {
		dist  int
		other bool // not in the person's country
		name  string
		row   int32
	}
	var cs []cand
	ni := d.names()
	prefix := n + " "
	var buf distBuf
	for i, name := range ni.names {
		dist := maxD + 1
		if r := ni.runes[i]; abs(len(r)-len(rn)) <= maxD {
			dist = buf.distance(rn, r, maxD)
		}
		if dist > maxD && len(n) >= 4 && strings.HasPrefix(name, prefix) {
			dist = maxD
		}
		if dist > maxD {
			continue
		}
		rows := ni.byName[name]
		row := rows[0]
		if country != "" {
			for _, r := range rows {
				if d.pcs[r].Country == country {
					row = r
					break
				}
			}
		}
		cs = append(cs, cand{dist, country != "" && d.pcs[row].Country != country, name, row})
	}
	slices.SortFunc(cs, func(a, b cand) int {
		return cmp.Or(cmp.Compare(a.dist, b.dist), boolCmp(a.other, b.other), cmp.Compare(a.name, b.name))
	})
	var out []string
	seen := make(map[string]bool)
	for _, c := range cs {
		r := d.pcs[c.row]
		disp := r.Postcode + " " + r.Name
		if seen[disp] {
			continue
		}
		seen[disp] = true
		out = append(out, disp)
		if len(out) == 3 {
			break
		}
	}
	return out
}

func boolCmp(a, b bool) int {
	switch {
	case a == b:
		return 0
	case !a:
		return -1
	}
	return 1
}

// misreadPostcode reads "1OOO" or "75OO1" as digits when only O, o, l or
// I stand where digits should be.
func misreadPostcode(s string) (string, bool) {
	if len(s) != 4 && len(s) != 5 {
		return "", false
	}
	b := []byte(s)
	digits, fixed := 0, 0
	for i, c := range b {
		switch {
		case c >= '0' && c <= '9':
			digits++
		case c == 'O' || c == 'o':
			b[i] = '0'
			fixed++
		case c == 'l' || c == 'I':
			b[i] = '1'
			fixed++
		default:
			return "", false
		}
	}
	return string(b), digits > 0 && fixed > 0
}

// ErrBadPoint means typed text has the form of a latitude and longitude
// ("999,999", "NaN,NaN", "95.0,4.0") but names no point on Earth. It is bad
// input, to answer as such rather than as an unknown commune.
var ErrBadPoint = errors.New("geo: not a valid latitude and longitude")

// parseLatLon reads "50.85,4.35", "50.85 4.35" or "50.85; 4.35". ok tells
// that s has that form: two numbers as strconv reads them ("999", "NaN",
// "1e309"), neither of which could be a postcode (four or five digits),
// so that "1000 1050" stays two postcodes. A form that names no point on
// Earth gives ok with an invalid Point.
func parseLatLon(s string) (p Point, ok bool) {
	f := strings.FieldsFunc(s, func(r rune) bool { return r == ',' || r == ' ' || r == ';' })
	if len(f) != 2 {
		return Point{}, false
	}
	var v [2]float64
	for i, x := range f {
		if allDigits(x) && len(x) >= 4 {
			return Point{}, false
		}
		n, err := strconv.ParseFloat(x, 64)
		if err != nil && !errors.Is(err, strconv.ErrRange) {
			return Point{}, false
		}
		v[i] = n // ±Inf or 0 when out of range: invalid, or far from here
	}
	return Point{v[0], v[1]}, true
}

// LocatePoint geocodes a raw position to its nearest postcode. A point
// farther than 25 km from every postcode centroid of BE and FR (the sea,
// another country) gives ErrOutside. Near a border the nearest centroid
// decides the country, which can be wrong within a few km of the line.
func (d *Directory) LocatePoint(p Point) (Location, error) {
	if !p.valid() {
		return Location{}, fmt.Errorf("locate point: %w: not a valid latitude/longitude", ErrOutside)
	}
	i, _, ok := d.pcGrid.nearest(p, outsideKM)
	if !ok {
		return Location{}, fmt.Errorf("locate point: %w: more than %d km from any postcode", ErrOutside, outsideKM)
	}
	r := d.pcs[i]
	loc := Location{Point: p, Country: r.Country, Postcode: r.Postcode, Commune: r.Name}
	d.setLocation(&loc, []int32{int32(i)}, 0)
	return loc, nil
}

// inCommune says whether a person at loc (home = normName(loc.Commune))
// lives in the commune of the commune-only place i. A Belgian place knows
// its commune (Place.NIS): only a location certain of the same commune
// (Location.NIS) matches, so a person who must still say which commune
// they live in gets no CPAS yet, never a neighbour's. A place without a
// NIS (a network's import outside Belgium) falls back to what its
// postcode and name say: the same postcode, the same commune name, or a
// postcode that has a locality of the commune's name.
func (d *Directory) inCommune(loc Location, home string, i int) bool {
	m := &d.meta[i]
	if m.nis != "" {
		// The commune is known: a CPAS serves its residents, and only a
		// certain commune (Location.NIS) makes one a resident.
		return d.servesHome(loc, m.nis, i)
	}
	if loc.Country != m.country || loc.Postcode == "" {
		return false
	}
	if loc.Postcode == m.postcode || home == m.commune {
		return true
	}
	for _, r := range d.names().byName[m.commune] {
		if d.pcs[r].Postcode == loc.Postcode {
			return true
		}
	}
	return false
}

// nameIndex finds postcode rows by folded name.
type nameIndex struct {
	byName map[string][]int32 // normName → pcs rows
	names  []string           // distinct keys of byName, for suggestions
	runes  [][]rune           // names as runes, so a suggestion search converts nothing
}

func newNameIndex(pcs []PostcodeRow) *nameIndex {
	ni := &nameIndex{byName: make(map[string][]int32, len(pcs))}
	for i, r := range pcs {
		n := normName(r.Name)
		if _, ok := ni.byName[n]; !ok {
			ni.names = append(ni.names, n)
			ni.runes = append(ni.runes, []rune(n))
		}
		ni.byName[n] = append(ni.byName[n], int32(i))
	}
	return ni
}
