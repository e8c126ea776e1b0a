package geo

import (
	"math"
	"math/rand/v2"
	"slices"
	"testing"
)

// TestGridMatchesScan is the property that the index returns exactly what
// a linear scan returns, on random directories and queries.
func TestGridMatchesScan(t *testing.T) {
	r := rand.New(rand.NewPCG(42, 1))
	for trial := range 50 {
		n := 1 + r.IntN(3000)
		pts := make([]Point, n)
		// Mostly around BE/FR, some anywhere (poles and the date line too).
		for i := range pts {
			if r.IntN(10) == 0 {
				pts[i] = Point{r.Float64()*180 - 90, r.Float64()*360 - 180}
			} else {
				pts[i] = Point{42 + r.Float64()*9.5, -5 + r.Float64()*14}
			}
		}
		g := newGrid(pts)
		for range 40 {
			var c Point
			if r.IntN(5) == 0 {
				c = Point{r.Float64()*180 - 90, r.Float64()*360 - 180}
			} else {
				c = pts[r.IntN(n)]
			}
			km := r.Float64() * 400
			var a, b []int
			g.within(c, km, func(i int, _ float64) { a = append(a, i) })
			g.scan(c, km, func(i int, _ float64) { b = append(b, i) })
			slices.Sort(a)
			slices.Sort(b)
			if !slices.Equal(a, b) {
				t.Fatalf("trial %d: within(%v, %.1f) = %d points, scan = %d", trial, c, km, len(a), len(b))
			}
		}
	}
}

// TestMatchIndexEqualsLinear checks Match end to end on random directories.
func TestMatchIndexEqualsLinear(t *testing.T) {
	base := testDir()
	for seed := range uint64(5) {
		d := synthetic(base, 5000, seed)
		for _, qq := range benchQueries(d, 300) {
			qq.Lang = []string{"fr", "nl"}[seed%2]
			a, b := d.Match(qq), d.matchLinear(qq)
			if !slices.Equal(ids(a), ids(b)) || a.RadiusKM != b.RadiusKM || a.Fallback != b.Fallback {
				t.Fatalf("Match = %v, linear = %v for %+v", ids(a), ids(b), qq)
			}
		}
	}
}

func TestDistance(t *testing.T) {
	// Brussels Grand-Place to Paris Notre-Dame: about 264 km.
	if d := Distance(Point{50.8467, 4.3525}, Point{48.8530, 2.3499}); d < 262 || d > 266 {
		t.Errorf("Distance(Brussels, Paris) = %.1f, want about 264", d)
	}
	if d := Distance(Point{1, 1}, Point{1, 1}); d != 0 {
		t.Errorf("Distance(p, p) = %v, want 0", d)
	}
}

func TestChordDistance(t *testing.T) {
	r := rand.New(rand.NewPCG(3, 4))
	for range 10000 {
		a := Point{r.Float64()*180 - 90, r.Float64()*360 - 180}
		b := Point{a.Lat + r.NormFloat64(), a.Lon + r.NormFloat64()}
		if !b.valid() {
			continue
		}
		g := newGrid([]Point{b})
		var got float64
		g.scan(a, 1e6, func(_ int, d float64) { got = d })
		if want := Distance(a, b); math.Abs(got-want) > 1e-6 {
			t.Fatalf("chord distance %v→%v = %v, haversine %v", a, b, got, want)
		}
	}
}
