package geoimport

import (
	"os"
	"path/filepath"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/secours/secours/geo"
)

func readTestdata(t *testing.T, names ...string) []SourceFile {
	t.Helper()
	var out []SourceFile
	for _, n := range names {
		b, err := os.ReadFile(filepath.Join("testdata", n))
		if err != nil {
			t.Fatal(err)
		}
		out = append(out, SourceFile{Name: n, Data: b})
	}
	return out
}

// hasIssue reports whether an issue on line (0: any) and field mentions msg.
func hasIssue(issues []geo.Issue, file string, line int, field, msg string, warning bool) bool {
	for _, is := range issues {
		if is.File == file && (line == 0 || is.Line == line) && is.Field == field &&
			strings.Contains(is.Msg, msg) && is.Warning == warning {
			return true
		}
	}
	return false
}

func TestImportBrokenCSV(t *testing.T) {
	d, issues, _ := Import(testDir(), readTestdata(t, "lieux-casses.csv"))
	const f = "lieux-casses.csv"
	want := []struct {
		line       int
		field, msg string
		warning    bool
	}{
		{3, "", "has 32 fields, the header has 33", false},
		{4, "latitude/longitude", "bad coordinates", false},
		{5, "horaires", "unknown selector", true},
		{6, "id", `duplicated id "ok-1" (first on line 2)`, false},
		{7, "nom", "not valid UTF-8", false},
		{8, "code_postal", "neither a Belgian", false},
		{9, "latitude/longitude", "more than 25 km", false},
		{10, "latitude", "postcode centroid", true},
		{10, "services", "v0.1 value", true},
		{10, "services", `unknown value "Magie"`, true},
	}
	for _, w := range want {
		if !hasIssue(issues, f, w.line, w.field, w.msg, w.warning) {
			t.Errorf("no issue %s:%d: %s: %q (warning %v); got:\n%s", f, w.line, w.field, w.msg, w.warning, dump(issues))
		}
	}
	var got []string
	for _, p := range d.Places() {
		got = append(got, p.ID)
	}
	wantIDs := []string{"lieux-casses/hours-1", "lieux-casses/nocoord-1", "lieux-casses/ok-1", "lieux-casses/ok-2"}
	if !slices.Equal(got, wantIDs) {
		t.Errorf("imported %v, want %v", got, wantIDs)
	}
	p, _ := d.Place("lieux-casses/hours-1")
	if p.Hours != "lundi 9h-12h" || p.OpeningAt(monday).Known {
		t.Errorf("broken hours: Hours=%q Known=%v, want the raw text and unknown", p.Hours, p.OpeningAt(monday).Known)
	}
	p, _ = d.Place("lieux-casses/nocoord-1")
	if !p.Approx || p.Country != geo.BE || !slices.Equal(p.Services, []string{geo.ServiceProcedures}) || !slices.Equal(p.Langs, []string{"nl"}) {
		t.Errorf("nocoord-1 = %+v", p)
	}
	p, _ = d.Place("lieux-casses/ok-1")
	if p.Phone != "02 555 12 34" || p.Email != "contact@example.invalid" || p.Website != "https://example.invalid/" || p.TagSource != geo.TagStructure {
		t.Errorf("ok-1 contact = %q %q %q %q", p.Phone, p.Email, p.Website, p.TagSource)
	}
}

func dump(issues []geo.Issue) string {
	var b strings.Builder
	for _, is := range issues {
		b.WriteString("  " + is.String() + "\n")
	}
	return b.String()
}

func TestImportMissingRequiredColumn(t *testing.T) {
	d, issues, _ := Import(testDir(), readTestdata(t, "colonne-manquante.csv"))
	if !hasIssue(issues, "colonne-manquante.csv", 1, "adresse", "missing required column", false) {
		t.Errorf("no missing-column issue; got:\n%s", dump(issues))
	}
	if n := len(d.Places()); n != 0 {
		t.Errorf("imported %d places, want 0", n)
	}
}

