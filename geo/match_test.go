package geo

import (
	"fmt"
	"slices"
	"testing"
)

// Test fixtures: synthetic postcodes and places, never real ones.
func testPostcodes() []PostcodeRow {
	return []PostcodeRow{
		{Country: BE, Postcode: "1000", Name: "Bruxelles", Point: Point{50.8504, 4.3488}},
		{Country: BE, Postcode: "9300", Name: "Aalst", Point: Point{50.9360, 4.0355}},
		{Country: BE, Postcode: "9310", Name: "Moorsel", Point: Point{50.9560, 4.0960}},
		{Country: BE, Postcode: "7700", Name: "Mouscron", Point: Point{50.7440, 3.2140}},
		{Country: FR, Postcode: "59000", Name: "Lille", Point: Point{50.6317, 3.0478}},
		{Country: FR, Postcode: "75001", Name: "Paris", Point: Point{48.8626, 2.3363}},
	}
}

// north returns a point km kilometres north of p.
func north(p Point, km float64) Point {
	return Point{p.Lat + km/(earthRadiusKM*3.141592653589793/180), p.Lon}
}

var (
	bxl   = Point{50.8504, 4.3488}
	aalst = Point{50.9360, 4.0355}
	lille = Point{50.6317, 3.0478}
)

type placeOpt func(*Place)

func svc(s ...string) placeOpt  { return func(p *Place) { p.Services = s } }
func mode(s ...string) placeOpt { return func(p *Place) { p.Modalities = s } }
func care(s ...string) placeOpt { return func(p *Place) { p.SpecificCare = s } }
func prog(s ...string) placeOpt { return func(p *Place) { p.Programmes = s } }
func lang(s ...string) placeOpt { return func(p *Place) { p.Langs = s } }
func access(s ...string) placeOpt {
	return func(p *Place) { p.Access = s }
}
func in(c Country, pc, commune string) placeOpt {
	return func(p *Place) { p.Country, p.Postcode, p.Commune = c, pc, commune }
}
func communeOnly(p *Place) { p.CommuneOnly = true }

func mk(id string, at Point, opts ...placeOpt) *Place {
	p := &Place{ID: id, Name: id, Country: BE, Postcode: "1000", Commune: "Bruxelles", Point: at}
	for _, o := range opts {
		o(p)
	}
	return p
}

func testDir(places ...*Place) *Directory { return newDirectory(places, testPostcodes()) }

func locBXL() Location {
	return Location{Point: bxl, Country: BE, Postcode: "1000", Commune: "Bruxelles", Approx: true}
}

func ids(r Result) []string { return pluck(r.Matches, func(m Match) string { return m.Place.ID }) }

func scores(r Result) []int { return pluck(r.Matches, func(m Match) int { return m.Score }) }

// pluck is f of each of xs; nil for none.
func pluck[T, U any](xs []T, f func(T) U) []U {
	var out []U
	for _, x := range xs {
		out = append(out, f(x))
	}
	return out
}

// base query: proche_autonomie, procedure, equipped, reads text.
func q(at Location, mods ...func(*Query)) Query {
	qq := Query{At: at, Profile: "proche_autonomie", Need: "procedure", Equipment: 2, Connectivity: 2, Barrier: "none", Lang: "fr"}
	for _, m := range mods {
		m(&qq)
	}
	return qq
}

