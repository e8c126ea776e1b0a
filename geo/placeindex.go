package geo

import (
	"cmp"
	"math"
	"math/bits"
	"slices"
	"sync"
	"sync/atomic"
)

// placeIndex answers the radius queries of D.3 over the places. It keeps
// one grid per service: the hard filter of D.3.2 is "offers the base
// service (or, for autonome, internet access)", so a query reads only the
// grid of that service and never sees a place that cannot pass. A place
// appears in the grid of each service it offers; places closed to the
// public are in none, since no query may return them.
type placeIndex struct {
	lay       *cellLayout // shared by every grid, over all places
	byService [32]*serviceGrid
	all       uint32 // the services that have a grid
	near, far radius // of D.3.1
	nearest   bool   // len(pts) >= minNearPlaces: walkNearest
	// By place index, for the linear scans that tests and benchmarks
	// compare the index with.
	pts []Point
	xyz [][3]float64
	// wants caches wantBits by wantKey: Want allocates and newWantBits
	// compares strings: without the cache, a fifth of a query on the shipped
	// directory.
	wants [wantKeys]atomic.Pointer[wantBits]
	// communes is built on the first commune test, as Directory.names
	// (which it reads) is.
	communes func() *communeIndex
}

// serviceGrid is the cells of the places that offer one service.
type serviceGrid struct {
	start []int32 // per cell of the layout, first entry; one more at the end
	ents  []placeEntry
	// or is the union of the tags of every entry: what the best of them
	// could score, the bound of walkNearest.
	or tags
}

// placeEntry is a place as a grid stores it: all that the filters and the
// score of D.3 need, so a query reads runs of one array in order instead
// of jumping to Place and placeMeta (100,000 places are 9 MB of meta: a
// cache miss for each candidate).
type placeEntry struct {
	v     [3]float64 // unit vector
	t     tags
	i     int32  // index into Directory.places and .meta
	flags uint32 // entryCommuneOnly, entryApprox, and the country code from entryCountryShift
}

const (
	entryCommuneOnly  = 1 << 0
	entryApprox       = 1 << 1
	entryCountryShift = 2
)

// countryCode is a country as 2 bits: 1 BE, 2 FR, 3 any other (then the
// filter compares the strings).
func countryCode(c Country) uint32 {
	switch c {
	case BE:
		return 1
	case FR:
		return 2
	}
	return 3
}

// newPlaceIndex indexes the places of d, whose points and metadata are pts
// and meta, on lay. The caller orders places by cell (cellsOf), so that
// entries, meta and places are all in the same spatial order.
func newPlaceIndex(d *Directory, lay *cellLayout, pts []Point, meta []placeMeta) *placeIndex {
	ix := &placeIndex{lay: lay, pts: pts, xyz: make([][3]float64, len(pts)),
		near: newRadius(nearKM), far: newRadius(farKM), nearest: len(pts) >= minNearPlaces}
	ix.communes = sync.OnceValue(func() *communeIndex { return newCommuneIndex(d) })
	cells := make([]int32, len(pts))
	var all uint32
	for i, p := range pts {
		ix.xyz[i] = unitVector(p)
		cells[i] = -1
		if p.valid() && !meta[i].noPublic {
			cells[i] = lay.cellOf(p)
			all |= meta[i].services
		}
	}
	ix.all = all
	for s := range bits.Len32(all) {
		bit := uint32(1) << s
		if all&bit == 0 {
			continue
		}
		start, order := lay.bucket(cells, func(i int) bool { return meta[i].services&bit != 0 })
		g := &serviceGrid{start: start, ents: make([]placeEntry, len(order))}
		for k, i := range order {
			m := &meta[i]
			f := countryCode(m.country) << entryCountryShift
			if m.communeOnly {
				f |= entryCommuneOnly
			}
			if m.approx {
				f |= entryApprox
			}
			g.ents[k] = placeEntry{v: ix.xyz[i], t: m.tags, i: i, flags: f}
			g.or.services |= m.services
			g.or.modes |= m.modes
			g.or.care |= m.care
			g.or.progs |= m.progs
			g.or.labels |= m.labels
			g.or.langs |= m.langs
		}
		ix.byService[s] = g
	}
	return ix
}

