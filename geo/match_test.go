package geo

import (
	"fmt"
	"slices"
	"testing"
)

// Test fixtures: synthetic postcodes and places, never real ones.
func testPostcodes() []pcRow {
	return []pcRow{
		{country: BE, postcode: "1000", name: "Bruxelles", pt: Point{50.8504, 4.3488}},
		{country: BE, postcode: "9300", name: "Aalst", pt: Point{50.9360, 4.0355}},
		{country: BE, postcode: "9310", name: "Moorsel", pt: Point{50.9560, 4.0960}},
		{country: BE, postcode: "7700", name: "Mouscron", pt: Point{50.7440, 3.2140}},
		{country: FR, postcode: "59000", name: "Lille", pt: Point{50.6317, 3.0478}},
		{country: FR, postcode: "75001", name: "Paris", pt: Point{48.8626, 2.3363}},
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

func ids(r Result) []string {
	var out []string
	for _, m := range r.Matches {
		out = append(out, m.Place.ID)
	}
	return out
}

func scores(r Result) []int {
	var out []int
	for _, m := range r.Matches {
		out = append(out, m.Score)
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
