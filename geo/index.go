package geo

import "math"

// The spatial index is a grid in compressed sparse row form: every point
// sits in a cell of cellDeg × cellDeg degrees, the points are stored in
// cell order, and a cell is a start offset into them. A row (a band of
// latitude) keeps only the columns between its westmost and eastmost
// point, so the few overseas places (Réunion, Guyane, …) cost a few short
// rows instead of a grid over the whole globe. Cells of one row are
// adjacent in memory, so the part of a row that a query's bounding box
// covers is one contiguous run of points, whatever the cell size.

// cellDeg is about 11 km × 7 km at 50°N: a 15 km query reads 3 or 4 runs
// (rows) per grid. Since a run spans any number of cells, smaller cells
// cost memory rather than time, but they did not pay either: on the
// synthetic 100,000 places, 0.05° to 0.3° cells gave the same times, and
// 0.025° was about 1.4 times slower (twice the rows, each a cache miss).
const cellDeg = 0.1

// cellsPerPoint bounds a layout's memory: its cell size doubles until it
// has at most this many cells per point (plus minCells). Random points
// over the globe then get coarse cells instead of millions of empty ones.
const (
	cellsPerPoint = 8
	minCells      = 1 << 16
)

// cellLayout maps positions to cells.
type cellLayout struct {
	inv    float64 // cells per degree
	row0   int     // absolute row of rows[0]
	rows   []rowSpan
	ncells int
}

// rowSpan is one row's columns: absolute columns col0 … col0+ncol-1 are
// cells off … off+ncol-1.
type rowSpan struct{ col0, ncol, off int32 }

func (l *cellLayout) rowOf(lat float64) int { return int(math.Floor((lat + 90) * l.inv)) }
func (l *cellLayout) colOf(lon float64) int { return int(math.Floor((lon + 180) * l.inv)) }

// cellOf is p's cell. p must be one of the points the layout was made for.
func (l *cellLayout) cellOf(p Point) int32 {
	rs := &l.rows[l.rowOf(p.Lat)-l.row0]
	return rs.off + int32(l.colOf(p.Lon)) - rs.col0
}

// newLayout fits a layout to pts. Every point must be valid.
func newLayout(pts []Point) *cellLayout {
	maxCells := cellsPerPoint*len(pts) + minCells
	for cell := cellDeg; ; cell *= 2 {
		l := &cellLayout{inv: 1 / cell}
		if len(pts) == 0 {
			return l
		}
		r0, r1 := math.MaxInt, math.MinInt
		for _, p := range pts {
			r := l.rowOf(p.Lat)
			r0, r1 = min(r0, r), max(r1, r)
		}
		l.row0 = r0
		lo := make([]int32, r1-r0+1)
		hi := make([]int32, r1-r0+1)
		for i := range lo {
			lo[i], hi[i] = math.MaxInt32, -1
		}
		for _, p := range pts {
			r, c := l.rowOf(p.Lat)-r0, int32(l.colOf(p.Lon))
			lo[r], hi[r] = min(lo[r], c), max(hi[r], c)
		}
		n := 0
		for r := range lo {
			if hi[r] >= 0 {
				n += int(hi[r]-lo[r]) + 1
			}
		}
		if n > maxCells && cell < 90 {
			continue
		}
		l.rows = make([]rowSpan, len(lo))
		off := int32(0)
		for r := range lo {
			if hi[r] < 0 {
				l.rows[r] = rowSpan{off: off}
				continue
			}
			l.rows[r] = rowSpan{col0: lo[r], ncol: hi[r] - lo[r] + 1, off: off}
			off += hi[r] - lo[r] + 1
		}
		l.ncells = int(off)
		return l
	}
}

// cellsOf fits a layout to pts and returns each point's cell. An invalid
// point is never within any distance (the chord test fails on NaN), so it
// gets no cell (-1).
func cellsOf(pts []Point) (*cellLayout, []int32) {
	valid := make([]Point, 0, len(pts))
	for _, p := range pts {
		if p.valid() {
			valid = append(valid, p)
		}
	}
	lay := newLayout(valid)
	cells := make([]int32, len(pts))
	for i, p := range pts {
		cells[i] = -1
		if p.valid() {
			cells[i] = lay.cellOf(p)
		}
	}
	return lay, cells
}

