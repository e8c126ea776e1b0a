package observatory

import (
	"math"
)

// eps is the tolerance under which an eliminated coefficient is zero.
const eps = 1e-9

// system is the sums of a report as linear equations (total − parts = 0)
// over its counts, for Build's rule 3.
type system struct {
	sums   [][]*Count
	counts []*Count       // every count of the sums, once
	index  map[*Count]int // position in counts
	in     [][]int        // by count: the sums it is in
	total  []bool         // by count: the total of some sum
}

func newSystem(sums [][]*Count) *system {
	sys := &system{sums: sums, index: map[*Count]int{}}
	for k, s := range sums {
		for i, c := range s {
			j, ok := sys.index[c]
			if !ok {
				j = len(sys.counts)
				sys.index[c] = j
				sys.counts = append(sys.counts, c)
				sys.in = append(sys.in, nil)
				sys.total = append(sys.total, false)
			}
			sys.in[j] = append(sys.in[j], k)
			sys.total[j] = sys.total[j] || i == 0
		}
	}
	return sys
}

// exposed returns the hidden counts from 1 to MinCount−1 that whoever
// reads the report can work out: it tries what they can, over and over
// until nothing more comes out (the known numbers grow at each step):
//
//   - a sum with one unknown number gives it; a known total minus its
//     known parts that leaves 0 gives 0 for each part left (counts are
//     never negative);
//   - the sums taken together, as linear equations, give every unknown
//     that they fix whatever the others are (Gaussian elimination).
func (sys *system) exposed() []*Count {
	known := make([]bool, len(sys.counts))
	for j, c := range sys.counts {
		known[j] = !c.Hidden
	}
	for {
		progress := false
		for _, s := range sys.sums {
			if len(s) < 2 {
				continue
			}
			var unknown []int
			rest := 0
			for i, c := range s {
				j := sys.index[c]
				switch {
				case !known[j]:
					unknown = append(unknown, j)
				case i == 0:
					rest += c.N
				default:
					rest -= c.N
				}
			}
			totalKnown := known[sys.index[s[0]]]
			if len(unknown) == 1 || len(unknown) > 1 && totalKnown && rest == 0 {
				for _, j := range unknown {
					known[j] = true
				}
				progress = true
			}
		}
		if !progress {
			for _, j := range sys.fixed(known) {
				known[j] = true
				progress = true
			}
		}
		if !progress {
			break
		}
	}
	var out []*Count
	for j, c := range sys.counts {
		if c.Hidden && known[j] && c.N > 0 && c.N < MinCount {
			out = append(out, c)
		}
	}
	return out
}

// fixed returns the unknown counts that the sums fix: after Gauss–Jordan
// elimination of the equations in the unknowns, those whose pivot row has
// no free unknown. The coefficients are small integers and stay small
// rationals, so float64 with a tolerance decides exactly; a row is
// updated only if it has the pivot's column, and only at the pivot row's
// entries, which keeps the work near the equations' few entries.
func (sys *system) fixed(known []bool) []int {
	col := make([]int, len(sys.counts))
	var vars []int
	for j := range sys.counts {
		col[j] = -1
		if !known[j] {
			col[j] = len(vars)
			vars = append(vars, j)
		}
	}
	n := len(vars)
	if n == 0 {
		return nil
	}
	rows, sizes := sys.equations(col, n)
	pivots := eliminate(rows, sizes, n)
	var out []int
	for r, c := range pivots {
		alone := true
		for j := c + 1; j < n; j++ {
			if math.Abs(rows[r][j]) > eps {
				alone = false
				break
			}
		}
		if alone {
			out = append(out, vars[c])
		}
	}
	return out
}

// equations writes the sums as rows over the n unknowns (col maps a
// count to its unknown's column, -1 if known), with each row's entries
// that are not zero; sums with no unknown give no row.
func (sys *system) equations(col []int, n int) (rows [][]float64, sizes []int) {
	for _, s := range sys.sums {
		var row []float64
		for i, c := range s {
			v := col[sys.index[c]]
			if v < 0 {
				continue
			}
			if row == nil {
				row = make([]float64, n)
			}
			if i == 0 {
				row[v]++
			} else {
				row[v]--
			}
		}
		if row != nil {
			rows = append(rows, row)
			size := 0
			for _, v := range row {
				if v != 0 {
					size++
				}
			}
			sizes = append(sizes, size)
		}
	}
	return rows, sizes
}

// eliminate brings rows to reduced row echelon form, in place, and
// returns the pivots' columns in the order of their rows. sizes (by row:
// its entries not zero) is kept up to date, to pick sparse pivots.
func eliminate(rows [][]float64, sizes []int, n int) []int {
	var pivots, nz []int
	for c, r := 0, 0; c < n && r < len(rows); c++ {
		// The pivot: among the rows whose entry is near the largest (for
		// precision), the one with the fewest entries, so that adding it
		// to the others fills them the least.
		top := 0.0
		for i := r; i < len(rows); i++ {
			top = max(top, math.Abs(rows[i][c]))
		}
		if top <= eps {
			continue
		}
		p := -1
		for i := r; i < len(rows); i++ {
			if math.Abs(rows[i][c]) >= top/2 && (p < 0 || sizes[i] < sizes[p]) {
				p = i
			}
		}
		rows[r], rows[p] = rows[p], rows[r]
		sizes[r], sizes[p] = sizes[p], sizes[r]
		pr := rows[r]
		nz = nz[:0] // the pivot row's other entries: few, while the rows are sparse
		for j, d := c+1, pr[c]; j < n; j++ {
			if pr[j] != 0 {
				pr[j] /= d
				nz = append(nz, j)
			}
		}
		pr[c] = 1
		for i, row := range rows {
			if i == r || math.Abs(row[c]) <= eps {
				continue
			}
			f := row[c]
			for _, j := range nz {
				was := row[j] != 0
				row[j] -= f * pr[j]
				if math.Abs(row[j]) <= eps {
					row[j] = 0
				}
				switch now := row[j] != 0; {
				case now && !was:
					sizes[i]++
				case was && !now:
					sizes[i]--
				}
			}
			row[c] = 0
			sizes[i]--
		}
		pivots = append(pivots, c)
		r++
	}
	return pivots
}

// hideNear hides the shown count closest to c through the sums, and
// reports whether it found one: the smallest shown one of c's sums, a
// part rather than a total; if they have none shown, of the sums of their
// counts, and so on. A number that can
// be worked out always has a shown number so reached: from hidden numbers
// alone nothing but zeros comes out.
func (sys *system) hideNear(c *Count) bool {
	seen := map[int]bool{sys.index[c]: true}
	frontier := []int{sys.index[c]}
	for len(frontier) > 0 {
		pick := -1
		var next []int
		for _, j := range frontier {
			for _, k := range sys.in[j] {
				for _, d := range sys.sums[k] {
					i := sys.index[d]
					if !d.Hidden && (pick < 0 || sys.better(i, pick)) {
						pick = i
					}
					if !seen[i] {
						seen[i] = true
						next = append(next, i)
					}
				}
			}
		}
		if pick >= 0 {
			sys.counts[pick].Hidden = true
			return true
		}
		frontier = next
	}
	return false
}

// better reports whether hiding count i loses less than hiding count j:
// a part before a total, then the smaller.
func (sys *system) better(i, j int) bool {
	if sys.total[i] != sys.total[j] {
		return !sys.total[i]
	}
	return sys.counts[i].N < sys.counts[j].N
}
