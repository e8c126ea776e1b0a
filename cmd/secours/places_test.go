package main

import (
	"bytes"
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/secours/secours/configs"
	"github.com/secours/secours/geo"
)

func runPlacesT(t *testing.T, args ...string) (code int, stdout, stderr string) {
	t.Helper()
	var out, errb bytes.Buffer
	code = runPlaces(args, &out, &errb)
	return code, out.String(), errb.String()
}

func TestPlacesNear(t *testing.T) {
	tests := []struct {
		args     []string
		code     int
		out, err string // substrings
	}{
		{[]string{"near", "9300", "-lang", "nl", "-at", "2025-03-04T10:00:00+01:00"}, 0, "OCMW Aalst", ""},
		{[]string{"near", "-profile", "besoin_assistance", "59000", "-at", "2025-03-04T10:00:00+01:00"}, 0, "France services", ""},
		{[]string{"near", "4000", "-need", "learning"}, 0, "1 place within 30 km, none offering \"Maîtrise des outils numériques du quotidien\"", ""},
		{[]string{"near", "1060"}, 0, "BE 1060 lies in several communes: 21013 Saint-Gilles · 21004 Bruxelles; choose one with -commune NIS", ""},
		{[]string{"near", "1060", "-commune", "21013"}, 0, "CPAS / OCMW Saint-Gilles / Sint-Gillis", ""},
		{[]string{"near", "1060", "-commune", "21004"}, 0, "CPAS / OCMW Bruxelles / Brussel", ""},
		// A CPAS card with no known street: no distance from its seat, no ", ".
		{[]string{"near", "5000"}, 0, "CPAS Namur  [score 5, the person's commune]\n   id: cpas-be/92094\n   no street known: the commune's reception gives the address (Namur)\n", ""},
		{[]string{"near", "1060", "-commune", "62063"}, 2, "", "-commune 62063: not one of"},
		{[]string{"near", "59000", "-need", "job"}, 0, "places within 30 km, none offering \"Insertion professionnelle via le numérique\"", ""},
		{[]string{"near", "59000", "-need", "job"}, 0, "partial fit; offers Aide aux démarches administratives; not Insertion", ""},
		{[]string{"near", "75001", "-profile", "grand_debutant"}, 0, "the nearest help we know, not a perfect fit", ""},
		{[]string{"near", "Bruxeles"}, 1, "", "did you mean: 1000 Bruxelles"},
		{[]string{"near", "99999"}, 1, "", "unknown postcode or commune"},
		{[]string{"near", "1OOO"}, 1, "", "1000 Bruxelles"},
		{[]string{"near", "51.5,2.0"}, 1, "", "in the sea or outside"},
		{[]string{"near", "1000", "-profile", "expert"}, 2, "", "-profile"},
		{[]string{"near"}, 2, "", "give a postcode"},
		{[]string{"frobnicate"}, 2, "", "unknown command"},
		{nil, 2, "", "usage"},
	}
	for _, tt := range tests {
		code, out, errs := runPlacesT(t, tt.args...)
		if code != tt.code || !strings.Contains(out, tt.out) || !strings.Contains(errs, tt.err) {
			t.Errorf("places %v = %d\nstdout:\n%s\nstderr:\n%s\nwant %d, %q, %q", tt.args, code, out, errs, tt.code, tt.out, tt.err)
		}
	}
}

// TestPlacesNearShowsIDs: "secours structure link" and "secours share"
// take a place id, and their help sends the operator to "places near",
// which printed none (issue 17.13). Each place listed now has its id, one
// that names that very place.
func TestPlacesNearShowsIDs(t *testing.T) {
	dir, err := geo.Open(configs.FS)
	if err != nil {
		t.Fatal(err)
	}
	for _, where := range []string{"59000", "9300", "59200"} {
		code, out, errs := runPlacesT(t, "near", where)
		if code != 0 {
			t.Fatalf("places near %s = %d: %s", where, code, errs)
		}
		lines := strings.Split(out, "\n")
		places := 0
		for i, l := range lines {
			num, name, ok := strings.Cut(l, ". ")
			if !ok || num == "" || strings.Trim(num, "0123456789") != "" {
				continue
			}
			places++
			name, _, _ = strings.Cut(name, "  [")
			id, ok := "", i+1 < len(lines)
			if ok {
				id, ok = strings.CutPrefix(lines[i+1], "   id: ")
			}
			if !ok {
				t.Errorf("near %s: %q has no id line after it", where, name)
				continue
			}
			if p, found := dir.Place(id); !found || p.Name != name {
				t.Errorf("near %s: %q shows the id %q, which is not its own", where, name, id)
			}
		}
		if places == 0 {
			t.Errorf("near %s listed no place:\n%s", where, out)
		}
	}
}

func TestPlacesCheck(t *testing.T) {
	code, out, errs := runPlacesT(t, "check")
	if code != 0 {
		t.Fatalf("places check = %d\n%s\n%s", code, out, errs)
	}
	for _, want := range []string{"ocmw-vlaanderen", "france-services", "Aide aux démarches administratives", "0 rows rejected"} {
		if !strings.Contains(out, want) {
			t.Errorf("places check output lacks %q:\n%s", want, out)
		}
	}
}

