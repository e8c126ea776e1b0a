package observatory

import (
	"math/bits"
	"math/rand/v2"
	"testing"
)

// The attacker of the observatory's tables: whoever reads a report (the
// page, the CSV, "secours stats") and knows how its numbers add up. It is
// written apart from Build's own check, with exact arithmetic, so that a
// slip in one is caught by the other.
//
// What it knows: every shown number, and every sum the report shows
// (testSums: a column's total and its areas, or its months; a row's
// finished conversations and its profiles, or its needs; the started
// total and its months), and that counts are never negative. What it does
// (attack), over and over until it learns nothing more:
//
//  1. Every subtraction: a shown total minus any of the shown parts of
//     its sum. Leaving a shown part out leaves it in the remainder beside
//     the hidden ones, so the subtractions that can single out a hidden
//     number are those of all the known parts: one unknown left is found;
//     several left that add up to 0 are all 0. Numbers found so count as
//     known in the next subtractions.
//  2. Every combination of sums at once: the sums are linear equations in
//     the hidden numbers, and a number is found when the equations fix it
//     whatever the others are (Gaussian elimination, modulo a prime of 61
//     bits, exact for these small integer systems).
//
// It does not use that a hidden number is under MinCount: a hidden
// number may be one hidden only so that another cannot be worked out.

const attackPrime = 1<<61 - 1

func mulMod(a, b uint64) uint64 {
	hi, lo := bits.Mul64(a, b)
	_, r := bits.Div64(hi%attackPrime, lo, attackPrime)
	return r
}

func powMod(a, e uint64) uint64 {
	r := uint64(1)
	for ; e > 0; e >>= 1 {
		if e&1 == 1 {
			r = mulMod(r, a)
		}
		a = mulMod(a, a)
	}
	return r
}

func modOf(v int) uint64 {
	if v >= 0 {
		return uint64(v) % attackPrime
	}
	return attackPrime - uint64(-v)%attackPrime
}

// attack returns the hidden counts of r the attacker works out, each with
// the sum that gave it away first ("linear" for a combination).
func attack(r *Report) map[*Count]string {
	sums := testSums(r)
	known := map[*Count]bool{}
	found := map[*Count]string{}
	for _, s := range sums {
		for _, c := range s {
			if !c.Hidden {
				known[c] = true
			}
		}
	}
	learn := func(c *Count, how string) {
		known[c] = true
		found[c] = how
	}
	for {
		progress := false
		for name, s := range sums {
			if len(s) < 2 {
				continue
			}
			var unknown []*Count
			rest := s[0].N // the total minus the known parts
			totalKnown := known[s[0]]
			if !totalKnown {
				unknown = append(unknown, s[0])
				rest = 0
			}
			for _, c := range s[1:] {
				if known[c] {
					rest -= c.N
				} else {
					unknown = append(unknown, c)
				}
			}
			switch {
			case len(unknown) == 1:
				learn(unknown[0], name)
				progress = true
			case len(unknown) > 1 && totalKnown && rest == 0:
				for _, c := range unknown {
					learn(c, name+" (all 0)")
				}
				progress = true
			}
		}
		if progress {
			continue
		}
		for _, c := range linearlyFixed(sums, known) {
			learn(c, "linear")
			progress = true
		}
		if !progress {
			return found
		}
	}
}

// linearlyFixed returns the unknown counts that the sums, as equations
// (total − parts = 0), fix whatever the other unknowns are: those whose
// column of the reduced row echelon form is a pivot with no free
// unknown beside it.
func linearlyFixed(sums map[string][]*Count, known map[*Count]bool) []*Count {
	col := map[*Count]int{}
	var vars []*Count
	var rows [][]uint64
	for _, s := range sums {
		row := map[int]uint64{}
		for i, c := range s {
			if known[c] {
				continue
			}
			j, ok := col[c]
			if !ok {
				j = len(vars)
				col[c] = j
				vars = append(vars, c)
			}
			if i == 0 {
				row[j] = (row[j] + 1) % attackPrime
			} else {
				row[j] = (row[j] + attackPrime - 1) % attackPrime
			}
		}
		if len(row) > 0 {
			dense := make([]uint64, 0, len(row))
			for j, v := range row {
				for len(dense) <= j {
					dense = append(dense, 0)
				}
				dense[j] = v
			}
			rows = append(rows, dense)
		}
	}
	n := len(vars)
	for i := range rows {
		rows[i] = append(rows[i], make([]uint64, n-len(rows[i]))...)
	}
	pivotOf := make([]int, 0, len(rows)) // the pivot column of each reduced row
	rank := 0
	for c := 0; c < n && rank < len(rows); c++ {
		p := -1
		for i := rank; i < len(rows); i++ {
			if rows[i][c] != 0 {
				p = i
				break
			}
		}
		if p < 0 {
			continue
		}
		rows[rank], rows[p] = rows[p], rows[rank]
		inv := powMod(rows[rank][c], attackPrime-2)
		for j := c; j < n; j++ {
			rows[rank][j] = mulMod(rows[rank][j], inv)
		}
		for i := range rows {
			if i == rank || rows[i][c] == 0 {
				continue
			}
			f := rows[i][c]
			for j := c; j < n; j++ {
				if rows[rank][j] != 0 {
					rows[i][j] = (rows[i][j] + attackPrime - mulMod(f, rows[rank][j])) % attackPrime
				}
			}
		}
		pivotOf = append(pivotOf, c)
		rank++
	}
	var fixed []*Count
	for i, c := range pivotOf {
		alone := true
		for j := c + 1; j < n; j++ {
			if rows[i][j] != 0 {
				alone = false
				break
			}
		}
		if alone {
			fixed = append(fixed, vars[c])
		}
	}
	return fixed
}

// TestSuppressionSubtraction builds reports of random tables and attacks
// each: no hidden count from 1 to MinCount−1 may be worked out.
func TestSuppressionSubtraction(t *testing.T) {
	for seed := range uint64(300) {
		rnd := rand.New(rand.NewPCG(seed, 16))
		areas, f := randomTable(rnd)
		nAreas, nMonths := len(areas), len(f.Months())
		r := Build(randomCells(rnd, areas, f.Months()), f)
		for c, how := range attack(&r) {
			if c.N > 0 && c.N < MinCount {
				t.Errorf("seed %d (%d areas × %d months, area %q): a hidden %d is worked out from %s", seed, nAreas, nMonths, f.Area, c.N, how)
			}
		}
	}
}
