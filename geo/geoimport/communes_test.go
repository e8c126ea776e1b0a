package geoimport

import (
	"os"
	"strings"
	"testing"

	"github.com/secours/secours/geo"
)

// TestImportMalformedCommuneFiles: Import refuses a broken commune
// source file, naming the file and the line (geo's
// TestMalformedCommuneFiles checks the shipped files for Open).
func TestImportMalformedCommuneFiles(t *testing.T) {
	d := shipped(t)
	for _, tt := range []struct{ name, data, want string }{
		{"communes-2025.csv", "nis2025,name_fr,name_nl,seat_postcode,geonames_locality,lat,lon,note\n21004,Bruxelles,,1000,Bruxelles,50.85,4.35,1\n", "communes-2025.csv:2: a commune needs its French and Dutch names"},
		{"fusions-2025.tsv", fusionsHeader + "\n11007\tBorsbeek\n", "fusions-2025.tsv:2:"},
		{"best-codes-postaux.tsv", bestHeader + "\n1000\t2100\t\n", "best-codes-postaux.tsv:2: nis \"2100\""},
		{"best-codes-postaux.tsv", bestHeader + "\n1000\t21004|21005\t21006=Ixelles\n", "best-codes-postaux.tsv:2: localites"},
	} {
		got, _, err := Import(d, []SourceFile{{Name: tt.name, Data: []byte(tt.data)}})
		if err == nil || got != nil || !strings.Contains(err.Error(), tt.want) {
			t.Errorf("Import(%s) = %v, %v; want no directory and %q", tt.name, got != nil, err, tt.want)
		}
	}
}

// TestImportCommunesReproducible: importing the shipped directory into
// itself changes no commune, locality or CPAS card.
func TestImportCommunesReproducible(t *testing.T) {
	d := shipped(t)
	d2, _, err := Import(d, nil)
	if err != nil {
		t.Fatal(err)
	}
	dir := t.TempDir()
	if err := WriteDir(d2, dir); err != nil {
		t.Fatal(err)
	}
	for _, f := range []string{geo.CommunesFile, geo.LocalitiesFile, geo.BeSTFile} {
		want := readFile(t, "../../configs/places/"+f)
		if got := readFile(t, dir+"/"+f); got != want {
			t.Errorf("%s differs after a re-import", f)
		}
	}
	if a, b := len(d.Places()), len(d2.Places()); a != b {
		t.Errorf("%d places, %d after a re-import", a, b)
	}
}

func readFile(t *testing.T, name string) string {
	t.Helper()
	b, err := os.ReadFile(name)
	if err != nil {
		t.Fatal(err)
	}
	return string(b)
}

// TestValidateShipped: the shipped directory passes the checks Open
// skips, with warnings at most (geo's TestPlacesShipped checks the rest).
func TestValidateShipped(t *testing.T) {
	for _, is := range Validate(shipped(t)) {
		if !is.Warning {
			t.Errorf("Validate: %v", is)
		}
	}
}
