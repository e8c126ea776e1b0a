package geo

import (
	"cmp"
	"fmt"
	"io/fs"
	"path"
	"slices"
	"sync"
	"time"
)

// Credits is the data attribution the bot shows in its "à propos": the
// licences of the shipped data require it (see configs/places/SOURCE-*.md).
const Credits = "GeoNames (CC BY 4.0) · La Poste – base officielle des codes postaux (ODbL) · " +
	"ANCT – France services · Vlaamse Overheid – Organisatieportaal lokale besturen (MIT) · " +
	"Statbel (modifié) (CC BY 4.0) · SPF BOSA – BeST Address (CC BY 4.0)"

// Names of the shipped files under the directory folder.
const (
	PlacesFile    = "places.csv.gz"
	PostcodesFile = "postcodes.tsv"
)

// PostcodeRow is one (postcode, locality) pair. A postcode has one row
// per locality it covers; its first row names it.
type PostcodeRow struct {
	Country  Country
	Postcode string
	Name     string
	Point    Point
	Area     string // Belgium: GeoNames arrondissement NIS (2 digits), for the commune mapping
	set      int32  // Belgium: index into Directory.sets, 0 for no commune known
}

// postcode is the summary of one postcode's rows.
type postcode struct {
	country Country
	rows    []int32 // into Directory.pcs, display row first
	centre  Point   // mean of the rows' distinct points
	set     int32   // Belgium: the postcode's own commune set when its addresses lie in several communes
}

// Directory holds the places and postcodes of both countries, with a
// spatial index over each. It is read-only after Open, so one value can
// serve every chat at once.
type Directory struct {
	places []*Place
	meta   []placeMeta
	byID   map[string]int
	index  *placeIndex // over places

	pcs        []PostcodeRow
	pcGrid     *grid // over pcs
	byPostcode map[string]*postcode
	// names is built on the first name lookup: most people give a
	// postcode, and building it costs a third of Open.
	names func() *nameIndex

	// Belgian communes (communes.tsv) and what each postcode locality says
	// of its commune (localites.tsv, as PostcodeRow.set).
	communes []CommuneRecord
	byNIS    map[string]int32
	sets     []communeSet
	setIndex map[string]int32       // interning of sets while they are built
	cpasOf   map[string][]int       // NIS → places (CPAS/OCMW of that commune)
	best     map[string][]BeSTEntry // postcode → communes (BeST), for the import
	bestData []byte                 // best-codes-postaux.tsv as read by Open, parsed by an import

	issues []Issue // rows Open skipped or found doubtful
	loc    *time.Location
	vocab  vocabs
}

// Open reads the shipped directory from the "places" folder of fsys
// (configs.FS). Bad rows are skipped and kept for Issues: one broken row
// must not stop the bot.
func Open(fsys fs.FS) (*Directory, error) { return OpenDir(fsys, "places") }

// OpenDir is Open for any folder of fsys, e.g. the -out folder of an import.
func OpenDir(fsys fs.FS, dir string) (*Directory, error) {
	// The places file is gunzipped and split into rows while the postcodes
	// load: the two halves take about as long, and start-up is what a
	// person waits for before the first message.
	// Only the shipped form is read here: geoimport reads the others.
	type split struct {
		rows   []csvRow
		issues []Issue
		err    error
	}
	done := make(chan split, 1)
	go func() {
		var sp split
		var data []byte
		data, sp.err = readGz(fsys, path.Join(dir, PlacesFile))
		if sp.err == nil {
			sp.rows = splitStandardCSV(PlacesFile, data, &sp.issues)
		}
		done <- sp
	}()
	pcData, err := fs.ReadFile(fsys, path.Join(dir, PostcodesFile))
	var pcs []PostcodeRow
	var issues []Issue
	if err == nil {
		var iss []Issue
		pcs, iss, err = parseShippedPostcodes(PostcodesFile, pcData)
		issues = append(issues, iss...)
	}
	sp := <-done // always received: the goroutine never outlives OpenDir
	if err != nil {
		return nil, fmt.Errorf("open places: %w", err)
	}
	if sp.err != nil {
		return nil, fmt.Errorf("open places: %w", sp.err)
	}
	d := newDirectory(nil, pcs)
	if err := d.loadCommunes(fsys, dir); err != nil {
		return nil, fmt.Errorf("open places: %w", err)
	}
	issues = append(issues, sp.issues...)
	places, iss := dedupe(standardPlaces(PlacesFile, sp.rows, d, &issues))
	issues = append(issues, iss...)
	d.setPlaces(places)
	d.issues = issues
	return d, nil
}

