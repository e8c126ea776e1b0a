package main

import (
	"encoding/csv"
	"regexp"
	"strings"
	"testing"
)

func TestPlacesCoverage(t *testing.T) {
	tests := []struct {
		args     []string
		code     int
		out, err *regexp.Regexp
	}{
		{[]string{"coverage", "-country", "BE", "-profile", "grand_debutant"}, 0,
			regexp.MustCompile(`(?m)^BE, need procedure, by postcodes[\s\S]*grand_debutant +all +all +1146 `), nil},
		{[]string{"coverage", "-country", "fr", "-profile", "autonome", "-need", "job", "-localities"}, 0,
			regexp.MustCompile(`(?m)^FR, need job, by localities[\s\S]*autonome +Hauts-de-France +59 `), nil},
		{[]string{"coverage", "-country", "NL"}, 2, nil, regexp.MustCompile(`-country "NL"`)},
		{[]string{"coverage", "-profile", "expert"}, 2, nil, regexp.MustCompile(`-profile "expert"`)},
		{[]string{"coverage", "extra"}, 2, nil, regexp.MustCompile(`unexpected argument "extra"`)},
	}
	for _, tt := range tests {
		code, out, errs := runPlacesT(t, tt.args...)
		if code != tt.code || (tt.out != nil && !tt.out.MatchString(out)) || (tt.err != nil && !tt.err.MatchString(errs)) {
			t.Errorf("places %v = %d\nstdout:\n%.2000s\nstderr:\n%s\nwant %d, %v, %v", tt.args, code, out, errs, tt.code, tt.out, tt.err)
		}
	}
}

// TestPlacesCoverageCSV: one row per postcode and profile, each with a
// reach, and a place for every reach but "nothing".
func TestPlacesCoverageCSV(t *testing.T) {
	code, out, errs := runPlacesT(t, "coverage", "-country", "BE", "-csv")
	if code != 0 {
		t.Fatalf("coverage -csv = %d: %s", code, errs)
	}
	rows, err := csv.NewReader(strings.NewReader(out)).ReadAll()
	if err != nil {
		t.Fatal(err)
	}
	if got, want := len(rows), 1+1146*4; got != want {
		t.Fatalf("%d rows, want %d", got, want)
	}
	if h := strings.Join(rows[0], ","); h != "country,postcode,name,region,province,profile,reach,km,place,email" {
		t.Errorf("header = %s", h)
	}
	reaches := map[string]bool{"5km": true, "15km": true, "30km": true, "partial": true, "own": true, "nothing": true}
	for _, r := range rows[1:] {
		if !reaches[r[6]] || r[0] != "BE" || r[3] == "" || (r[6] != "nothing") != (r[8] != "") {
			t.Fatalf("bad row %q", r)
		}
	}
}