func TestMatchTable(t *testing.T) {
	admin := svc(ServiceProcedures)
	tests := []struct {
		name       string
		places     []*Place
		query      Query
		wantIDs    []string
		wantScores []int
		wantRadius float64
		wantFB     bool
	}{
		{
			name: "hard filter: grand_debutant needs Maîtrise",
			places: []*Place{
				mk("a", north(bxl, 1), admin),
				mk("b", north(bxl, 2), svc(ServiceEveryday)),
			},
			query:   q(locBXL(), func(q *Query) { q.Profile = "grand_debutant" }),
			wantIDs: []string{"b"},
		},
		{
			name: "hard filter: autonome accepts internet access",
			places: []*Place{
				mk("a", north(bxl, 1), svc(ServiceAccess)),
				mk("b", north(bxl, 2), svc(ServiceJob)),
			},
			query:      q(locBXL(), func(q *Query) { q.Profile = "autonome" }),
			wantIDs:    []string{"a"},
			wantScores: []int{0},
		},
		{
			name: "need service +3 (banking needs both services)",
			places: []*Place{
				mk("a", north(bxl, 1), admin),
				mk("b", north(bxl, 2), svc(ServiceProcedures, ServiceSafety)),
			},
			query:      q(locBXL(), func(q *Query) { q.Need = "banking" }),
			wantIDs:    []string{"b", "a"},
			wantScores: []int{3, 0},
		},
		{
			name: "modalities: first preference +2, second +1",
			places: []*Place{
				mk("none", north(bxl, 1), admin),
				mk("second", north(bxl, 2), admin, mode(ModeRemote)),
				mk("first", north(bxl, 3), admin, mode(ModeOneToOne)),
				mk("both", north(bxl, 4), admin, mode(ModeOneToOne, ModeRemote)),
			},
			query:      q(locBXL()),
			wantIDs:    []string{"both", "first", "second"},
			wantScores: []int{6, 5, 4},
		},
		{
			name: "material add-on +2 when E=0",
			places: []*Place{
				mk("a", north(bxl, 1), admin),
				mk("b", north(bxl, 2), svc(ServiceProcedures, ServiceEquipment)),
			},
			query:      q(locBXL(), func(q *Query) { q.Equipment = 0 }),
			wantIDs:    []string{"b", "a"},
			wantScores: []int{5, 3},
		},
		{
			name: "no add-on wanted when equipped",
			places: []*Place{
				mk("a", north(bxl, 1), admin),
				mk("b", north(bxl, 2), svc(ServiceProcedures, ServiceAccess)),
			},
			query:      q(locBXL()),
			wantIDs:    []string{"a", "b"},
			wantScores: []int{3, 3},
		},
		{
			name: "specific care +2: R>=1 wants Illettrisme",
			places: []*Place{
				mk("a", north(bxl, 1), admin),
				mk("b", north(bxl, 2), admin, care(CareIlliteracy)),
			},
			query:      q(locBXL(), func(q *Query) { q.Reading = 1 }),
			wantIDs:    []string{"b", "a"},
			wantScores: []int{5, 3},
		},
		{
			name: "specific care +2: body barrier wants visual/motor/deaf",
			places: []*Place{
				mk("a", north(bxl, 1), admin),
				mk("b", north(bxl, 2), admin, care(CareDeaf)),
			},
			query:      q(locBXL(), func(q *Query) { q.Barrier = "body" }),
			wantIDs:    []string{"b", "a"},
			wantScores: []int{5, 3},
		},
		{
			name: "memory barrier adds no tag",
			places: []*Place{
				mk("a", north(bxl, 1), admin),
				mk("b", north(bxl, 2), admin, care(CareMental)),
			},
			query:      q(locBXL(), func(q *Query) { q.Barrier = "memory" }),
			wantIDs:    []string{"a", "b"},
			wantScores: []int{3, 3},
		},
		{
			name: "dispositif +1 and BE besoin_assistance prefers CPAS/OCMW",
			places: []*Place{
				mk("a", north(bxl, 1), admin, mode(ModeOneToOne)),
				mk("info", north(bxl, 3), admin, mode(ModeOneToOne), prog(ProgrammeInformaticien)),
				mk("cpas", north(bxl, 4), admin, mode(ModeOneToOne), prog(ProgrammeCPAS)),
			},
			query:      q(locBXL(), func(q *Query) { q.Profile = "besoin_assistance" }),
			wantIDs:    []string{"cpas", "info", "a"},
			wantScores: []int{6, 6, 5},
		},
		{
			name: "FR besoin_assistance: Aidants Connect, then France Services",
			places: []*Place{
				mk("fs", north(lille, 1), in(FR, "59000", "Lille"), admin, prog(ProgrammeFranceServices)),
				mk("ac", north(lille, 5), in(FR, "59000", "Lille"), admin, prog(ProgrammeAidantsConnect)),
				mk("plain", north(lille, 0.5), in(FR, "59000", "Lille"), admin),
			},
			query: q(Location{Point: lille, Country: FR, Postcode: "59000", Commune: "Lille"},
				func(q *Query) { q.Profile = "besoin_assistance" }),
			wantIDs:    []string{"ac", "fs", "plain"},
			wantScores: []int{4, 4, 3},
		},
		{
			name: "FR health prefers Mon Espace Santé (+1)",
			places: []*Place{
				mk("plain", north(lille, 0.5), in(FR, "59000", "Lille"), admin),
				mk("mes", north(lille, 5), in(FR, "59000", "Lille"), admin, func(p *Place) { p.Labels = []string{LabelMonEspaceSante} }),
			},
			query:      q(Location{Point: lille, Country: FR, Postcode: "59000"}, func(q *Query) { q.Need = "health" }),
			wantIDs:    []string{"mes", "plain"},
			wantScores: []int{4, 3},
		},
		{
			name: "tie: score, then distance, then id",
			places: []*Place{
				mk("c", north(bxl, 2), admin),
				mk("b", north(bxl, 1), admin),
				mk("a", north(bxl, 2), admin),
			},
			query:   q(locBXL()),
			wantIDs: []string{"b", "a", "c"},
		},
		{
			name: "at most 3, radius 15 when 3 fit within 15 km",
			places: []*Place{
				mk("a", north(bxl, 1), admin), mk("b", north(bxl, 2), admin),
				mk("c", north(bxl, 3), admin), mk("d", north(bxl, 4), admin),
				mk("far", north(bxl, 20), admin, mode(ModeOneToOne)),
			},
			query:      q(locBXL()),
			wantIDs:    []string{"a", "b", "c"},
			wantRadius: 15,
		},
		{
			name: "widen to 30 km when fewer than 3 fit within 15",
			places: []*Place{
				mk("a", north(bxl, 1), admin), mk("b", north(bxl, 2), admin),
				mk("nope", north(bxl, 3), svc(ServiceLeisure)),
				mk("far", north(bxl, 20), admin, mode(ModeOneToOne)),
				mk("toofar", north(bxl, 31), admin, mode(ModeOneToOne)),
			},
			query:      q(locBXL()),
			wantIDs:    []string{"far", "a", "b"},
			wantRadius: 30,
		},
		{
			name: "accept-public filter",
			places: []*Place{
				mk("closed", north(bxl, 1), admin, access(AccessNoPublic)),
				mk("open", north(bxl, 2), admin, access("Se présenter")),
			},
			query:   q(locBXL()),
			wantIDs: []string{"open"},
		},
		{
			name:       "fallback when nothing fits",
			places:     []*Place{mk("a", north(bxl, 1), svc(ServiceLeisure))},
			query:      q(locBXL()),
			wantFB:     true,
			wantRadius: 30,
		},
		{
			name: "border: procedure stays in the person's country",
			places: []*Place{
				mk("be", Point{50.70, 3.10}, in(BE, "7700", "Mouscron"), admin),
				mk("fr", north(lille, 10), in(FR, "59000", "Lille"), admin),
			},
			query:   q(Location{Point: lille, Country: FR, Postcode: "59000"}),
			wantIDs: []string{"fr"},
		},
		{
			name: "border: learning may cross, ranked after home places",
			places: []*Place{
				mk("be", Point{50.64, 3.06}, in(BE, "7700", "Mouscron"), svc(ServiceEveryday), mode(ModeOneToOne)),
				mk("fr", north(lille, 10), in(FR, "59000", "Lille"), svc(ServiceEveryday)),
			},
			query:   q(Location{Point: lille, Country: FR, Postcode: "59000"}, func(q *Query) { q.Need = "learning" }),
			wantIDs: []string{"fr", "be"},
		},
		{
			name: "Brussels nl: hard filter when a Dutch place is within 30 km",
			places: []*Place{
				mk("fr1", north(bxl, 1), admin, lang("fr")),
				mk("fr2", north(bxl, 2), admin, lang("fr")),
				mk("nl", north(bxl, 25), admin, lang("nl", "fr")),
			},
			query:      q(locBXL(), func(q *Query) { q.Lang = "nl" }),
			wantIDs:    []string{"nl"},
			wantRadius: 30,
		},
		{
			name: "Brussels nl: no Dutch place within 30 km, no filter",
			places: []*Place{
				mk("fr1", north(bxl, 1), admin, lang("fr")),
				mk("nl", north(bxl, 35), admin, lang("nl")),
			},
			query:   q(locBXL(), func(q *Query) { q.Lang = "nl" }),
			wantIDs: []string{"fr1"},
		},
		{
			name: "outside Brussels nl only prefers at equal score",
			places: []*Place{
				mk("fr", north(aalst, 1), in(BE, "9300", "Aalst"), admin, lang("fr")),
				mk("nl", north(aalst, 2), in(BE, "9300", "Aalst"), admin, lang("nl")),
				mk("best", north(aalst, 3), in(BE, "9300", "Aalst"), admin, mode(ModeOneToOne), lang("fr")),
			},
			query:   q(Location{Point: aalst, Country: BE, Postcode: "9300", Commune: "Aalst"}, func(q *Query) { q.Lang = "nl" }),
			wantIDs: []string{"best", "nl", "fr"},
		},
		{
			name: "OCMW only for its own commune (same postcode)",
			places: []*Place{
				mk("ocmw-aalst", aalst, in(BE, "9300", "Aalst"), admin, communeOnly),
			},
			query:   q(Location{Point: north(aalst, 1), Country: BE, Postcode: "9300", Commune: "Aalst"}),
			wantIDs: []string{"ocmw-aalst"},
		},
		{
			name: "OCMW not for a neighbouring commune",
			places: []*Place{
				mk("ocmw-aalst", aalst, in(BE, "9300", "Aalst"), admin, communeOnly),
			},
			query:  q(Location{Point: Point{50.9560, 4.0960}, Country: BE, Postcode: "9310", Commune: "Moorsel"}),
			wantFB: true, wantRadius: 30,
		},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			d := testDir(tt.places...)
			for _, got := range []Result{d.Match(tt.query), d.matchLinear(tt.query)} {
				if got.Fallback != tt.wantFB {
					t.Errorf("Fallback = %v, want %v (%v)", got.Fallback, tt.wantFB, ids(got))
				}
				if !slices.Equal(ids(got), tt.wantIDs) {
					t.Errorf("ids = %v, want %v (scores %v)", ids(got), tt.wantIDs, scores(got))
				}
				if tt.wantScores != nil && !slices.Equal(scores(got), tt.wantScores) {
					t.Errorf("scores = %v, want %v", scores(got), tt.wantScores)
				}
				if tt.wantRadius != 0 && got.RadiusKM != tt.wantRadius {
					t.Errorf("RadiusKM = %v, want %v", got.RadiusKM, tt.wantRadius)
				}
			}
		})
	}
}

