package geo

import (
	"errors"
	"slices"
	"strings"
	"testing"
	"testing/fstest"
)

// nisOf is the commune NIS codes a location names: its own, or the ones
// to ask between.
func nisOf(loc Location) []string {
	if loc.NIS != "" {
		return []string{loc.NIS}
	}
	return pluck(loc.Communes, func(c Commune) string { return c.NIS })
}

// TestPostcodeCommune checks the mapping against facts: deelgemeenten of
// big cities, the mergers of 2025 and 2019, the German-speaking area.
func TestPostcodeCommune(t *testing.T) {
	d := shipped(t)
	tests := []struct {
		in   string
		want string // the commune's NIS, certain
		name string // its French name
	}{
		{"9050", "44021", "Gand"},                         // Gentbrugge, Ledeberg
		{"2100", "11002", "Anvers"},                       // Deurne
		{"3010", "24062", "Louvain"},                      // Kessel-Lo
		{"5100", "92094", "Namur"},                        // Jambes, Wépion
		{"4020", "62063", "Liège"},                        // Bressoux, Jupille
		{"1020", "21004", "Bruxelles"},                    // Laeken
		{"1120", "21004", "Bruxelles"},                    // Neder-Over-Heembeek
		{"8501", "34022", "Courtrai"},                     // Bissegem, Heule
		{"9800", "44083", "Deinze"},                       // merged with Nevele in 2019
		{"8700", "37022", "Tielt"},                        // Tielt + Meulebeke, 2025
		{"8760", "37022", "Tielt"},                        // Meulebeke, 2025
		{"2150", "11002", "Anvers"},                       // Borsbeek, 2025
		{"2070", "46030", "Beveren-Kruibeke-Zwijndrecht"}, // Zwijndrecht changed province in 2025
		{"3720", "71072", "Hasselt"},                      // Kortessem, 2025
		{"6687", "82039", "Bastogne"},                     // Bertogne, 2025
		{"4700", "63023", "Eupen"},                        // German-speaking
		{"4780", "63067", "Saint-Vith"},                   // German-speaking
		{"9300 Aalst", "41002", "Alost"},
		{"5000 Beez", "92094", "Namur"},
	}
	for _, tt := range tests {
		loc, err := d.Locate(tt.in)
		if err != nil {
			t.Errorf("Locate(%q) error %v", tt.in, err)
			continue
		}
		if loc.NIS != tt.want || len(loc.Communes) != 0 {
			t.Errorf("Locate(%q) = NIS %q, communes %v; want %s for sure", tt.in, loc.NIS, nisOf(loc), tt.want)
			continue
		}
		c, ok := d.Commune(loc.NIS)
		if !ok || c.NameFR != tt.name {
			t.Errorf("Commune(%s) = %+v, %v; want %s", loc.NIS, c, ok, tt.name)
		}
	}
}

// TestPostcodeSeveralCommunes: a postcode whose addresses lie in two
// communes asks; naming the locality answers; InCommune narrows.
func TestPostcodeSeveralCommunes(t *testing.T) {
	d := shipped(t)
	for _, tt := range []struct {
		in   string
		want []string
	}{
		{"1050", []string{"21009", "21004"}}, // Ixelles first: the postcode's locality
		{"1040", []string{"21005", "21004"}},
		{"1060", []string{"21013", "21004"}},
		{"3941", nil}, // Eksel: not in BeST, so approximate
	} {
		loc, err := d.Locate(tt.in)
		if err != nil {
			t.Fatalf("Locate(%q) error %v", tt.in, err)
		}
		if loc.NIS != "" || len(loc.Communes) < 2 {
			t.Errorf("Locate(%q) = NIS %q, communes %v; want a question", tt.in, loc.NIS, nisOf(loc))
			continue
		}
		if tt.want != nil && !slices.Equal(nisOf(loc), tt.want) {
			t.Errorf("Locate(%q) communes %v, want %v", tt.in, nisOf(loc), tt.want)
		}
		for _, c := range loc.Communes {
			got, err := d.InCommune(loc, c.NIS)
			if err != nil || got.NIS != c.NIS || len(got.Communes) != 0 {
				t.Errorf("InCommune(%s, %s) = %+v, %v", tt.in, c.NIS, got, err)
			}
		}
		if _, err := d.InCommune(loc, "11002"); !errors.Is(err, ErrNotInCommunes) {
			t.Errorf("InCommune(%s, Antwerpen) error %v, want ErrNotInCommunes", tt.in, err)
		}
	}
	if loc, _ := d.Locate("3941"); !slices.Contains(nisOf(loc), "72038") {
		t.Errorf("Locate(3941 Eksel) communes %v, want Hechtel-Eksel among them", nisOf(loc))
	}
	// The person names their locality: its commune, no question.
	if loc, err := d.Locate("1050 Ixelles"); err != nil || loc.NIS != "21009" {
		t.Errorf("Locate(1050 Ixelles) = %+v, %v; want NIS 21009", loc, err)
	}
}

