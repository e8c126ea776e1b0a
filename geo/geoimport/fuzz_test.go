package geoimport

import (
	"strings"
	"testing"

	"github.com/secours/secours/geo"
)

// FuzzCommuneSources feeds arbitrary text to the parsers of the commune
// source files: they never panic, and an error names its file.
func FuzzCommuneSources(f *testing.F) {
	f.Add(geo.CommunesHeader + "\n21004\tBruxelles\tBrussel\t\t1000\tBruxelles\t50.85\t4.35\t11007:Borsbeek\n")
	f.Add(bestHeader + "\n1050\t21004|21009\t21004=Bruxelles;21009=Ixelles\n")
	f.Add(geo.LocalitiesHeader + "\n1000\tBruxelles\t21\t21004\tbest\n1050\t\t21\t21009|21004\tbest\n")
	f.Add(fusionsHeader + "\n11007\tBorsbeek\t11002\n")
	f.Fuzz(func(t *testing.T, data string) {
		if _, err := parseBeST(geo.BeSTFile, []byte(data)); err != nil && !strings.HasPrefix(err.Error(), geo.BeSTFile) {
			t.Fatalf("parseBeST error %q does not name the file", err)
		}
		if _, err := parseFusions("fusions-2025.tsv", []byte(data)); err != nil && !strings.HasPrefix(err.Error(), "fusions-2025.tsv") {
			t.Fatalf("parseFusions error %q does not name the file", err)
		}
	})
}
