package geo

import (
	"cmp"
	"errors"
	"fmt"
	"io/fs"
	"path"
	"slices"
	"strconv"
	"strings"
	"unicode/utf8"

	"github.com/secours/secours/geo/internal/sheet"
)

// Commune is a Belgian municipality in force since 1 January 2025, with
// its Statbel NIS (REFNIS) code. A CPAS/OCMW serves the residents of one
// commune (loi organique du 8 juillet 1976, art. 1–2), so the commune,
// not the distance, decides whose CPAS it is.
type Commune struct {
	NIS            string
	NameFR, NameNL string
	// NameDE is the German name, for the communes of the German-speaking
	// Community and the few others whose German name differs from both
	// (Lüttich, Löwen, Brügge, Bastnach); "" otherwise.
	NameDE string
	Region string // "BRU" | "VLG" | "WAL"
	// Province is the province's NIS code: "10000" Antwerpen, "20001"
	// Vlaams-Brabant, "20002" Brabant wallon, "30000" … "90000"; "" for
	// the Brussels-Capital Region, which has none. ProvinceName names it.
	Province string
}

// Name is the commune's name in lang ("fr", "nl", "de"). "de" gives the
// German name where the commune has one; any other case falls back to
// the name in the official language of the commune's region (French in
// Brussels).
func (c Commune) Name(lang string) string {
	switch {
	case lang == "fr" && c.NameFR != "":
		return c.NameFR
	case lang == "nl" && c.NameNL != "":
		return c.NameNL
	case lang == "de" && c.NameDE != "":
		return c.NameDE
	case germanSpeaking(c.NIS) && c.NameDE != "":
		return c.NameDE // the German-language area's own name
	case c.Region == "VLG" && c.NameNL != "":
		return c.NameNL
	}
	return c.NameFR
}

// Bilingual is "FR / NL" when the two names differ (Ixelles / Elsene),
// else the one name: how a Brussels card names its commune.
func (c Commune) Bilingual() string {
	if c.NameNL == "" || c.NameNL == c.NameFR {
		return c.NameFR
	}
	return c.NameFR + " / " + c.NameNL
}

// ProvinceName names a Commune.Province code in lang ("fr" or "nl"); the
// Brussels-Capital Region ("") is named as a region.
func ProvinceName(code, lang string) string {
	names := map[string][2]string{
		"":      {"Région de Bruxelles-Capitale", "Brussels Hoofdstedelijk Gewest"},
		"10000": {"Anvers", "Antwerpen"},
		"20001": {"Brabant flamand", "Vlaams-Brabant"},
		"20002": {"Brabant wallon", "Waals-Brabant"},
		"30000": {"Flandre occidentale", "West-Vlaanderen"},
		"40000": {"Flandre orientale", "Oost-Vlaanderen"},
		"50000": {"Hainaut", "Henegouwen"},
		"60000": {"Liège", "Luik"},
		"70000": {"Limbourg", "Limburg"},
		"80000": {"Luxembourg", "Luxemburg"},
		"90000": {"Namur", "Namen"},
	}
	n, ok := names[code]
	if !ok {
		return code
	}
	if lang == "nl" {
		return n[1]
	}
	return n[0]
}

// regionOf and provinceOf read a NIS code (or a 2-digit arrondissement
// code): its first two digits are the arrondissement, which lies in one
// province and one region.
func regionOf(nis string) string {
	if len(nis) < 2 {
		return ""
	}
	switch {
	case nis[:2] == "21":
		return "BRU"
	case nis[0] == '1' || nis[:2] == "23" || nis[:2] == "24" || nis[0] == '3' || nis[0] == '4' || nis[0] == '7':
		return "VLG"
	case nis[:2] == "25" || nis[0] == '5' || nis[0] == '6' || nis[0] == '8' || nis[0] == '9':
		return "WAL"
	}
	return ""
}

func provinceOf(nis string) string {
	if len(nis) < 2 || nis[0] < '1' || nis[0] > '9' {
		return ""
	}
	switch nis[:2] {
	case "21":
		return ""
	case "23", "24":
		return "20001"
	case "25":
		return "20002"
	}
	return nis[:1] + "0000"
}