// bucket is a counting sort by cell (cells[i] is point i's, -1 for none)
// of the points that keep accepts (all, if keep is nil), stable in index
// order. start has one entry per cell and one more: cell k holds
// order[start[k]:start[k+1]].
func (l *cellLayout) bucket(cells []int32, keep func(i int) bool) (start, order []int32) {
	start = make([]int32, l.ncells+1)
	n := 0
	for i, c := range cells {
		if c >= 0 && (keep == nil || keep(i)) {
			start[c+1]++
			n++
		}
	}
	for k := 1; k < len(start); k++ {
		start[k] += start[k-1]
	}
	order = make([]int32, n)
	next := make([]int32, l.ncells)
	copy(next, start)
	for i, c := range cells {
		if c >= 0 && (keep == nil || keep(i)) {
			order[next[c]] = int32(i)
			next[c]++
		}
	}
	return start, order
}

// window is the part of a layout that may hold points within some radius
// of a centre: rows r0…r1 (indices into rows) and up to two ranges of
// absolute columns (two when the circle crosses ±180°).
type window struct {
	r0, r1 int
	cols   [2][2]int
	ncols  int
}

// radius is a search distance and what the window and the chord test
// derive from it, computed once for the radii of D.3.
type radius struct {
	km     float64
	ang    float64 // radians
	sinAng float64
	dlat   float64 // degrees, with a margin
	lim    float64 // chordLimit(km)
}

func newRadius(km float64) radius {
	ang := km / earthRadiusKM
	return radius{
		km:     km,
		ang:    ang,
		sinAng: math.Sin(ang),
		// The margins (1e-9° ≈ 0.1 mm) cover rounding: a point that passes
		// the chord test a hair beyond km must still be in the window.
		dlat: ang*180/math.Pi + 1e-9,
		lim:  chordLimit(km),
	}
}

// window bounds the circle of rd around c by latitude and by the exact
// longitude half-width of a spherical cap; ok is false when it misses
// every row.
func (l *cellLayout) window(c Point, rd *radius) (w window, ok bool) {
	if len(l.rows) == 0 || !c.valid() || rd.km < 0 {
		return w, false
	}
	dlat := rd.dlat
	w.r0 = max(l.rowOf(c.Lat-dlat)-l.row0, 0)
	w.r1 = min(l.rowOf(c.Lat+dlat)-l.row0, len(l.rows)-1)
	if w.r0 > w.r1 {
		return w, false
	}
	cosφ := math.Cos(c.Lat * math.Pi / 180)
	full := math.Abs(c.Lat)+dlat >= 89.9 || rd.sinAng >= cosφ || rd.ang >= math.Pi/2
	dlon := 0.0
	if !full {
		dlon = asin(rd.sinAng/cosφ)*180/math.Pi + 1e-9
		full = dlon >= 180
	}
	lo, hi := c.Lon-dlon, c.Lon+dlon
	switch {
	case full: // the circle reaches a pole: every longitude
		w.cols[0], w.ncols = [2]int{l.colOf(-180), l.colOf(180)}, 1
	case lo < -180:
		w.cols[0], w.cols[1], w.ncols = [2]int{l.colOf(-180), l.colOf(hi)}, [2]int{l.colOf(lo + 360), l.colOf(180)}, 2
	case hi > 180:
		w.cols[0], w.cols[1], w.ncols = [2]int{l.colOf(-180), l.colOf(hi - 360)}, [2]int{l.colOf(lo), l.colOf(180)}, 2
	default:
		w.cols[0], w.ncols = [2]int{l.colOf(lo), l.colOf(hi)}, 1
	}
	return w, true
}

// run is the cells [a, b) of row r (an index into rows) that the column
// range cols covers; a == b when none.
func (l *cellLayout) run(r int, cols [2]int) (a, b int32) {
	rs := &l.rows[r]
	c0, c1 := max(int32(cols[0]), rs.col0), min(int32(cols[1]), rs.col0+rs.ncol-1)
	if c0 > c1 {
		return 0, 0
	}
	return rs.off + c0 - rs.col0, rs.off + c1 - rs.col0 + 1
}

