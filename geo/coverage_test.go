package geo

import (
	"testing"
)

func TestReachOf(t *testing.T) {
	epn := &Place{ID: "epn"}
	cpas := &Place{ID: "cpas", CommuneOnly: true}
	fs := &Place{ID: "fs", Programmes: []string{ProgrammeFranceServices}}
	tests := []struct {
		name string
		res  Result
		want Reach
	}{
		{"nothing", Result{Fallback: true}, ReachNothing},
		{"near", Result{Matches: []Match{{Place: epn, KM: 4.9}}}, ReachNear5},
		{"nearest of several", Result{Matches: []Match{{Place: epn, KM: 12}, {Place: fs, KM: 3}}}, ReachNear5},
		{"15", Result{Matches: []Match{{Place: epn, KM: 15}}}, ReachNear15},
		{"30", Result{Matches: []Match{{Place: epn, KM: 15.1}}}, ReachNear30},
		{"a CPAS that fits is only the own CPAS", Result{Matches: []Match{{Place: cpas, KM: 1}}}, ReachOwn},
		{"partial", Result{Partial: true, Matches: []Match{{Place: epn, Fit: FitPartial}, {Place: cpas, Fit: FitOwnCPAS}}}, ReachPartial},
		{"France services only", Result{Partial: true, Matches: []Match{{Place: fs, Fit: FitFranceServices}}}, ReachOwn},
	}
	for _, tt := range tests {
		if got := ReachOf(tt.res); got != tt.want {
			t.Errorf("%s: ReachOf = %v, want %v", tt.name, got, tt.want)
		}
	}
}

func TestCoverage(t *testing.T) {
	d := testDir(
		mk("ocmw-aalst", aalst, in(BE, "9300", "Aalst"), svc(ServiceProcedures), communeOnly),
		mk("epn", north(Point{50.7440, 3.2140}, 2), in(BE, "7700", "Mouscron"), svc(ServiceProcedures), func(p *Place) { p.Email = "epn@example.org" }),
	)
	cases := d.Coverage(CoverageQuery{Country: BE, Profiles: []string{"proche_autonomie", "grand_debutant"}, Need: "procedure", Lang: "fr"})
	got := map[string]Reach{}
	for _, c := range cases {
		got[c.Postcode+" "+c.Profile] = c.Reach
	}
	want := map[string]Reach{
		"7700 proche_autonomie": ReachNear5, "7700 grand_debutant": ReachPartial,
		"9300 proche_autonomie": ReachOwn, "9300 grand_debutant": ReachOwn,
		"9310 proche_autonomie": ReachNothing, "9310 grand_debutant": ReachNothing,
		"1000 proche_autonomie": ReachNothing, "1000 grand_debutant": ReachNothing,
	}
	for k, w := range want {
		if got[k] != w {
			t.Errorf("%s: %v, want %v", k, got[k], w)
		}
	}
	if len(cases) != len(want) {
		t.Errorf("%d cases, want %d", len(cases), len(want))
	}
	rows := TallyCoverage(cases)
	last := rows[len(rows)-1]
	if last.Profile != "grand_debutant" || last.Region != "" || last.Total != 4 || last.Reach[ReachNothing] != 2 || last.Email != 1 {
		t.Errorf("last row = %+v, want grand_debutant's total: 4 postcodes, 2 with nothing, 1 with an e-mail", last)
	}
	if r := rows[0]; r.Profile != "proche_autonomie" || r.Region != "BRU" || r.Province != "Région de Bruxelles-Capitale" || r.Reach[ReachNothing] != 1 {
		t.Errorf("first row = %+v", r)
	}
}

// TestShippedCoverage is issue 15's "done when", over the shipped
// directory: every Belgian postcode gets at least its own CPAS/OCMW;
// France keeps ≥ 97.9 % of its communes with a place within 15 km; and
// for every profile ≥ 97 % of French communes and every Belgian postcode
// get a place or a partial fit before the remote fallback.
func TestShippedCoverage(t *testing.T) {
	d := shipped(t)
	profiles := []string{"autonome", "proche_autonomie", "grand_debutant", "besoin_assistance"}
	share := func(cases []CoverageCase, profile string, ok func(Reach) bool) (float64, int) {
		n, good := 0, 0
		for _, c := range cases {
			if c.Profile == profile {
				n++
				if ok(c.Reach) {
					good++
				}
			}
		}
		return 100 * float64(good) / float64(n), n
	}
	be := d.Coverage(CoverageQuery{Country: BE, Profiles: profiles, Need: "procedure", Lang: "fr"})
	fr := d.Coverage(CoverageQuery{Country: FR, Profiles: profiles, Need: "procedure", Lang: "fr", Localities: true})
	for _, p := range profiles {
		if got, n := share(be, p, func(r Reach) bool { return r < ReachNothing }); got < 100 || n != 1146 {
			t.Errorf("BE %s: %.2f %% of %d postcodes get a place, want 100 %% of 1146", p, got, n)
		}
		if got, _ := share(fr, p, func(r Reach) bool { return r <= ReachOwn }); got < 97 {
			t.Errorf("FR %s: %.2f %% of communes get a place or a partial fit, want ≥ 97 %%", p, got)
		}
	}
	if got, _ := share(fr, "proche_autonomie", func(r Reach) bool { return r <= ReachNear15 }); got < 97.9 {
		t.Errorf("FR: %.2f %% of communes with a place within 15 km, want ≥ 97.9 %%", got)
	}
	for _, c := range be {
		if c.Place == nil || c.Place.Country != BE {
			t.Fatalf("BE %s %s (%s): no Belgian place", c.Postcode, c.Name, c.Profile)
		}
	}
}

// TestLilleJobPartial: "secours places near 59000 -need job" finds no
// place for the job, and offers France services for the procedure.
func TestLilleJobPartial(t *testing.T) {
	d := shipped(t)
	loc, err := d.Locate("59000")
	if err != nil {
		t.Fatal(err)
	}
	res := d.Match(Query{At: loc, Profile: "proche_autonomie", Need: "job", Equipment: 2, Connectivity: 2, Barrier: "none", Lang: "fr"})
	if !res.Partial || len(res.Matches) == 0 || res.Matches[0].Fit != FitPartial || res.Matches[0].Place.Kind() != KindFranceServices || res.Filtered == 0 {
		t.Errorf("Match(59000, job) = %+v, want a partial fit at a France services, with places filtered out", res)
	}
}