func TestMatchDetails(t *testing.T) {
	d := testDir(
		mk("approx", north(bxl, 1.26), svc(ServiceProcedures), func(p *Place) { p.Approx = true }),
		mk("be", Point{50.64, 3.06}, in(BE, "7700", "Mouscron"), svc(ServiceEveryday)),
	)
	r := d.Match(q(locBXL()))
	if len(r.Matches) != 1 || r.Matches[0].KM != 1.3 || !r.Matches[0].Approx {
		t.Errorf("Match = %+v, want one approx match at 1.3 km", r.Matches)
	}
	r = d.Match(q(Location{Point: lille, Country: FR, Postcode: "59000"}, func(q *Query) { q.Need = "other" }))
	if len(r.Matches) != 1 || !r.Matches[0].CrossBorder {
		t.Errorf("Match = %+v, want one cross-border match", r.Matches)
	}
}

func TestWant(t *testing.T) {
	tests := []struct {
		q    Query
		want string
	}{
		{Query{Profile: "autonome", Need: "job", Equipment: 2, Connectivity: 2},
			"base=Insertion professionnelle via le numérique need=[Insertion professionnelle via le numérique] modes=[En autonomie À distance] addons=[] care=[] progs=[]"},
		{Query{Profile: "grand_debutant", Need: "family", Equipment: 0, Connectivity: 2, Reading: 1},
			"base=Maîtrise des outils numériques du quotidien need=[Parentalité et éducation avec le numérique] modes=[Dans un atelier collectif Accompagnement individuel] addons=[Accès internet et matériel informatique Acquisition de matériel informatique à prix solidaire] care=[Illettrisme] progs=[]"},
		{Query{Profile: "besoin_assistance", Need: "banking", Equipment: 1, Connectivity: 0, Barrier: "body", At: Location{Country: FR}},
			"base=Aide aux démarches administratives need=[Aide aux démarches administratives Utilisation sécurisée du numérique] modes=[Accompagnement individuel À distance] addons=[Accès internet et matériel informatique] care=[Déficience visuelle Handicaps moteurs Surdité] progs=[Aidants Connect France Services]"},
		{Query{Profile: "proche_autonomie", Need: "learning", Equipment: 2, Connectivity: 2, Barrier: "memory"},
			"base=Maîtrise des outils numériques du quotidien need=[Maîtrise des outils numériques du quotidien] modes=[Accompagnement individuel À distance] addons=[] care=[] progs=[]"},
	}
	for _, tt := range tests {
		w := Want(tt.q)
		got := fmt.Sprintf("base=%s need=%v modes=%v addons=%v care=%v progs=%v",
			w.Base, w.NeedServices, w.Modalities, orEmpty(w.AddOns), orEmpty(w.SpecificCare), orEmpty(w.Programmes))
		if got != tt.want {
			t.Errorf("Want(%+v) =\n %s\nwant\n %s", tt.q, got, tt.want)
		}
	}
}