// germanSpeaking are the nine communes of the German-speaking Community
// (Amel, Büllingen, Bütgenbach, Eupen, Kelmis, Lontzen, Raeren, Sankt
// Vith, Burg-Reuland): their CPAS works in German.
func germanSpeaking(nis string) bool {
	switch nis {
	case "63001", "63012", "63013", "63023", "63040", "63048", "63061", "63067", "63087":
		return true
	}
	return false
}

// Commune returns the commune of a NIS code.
func (d *Directory) Commune(nis string) (Commune, bool) {
	i, ok := d.byNIS[nis]
	if !ok {
		return Commune{}, false
	}
	return d.communes[i].Commune, true
}

// Communes returns every commune, ordered by NIS code.
func (d *Directory) Communes() []Commune {
	out := make([]Commune, len(d.communes))
	for i := range d.communes {
		out[i] = d.communes[i].Commune
	}
	return out
}

// CommuneRecord is a Belgian commune with what its files say beside it.
type CommuneRecord struct {
	Commune
	Seat         Point // the commune's namesake locality (SOURCE: not the town hall)
	HasSeat      bool
	SeatPostcode string   // postcode of the seat locality, for the CPAS card
	SeatName     string   // the seat locality's name, for name lookups
	OldNames     []string // "NIS:name" of the communes merged into it in 2025
}

// communeSet is what a postcode locality says about its commune: one
// commune for sure, or candidates (nearest first) to ask between.
type communeSet struct {
	idx    []int32 // into Directory.communes
	method string  // methodName, methodPostcode, methodNear
}

// How a locality was tied to its commune (the localites.tsv column).
const (
	methodBeST     = "best"        // FPS BOSA's BeST address register says so (best-codes-postaux.tsv)
	methodName     = "nom"         // the locality bears the commune's (or a merged commune's) name
	methodPostcode = "code_postal" // another locality of its postcode does, and only one commune does
	methodNear     = "proche"      // approximate: the nearest commune seats of its province
)

// ErrNotInCommunes means InCommune was asked for a commune the location
// cannot be in.
var ErrNotInCommunes = fmt.Errorf("%w: not one of the location's communes", ErrUnknownPostcode)

// SetSeat reads the seat's coordinates, when there are any; false when
// they are not a point.
func (c *CommuneRecord) SetSeat(lat, lon string) bool {
	if lat == "" && lon == "" {
		return true
	}
	la, err1 := strconv.ParseFloat(lat, 64)
	lo, err2 := strconv.ParseFloat(lon, 64)
	c.Seat = Point{la, lo}
	if err1 != nil || err2 != nil || !c.Seat.valid() {
		return false
	}
	c.HasSeat = true
	return true
}

// InCommune narrows loc to the commune nis the person chose among
// loc.Communes (or confirms loc.NIS).
func (d *Directory) InCommune(loc Location, nis string) (Location, error) {
	if loc.NIS == nis && nis != "" {
		return loc, nil
	}
	for _, c := range loc.Communes {
		if c.NIS == nis {
			loc.NIS, loc.Communes = nis, nil
			return loc, nil
		}
	}
	return loc, fmt.Errorf("in commune %s: %w", nis, ErrNotInCommunes)
}

// OwnCPAS returns the person's own CPAS/OCMW: the one of loc.NIS. For a
// commune that kept several seats after a merger, the one of the
// person's postcode, else the nearest.
func (d *Directory) OwnCPAS(loc Location) (*Place, bool) {
	i := d.ownSeat(loc)
	if i < 0 {
		return nil, false
	}
	return d.places[i], true
}

// ownSeat is OwnCPAS as a place index, -1 for none.
func (d *Directory) ownSeat(loc Location) int {
	seats := d.cpasOf[loc.NIS]
	if loc.NIS == "" || len(seats) == 0 {
		return -1
	}
	if len(seats) == 1 {
		return seats[0]
	}
	best, bestKM := -1, 0.0
	for _, i := range seats {
		p := d.places[i]
		if p.Postcode == loc.Postcode && loc.Postcode != "" {
			return i
		}
		if km := Distance(p.Point, loc.Point); best < 0 || km < bestKM || (km == bestKM && p.ID < d.places[best].ID) {
			best, bestKM = i, km
		}
	}
	return best
}