// scan calls fn for every place at most km from c: the linear reference
// for the index, with the same distance test.
func (ix *placeIndex) scan(c Point, km float64, fn func(i int, d float64)) {
	scanAll(ix.xyz, c, km, fn)
}

// walk feeds m every place that offers m's base service (or its
// alternative) and passes the filters of D.3, with a squared chord to c in
// (inner, lim]. The grids hold only public places of the service, and the
// country test reads the entry's flags before the distance. The window w
// must cover the circle of lim.
func (ix *placeIndex) walk(m *matcher, w *window, cv *[3]float64, inner, lim float64) {
	ix.walkGrids(m, w, cv, inner, lim, m.wb.base|m.wb.baseAlt, false)
}

// walkOther feeds m.other every place within lim that passes the filters
// of D.3 but the base service, reading every grid once per place: it runs
// only when no place passes the hard filter (D.3.7).
func (ix *placeIndex) walkOther(m *matcher, w *window, cv *[3]float64, lim float64) {
	ix.walkGrids(m, w, cv, -1, lim, ix.all, true)
}

// walkGrids is walk over the grids of the services in want, giving each
// place to m.add, or to m.other when other is set.
func (ix *placeIndex) walkGrids(m *matcher, w *window, cv *[3]float64, inner, lim float64, want uint32, other bool) {
	var seen uint32 // services whose grids were read: skip their places
	for want != 0 {
		s := bits.TrailingZeros32(want)
		want &^= 1 << s
		g := ix.byService[s]
		skip := seen
		seen |= 1 << s
		if g == nil {
			continue
		}
		for r := w.r0; r <= w.r1; r++ {
			for _, cols := range w.cols[:w.ncols] {
				a, b := ix.lay.run(r, cols)
				ix.feed(m, g.ents[g.start[a]:g.start[b]], skip, cv, inner, lim, other)
			}
		}
	}
}

// maxNearCells bounds the cells walkNearest sorts: a 15 km window of
// 0.1° cells has about 30; more (a coarse layout, a polar row) walk in
// row order.
const maxNearCells = 64

// minNearPlaces is the size of a directory from which Match walks
// nearest first: below, a 15 km window holds a few hundred entries and the
// plain walk is cheaper than sorting its cells (the shipped directory and
// 100,000 synthetic places).
const minNearPlaces = 150_000

// walkNearest is walk over the disc of lim (from the centre, inner < 0)
// reading cells nearest first, and stopping once no place left can enter
// the lists that decide the result: the all-places lists within 15 and 30
// km (tops[0]) are full and their worst has the greatest key any place of
// the grids can have (the union of their tags) and is nearer than every
// cell left. The lists do not depend on the order of arrival, and when
// they are full their counts only need to be at least 3, so the result is
// that of walk. Only outside the Brussels language rule: there tops[1]
// and anyNL decide too.
func (ix *placeIndex) walkNearest(m *matcher, w *window, c *Point, cv *[3]float64, lim float64) {
	want := m.wb.base | m.wb.baseAlt
	if w.ncols != 1 || m.brussels {
		ix.walk(m, w, cv, -1, lim)
		return
	}
	type cellDist struct {
		cell int32
		km   float64
	}
	var cells [maxNearCells]cellDist
	n := 0
	lay := ix.lay
	cosφ := math.Cos(c.Lat * math.Pi / 180)
	for r := w.r0; r <= w.r1; r++ {
		a, b := lay.run(r, w.cols[0])
		if a == b {
			continue
		}
		if n+int(b-a) > maxNearCells {
			ix.walk(m, w, cv, -1, lim)
			return
		}
		rs := &lay.rows[r]
		row := r + lay.row0
		lat0, lat1 := float64(row)/lay.inv-90, float64(row+1)/lay.inv-90
		dlat := max(0, lat0-c.Lat, c.Lat-lat1) * math.Pi / 180
		for k := a; k < b; k++ {
			col := int(rs.col0 + k - rs.off)
			lon0, lon1 := float64(col)/lay.inv-180, float64(col+1)/lay.inv-180
			// A lower bound of the distance to any point of the cell: the
			// latitude difference, or the distance to the meridian plane
			// that separates the centre from the cell, asin(cosφ sin Δλ),
			// which is at least cosφ (Δλ − Δλ³/6) for Δλ < 1.
			ang := dlat
			if dlon := max(0, lon0-c.Lon, c.Lon-lon1) * math.Pi / 180; dlon > 0 && dlon < 1 {
				ang = max(ang, cosφ*dlon*(1-dlon*dlon/6))
			}
			cells[n] = cellDist{k, ang*earthRadiusKM - 1e-6} // the margin covers chordKM's rounding
			n++
		}
	}
	slices.SortFunc(cells[:n], func(a, b cellDist) int { return cmp.Compare(a.km, b.km) })
	var bound tags
	for s := want; s != 0; s &= s - 1 {
		if g := ix.byService[bits.TrailingZeros32(s)]; g != nil {
			bound.services |= g.or.services
			bound.modes |= g.or.modes
			bound.care |= g.or.care
			bound.progs |= g.or.progs
			bound.labels |= g.or.labels
			bound.langs |= g.or.langs
		}
	}
	best := m.candidate(0, 0, false, false, false, &bound).key
	for _, cd := range cells[:n] {
		if m.beaten(best, cd.km) {
			return
		}
		var seen uint32
		for s := want; s != 0; s &= s - 1 {
			b := bits.TrailingZeros32(s)
			skip := seen
			seen |= 1 << b
			if g := ix.byService[b]; g != nil {
				ix.feed(m, g.ents[g.start[cd.cell]:g.start[cd.cell+1]], skip, cv, -1, lim, false)
			}
		}
	}
}

