package geo

import (
	"math/rand/v2"
	"os"
	"testing"
)

// shipped opens the directory the binary embeds (configs/places), read
// from disk because geo must not import configs.
func shipped(tb testing.TB) *Directory {
	tb.Helper()
	d, err := OpenDir(os.DirFS("../configs/places"), ".")
	if err != nil {
		tb.Fatalf("OpenDir: %v", err)
	}
	return d
}

func BenchmarkOpen(b *testing.B) {
	fsys := os.DirFS("../configs")
	for b.Loop() {
		if _, err := Open(fsys); err != nil {
			b.Fatal(err)
		}
	}
}

// benchQueries are people spread over both countries' postcodes.
func benchQueries(d *Directory, n int) []Query {
	r := rand.New(rand.NewPCG(1, 2))
	profiles := []string{"autonome", "proche_autonomie", "grand_debutant", "besoin_assistance"}
	needs := []string{"procedure", "banking", "job", "health", "family", "learning", "other"}
	var qs []Query
	for len(qs) < n {
		row := d.pcs[r.IntN(len(d.pcs))]
		loc, err := d.Locate(row.postcode)
		if err != nil {
			continue
		}
		qs = append(qs, Query{At: loc, Profile: profiles[r.IntN(4)], Need: needs[r.IntN(7)],
			Equipment: r.IntN(3), Connectivity: r.IntN(3), Reading: r.IntN(3), Barrier: "none", Lang: "fr"})
	}
	return qs
}

// haversineScan is the naive linear scan: the great-circle formula on
// every place. It is here only to put the figures in context.
func haversineScan(g *grid) func(Point, float64, func(int, float64)) {
	return func(c Point, km float64, fn func(int, float64)) {
		for i, p := range g.pts {
			if d := Distance(c, p); d <= km {
				fn(i, d)
			}
		}
	}
}

func BenchmarkMatchShippedHaversine(b *testing.B) {
	d := shipped(b)
	qs := benchQueries(d, 1000)
	i := 0
	for b.Loop() {
		d.match(qs[i%len(qs)], haversineScan(d.grid))
		i++
	}
}

func BenchmarkMatch100kHaversine(b *testing.B) {
	d := synthetic(shipped(b), 100_000, 3)
	qs := benchQueries(d, 1000)
	i := 0
	for b.Loop() {
		d.match(qs[i%len(qs)], haversineScan(d.grid))
		i++
	}
}

func benchMatch(b *testing.B, d *Directory, linear bool) {
	qs := benchQueries(d, 1000)
	i := 0
	for b.Loop() {
		q := qs[i%len(qs)]
		i++
		if linear {
			d.matchLinear(q)
		} else {
			d.Match(q)
		}
	}
}

func BenchmarkMatchShippedIndex(b *testing.B)  { benchMatch(b, shipped(b), false) }
func BenchmarkMatchShippedLinear(b *testing.B) { benchMatch(b, shipped(b), true) }
func BenchmarkMatch100kIndex(b *testing.B)     { benchMatch(b, synthetic(shipped(b), 100_000, 3), false) }
func BenchmarkMatch100kLinear(b *testing.B)    { benchMatch(b, synthetic(shipped(b), 100_000, 3), true) }