// servesHome says whether commune-only place i, of commune nis, is one
// that loc may be sent to: its commune is loc's, and, for a CPAS/OCMW,
// it is loc's own seat (a merged commune has one CPAS, whatever seats it
// kept: one card, not one per former commune).
func (d *Directory) servesHome(loc Location, nis string, i int) bool {
	if loc.NIS != nis {
		return false
	}
	if seats := d.cpasOf[nis]; len(seats) > 1 && slices.Contains(seats, i) {
		return d.ownSeat(loc) == i
	}
	return true
}

// setLocation fills loc.NIS or loc.Communes from the sets of rows, or
// from pcSet (a postcode's own set, when its addresses lie in several
// communes) when it is not 0.
func (d *Directory) setLocation(loc *Location, rows []int32, pcSet int32) {
	if len(d.sets) == 0 || loc.Country != BE {
		return
	}
	sets := make([]int32, 0, len(rows))
	if pcSet > 0 {
		sets = append(sets, pcSet)
	} else {
		for _, r := range rows {
			sets = append(sets, d.pcs[r].set)
		}
	}
	score := make(map[int32]int, 4)
	approx := false
	for k, si := range sets {
		if si <= 0 {
			continue
		}
		s := &d.sets[si]
		if s.method == methodNear || len(s.idx) > 1 {
			approx = true
		}
		for j, c := range s.idx {
			w := 3 - min(j, 2)
			if s.method != methodNear {
				// Sure sets outweigh guesses; within one, its order (the
				// commune a locality names first) decides.
				w = 100*len(sets) - k - j
			}
			score[c] += w
		}
	}
	if len(score) == 0 {
		return
	}
	if len(score) == 1 && !approx {
		for c := range score {
			loc.NIS = d.communes[c].NIS
		}
		return
	}
	cs := make([]int32, 0, len(score))
	for c := range score {
		cs = append(cs, c)
	}
	slices.SortFunc(cs, func(a, b int32) int {
		return cmp.Or(-cmp.Compare(score[a], score[b]), cmp.Compare(d.communes[a].NIS, d.communes[b].NIS))
	})
	if len(cs) > maxCommuneChoices {
		cs = cs[:maxCommuneChoices]
	}
	for _, c := range cs {
		loc.Communes = append(loc.Communes, d.communes[c].Commune)
	}
	if len(loc.Communes) == 1 {
		// Approximate with one candidate only: still a question, with the
		// next nearest commune of the province as the other choice.
		loc.Communes = append(loc.Communes, d.nextCommune(cs[0], loc.Point))
	}
}

// maxCommuneChoices bounds the "Vous habitez à … ?" buttons.
const maxCommuneChoices = 4

// nextCommune is the commune of c's province, other than c, whose seat is
// nearest to p.
func (d *Directory) nextCommune(c int32, p Point) Commune {
	best, bestKM := -1, 0.0
	for i := range d.communes {
		r := &d.communes[i]
		if int32(i) == c || !r.HasSeat || r.Province != d.communes[c].Province || r.Region != d.communes[c].Region {
			continue
		}
		if km := Distance(r.Seat, p); best < 0 || km < bestKM {
			best, bestKM = i, km
		}
	}
	if best < 0 {
		return d.communes[c].Commune
	}
	return d.communes[best].Commune
}

// Names of the shipped commune files.
const (
	CommunesFile   = "communes.tsv"
	LocalitiesFile = "localites.tsv"
	BeSTFile       = "best-codes-postaux.tsv"
)

// CommunesHeader and LocalitiesHeader are the first lines of the shipped
// files; a file whose header differs is refused as a whole.
const (
	CommunesHeader   = "nis\tnom_fr\tnom_nl\tnom_de\tcode_postal\tlocalite\tlatitude\tlongitude\tanciens_noms"
	LocalitiesHeader = "code_postal\tnom\tarrondissement\tnis\tmethode"
)

