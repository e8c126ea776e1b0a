package geo

import (
	"sync"
	"testing"
)

var (
	fuzzDirOnce sync.Once
	fuzzDir     *Directory
)

// FuzzLocate feeds arbitrary text to the postcode, commune and lat,lon
// parser: it never panics, and whatever it accepts locates again to the
// same place from its own postcode.
func FuzzLocate(f *testing.F) {
	for _, s := range []string{"1000", "75011", "99999", "ABC", "1OOO", "brusels", "Liège", "B-1000",
		"4000 Rocourt", "50.85,4.35", "45.0,-30.0", "", " ", "saint-denis", "ÉÈÊ", "\x00", "1e309,1"} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, in string) {
		fuzzDirOnce.Do(func() { fuzzDir = shipped(t) })
		loc, err := fuzzDir.Locate(in)
		if err != nil {
			return
		}
		if loc.Country != BE && loc.Country != FR || !loc.Point.valid() {
			t.Fatalf("Locate(%q) = %+v: no country or an invalid point", in, loc)
		}
		if loc.Postcode == "" {
			return
		}
		again, err := fuzzDir.Locate(loc.Postcode)
		if err != nil || again.Country != loc.Country || again.Postcode != loc.Postcode {
			t.Fatalf("Locate(%q) gave postcode %s, which locates to %+v, %v", in, loc.Postcode, again, err)
		}
	})
}
