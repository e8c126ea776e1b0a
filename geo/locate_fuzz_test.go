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

// FuzzLocateIn feeds arbitrary text and a country hint to the name and
// postcode parser: it never panics; a Belgian location names its commune
// or two to four communes to ask between, each known, and each of which
// InCommune accepts; every suggestion locates.
func FuzzLocateIn(f *testing.F) {
	for _, s := range []string{"Louvain", "Luik", "Brussel", "Gand", "Anvers", "Namen", "Bergen", "Mons",
		"Ledeberg", "Jambes", "Eupen", "Lille", "1050", "3941", "1050 Ixelles", "St-Vith", "Lüttich",
		"brusels", "Sint-Joost-ten-Node", "Lile", "Kessel-Lo"} {
		f.Add(s, "BE")
		f.Add(s, "FR")
		f.Add(s, "")
	}
	f.Fuzz(func(t *testing.T, in, hint string) {
		fuzzDirOnce.Do(func() { fuzzDir = shipped(t) })
		d := fuzzDir
		loc, err := d.LocateIn(in, Country(hint))
		if nf, ok := errors.AsType[*NotFoundError](err); ok {
			if len(nf.Suggestions) > 3 {
				t.Fatalf("LocateIn(%q, %q): %d suggestions", in, hint, len(nf.Suggestions))
			}
			for _, s := range nf.Suggestions {
				if _, err := d.LocateIn(s, Country(hint)); err != nil {
					t.Fatalf("LocateIn(%q, %q): suggestion %q does not locate: %v", in, hint, s, err)
				}
			}
			return
		}
		if err != nil {
			return
		}
		if loc.Country != BE {
			if loc.NIS != "" || len(loc.Communes) != 0 {
				t.Fatalf("LocateIn(%q, %q) = %+v: a commune outside Belgium", in, hint, loc)
			}
			return
		}
		if (loc.NIS == "") == (len(loc.Communes) == 0) || len(loc.Communes) == 1 || len(loc.Communes) > maxCommuneChoices {
			t.Fatalf("LocateIn(%q, %q) = NIS %q, %d communes: want one, or 2 to %d to ask", in, hint, loc.NIS, len(loc.Communes), maxCommuneChoices)
		}
		if loc.NIS != "" {
			if _, ok := d.Commune(loc.NIS); !ok {
				t.Fatalf("LocateIn(%q, %q): unknown commune %s", in, hint, loc.NIS)
			}
		}
		for _, c := range loc.Communes {
			if got, err := d.InCommune(loc, c.NIS); err != nil || got.NIS != c.NIS {
				t.Fatalf("LocateIn(%q, %q): InCommune(%s) = %+v, %v", in, hint, c.NIS, got, err)
			}
		}
	})
}

// FuzzCommuneFiles feeds arbitrary text to the parsers of the shipped
// commune files: they never panic, and an error names its file
// (geoimport's FuzzCommuneSources does the same for the sources).
func FuzzCommuneFiles(f *testing.F) {
	f.Add(CommunesHeader + "\n21004\tBruxelles\tBrussel\t\t1000\tBruxelles\t50.85\t4.35\t11007:Borsbeek\n")
	f.Add("code_postal\tnis\tlocalites" + "\n1050\t21004|21009\t21004=Bruxelles;21009=Ixelles\n")
	f.Add(LocalitiesHeader + "\n1000\tBruxelles\t21\t21004\tbest\n1050\t\t21\t21009|21004\tbest\n")
	f.Add("ancien_nis\tancien_nom\tnis2025" + "\n11007\tBorsbeek\t11002\n")
	f.Fuzz(func(t *testing.T, data string) {
		fuzzDirOnce.Do(func() { fuzzDir = shipped(t) })
		if _, err := parseCommunes(CommunesFile, []byte(data)); err != nil && !strings.HasPrefix(err.Error(), CommunesFile+":") {
			t.Fatalf("parseCommunes error %q does not name the file", err)
		}
		d := newDirectory(nil, fuzzDir.pcs)
		d.setCommunes(fuzzDir.communes)
		if err := d.parseLocalities(LocalitiesFile, []byte(data)); err != nil && !strings.HasPrefix(err.Error(), LocalitiesFile+":") {
			t.Fatalf("parseLocalities error %q does not name the file", err)
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