func orEmpty(s []string) []string {
	if s == nil {
		return []string{}
	}
	return s
}

func fits(r Result) []Fit { return pluck(r.Matches, func(m Match) Fit { return m.Fit }) }

// TestMatchPartial is D.3.7 and issue 15 item 4: when nothing passes the
// hard filter, the best partial fit, then the own CPAS/OCMW or France
// services; and the own CPAS/OCMW after the places that fit.
func TestMatchPartial(t *testing.T) {
	admin := svc(ServiceProcedures)
	aalstLoc := Location{Point: aalst, Country: BE, Postcode: "9300", Commune: "Aalst", Approx: true, NIS: "41002"}
	// A CPAS/OCMW serves the residents of its commune (NIS).
	cpasOf := func(nis string) placeOpt {
		return func(p *Place) { p.CommuneOnly, p.NIS, p.Programmes = true, nis, []string{ProgrammeCPAS} }
	}
	lilleLoc := Location{Point: lille, Country: FR, Postcode: "59000", Commune: "Lille", Approx: true}
	fs := prog(ProgrammeFranceServices)
	tests := []struct {
		name         string
		places       []*Place
		query        Query
		wantIDs      []string
		wantFits     []Fit
		wantPartial  bool
		wantFiltered int
	}{
		{
			name: "grand_debutant: the place that does the procedure helps in part",
			places: []*Place{
				mk("admin", north(bxl, 3), admin),
				mk("leisure", north(bxl, 1), svc(ServiceLeisure)),
				mk("far", north(bxl, 40), svc(ServiceEveryday)),
			},
			query:        q(locBXL(), func(q *Query) { q.Profile = "grand_debutant" }),
			wantIDs:      []string{"admin"},
			wantFits:     []Fit{FitPartial},
			wantPartial:  true,
			wantFiltered: 2,
		},
		{
			name: "job in Lille: France services helps with the procedure, no second France services",
			places: []*Place{
				mk("fs1", north(lille, 2), in(FR, "59000", "Lille"), admin, fs),
				mk("fs2", north(lille, 1), in(FR, "59000", "Lille"), svc(ServiceAccess), fs),
			},
			query:        q(lilleLoc, func(q *Query) { q.Need = "job" }),
			wantIDs:      []string{"fs1"},
			wantFits:     []Fit{FitPartial},
			wantPartial:  true,
			wantFiltered: 2,
		},
		{
			name: "FR: a partial fit that is not France services, then the nearest France services",
			places: []*Place{
				mk("epn", north(lille, 2), in(FR, "59000", "Lille"), admin),
				mk("fs-near", north(lille, 4), in(FR, "59000", "Lille"), svc(ServiceAccess), fs),
				mk("fs-far", north(lille, 9), in(FR, "59000", "Lille"), svc(ServiceAccess), fs),
			},
			query:        q(lilleLoc, func(q *Query) { q.Profile = "grand_debutant" }),
			wantIDs:      []string{"epn", "fs-near"},
			wantFits:     []Fit{FitPartial, FitFranceServices},
			wantPartial:  true,
			wantFiltered: 3,
		},
		{
			name: "BE: the own CPAS/OCMW is the partial fit when it is the only one",
			places: []*Place{
				mk("ocmw", aalst, in(BE, "9300", "Aalst"), admin, cpasOf("41002")),
				mk("ocmw-other", north(aalst, 2), in(BE, "9310", "Moorsel"), admin, cpasOf("41099")),
			},
			query:        q(aalstLoc, func(q *Query) { q.Profile = "grand_debutant" }),
			wantIDs:      []string{"ocmw"},
			wantFits:     []Fit{FitPartial},
			wantPartial:  true,
			wantFiltered: 1,
		},
		{
			name: "BE: a partial fit first, then the own CPAS/OCMW that offers nothing related",
			places: []*Place{
				mk("ocmw", aalst, in(BE, "9300", "Aalst"), svc(ServiceAccess), cpasOf("41002")),
				mk("epn", north(aalst, 5), in(BE, "9300", "Aalst"), svc(ServiceJob)),
			},
			query:        q(aalstLoc, func(q *Query) { q.Profile = "grand_debutant"; q.Need = "job" }),
			wantIDs:      []string{"epn", "ocmw"},
			wantFits:     []Fit{FitPartial, FitOwnCPAS},
			wantPartial:  true,
			wantFiltered: 2,
		},
		{
			name: "BE: nothing related, the own CPAS/OCMW all the same",
			places: []*Place{
				mk("ocmw", aalst, in(BE, "9300", "Aalst"), admin, cpasOf("41002")),
			},
			query:        q(aalstLoc, func(q *Query) { q.Profile = "grand_debutant"; q.Need = "job" }),
			wantIDs:      []string{"ocmw"},
			wantFits:     []Fit{FitOwnCPAS},
			wantPartial:  true,
			wantFiltered: 1,
		},
		{
			name: "item 4: a place that fits first, then the own CPAS/OCMW, whatever the scores",
			places: []*Place{
				mk("ocmw", aalst, in(BE, "9300", "Aalst"), admin, mode(ModeOneToOne), cpasOf("41002")),
				mk("digipunt", north(aalst, 6), in(BE, "9300", "Aalst"), admin),
			},
			query:    q(aalstLoc),
			wantIDs:  []string{"digipunt", "ocmw"},
			wantFits: []Fit{FitFull, FitFull},
		},
		{
			name: "item 4: the own CPAS/OCMW after the places that fit, though it does not",
			places: []*Place{
				mk("ocmw", aalst, in(BE, "9300", "Aalst"), svc(ServiceAccess), cpasOf("41002")),
				mk("digipunt", north(aalst, 6), in(BE, "9300", "Aalst"), admin),
			},
			query:    q(aalstLoc),
			wantIDs:  []string{"digipunt", "ocmw"},
			wantFits: []Fit{FitFull, FitOwnCPAS},
		},
		{
			name: "D.2: besoin_assistance in BE ranks the CPAS/OCMW first",
			places: []*Place{
				mk("ocmw", aalst, in(BE, "9300", "Aalst"), admin, cpasOf("41002")),
				mk("digipunt", north(aalst, 1), in(BE, "9300", "Aalst"), admin),
			},
			query:    q(aalstLoc, func(q *Query) { q.Profile = "besoin_assistance" }),
			wantIDs:  []string{"ocmw", "digipunt"},
			wantFits: []Fit{FitFull, FitFull},
		},
		{
			name: "nothing at all within 30 km: the fallback, and what was filtered out",
			places: []*Place{
				mk("leisure", north(bxl, 1), svc(ServiceLeisure)),
				mk("closed", north(bxl, 1), admin, access(AccessNoPublic)),
				mk("far", north(bxl, 31), admin),
			},
			query:        q(locBXL(), func(q *Query) { q.Profile = "grand_debutant" }),
			wantPartial:  true,
			wantFiltered: 1,
		},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			d := testDir(tt.places...)
			for _, got := range []Result{d.Match(tt.query), d.matchLinear(tt.query)} {
				if !slices.Equal(ids(got), tt.wantIDs) {
					t.Errorf("ids = %v, want %v (fits %v)", ids(got), tt.wantIDs, fits(got))
				}
				if !slices.Equal(fits(got), tt.wantFits) {
					t.Errorf("fits = %v, want %v", fits(got), tt.wantFits)
				}
				if got.Partial != tt.wantPartial || got.Filtered != tt.wantFiltered {
					t.Errorf("Partial, Filtered = %v, %d, want %v, %d", got.Partial, got.Filtered, tt.wantPartial, tt.wantFiltered)
				}
				if got.Fallback != (len(tt.wantIDs) == 0) {
					t.Errorf("Fallback = %v with %v", got.Fallback, ids(got))
				}
			}
		})
	}
}

