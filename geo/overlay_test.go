package geo

import (
	"fmt"
	"slices"
	"sync"
	"testing"
	"time"
)

func TestWithOverlay(t *testing.T) {
	base := testDir(
		mk("a", north(bxl, 1), svc(ServiceProcedures)),
		mk("b", north(bxl, 2), svc(ServiceProcedures)),
		mk("net/c", north(bxl, 3), svc(ServiceProcedures), func(p *Place) { p.Source = "net" }),
	)
	added := mk("net/d", north(bxl, 0.5), svc(ServiceProcedures), func(p *Place) { p.Source = "net"; p.Hours = "Mo-Fr 09:00-12:00" })
	changed := mk("b", north(bxl, 2), svc(ServiceProcedures), func(p *Place) { p.Name = "B renamed" })
	d := base.With(Overlay{Places: []*Place{added, changed}, Removed: []string{"a"}, Sources: []string{"net"}})

	if got := ids(d.Match(q(locBXL()))); !slices.Equal(got, []string{"net/d", "b"}) {
		t.Errorf("matches after overlay = %v, want [net/d b]", got)
	}
	if got := ids(base.Match(q(locBXL()))); !slices.Equal(got, []string{"a", "b", "net/c"}) {
		t.Errorf("base matches changed: %v", got)
	}
	if p, _ := d.Place("b"); p.Name != "B renamed" {
		t.Errorf("changed place = %q", p.Name)
	}
	if _, ok := d.Place("a"); ok {
		t.Error("removed place still found")
	}
	if _, ok := d.Place("net/c"); ok {
		t.Error("a kept source's base place not in the overlay is still found")
	}
	p, _ := d.Place("net/d")
	if _, ok := p.Week(); !ok || p.sched == nil {
		t.Error("overlay place's hours not parsed")
	}
	// With copies: changing the caller's place changes nothing served.
	added.Services[0] = ServiceJob
	if p.Services[0] != ServiceProcedures {
		t.Error("overlay shares the caller's lists")
	}
	// The postcodes are the base's, not copies.
	if &d.pcs[0] != &base.pcs[0] {
		t.Error("postcodes were copied")
	}
	if _, err := d.Locate("9300"); err != nil {
		t.Errorf("Locate on the overlay: %v", err)
	}
}

func TestTempClosedNeverMatched(t *testing.T) {
	base := testDir(mk("a", north(bxl, 1), svc(ServiceProcedures)), mk("b", north(bxl, 2), svc(ServiceProcedures)))
	closed := mk("a", north(bxl, 1), svc(ServiceProcedures), func(p *Place) { p.TempClosed = true })
	d := base.With(Overlay{Places: []*Place{closed}})
	if got := ids(d.Match(q(locBXL()))); !slices.Equal(got, []string{"b"}) {
		t.Errorf("matches = %v, want [b]", got)
	}
	// Not even as a place offering something else (D.3.7).
	only := testDir(mk("a", north(bxl, 1), svc(ServiceProcedures), func(p *Place) { p.TempClosed = true }))
	if r := only.Match(q(locBXL())); len(r.Matches) != 0 {
		t.Errorf("a temporarily closed place matched: %v", ids(r))
	}
}

func TestOpeningAtClosures(t *testing.T) {
	loc := localZone()
	day := func(m time.Month, d, h int) time.Time { return time.Date(2026, m, d, h, 0, 0, 0, loc) }
	p := mk("a", bxl, func(p *Place) {
		p.Hours = "Mo-Fr 09:00-17:00"
		p.Closures = []Closure{{From: day(12, 24, 0), To: day(1, 2, 0).AddDate(1, 0, 0)}}
	})
	d := testDir(p)
	p, _ = d.Place("a")
	tests := []struct {
		name     string
		at       time.Time
		open     bool
		nextWant time.Time
	}{
		// Wednesday 23 December 2026, 10:00: open, closes at 17:00.
		{"before", day(12, 23, 10), true, day(12, 23, 17)},
		// Thursday 24 December, 10:00: a closure day; next open Monday 4 January.
		{"in closure", day(12, 24, 10), false, time.Date(2027, 1, 4, 9, 0, 0, 0, loc)},
		// Wednesday 23 December, 18:00: next opening would be the 24th, closed.
		{"evening before", day(12, 23, 18), false, time.Date(2027, 1, 4, 9, 0, 0, 0, loc)},
	}
	for _, tt := range tests {
		o := p.OpeningAt(tt.at)
		if !o.Known || o.Open != tt.open || !o.Next.Equal(tt.nextWant) {
			t.Errorf("%s: OpeningAt = %+v, want open %v next %v", tt.name, o, tt.open, tt.nextWant)
		}
	}
	if !p.ClosedOn(day(12, 31, 12)) || p.ClosedOn(day(12, 23, 12)) {
		t.Error("ClosedOn is wrong")
	}
}

func TestLiveSwap(t *testing.T) {
	base := testDir(mk("a", north(bxl, 1), svc(ServiceProcedures)))
	l := NewLive(base, func(id string) string { return "alias-" + id })
	if id, ok := l.ByAlias("alias-a"); !ok || id != "a" {
		t.Fatalf("ByAlias = %q %v", id, ok)
	}
	var wg sync.WaitGroup
	stop := make(chan struct{})
	wg.Go(func() {
		for {
			select {
			case <-stop:
				return
			default:
				l.Match(q(locBXL()))
				l.Place("a")
			}
		}
	})
	for i := range 20 {
		p := mk(fmt.Sprintf("n/%d", i), north(bxl, 0.5), svc(ServiceProcedures))
		l.Swap(base.With(Overlay{Places: []*Place{p}}), int64(i+1))
	}
	close(stop)
	wg.Wait()
	if l.Rev() != 20 {
		t.Errorf("Rev = %d", l.Rev())
	}
	if got := ids(l.Match(q(locBXL()))); !slices.Equal(got, []string{"n/19", "a"}) {
		t.Errorf("matches = %v", got)
	}
	if _, ok := l.ByAlias("alias-n/19"); !ok {
		t.Error("a published place has no alias")
	}
}

// overlayPlaces are n made-up places near base's postcodes (test only).
func overlayPlaces(base *Directory, n int) []*Place {
	return synthetic(base, n, 42).places
}

// BenchmarkMatchOverlay is matching on the shipped directory after a
// publish of 500 places; compare with BenchmarkMatchShippedBase (target:
// at most 1.2 times).
func BenchmarkMatchOverlay(b *testing.B) {
	base := shipped(b)
	benchMatchEach(b, base.With(Overlay{Places: overlayPlaces(base, 500)}), base)
}

// BenchmarkMatchShippedBase is the reference of BenchmarkMatchOverlay.
func BenchmarkMatchShippedBase(b *testing.B) {
	base := shipped(b)
	benchMatchEach(b, base, base)
}

// benchMatchEach matches one person an iteration on d, the same 256
// people of base's postcodes for both benchmarks, so that their figures
// compare.
func benchMatchEach(b *testing.B, d, base *Directory) {
	qs := benchQueries(base, 256)
	i := 0
	for b.Loop() {
		d.Match(qs[i%len(qs)])
		i++
	}
}

// BenchmarkWith10000 rebuilds the directory with 10,000 published places
// (target: under 200 ms).
func BenchmarkWith10000(b *testing.B) {
	base := shipped(b)
	o := Overlay{Places: overlayPlaces(base, 10000)}
	for b.Loop() {
		base.With(o)
	}
}
