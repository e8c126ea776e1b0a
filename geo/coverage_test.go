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