// parseCommunes reads communes.tsv. Any bad line is an error naming the
// file and line: a commune read wrong would send people to the wrong
// CPAS, so the directory refuses to load rather than guess.
func parseCommunes(file string, data []byte) ([]CommuneRecord, error) {
	var out []CommuneRecord
	seen := make(map[string]int)
	err := sheet.Rows(file, data, CommunesHeader, 9, func(line int, f []string) error {
		c := CommuneRecord{Commune: Commune{NIS: f[0], NameFR: f[1], NameNL: f[2], NameDE: f[3]},
			SeatPostcode: f[4], SeatName: f[5], OldNames: sheet.SplitList(f[8])}
		if !isNIS(c.NIS) || regionOf(c.NIS) == "" {
			return fmt.Errorf("%s:%d: nis %q is not a commune's 5-digit NIS code", file, line, c.NIS)
		}
		if first, dup := seen[c.NIS]; dup {
			return fmt.Errorf("%s:%d: nis %s already on line %d", file, line, c.NIS, first)
		}
		seen[c.NIS] = line
		if c.NameFR == "" || c.NameNL == "" || slices.ContainsFunc(f, func(s string) bool { return !utf8.ValidString(s) }) {
			return fmt.Errorf("%s:%d: a commune needs its French and Dutch names, in UTF-8", file, line)
		}
		for _, e := range c.OldNames {
			if nis, name, ok := strings.Cut(e, ":"); !ok || !isNIS(nis) || name == "" {
				return fmt.Errorf("%s:%d: anciens_noms %q: want NIS:name", file, line, e)
			}
		}
		c.Region, c.Province = regionOf(c.NIS), provinceOf(c.NIS)
		if !c.SetSeat(f[6], f[7]) {
			return fmt.Errorf("%s:%d: bad seat coordinates %q, %q", file, line, f[6], f[7])
		}
		out = append(out, c)
		return nil
	})
	if err != nil {
		return nil, err
	}
	slices.SortFunc(out, func(a, b CommuneRecord) int { return cmp.Compare(a.NIS, b.NIS) })
	return out, nil
}

// parseLocalities reads localites.tsv into d.sets and the rows' set
// indices. Every line must name a known postcode locality and known
// communes.
func (d *Directory) parseLocalities(file string, data []byte) error {
	d.sets = []communeSet{{}} // set 0: none
	// Most lines repeat a (nis, methode) pair seen before: the cache makes
	// them cost no allocation, as start-up waits for this file.
	seen := make(map[[2]string]int32, 600)
	body, err := sheet.Body(file, data, LocalitiesHeader)
	if err != nil {
		return err
	}
	for line, l := range body {
		var f [5]string
		n, rest := 0, l
		for ; n < 4; n++ {
			var ok bool
			if f[n], rest, ok = strings.Cut(rest, "\t"); !ok {
				break
			}
		}
		f[min(n, 4)] = rest
		if n != 4 || strings.Contains(rest, "\t") {
			return fmt.Errorf("%s:%d: %d fields, want 5", file, line, strings.Count(l, "\t")+1)
		}
		row := int32(-1)
		pc := d.byPostcode[f[0]]
		if pc != nil && f[1] == "" {
			row = -2 // the postcode as a whole
		} else if pc != nil {
			for _, r := range pc.rows {
				if d.pcs[r].Name == f[1] {
					row = r
					break
				}
			}
		}
		if row == -1 {
			return fmt.Errorf("%s:%d: %s %q is not a locality of postcodes.tsv", file, line, f[0], f[1])
		}
		si, ok := seen[[2]string{f[3], f[4]}]
		if !ok {
			s, err := d.parseSet(f[3], f[4])
			if err != nil {
				return fmt.Errorf("%s:%d: %w", file, line, err)
			}
			si = d.addSet(s)
			seen[[2]string{f[3], f[4]}] = si
		}
		if row == -2 {
			pc.set = si
			continue
		}
		d.pcs[row].Area = f[2]
		d.pcs[row].set = si
	}
	return nil
}