// TestEveryPostcodeHasCommune: each of the 1,146 Belgian postcodes, and
// each locality, either is in one commune or asks between several.
func TestEveryPostcodeHasCommune(t *testing.T) {
	d := shipped(t)
	n := 0
	for code, pc := range d.byPostcode {
		if pc.country != BE {
			continue
		}
		n++
		locs := []string{code}
		for _, r := range pc.rows {
			locs = append(locs, code+" "+d.pcs[r].Name)
		}
		for _, in := range locs {
			loc, err := d.Locate(in)
			if err != nil {
				t.Fatalf("Locate(%q) error %v", in, err)
			}
			if (loc.NIS == "") == (len(loc.Communes) == 0) || len(loc.Communes) == 1 {
				t.Errorf("Locate(%q) = NIS %q, communes %v: want one or a question", in, loc.NIS, nisOf(loc))
			}
			for _, nis := range nisOf(loc) {
				if _, ok := d.Commune(nis); !ok {
					t.Errorf("Locate(%q): unknown commune %s", in, nis)
				}
			}
		}
	}
	if n != 1146 || len(d.Communes()) != 565 {
		t.Errorf("%d postcodes, %d communes; want 1146 and 565", n, len(d.Communes()))
	}
}

// TestEveryCommuneHasCPAS: each of the 565 communes has its CPAS/OCMW,
// and a card no source gives an address for promises none.
func TestEveryCommuneHasCPAS(t *testing.T) {
	d := shipped(t)
	for _, c := range d.Communes() {
		seats := d.cpasOf[c.NIS]
		if len(seats) == 0 {
			t.Errorf("commune %s %s has no CPAS/OCMW", c.NIS, c.NameFR)
			continue
		}
		for _, i := range seats {
			p := d.places[i]
			if !p.CommuneOnly || p.TagSource != TagLegalMission || !slices.Equal(p.Services, []string{ServiceProcedures}) {
				t.Errorf("%s: commune-only %v, tags %s, services %v; want the legal mission only", p.ID, p.CommuneOnly, p.TagSource, p.Services)
			}
			if p.Source == SourceCPAS && (p.Address != "" || p.Phone != "" || p.Email != "" || p.Hours != "" || !p.NoPoint) {
				t.Errorf("%s: address %q, phone %q, e-mail %q, hours %q, NoPoint %v: no source gives them", p.ID, p.Address, p.Phone, p.Email, p.Hours, p.NoPoint)
			}
			if p.Source == SourceOCMW && (p.Address == "" || p.NoPoint) {
				t.Errorf("%s: a Flemish seat keeps its sourced address", p.ID)
			}
		}
	}
	if n := len(d.cpasOf); n != 565 {
		t.Errorf("%d communes have a CPAS/OCMW, want 565", n)
	}
}