func TestWantsSplit(t *testing.T) {
	p := &Place{Services: []string{ServiceProcedures, ServiceAccess}}
	tests := []struct {
		q                  Query
		wantOffers, wantLk []string
	}{
		{q(locBXL(), func(q *Query) { q.Profile = "grand_debutant" }), []string{ServiceProcedures}, []string{ServiceEveryday}},
		{q(locBXL(), func(q *Query) { q.Need = "job" }), []string{ServiceProcedures}, []string{ServiceJob}},
		{q(locBXL(), func(q *Query) { q.Need = "banking" }), []string{ServiceProcedures}, []string{ServiceSafety}},
		{q(locBXL(), func(q *Query) { q.Profile = "grand_debutant"; q.Equipment = 0 }),
			[]string{ServiceProcedures, ServiceAccess}, []string{ServiceEveryday}},
	}
	for _, tt := range tests {
		offers, lacks := Want(tt.q).Split(p)
		if !slices.Equal(offers, tt.wantOffers) || !slices.Equal(lacks, tt.wantLk) {
			t.Errorf("Split(%s, %s) = %v, %v, want %v, %v", tt.q.Profile, tt.q.Need, offers, lacks, tt.wantOffers, tt.wantLk)
		}
	}
}

func TestPlaceKind(t *testing.T) {
	tests := []struct {
		p    Place
		want string
	}{
		{Place{Name: "OCMW Gent", CommuneOnly: true}, KindCPAS},
		{Place{Name: "CCAS de Lille", Typologie: []string{"CCAS"}}, KindCPAS},
		{Place{Name: "France services Lille", Programmes: []string{ProgrammeFranceServices}}, KindFranceServices},
		{Place{Name: "Maison", Typologie: []string{"RFS"}}, KindFranceServices},
		{Place{Name: "Digipunt Bibliotheek Gent"}, KindDigipunt},
		{Place{Name: "EPN de Namur", Typologie: []string{"EPN"}}, KindEPN},
		{Place{Name: "Médiathèque", Typologie: []string{"BIB"}}, KindLibrary},
		{Place{Name: "Association"}, KindOther},
	}
	for _, tt := range tests {
		if got := tt.p.Kind(); got != tt.want {
			t.Errorf("Kind(%q) = %q, want %q", tt.p.Name, got, tt.want)
		}
	}
}