// parseSet reads the nis and methode columns of localites.tsv.
func (d *Directory) parseSet(nisList, method string) (communeSet, error) {
	switch method {
	case methodBeST, methodName, methodPostcode, methodNear:
	default:
		return communeSet{}, fmt.Errorf("methode %q, want %s, %s, %s or %s", method, methodBeST, methodName, methodPostcode, methodNear)
	}
	s := communeSet{method: method}
	for nis := range strings.SplitSeq(nisList, "|") {
		i, ok := d.byNIS[nis]
		if !ok {
			return communeSet{}, fmt.Errorf("nis %q is not in %s", nis, CommunesFile)
		}
		s.idx = append(s.idx, i)
	}
	if method != methodNear && method != methodBeST && len(s.idx) != 1 {
		return communeSet{}, fmt.Errorf("methode %s names one commune, not %d", method, len(s.idx))
	}
	return s, nil
}

// addSet interns s: most localities share a one-commune set.
func (d *Directory) addSet(s communeSet) int32 {
	if d.setIndex == nil {
		d.setIndex = make(map[string]int32)
	}
	var k strings.Builder
	k.WriteString(s.method)
	for _, i := range s.idx {
		k.WriteByte(' ')
		k.WriteString(strconv.Itoa(int(i)))
	}
	if i, ok := d.setIndex[k.String()]; ok {
		return i
	}
	d.sets = append(d.sets, s)
	i := int32(len(d.sets) - 1)
	d.setIndex[k.String()] = i
	return i
}

// setCommunes installs the communes and indexes them by NIS.
func (d *Directory) setCommunes(cs []CommuneRecord) {
	d.communes = cs
	d.byNIS = make(map[string]int32, len(cs))
	for i, c := range cs {
		d.byNIS[c.NIS] = int32(i)
	}
}

func isNIS(s string) bool { return len(s) == 5 && allDigits(s) }

// loadCommunes reads the shipped commune files of dir, if there are any
// (a directory without them knows no Belgian commune).
func (d *Directory) loadCommunes(fsys fs.FS, dir string) error {
	data, err := fs.ReadFile(fsys, path.Join(dir, CommunesFile))
	if errors.Is(err, fs.ErrNotExist) {
		return nil
	}
	if err != nil {
		return err
	}
	cs, err := parseCommunes(CommunesFile, data)
	if err != nil {
		return err
	}
	d.setCommunes(cs)
	data, err = fs.ReadFile(fsys, path.Join(dir, LocalitiesFile))
	if err != nil {
		return fmt.Errorf("%s: %w (it goes with %s)", LocalitiesFile, err, CommunesFile)
	}
	if err := d.parseLocalities(LocalitiesFile, data); err != nil {
		return err
	}
	d.setIndex = nil
	// The BeST table is an import source, kept so that an import into this
	// directory can derive the localities again without it; it is parsed
	// only then (importCommunes), not at every start.
	data, err = fs.ReadFile(fsys, path.Join(dir, BeSTFile))
	if errors.Is(err, fs.ErrNotExist) {
		return nil
	}
	d.bestData = data
	return err
}

// addCommuneNames lets a commune be found by any of its names: "Louvain",
// "Luik", "Brussel", "Gand", "Anvers", "Namen", "Bergen" lead to the
// commune's seat locality, whose name is only in the local language.
func (d *Directory) addCommuneNames(ni *nameIndex) {
	for i := range d.communes {
		c := &d.communes[i]
		var seat []int32
		if pc := d.byPostcode[c.SeatPostcode]; pc != nil {
			for _, r := range pc.rows {
				if normName(d.pcs[r].Name) == normName(c.SeatName) {
					seat = append(seat, r)
				}
			}
		}
		if len(seat) == 0 {
			for r := range d.pcs {
				if s := d.pcs[r].set; s > 0 && d.sets[s].method == methodName && d.sets[s].idx[0] == int32(i) {
					seat = append(seat, int32(r))
					break
				}
			}
		}
		if len(seat) == 0 {
			continue
		}
		for _, name := range []string{c.NameFR, c.NameNL, c.NameDE, c.Bilingual()} {
			n := normName(name)
			if n == "" {
				continue
			}
			rows, known := ni.byName[n]
			if known && slices.ContainsFunc(rows, func(r int32) bool { return slices.Contains(seat, r) }) {
				continue
			}
			if !known {
				ni.names = append(ni.names, n)
				ni.runes = append(ni.runes, []rune(n))
			}
			ni.byName[n] = append(rows, seat...)
		}
	}
}