// TestOwnCPAS: the cards a person gets, by their commune.
func TestOwnCPAS(t *testing.T) {
	d := shipped(t)
	tests := []struct {
		in, commune  string // commune: the NIS chosen when the postcode asks
		name, source string
		langs        []string
	}{
		{"1050", "21009", "CPAS / OCMW Ixelles / Elsene", SourceCPAS, []string{"fr", "nl"}},
		{"1000", "", "CPAS / OCMW Bruxelles / Brussel", SourceCPAS, []string{"fr", "nl"}},
		{"4700", "", "CPAS / ÖSHZ Eupen", SourceCPAS, []string{"de", "fr"}},
		{"4720", "", "CPAS / ÖSHZ Kelmis", SourceCPAS, []string{"de", "fr"}},
		{"5100", "", "CPAS Namur", SourceCPAS, []string{"fr"}},
		{"9050", "", "OCMW Gent", SourceOCMW, []string{"nl"}},
		{"2000", "", "OCMW Antwerpen", SourceOCMW, []string{"nl"}},
		{"2150", "", "OCMW Borsbeek", SourceOCMW, []string{"nl"}}, // merged: the seat of the person's postcode
	}
	for _, tt := range tests {
		loc, err := d.Locate(tt.in)
		if err != nil {
			t.Fatalf("Locate(%q) error %v", tt.in, err)
		}
		if _, ok := d.OwnCPAS(loc); ok && loc.NIS == "" {
			t.Errorf("OwnCPAS(%s) found a CPAS before the commune is known", tt.in)
		}
		if tt.commune != "" {
			if loc, err = d.InCommune(loc, tt.commune); err != nil {
				t.Fatalf("InCommune(%s, %s) error %v", tt.in, tt.commune, err)
			}
		}
		p, ok := d.OwnCPAS(loc)
		if !ok || p.Name != tt.name || p.Source != tt.source || !slices.Equal(p.Langs, tt.langs) || p.NIS != loc.NIS {
			t.Errorf("OwnCPAS(%s) = %+v, %v; want %s (%s, %v)", tt.in, p, ok, tt.name, tt.source, tt.langs)
		}
	}
}

// TestMatchCPASByCommune: a CPAS is matched by the person's commune,
// never by distance: not before the commune is known, not a neighbour's.
func TestMatchCPASByCommune(t *testing.T) {
	d := shipped(t)
	cpasIn := func(r Result) []string {
		var out []string
		for _, m := range r.Matches {
			if m.Place.CommuneOnly {
				out = append(out, m.Place.Name)
			}
		}
		return out
	}
	query := func(loc Location) Query {
		return Query{At: loc, Profile: "besoin_assistance", Need: "procedure", Equipment: 2, Connectivity: 2, Lang: "fr"}
	}
	loc, _ := d.Locate("1050")
	if got := cpasIn(d.Match(query(loc))); len(got) != 0 {
		t.Errorf("1050 before the question: CPAS %v, want none", got)
	}
	if got := cpasIn(d.matchLinear(query(loc))); len(got) != 0 {
		t.Errorf("1050 before the question (linear): CPAS %v, want none", got)
	}
	inBXL, _ := d.InCommune(loc, "21004")
	locate := func(pc string) Location { l, _ := d.Locate(pc); return l }
	for _, tt := range []struct {
		name string
		loc  Location
		want []string
		why  string
	}{
		{"1050 in Bruxelles", inBXL, []string{"CPAS / OCMW Bruxelles / Brussel"}, "want only Bruxelles'"},
		{"5100", locate("5100"), []string{"CPAS Namur"}, "want only Namur's"},
		{"2000", locate("2000"), []string{"OCMW Antwerpen"}, "want one card for the merged commune"},
	} {
		for _, r := range []Result{d.Match(query(tt.loc)), d.matchLinear(query(tt.loc))} {
			if got := cpasIn(r); !slices.Equal(got, tt.want) {
				t.Errorf("%s: CPAS %v, %s", tt.name, got, tt.why)
			}
		}
	}
}