// TestPlacesCheckChannels: "places check" counts, per country and
// source, the places a referral cannot reach by e-mail.
func TestPlacesCheckChannels(t *testing.T) {
	d, err := geo.Open(configs.FS)
	if err != nil {
		t.Fatal(err)
	}
	none, all := map[string]int{}, map[string]int{}
	for _, p := range d.Places() {
		k := string(p.Country) + "  " + p.Source
		all[k]++
		if p.Email == "" {
			none[k]++
		}
	}
	code, out, errs := runPlacesT(t, "check")
	if code != 0 {
		t.Fatalf("places check = %d\n%s\n%s", code, out, errs)
	}
	_, section, ok := strings.Cut(out, "places without a referral channel")
	if !ok {
		t.Fatalf("no referral channel section:\n%s", out)
	}
	for k, n := range all {
		want := fmt.Sprintf("  %-60s %6d of %d\n", k, none[k], n)
		if !strings.Contains(section, want) {
			t.Errorf("section lacks %q:\n%s", want, section)
		}
	}
	if none["BE  ocmw-vlaanderen"] == 0 {
		t.Error("the Flemish OCMWs have no e-mail address in the shipped data: the count should say so")
	}
}

func TestPlacesImport(t *testing.T) {
	out := t.TempDir()
	// Start from the shipped directory, then add a network's broken file.
	for _, f := range []string{"places.csv.gz", "postcodes.tsv"} {
		b, err := os.ReadFile(filepath.Join("../../configs/places", f))
		if err != nil {
			t.Fatal(err)
		}
		if err := os.WriteFile(filepath.Join(out, f), b, 0o644); err != nil {
			t.Fatal(err)
		}
	}
	code, stdout, stderr := runPlacesT(t, "import", "-out", out, "../../geo/geoimport/testdata/lieux-casses.csv")
	if code != 0 {
		t.Fatalf("import = %d\n%s\n%s", code, stdout, stderr)
	}
	for _, want := range []string{
		"lieux-casses.csv:3: has 32 fields",
		"lieux-casses.csv:4: latitude/longitude: bad coordinates",
		"lieux-casses.csv:5: horaires:",
		"lieux-casses.csv:6: id: duplicated id",
		"lieux-casses.csv:7: nom: not valid UTF-8",
	} {
		if !strings.Contains(stderr, want) {
			t.Errorf("import stderr lacks %q:\n%s", want, stderr)
		}
	}
	if !strings.Contains(stdout, "lieux-casses") || !strings.Contains(stdout, "ocmw-vlaanderen") {
		t.Errorf("import stdout lacks the merged sources:\n%s", stdout)
	}
	code, _, _ = runPlacesT(t, "import", "-strict", "-out", out, "../../geo/geoimport/testdata/lieux-casses.csv")
	if code != 1 {
		t.Errorf("import -strict = %d, want 1", code)
	}
	code, _, stderr = runPlacesT(t, "import", "-out", out, "no-such-file.csv")
	if code != 1 || !strings.Contains(stderr, "no-such-file.csv") {
		t.Errorf("import of a missing file = %d, %q", code, stderr)
	}
}

// TestPlacesImportBrokenCommunes: a malformed commune or mapping file
// stops the import with its file and line, and the directory stays as it
// was, byte for byte.
func TestPlacesImportBrokenCommunes(t *testing.T) {
	out := t.TempDir()
	entries, err := os.ReadDir("../../configs/places")
	if err != nil {
		t.Fatal(err)
	}
	before := map[string][]byte{}
	for _, e := range entries {
		b, err := os.ReadFile(filepath.Join("../../configs/places", e.Name()))
		if err != nil {
			t.Fatal(err)
		}
		before[e.Name()] = b
		if err := os.WriteFile(filepath.Join(out, e.Name()), b, 0o644); err != nil {
			t.Fatal(err)
		}
	}
	broken := map[string]string{
		"communes-2025.csv": "nis2025,name_fr,name_nl,seat_postcode,geonames_locality,lat,lon,note\n" +
			"21004,Bruxelles,Brussel,1000,Bruxelles,50.85,4.35,1\n21004,Bruxelles,Brussel,1000,Bruxelles,50.85,4.35,1\n",
		"best-codes-postaux.tsv": "code_postal\tnis\tlocalites\n1000\t21004\t\n1020\tBruxelles\t\n",
	}
	want := map[string]string{
		"communes-2025.csv":      "communes-2025.csv:3: nis2025 21004 already on line 2",
		"best-codes-postaux.tsv": "best-codes-postaux.tsv:3: nis \"Bruxelles\"",
	}
	for name, data := range broken {
		src := filepath.Join(t.TempDir(), name)
		if err := os.WriteFile(src, []byte(data), 0o644); err != nil {
			t.Fatal(err)
		}
		code, _, stderr := runPlacesT(t, "import", "-out", out, src)
		if code != 1 || !strings.Contains(stderr, want[name]) || !strings.Contains(stderr, "nothing written") {
			t.Errorf("import %s = %d, stderr:\n%s\nwant 1 and %q", name, code, stderr, want[name])
		}
		after, err := os.ReadDir(out)
		if err != nil {
			t.Fatal(err)
		}
		if len(after) != len(before) {
			t.Errorf("import %s: %d files in the directory, want %d", name, len(after), len(before))
		}
		for f, b := range before {
			if got, err := os.ReadFile(filepath.Join(out, f)); err != nil || !bytes.Equal(got, b) {
				t.Errorf("import %s changed %s", name, f)
			}
		}
	}
}