// Warm builds the lookup indices that Open leaves for their first use
// (the locality names, the communes of commune-only places), so that the
// first person to give a place name or a Belgian postcode does not wait
// tens of milliseconds for them. cmd calls it in the background once the
// directory is open; it is safe to call at any time, and more than once.
func (d *Directory) Warm() {
	d.names()
	d.index.communes()
}

// newDirectory indexes postcodes and places.
func newDirectory(places []*Place, pcs []PostcodeRow) *Directory {
	d := &Directory{
		pcs:        pcs,
		byPostcode: make(map[string]*postcode, len(pcs)/4),
		loc:        localZone(),
		vocab:      newVocabs(),
	}
	pts := make([]Point, len(pcs))
	for i, r := range pcs {
		pts[i] = r.Point
		pc := d.byPostcode[r.Postcode]
		if pc == nil {
			pc = &postcode{country: r.Country}
			d.byPostcode[r.Postcode] = pc
		}
		pc.rows = append(pc.rows, int32(i))
	}
	d.names = sync.OnceValue(func() *nameIndex {
		ni := newNameIndex(pcs)
		d.addCommuneNames(ni)
		return ni
	})
	for _, pc := range d.byPostcode {
		var sum Point
		n := 0
		for k, i := range pc.rows {
			p := pcs[i].Point
			dup := false
			for _, j := range pc.rows[:k] {
				dup = dup || pcs[j].Point == p
			}
			if !dup {
				sum.Lat += p.Lat
				sum.Lon += p.Lon
				n++
			}
		}
		pc.centre = Point{sum.Lat / float64(n), sum.Lon / float64(n)}
	}
	d.pcGrid = newGrid(pts)
	d.setPlaces(places)
	return d
}

func (d *Directory) setPlaces(places []*Place) {
	// Neighbours in space are neighbours in memory: places and meta are in
	// the cell order of the index's entries, so the few that a query reads
	// beyond its entries lie close together.
	pts := make([]Point, len(places))
	for i, p := range places {
		pts[i] = p.Point
	}
	lay, cells := cellsOf(pts)
	perm := make([]int, len(places))
	for i := range perm {
		perm[i] = i
	}
	slices.SortFunc(perm, func(a, b int) int {
		return cmp.Or(cmp.Compare(cells[a], cells[b]), cmp.Compare(places[a].ID, places[b].ID))
	})
	d.places = make([]*Place, len(places))
	d.meta = make([]placeMeta, len(places))
	d.byID = make(map[string]int, len(places))
	d.cpasOf = make(map[string][]int)
	for i, j := range perm {
		p := places[j]
		d.places[i], pts[i] = p, p.Point
		if p.loc != d.loc {
			// A directory With makes shares its base's places and zone:
			// writing the same value again would race with their readers.
			p.loc = d.loc
		}
		d.meta[i] = d.vocab.meta(p)
		d.byID[p.ID] = i
		if p.CommuneOnly && p.NIS != "" && slices.Contains(p.Programmes, ProgrammeCPAS) {
			d.cpasOf[p.NIS] = append(d.cpasOf[p.NIS], i)
		}
	}
	d.index = newPlaceIndex(d, lay, pts, d.meta)
}

// Place returns a place by its ID.
func (d *Directory) Place(id string) (*Place, bool) {
	i, ok := d.byID[id]
	if !ok {
		return nil, false
	}
	return d.places[i], true
}

// Places returns every place, ordered by ID. The slice is the caller's;
// the places are shared and must not be changed.
func (d *Directory) Places() []*Place {
	out := slices.Clone(d.places)
	slices.SortFunc(out, func(a, b *Place) int { return cmp.Compare(a.ID, b.ID) })
	return out
}

// Credits returns the data attribution text (the Credits constant).
func (d *Directory) Credits() string { return Credits }

// Issues returns what Open skipped or found doubtful in the shipped files.
func (d *Directory) Issues() []Issue { return slices.Clone(d.issues) }

// PostcodeCount returns how many distinct postcodes each country has.
func (d *Directory) PostcodeCount() map[Country]int {
	n := make(map[Country]int)
	for _, pc := range d.byPostcode {
		n[pc.country]++
	}
	return n
}