// TestLocateNames: communes typed in FR, NL or DE, with the person's
// country first.
func TestLocateNames(t *testing.T) {
	d := shipped(t)
	tests := []struct {
		in       string
		country  Country
		nis      string // "" for a French place
		postcode string
	}{
		{"Louvain", BE, "24062", "3000"},
		{"Leuven", "", "24062", "3000"},
		{"Luik", "", "62063", "4000"},
		{"Lüttich", BE, "62063", "4000"},
		{"Brussel", "", "21004", "1000"},
		{"BRUXELLES", BE, "21004", "1000"},
		{"Gand", "", "44021", "9000"},
		{"Anvers", "", "11002", "2000"},
		{"Namen", "", "92094", "5000"},
		{"Bergen", BE, "53053", "7000"},
		{"Mons", BE, "53053", "7000"},
		{"Ledeberg", "", "44021", "9050"},
		{"Jambes", "", "92094", "5100"},
		{"Eupen", "", "63023", "4700"},
		{"Sankt Vith", BE, "63067", "4780"},
		{"st-vith", BE, "63067", "4780"},
		{"Kelmis", "", "63040", "4720"},
		{"sint joost ten node", BE, "21014", "1210"},
		{"Lille", FR, "", "59000"},
		{"Lille", BE, "13019", "2275"},
	}
	for _, tt := range tests {
		loc, err := d.LocateIn(tt.in, tt.country)
		if err != nil {
			t.Errorf("LocateIn(%q, %q) error %v", tt.in, tt.country, err)
			continue
		}
		if loc.NIS != tt.nis || loc.Postcode != tt.postcode {
			t.Errorf("LocateIn(%q, %q) = %s NIS %q, want %s NIS %q", tt.in, tt.country, loc.Postcode, loc.NIS, tt.postcode, tt.nis)
		}
	}
	// Without a hint, Lille is two places: ask.
	if _, err := d.Locate("Lille"); !isAmbiguous(err) {
		t.Errorf("Locate(Lille) error %v, want ambiguous", err)
	}
}

func isAmbiguous(err error) bool {
	nf, ok := errors.AsType[*NotFoundError](err)
	return ok && nf.Ambiguous
}

// TestSuggestions: an unknown name gets up to three close names, each
// with its postcode, the person's country first.
func TestSuggestions(t *testing.T) {
	d := shipped(t)
	tests := []struct {
		in      string
		country Country
		first   string // one of the suggestions
	}{
		{"Brusels", BE, "1000 Bruxelles"},
		{"Louvin", BE, "3000 Leuven"},
		{"Namurr", "", "5000 Namur"},
		{"Charleroy", "", "6000 Charleroi"},
		{"Lile", BE, "2275 Lille"}, // both countries have a Lille: the person's first
	}
	for _, tt := range tests {
		_, err := d.LocateIn(tt.in, tt.country)
		nf, ok := errors.AsType[*NotFoundError](err)
		if !ok || len(nf.Suggestions) == 0 || len(nf.Suggestions) > 3 || !slices.Contains(nf.Suggestions, tt.first) {
			t.Errorf("LocateIn(%q, %q) = %v, want %q among the suggestions", tt.in, tt.country, err, tt.first)
			continue
		}
		if pc, _, _ := strings.Cut(nf.Suggestions[0], " "); tt.country != "" && d.byPostcode[pc].country != tt.country {
			t.Errorf("LocateIn(%q, %q) suggestions %q: the person's country should come first", tt.in, tt.country, nf.Suggestions)
		}
		for _, s := range nf.Suggestions {
			if _, err := d.LocateIn(s, tt.country); err != nil {
				t.Errorf("suggestion %q of %q does not locate: %v", s, tt.in, err)
			}
		}
	}
}

// TestCommuneName: the names a card or a question uses.
func TestCommuneName(t *testing.T) {
	d := shipped(t)
	tests := []struct{ nis, lang, want string }{
		{"24062", "fr", "Louvain"},
		{"24062", "nl", "Leuven"},
		{"24062", "de", "Löwen"},
		{"44021", "de", "Gent"}, // no German name given: the region's language
		{"63023", "de", "Eupen"},
		{"63040", "fr", "La Calamine"},
		{"63040", "de", "Kelmis"},
		{"63040", "nl", "Kelmis"},
		{"21009", "de", "Ixelles"}, // Brussels: French
		{"92094", "nl", "Namen"},
	}
	for _, tt := range tests {
		c, ok := d.Commune(tt.nis)
		if got := c.Name(tt.lang); !ok || got != tt.want {
			t.Errorf("Commune(%s).Name(%s) = %q, want %q", tt.nis, tt.lang, got, tt.want)
		}
	}
	c, _ := d.Commune("21009")
	if c.Region != "BRU" || c.Province != "" || c.Bilingual() != "Ixelles / Elsene" {
		t.Errorf("Ixelles = %+v", c)
	}
	if c, _ := d.Commune("44021"); c.Region != "VLG" || ProvinceName(c.Province, "nl") != "Oost-Vlaanderen" {
		t.Errorf("Gent = %+v", c)
	}
	if c, _ := d.Commune("63023"); c.Region != "WAL" || ProvinceName(c.Province, "fr") != "Liège" {
		t.Errorf("Eupen = %+v", c)
	}
}