func TestImportJSONAndUnknown(t *testing.T) {
	d, issues, _ := Import(testDir(), readTestdata(t, "lieux.json", "inconnu.txt"))
	if !hasIssue(issues, "lieux.json", 5, "adresse", "required", false) {
		t.Errorf("no issue for j-2 on line 5; got:\n%s", dump(issues))
	}
	if !hasIssue(issues, "lieux.json", 6, "id", "duplicated", false) {
		t.Errorf("no duplicate issue on line 6; got:\n%s", dump(issues))
	}
	if !hasIssue(issues, "inconnu.txt", 1, "", "unknown format", false) {
		t.Errorf("no unknown-format issue; got:\n%s", dump(issues))
	}
	p, ok := d.Place("lieux/j-1")
	if !ok || p.Country != geo.FR || !slices.Equal(p.Langs, []string{"fr"}) || p.Hours != "Mo-Fr 09:00-12:00" {
		t.Fatalf("j-1 = %+v, %v", p, ok)
	}
}

// TestImportRoundTrip writes a directory and opens it again unchanged.
func TestImportRoundTrip(t *testing.T) {
	d, _, _ := Import(testDir(), readTestdata(t, "lieux-casses.csv", "lieux.json"))
	dir := t.TempDir()
	if err := WriteDir(d, dir); err != nil {
		t.Fatal(err)
	}
	d2, err := geo.OpenDir(os.DirFS(dir), ".")
	if err != nil {
		t.Fatal(err)
	}
	for _, is := range d2.Issues() {
		if !is.Warning {
			t.Errorf("reopen: %v", is)
		}
	}
	a, b := d.Places(), d2.Places()
	if len(a) != len(b) {
		t.Fatalf("reopen: %d places, want %d", len(b), len(a))
	}
	for i := range a {
		pa, pb := a[i], b[i]
		if pa.ID != pb.ID || pa.Phone != pb.Phone || pa.Hours != pb.Hours || pa.Approx != pb.Approx ||
			!slices.Equal(pa.Services, pb.Services) || !slices.Equal(pa.Langs, pb.Langs) ||
			geo.Distance(pa.Point, pb.Point) > 0.001 || pa.CommuneOnly != pb.CommuneOnly || pa.Source != pb.Source {
			t.Errorf("reopen: %+v\nwant %+v", pb, pa)
		}
	}
	// Re-importing the same file replaces its dataset instead of adding to it.
	d3, _, _ := Import(d2, readTestdata(t, "lieux-casses.csv"))
	if len(d3.Places()) != len(a) {
		t.Errorf("re-import: %d places, want %d", len(d3.Places()), len(a))
	}
}

// monday is a Monday morning, for tests that only need some time.
var monday = time.Date(2025, 3, 3, 10, 0, 0, 0, time.UTC)

// testDir is a directory of a few synthetic postcodes and no place.
func testDir() *geo.Directory {
	dr, _ := geo.NewDraft([]geo.PostcodeRow{
		{Country: geo.BE, Postcode: "1000", Name: "Bruxelles", Point: geo.Point{Lat: 50.8504, Lon: 4.3488}},
		{Country: geo.BE, Postcode: "9300", Name: "Aalst", Point: geo.Point{Lat: 50.9360, Lon: 4.0355}},
		{Country: geo.BE, Postcode: "9310", Name: "Moorsel", Point: geo.Point{Lat: 50.9560, Lon: 4.0960}},
		{Country: geo.BE, Postcode: "7700", Name: "Mouscron", Point: geo.Point{Lat: 50.7440, Lon: 3.2140}},
		{Country: geo.FR, Postcode: "59000", Name: "Lille", Point: geo.Point{Lat: 50.6317, Lon: 3.0478}},
		{Country: geo.FR, Postcode: "75001", Name: "Paris", Point: geo.Point{Lat: 48.8626, Lon: 2.3363}},
	}, nil, nil)
	d, _ := dr.Finish(nil)
	return d
}

// shipped is the directory under configs/places.
func shipped(tb testing.TB) *geo.Directory {
	tb.Helper()
	d, err := geo.OpenDir(os.DirFS("../../configs/places"), ".")
	if err != nil {
		tb.Fatalf("OpenDir: %v", err)
	}
	return d
}
