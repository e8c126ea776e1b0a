package geo

import (
	"errors"
	"strconv"
	"strings"
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

// FuzzParseLatLon feeds arbitrary text to the "lat,lon" reader: it never
// panics, a point it reads round-trips through its own text form, and a
// form that names no point on Earth is answered by Locate as ErrBadPoint,
// never as a commune name (issue 17).
func FuzzParseLatLon(f *testing.F) {
	for _, s := range []string{"50.85,4.35", "50.85 4.35", "50.85; 4.35", "999,999", "NaN,NaN", "nan 4",
		"1e309,1", "-Inf;0", "1000 1050", "75011 2", "4,5", "0x1p-2,1", "1_0.5,2", ",,", "50.85,4.35,1"} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, in string) {
		p, ok := parseLatLon(in)
		if !ok {
			return
		}
		if p.valid() {
			again, ok := parseLatLon(strconv.FormatFloat(p.Lat, 'g', -1, 64) + "," + strconv.FormatFloat(p.Lon, 'g', -1, 64))
			if !ok || again != p {
				t.Fatalf("parseLatLon(%q) = %v, whose text reads back as %v, %v", in, p, again, ok)
			}
			return
		}
		fuzzDirOnce.Do(func() { fuzzDir = shipped(t) })
		if len(strings.TrimSpace(in)) > 200 {
			return // Locate refuses long input before reading it
		}
		if _, err := fuzzDir.Locate(in); !errors.Is(err, ErrBadPoint) {
			t.Fatalf("Locate(%q) = %v, want ErrBadPoint for the invalid point %v", in, err, p)
		}
	})
}