// grid is the index over plain points (the postcodes). It answers radius
// queries by reading only the runs of cells that the circle's bounding
// box covers, then checks the exact distance, so it returns exactly what
// a linear scan does.
type grid struct {
	lay   *cellLayout
	start []int32      // per cell, first slot; one more at the end
	slots []gridPoint  // the points in cell order
	xyz   [][3]float64 // unit vectors of the points by index: the distance test needs no trigonometry
}

// gridPoint is a point as stored in cell order.
type gridPoint struct {
	v [3]float64
	i int32 // index of the point
}

func newGrid(pts []Point) *grid {
	g := &grid{xyz: make([][3]float64, len(pts))}
	for i, p := range pts {
		g.xyz[i] = unitVector(p)
	}
	lay, cells := cellsOf(pts)
	var order []int32
	g.lay = lay
	g.start, order = lay.bucket(cells, nil)
	g.slots = make([]gridPoint, len(order))
	for k, i := range order {
		g.slots[k] = gridPoint{v: g.xyz[i], i: i}
	}
	return g
}

// within calls fn for every point at most km from c, in no set order.
func (g *grid) within(c Point, km float64, fn func(i int, d float64)) {
	rd := newRadius(km)
	w, ok := g.lay.window(c, &rd)
	if !ok {
		return
	}
	cv, lim := unitVector(c), rd.lim
	for r := w.r0; r <= w.r1; r++ {
		for _, cols := range w.cols[:w.ncols] {
			a, b := g.lay.run(r, cols)
			for _, s := range g.slots[g.start[a]:g.start[b]] {
				if ch2 := chord2(&s.v, &cv); ch2 <= lim {
					fn(int(s.i), chordKM(ch2))
				}
			}
		}
	}
}

// scan is the linear reference for within: same predicate, every point.
func (g *grid) scan(c Point, km float64, fn func(i int, d float64)) { scanAll(g.xyz, c, km, fn) }

// scanAll calls fn for every unit vector of xyz at most km from c: the
// linear reference of the grids, with their distance test.
func scanAll(xyz [][3]float64, c Point, km float64, fn func(i int, d float64)) {
	if !c.valid() || km < 0 {
		return
	}
	cv, lim := unitVector(c), chordLimit(km)
	for i := range xyz {
		if ch2 := chord2(&xyz[i], &cv); ch2 <= lim {
			fn(i, chordKM(ch2))
		}
	}
}

// unitVector is p on the unit sphere.
func unitVector(p Point) [3]float64 {
	sinφ, cosφ := math.Sincos(p.Lat * math.Pi / 180)
	sinλ, cosλ := math.Sincos(p.Lon * math.Pi / 180)
	return [3]float64{cosφ * cosλ, cosφ * sinλ, sinφ}
}

// chordLimit is the squared chord of a great-circle distance of km.
func chordLimit(km float64) float64 {
	c := 2 * math.Sin(math.Min(km/earthRadiusKM, math.Pi)/2)
	return c * c
}

// chord2 is the squared chord between two unit vectors. Every index and
// every scan calls this one function, so all of them compute the same
// bits and return the same points.
func chord2(v, c *[3]float64) float64 {
	dx, dy, dz := v[0]-c[0], v[1]-c[1], v[2]-c[2]
	return dx*dx + dy*dy + dz*dz
}

// chordKM is the great-circle distance of a squared chord, which equals
// Distance to within 1e-9 km.
func chordKM(ch2 float64) float64 {
	return 2 * earthRadiusKM * asin(math.Min(1, math.Sqrt(ch2)/2))
}

// asin is math.Asin for x in [0, 1]. Below 0.01 (a chord of 127 km) it is
// the series to x⁷, exact to 1e-17 of x and a quarter of the cost: a
// query calls it for each place that passes its filters.
func asin(x float64) float64 {
	if x >= 0 && x < 0.01 {
		x2 := x * x
		return x * (1 + x2*(1.0/6+x2*(3.0/40+x2*(15.0/336))))
	}
	return math.Asin(x)
}

// nearest returns the closest point within maxKM (lowest index on ties).
func (g *grid) nearest(c Point, maxKM float64) (int, float64, bool) {
	best, bestD := -1, math.Inf(1)
	g.within(c, maxKM, func(i int, d float64) {
		if d < bestD || (d == bestD && i < best) {
			best, bestD = i, d
		}
	})
	return best, bestD, best >= 0
}
