package geo

import (
	"math/rand/v2"
	"os"
	"os/exec"
	"path/filepath"
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
		loc, err := d.Locate(row.Postcode)
		if err != nil {
			continue
		}
		qs = append(qs, Query{At: loc, Profile: profiles[r.IntN(4)], Need: needs[r.IntN(7)],
			Equipment: r.IntN(3), Connectivity: r.IntN(3), Reading: r.IntN(3), Barrier: "none", Lang: "fr"})
	}
	return qs
}

// haversineScan is the linear scan a developer writes without an index:
// the great-circle formula (Distance) on every place. Match is measured
// against it.
func haversineScan(ix *placeIndex) func(Point, float64, func(int, float64)) {
	return func(c Point, km float64, fn func(int, float64)) {
		for i, p := range ix.pts {
			if d := Distance(c, p); d <= km {
				fn(i, d)
			}
		}
	}
}

// benchMatch runs one matcher over 1000 people: match is Match, or the
// D.3 reference over a linear search. One iteration matches all 1000, so
// that a slow matcher (a linear scan of 100,000 places runs only a few
// hundred iterations) is measured on the same people as a fast one;
// ns/match is the figure to compare.
//
// The directory is warmed first, as cmd does at start-up: otherwise the
// first iteration builds the commune index, a tenth of the 1M figure.
func benchMatch(b *testing.B, d *Directory, search func(Point, float64, func(int, float64))) {
	d.Warm()
	qs := benchQueries(d, 1000)
	for b.Loop() {
		for _, q := range qs {
			if search == nil {
				d.Match(q)
			} else {
				d.match(q, search)
			}
		}
	}
	b.ReportMetric(float64(b.Elapsed().Nanoseconds())/float64(b.N*len(qs)), "ns/match")
}

// Index is Match; Linear is the naive haversine scan, the baseline of
// issue 3; ChordScan is the exact linear reference of the tests (the
// same predicate as the index, no trigonometry for places out of range),
// a stricter baseline.

func BenchmarkMatchShippedIndex(b *testing.B) { benchMatch(b, shipped(b), nil) }
func BenchmarkMatchShippedLinear(b *testing.B) {
	d := shipped(b)
	benchMatch(b, d, haversineScan(d.index))
}
func BenchmarkMatchShippedChordScan(b *testing.B) {
	d := shipped(b)
	benchMatch(b, d, d.index.scan)
}

func BenchmarkMatch100kIndex(b *testing.B) { benchMatch(b, synthetic(shipped(b), 100_000, 3), nil) }
func BenchmarkMatch100kLinear(b *testing.B) {
	d := synthetic(shipped(b), 100_000, 3)
	benchMatch(b, d, haversineScan(d.index))
}
func BenchmarkMatch100kChordScan(b *testing.B) {
	d := synthetic(shipped(b), 100_000, 3)
	benchMatch(b, d, d.index.scan)
}

// BenchmarkMatch1MIndex: a million synthetic places (issue 22 target:
// under 20 µs a match). Building them takes seconds and about 1 GB; the
// linear scans are left out at this size.
func BenchmarkMatch1MIndex(b *testing.B) { benchMatch(b, synthetic(shipped(b), 1_000_000, 3), nil) }

// BenchmarkFirstBelgianMatch is the first person of a fresh process: a
// Belgian postcode or commune name, located and matched, on a directory
// just opened (cold) or warmed first (warm, as cmd does in the
// background).
func BenchmarkFirstBelgianMatch(b *testing.B) {
	for _, c := range []struct {
		name, first string
		warm        bool
	}{{"postcode/cold", "1060", false}, {"postcode/warm", "1060", true},
		{"name/cold", "Saint-Gilles", false}, {"name/warm", "Saint-Gilles", true}} {
		warm, first := c.warm, c.first
		b.Run(c.name, func(b *testing.B) {
			for b.Loop() {
				b.StopTimer()
				d := shipped(b)
				if warm {
					d.Warm()
				}
				b.StartTimer()
				loc, err := d.LocateIn(first, BE)
				if err != nil {
					b.Fatal(err)
				}
				d.Match(Query{At: loc, Profile: "grand_debutant", Need: "procedure", Barrier: "none", Lang: "fr"})
			}
		})
	}
}

// BenchmarkLocate: a postcode, a commune, a typo (suggestions: one edit
// distance per name of similar length) and long garbage (refused before
// any distance).
func BenchmarkLocate(b *testing.B) {
	d := shipped(b)
	for _, c := range []struct{ name, in string }{
		{"postcode", "1000"}, {"commune", "Liège"}, {"typo", "brusels"}, {"garbage", string(make([]byte, 400))},
	} {
		b.Run(c.name, func(b *testing.B) {
			for b.Loop() {
				d.Locate(c.in)
			}
		})
	}
}

// baseCommit is main before issue 15: its directory is the baseline of
// the targets, read from git so that both run in one process.
const baseCommit = "b5f9667"

// baseline writes the places folder of baseCommit to a temporary folder
// and returns that folder.
func baseline(b *testing.B) string {
	b.Helper()
	dir := b.TempDir()
	for _, f := range []string{PlacesFile, PostcodesFile} {
		out, err := exec.Command("git", "show", baseCommit+":configs/places/"+f).Output()
		if err != nil {
			b.Fatalf("git show %s:configs/places/%s: %v (the baseline needs the repository's history)", baseCommit, f, err)
		}
		if err := os.WriteFile(filepath.Join(dir, f), out, 0o644); err != nil {
			b.Fatal(err)
		}
	}
	return dir
}

// BenchmarkOpenBaseline is BenchmarkOpen over the directory of
// baseCommit: issue 15's start-up target is a ratio to it.
func BenchmarkOpenBaseline(b *testing.B) {
	fsys := os.DirFS(baseline(b))
	for b.Loop() {
		if _, err := OpenDir(fsys, "."); err != nil {
			b.Fatal(err)
		}
	}
}

// benchPostcodes are 1000 postcodes of both countries, as people type
// them.
func benchPostcodes(d *Directory) []string {
	r := rand.New(rand.NewPCG(3, 4))
	out := make([]string, 1000)
	for i := range out {
		out[i] = d.pcs[r.IntN(len(d.pcs))].Postcode
	}
	return out
}

// benchPostcodeToPlaces is what a person's postcode costs: Locate, the
// commune when the postcode has several (the person's answer: here the
// first), then Match.
func benchPostcodeToPlaces(b *testing.B, d *Directory) {
	pcs := benchPostcodes(d)
	i := 0
	for b.Loop() {
		loc, err := d.Locate(pcs[i%len(pcs)])
		i++
		if err != nil {
			b.Fatal(err)
		}
		if len(loc.Communes) >= 2 {
			if loc, err = d.InCommune(loc, loc.Communes[0].NIS); err != nil {
				b.Fatal(err)
			}
		}
		d.Match(Query{At: loc, Profile: "proche_autonomie", Need: "procedure", Equipment: 2, Connectivity: 2, Barrier: "none", Lang: "fr"})
	}
}

// BenchmarkPostcodeToPlaces: the shipped directory against the
// baseline's, in one run (issue 15: under 20 µs, within 1.5×).
func BenchmarkPostcodeToPlaces(b *testing.B) {
	b.Run("baseline", func(b *testing.B) {
		d, err := OpenDir(os.DirFS(baseline(b)), ".")
		if err != nil {
			b.Fatal(err)
		}
		benchPostcodeToPlaces(b, d)
	})
	b.Run("shipped", func(b *testing.B) { benchPostcodeToPlaces(b, shipped(b)) })
}
