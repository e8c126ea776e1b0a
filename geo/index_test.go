package geo

import (
	"math"
	"math/rand/v2"
	"reflect"
	"slices"
	"strings"
	"sync"
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

// TestMatchIndexEqualsLinearOddQueries checks Match against the linear
// reference on locations Locate does not make (raw points, other spellings
// of the commune, no country, a foreign country, no postcode, an invalid
// point) and on places spread over the globe, across the date line and
// near the poles.
func TestMatchIndexEqualsLinearOddQueries(t *testing.T) {
	base := testDir()
	r := rand.New(rand.NewPCG(7, 8))
	world := synthetic(base, 2000, 11)
	for _, p := range world.places {
		switch r.IntN(4) {
		case 0:
			p.Point = Point{r.Float64()*180 - 90, r.Float64()*360 - 180}
		case 1:
			p.Point = Point{r.Float64()*2 - 1, 179 + r.Float64()*2}
			if p.Point.Lon > 180 {
				p.Point.Lon -= 360
			}
		case 2:
			p.Point = Point{89 + r.Float64(), r.Float64()*360 - 180}
		}
		if r.IntN(50) == 0 {
			p.Country = "DE"
		}
	}
	world = newDirectory(world.places, base.pcs)
	for i, d := range []*Directory{synthetic(base, 5000, 21), world} {
		qs := benchQueries(d, 2000)
		for k := range qs {
			qq := &qs[k]
			qq.Lang = []string{"fr", "nl", "de", ""}[r.IntN(4)]
			qq.Barrier = []string{"none", "body", "memory"}[r.IntN(3)]
			switch r.IntN(10) {
			case 0:
				qq.At.Point = Point{qq.At.Point.Lat + r.NormFloat64()*0.1, qq.At.Point.Lon + r.NormFloat64()*0.1}
			case 1:
				qq.At.Commune = strings.ToUpper(qq.At.Commune)
			case 2:
				qq.At.Commune = "Ailleurs"
			case 3:
				qq.At.Country = ""
			case 4:
				qq.At.Country = "DE"
			case 5:
				qq.At.Postcode = ""
			case 6:
				qq.At.Postcode = "99999"
			case 7:
				qq.At.Point = d.places[r.IntN(len(d.places))].Point
			case 8:
				qq.At.Point = Point{math.NaN(), 0}
			}
			if r.IntN(10) == 0 {
				qq.Need = "unknown"
			}
			a, b := d.Match(*qq), d.matchLinear(*qq)
			if !reflect.DeepEqual(a, b) {
				t.Fatalf("dir %d: Match = %+v, linear = %+v for %+v", i, a, b, *qq)
			}
		}
	}
}

// TestWantKey checks that wantKey names every input of Want: the cached
// bits equal newWantBits(Want(q)) for every combination.
func TestWantKey(t *testing.T) {
	d := testDir()
	for _, need := range []string{"procedure", "banking", "job", "health", "family", "learning", "other", "", "x"} {
		for _, profile := range []string{"autonome", "proche_autonomie", "grand_debutant", "besoin_assistance", "", "x"} {
			for _, country := range []Country{BE, FR, "", "DE"} {
				for _, barrier := range []string{"none", "body", "memory", "skip"} {
					for _, lang := range []string{"fr", "nl", "de", "en", ""} {
						for e := range 3 {
							for c := range 3 {
								for rd := range 3 {
									q := Query{At: Location{Country: country}, Profile: profile, Need: need,
										Equipment: e, Connectivity: c, Reading: rd, Barrier: barrier, Lang: lang}
									got := d.index.wantBits(q, &d.vocab)
									if want := newWantBits(Want(q), q.Profile, q.Lang, &d.vocab); got != want {
										t.Fatalf("wantBits(%+v) = %+v, want %+v", q, got, want)
									}
								}
							}
						}
					}
				}
			}
		}
	}
}

// TestInCommuneFast checks the commune test of the index against
// Directory.inCommune, for locations from Locate and others.
func TestInCommuneFast(t *testing.T) {
	base := shipped(t)
	d := synthetic(base, 20000, 5)
	var communeOnly []*Place
	for _, p := range d.places {
		if p.CommuneOnly {
			communeOnly = append(communeOnly, p)
		}
	}
	r := rand.New(rand.NewPCG(9, 10))
	for _, qq := range benchQueries(d, 500) {
		loc := qq.At
		switch r.IntN(4) {
		case 0:
			loc.Commune = strings.ToUpper(loc.Commune)
		case 1:
			// A commune-only place's commune, not a locality of the
			// postcode: only the folded name says it fits.
			loc.Commune = communeOnly[r.IntN(len(communeOnly))].Commune
		case 2:
			loc.Postcode = "99999"
		}
		var m matcher
		d.initMatcher(&m, Query{At: loc}, wantBits{})
		home := normName(loc.Commune)
		for i, pm := range d.meta {
			if !pm.communeOnly || pm.country != loc.Country {
				continue
			}
			if got, want := m.inCommuneFast(i), d.inCommune(loc, home, i); got != want {
				t.Fatalf("inCommuneFast(%+v, %s %s) = %v, want %v", loc, pm.postcode, pm.commune, got, want)
			}
		}
	}
}

// TestMatchConcurrent runs queries from several goroutines on a fresh
// directory, whose caches (wantBits, the commune index) fill on first use;
// run with -race.
func TestMatchConcurrent(t *testing.T) {
	d := synthetic(testDir(), 3000, 4)
	qs := benchQueries(d, 200)
	want := make([]Result, len(qs))
	for i, qq := range qs {
		want[i] = d.matchLinear(qq)
	}
	d = synthetic(testDir(), 3000, 4)
	var wg sync.WaitGroup
	for g := range 4 {
		wg.Go(func() {
			for k := range qs {
				i := (k + g*50) % len(qs)
				if got := d.Match(qs[i]); !slices.Equal(ids(got), ids(want[i])) {
					t.Errorf("Match(%+v) = %v, want %v", qs[i], ids(got), ids(want[i]))
				}
			}
		})
	}
	wg.Wait()
}

// TestMatchIndexEqualsLinearLarge checks every field of Match against the
// linear reference on a dense directory (200,000 places, as many as a
// 15 km disc of the 1M benchmark holds in a tenth of the area) and 5,000
// random people of every profile, need, language and barrier.
func TestMatchIndexEqualsLinearLarge(t *testing.T) {
	d := synthetic(testDir(), 200_000, 13)
	r := rand.New(rand.NewPCG(14, 15))
	n := 5000
	if raceDetector {
		n = 500 // the same code paths, a tenth of the people
	}
	qs := benchQueries(d, n)
	for k := range qs {
		qq := &qs[k]
		qq.Lang = []string{"fr", "nl", "de", ""}[r.IntN(4)]
		qq.Barrier = []string{"none", "body", "memory"}[r.IntN(3)]
		if r.IntN(5) == 0 {
			qq.At.Point = Point{qq.At.Point.Lat + r.NormFloat64()*0.1, qq.At.Point.Lon + r.NormFloat64()*0.1}
		}
		a, b := d.Match(*qq), d.matchLinear(*qq)
		if !reflect.DeepEqual(a, b) {
			t.Fatalf("Match = %+v, linear = %+v for %+v", a, b, *qq)
		}
	}
}

// TestMatchIndexEqualsLinearTies holds the index's floor (a place whose
// key is below the full lists' worst is dropped before its distance and
// its commune) to the linear reference where keys tie most: few distinct
// tag sets, many commune-only places, places at the very same point, and
// enough places (160,000) for the nearest-first walk.
func TestMatchIndexEqualsLinearTies(t *testing.T) {
	base := testDir()
	r := rand.New(rand.NewPCG(16, 17))
	d := synthetic(base, 160_000, 18)
	services := [][]string{{ServiceProcedures}, {ServiceProcedures, ServiceEveryday, ServiceAccess}, {ServiceEveryday, ServiceJob}}
	modes := [][]string{{ModeOneToOne}, {ModeOneToOne, ModeRemote, ModeWorkshop}}
	for k, p := range d.places {
		p.Services = services[r.IntN(len(services))]
		p.Modalities = modes[r.IntN(len(modes))]
		p.SpecificCare = nil
		if r.IntN(2) == 0 {
			p.SpecificCare = []string{CareIlliteracy, CareVisual}
		}
		p.Langs = []string{"fr", "nl"}[:1+r.IntN(2)]
		p.Programmes = nil
		if r.IntN(4) == 0 {
			p.Programmes = []string{ProgrammeAidantsConnect}
		}
		p.CommuneOnly = r.IntN(4) == 0
		if k > 0 && r.IntN(10) == 0 {
			p.Point = d.places[k-1].Point
		}
	}
	d = newDirectory(d.places, base.pcs)
	n := 1000
	if raceDetector {
		n = 100
	}
	qs := benchQueries(d, n)
	for k := range qs {
		qq := &qs[k]
		qq.Lang = []string{"fr", "nl"}[r.IntN(2)]
		qq.Barrier = []string{"none", "body"}[r.IntN(2)]
		a, b := d.Match(*qq), d.matchLinear(*qq)
		if !reflect.DeepEqual(a, b) {
			t.Fatalf("Match = %+v, linear = %+v for %+v", a, b, *qq)
		}
	}
}