// beaten says that no place with a key at most key and farther than km
// can enter tops[0], the lists of every place within 15 and 30 km.
func (m *matcher) beaten(key uint32, km float64) bool {
	for _, t := range &m.tops[0] {
		if t.count < maxMatches {
			return false
		}
		w := &t.c[maxMatches-1]
		if w.key < key || (w.key == key && w.km >= km) {
			return false
		}
	}
	return true
}

// feed is walkGrids over one run of entries of a grid.
func (ix *placeIndex) feed(m *matcher, ents []placeEntry, skip uint32, cv *[3]float64, inner, lim float64, other bool) {
	home := m.homeCode
	for k := range ents {
		e := &ents[k]
		if e.t.services&skip != 0 {
			continue
		}
		cross := false
		if home != 0 {
			code := e.flags >> entryCountryShift
			// Code 3 is "neither BE nor FR": only then compare the strings.
			cross = code != home || (code == 3 && m.d.meta[e.i].country != m.at.Country)
			if cross && !m.crossOK {
				continue
			}
		}
		ch2 := chord2(&e.v, cv)
		if ch2 > lim || ch2 <= inner {
			continue
		}
		communeOnly := e.flags&entryCommuneOnly != 0
		if other {
			if communeOnly && (cross || !m.inCommuneFast(int(e.i))) {
				continue
			}
			m.other(int(e.i), chordKM(ch2), cross, e.flags&entryApprox != 0, communeOnly, &e.t)
			continue
		}
		// The key first: once the lists are full most places fall below
		// m.floor, and then neither their distance (an asin) nor their
		// commune is needed.
		key, sc, rank, langOK := m.scoreKey(&e.t, cross, communeOnly)
		if key < m.floor {
			continue
		}
		// Last, as the only filter that may look beyond the entry.
		if communeOnly && (cross || !m.inCommuneFast(int(e.i))) {
			continue
		}
		c := candidate{i: int(e.i), km: chordKM(ch2), cross: cross, approx: e.flags&entryApprox != 0,
			score: sc, progRank: rank, langOK: langOK, key: key}
		m.addCandidate(&c)
	}
}

// wantKeys is the number of wantKey classes.
const wantKeys = 6 * 4 * 3 * 16

// wantKey is q's class for Want and newWantBits without the language: the
// fields they read, reduced to the values they tell apart. It must name
// every field that Want reads (TestWantKey checks every class).
func wantKey(q Query) int {
	need := 5 // learning, other and unknown needs
	switch q.Need {
	case "procedure":
		need = 0
	case "banking":
		need = 1
	case "job":
		need = 2
	case "health":
		need = 3
	case "family":
		need = 4
	}
	profile := 3 // proche_autonomie and unknown profiles
	switch q.Profile {
	case "autonome":
		profile = 0
	case "grand_debutant":
		profile = 1
	case "besoin_assistance":
		profile = 2
	}
	country := 2
	switch q.At.Country {
	case FR:
		country = 0
	case BE:
		country = 1
	}
	k := (need*4+profile)*3 + country
	k <<= 4
	if q.Equipment == 0 {
		k |= 1
	}
	if q.Connectivity == 0 {
		k |= 2
	}
	if q.Reading >= 1 {
		k |= 4
	}
	if q.Barrier == "body" {
		k |= 8
	}
	return k
}