// TestMalformedCommuneFiles: a broken commune or mapping file is an
// error naming the file and the line, for Open and for Import alike.
func TestMalformedCommuneFiles(t *testing.T) {
	d := shipped(t)
	communes := CommunesHeader + "\n21004\tBruxelles\tBrussel\t\t1000\tBruxelles\t50.85\t4.35\t\n"
	localities := LocalitiesHeader + "\n1000\tBruxelles\t21\t21004\tbest\n"
	tests := []struct {
		name, file, data, want string
	}{
		{"communes header", CommunesFile, "nis\tnom\n", CommunesFile + ":1: header"},
		{"communes fields", CommunesFile, CommunesHeader + "\n21004\tBruxelles\n", CommunesFile + ":2: 2 fields"},
		{"communes nis", CommunesFile, CommunesHeader + "\n2100A\tBruxelles\tBrussel\t\t1000\tBruxelles\t50.85\t4.35\t\n", CommunesFile + ":2: nis"},
		{"communes duplicate", CommunesFile, communes + "21004\tBruxelles\tBrussel\t\t1000\tBruxelles\t50.85\t4.35\t\n", CommunesFile + ":3: nis 21004 already on line 2"},
		{"communes point", CommunesFile, CommunesHeader + "\n21004\tBruxelles\tBrussel\t\t1000\tBruxelles\tnord\t4.35\t\n", CommunesFile + ":2: bad seat"},
		{"localities locality", LocalitiesFile, LocalitiesHeader + "\n1000\tAtlantis\t21\t21004\tbest\n", LocalitiesFile + ":2: 1000 \"Atlantis\""},
		{"localities nis", LocalitiesFile, LocalitiesHeader + "\n1000\tBruxelles\t21\t99999\tbest\n", LocalitiesFile + ":2: nis \"99999\""},
		{"localities method", LocalitiesFile, LocalitiesHeader + "\n1000\tBruxelles\t21\t21004\tdevine\n", LocalitiesFile + ":2: methode"},
		{"localities fields", LocalitiesFile, LocalitiesHeader + "\n1000\tBruxelles\n", LocalitiesFile + ":2: 2 fields"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			files := map[string]string{CommunesFile: communes, LocalitiesFile: localities}
			files[tt.file] = tt.data
			dd := newDirectory(nil, d.pcs)
			err := dd.loadCommunes(mapFS(files), ".")
			if err == nil || !strings.Contains(err.Error(), tt.want) {
				t.Errorf("loadCommunes error %v, want %q", err, tt.want)
			}
		})
	}
	// The well-formed pair loads.
	dd := newDirectory(nil, d.pcs)
	if err := dd.loadCommunes(mapFS(map[string]string{CommunesFile: communes, LocalitiesFile: localities}), "."); err != nil {
		t.Fatalf("loadCommunes of good files: %v", err)
	}
}

func mapFS(files map[string]string) fstest.MapFS {
	m := fstest.MapFS{}
	for name, data := range files {
		m[name] = &fstest.MapFile{Data: []byte(data)}
	}
	return m
}

// TestSuggestionsCountryFirst: the same name in both countries is
// offered with the person's country's postcode.
func TestSuggestionsCountryFirst(t *testing.T) {
	d := shipped(t)
	for _, tt := range []struct {
		country Country
		prefix  string
	}{{BE, "2275 "}, {FR, "59"}} {
		_, err := d.LocateIn("Lile", tt.country)
		nf, ok := errors.AsType[*NotFoundError](err)
		if !ok || len(nf.Suggestions) == 0 || !strings.HasPrefix(nf.Suggestions[0], tt.prefix) || !strings.HasSuffix(nf.Suggestions[0], " Lille") {
			t.Errorf("LocateIn(Lile, %s) = %v, want %s… Lille first", tt.country, err, tt.prefix)
		}
	}
}