// wantBits is newWantBits(Want(q), q.Profile, q.Lang, v), computed once
// per wantKey. Racing callers compute the same value, so a lost store
// costs only time.
func (ix *placeIndex) wantBits(q Query, v *vocabs) wantBits {
	slot := &ix.wants[wantKey(q)]
	wb := slot.Load()
	if wb == nil {
		b := newWantBits(Want(q), q.Profile, "", v)
		wb = &b
		slot.Store(wb)
	}
	b := *wb
	b.lang = bitOf(q.Lang, v.langs)
	return b
}

// communeIndex is Directory.inCommune's answer for each commune-only
// place as the set of postcodes it serves: the place's own, and every
// postcode with a locality of the commune's name. A test then compares
// pointers instead of looking up the name index for each candidate.
type communeIndex struct {
	start []int32     // by place index: place i serves pcs[start[i]:start[i+1]]
	pcs   []*postcode // entries of Directory.byPostcode
}

func newCommuneIndex(d *Directory) *communeIndex {
	ci := &communeIndex{start: make([]int32, len(d.meta)+1)}
	for i := range d.meta {
		m := &d.meta[i]
		if m.communeOnly {
			first := len(ci.pcs)
			add := func(code string) {
				pc := d.byPostcode[code]
				if pc != nil && !slices.Contains(ci.pcs[first:], pc) {
					ci.pcs = append(ci.pcs, pc)
				}
			}
			add(m.postcode)
			for _, r := range d.names().byName[m.commune] {
				add(d.pcs[r].Postcode)
			}
		}
		ci.start[i+1] = int32(len(ci.pcs))
	}
	return ci
}

// inCommuneFast is inCommune for a place of the query's country, which
// the caller has checked. For a location Locate made it never folds a
// name: see prepareCommune.
func (m *matcher) inCommuneFast(i int) bool {
	if nis := m.d.meta[i].nis; nis != "" {
		return nis == m.at.NIS && m.d.servesHome(m.at, nis, i)
	}
	if m.commune == communeUnknown {
		m.prepareCommune()
	}
	switch m.commune {
	case communeNone:
		return false
	case communeSlow:
		return m.inCommune(i)
	}
	ci := m.d.index.communes()
	if slices.Contains(ci.pcs[ci.start[i]:ci.start[i+1]], m.pc) {
		return true
	}
	if m.commune == communeImplied {
		return false
	}
	if !m.homeDone {
		m.home, m.homeDone = normName(m.at.Commune), true
	}
	return m.home == m.d.meta[i].commune
}

// Commune test modes of a matcher.
const (
	communeUnknown = iota // not prepared yet
	communeNone           // no postcode: no commune-only place fits
	communeSlow           // Directory.inCommune for each place
	communeFast           // the postcode set, then the folded name
	communeImplied        // the postcode set says it all
)

// prepareCommune picks the commune test for the query. Directory.inCommune
// accepts the same postcode, the same folded commune name, or a postcode
// with a locality of the commune's name; the first and the last are the
// postcode set of communeIndex. When the location's commune is the name
// of one of its postcode's localities (as Locate always makes it), a place
// whose folded name equals the folded commune has that locality, so the
// set already holds the location's postcode: the name test adds nothing
// and normName is never called.
func (m *matcher) prepareCommune() {
	switch {
	case m.at.Postcode == "":
		m.commune = communeNone
	case m.homeCode != 1 && m.homeCode != 2:
		m.commune = communeSlow // the caller's country check covers BE and FR
	default:
		m.pc = m.d.byPostcode[m.at.Postcode]
		if m.pc == nil {
			// A postcode outside the table: the set cannot name it.
			m.commune = communeSlow
			return
		}
		m.commune = communeFast
		for _, r := range m.pc.rows {
			if m.d.pcs[r].Name == m.at.Commune {
				m.commune = communeImplied
				break
			}
		}
	}
}
