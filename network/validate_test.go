package network

import (
	"bytes"
	"os"
	"slices"
	"strings"
	"testing"
	"unicode/utf16"
)

// kindsOf lists the problems' kinds, "!" marking a blocking one.
func kindsOf(ps []problem) []string {
	var out []string
	for _, p := range ps {
		k := p.kind
		if p.blocking {
			k = "!" + k
		}
		out = append(out, k)
	}
	return out
}

func utf16LE(s string, bom bool) []byte {
	var b []byte
	if bom {
		b = append(b, 0xFF, 0xFE)
	}
	for _, u := range utf16.Encode([]rune(s)) {
		b = append(b, byte(u), byte(u>>8))
	}
	return b
}

func latin1(s string) []byte {
	var b []byte
	for _, r := range s {
		b = append(b, byte(r))
	}
	return b
}

func TestCheckProblems(t *testing.T) {
	base := shipped(t)
	good := string(csvFile(t, epn("1"), epn("2")))
	semi := strings.ReplaceAll(header(t), ",", ";") + "\n" + row(t, ";", epn("1")) + "\n"
	tests := []struct {
		name   string
		data   []byte
		want   []string // kinds that must be there
		places int
	}{
		{"valid", []byte(good), nil, 2},
		{"semicolons", []byte(semi), nil, 1},
		{"bom", append([]byte("\xef\xbb\xbf"), good...), nil, 2},
		{"too big", bytes.Repeat([]byte("a"), MaxFileBytes+1), []string{"!too_big"}, 0},
		{"empty", []byte("  \n"), []string{"!empty"}, 0},
		{"tabs", []byte(strings.ReplaceAll(good, ",", "\t")), []string{"!sep_tab"}, 0},
		{"one column", []byte("id nom commune\n1 a b\n"), []string{"!sep_none"}, 0},
		{"utf-16 with bom", utf16LE(good, true), []string{"utf16"}, 2},
		{"utf-16 without bom", utf16LE(good, false), []string{"utf16"}, 2},
		{"latin-1", latin1(string(csvFile(t, with(epn("1"), "nom", "Médiathèque")))), []string{"latin1"}, 1},
		{"undefined windows-1252 byte", append([]byte(good), 0x81), []string{"!encoding"}, 0},
		{"duplicate ids", csvFile(t, epn("1"), epn("1")), []string{"!duplicate_id"}, 1},
		{"another network's id", csvFile(t, epn("1"), epn("caban/7")), []string{"!other_owner"}, 1},
		{"the embedded directory's id", csvFile(t, epn("france-services/1")), []string{"!other_owner"}, 0},
		{"own prefix", csvFile(t, epn("epn/1")), nil, 1},
		{"outside BE and FR", csvFile(t, with(epn("1"), "latitude", "40.4168", "longitude", "-3.7038")), []string{"!outside"}, 0},
		{"swapped coordinates", csvFile(t, with(epn("1"), "latitude", "4.3655", "longitude", "50.8466")), []string{"!outside"}, 0},
		{"bad coordinates", csvFile(t, with(epn("1"), "latitude", "north")), []string{"!bad_coords"}, 0},
		{"hours", csvFile(t, with(epn("1"), "horaires", "lundi matin")), []string{"hours"}, 1},
		{"unknown columns", []byte(header(t) + ",couleur,humeur\n" + row(t, ",", epn("1")) + ",bleu,gaie\n"), []string{"unknown_columns"}, 1},
		{"missing column", []byte("id,nom,commune,adresse\n1,a,b,c\n"), []string{"!missing_column"}, 0},
		{"required value", csvFile(t, with(epn("1"), "nom", "")), []string{"!required"}, 0},
		{"bad postcode", csvFile(t, with(epn("1"), "code_postal", "10")), []string{"!postcode_form"}, 0},
		{"bad phone", csvFile(t, with(epn("1"), "telephone", "call us")), []string{"phone"}, 1},
		{"bad e-mail", csvFile(t, with(epn("1"), "courriels", "nobody")), []string{"email"}, 1},
		{"unknown service", csvFile(t, with(epn("1"), "services", "Tout")), []string{"unknown_value", "no_service"}, 1},
		{"row width", []byte(good + "x,y\n"), []string{"!width"}, 2},
		{"json", []byte(`[{"id":"1","nom":"EPN","commune":"Bruxelles","code_postal":"1000","adresse":"Rue de la Loi 16","latitude":50.8466,"longitude":4.3655,"services":["` + "Aide aux démarches administratives" + `"],"langues":["fr"]}]`), nil, 1},
		{"json not a list", []byte(`{"id":"1"}`), []string{"!json_array"}, 0},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			c := check(base, "epn", "lieux.csv", tt.data)
			got := kindsOf(c.probs)
			for _, w := range tt.want {
				if !slices.Contains(got, w) {
					t.Errorf("problems %v lack %s", got, w)
				}
			}
			if tt.want == nil {
				for _, k := range got {
					if strings.HasPrefix(k, "!") {
						t.Errorf("a valid file has a blocking problem: %v", got)
					}
				}
			}
			if slices.Contains(got, "other") || slices.Contains(got, "!other") {
				t.Errorf("a problem has no words of its own: %v", got)
			}
			if len(c.places) != tt.places {
				t.Errorf("%d places, want %d (%v)", len(c.places), tt.places, got)
			}
		})
	}
}

func TestCheckConvertsLatin1(t *testing.T) {
	c := check(shipped(t), "epn", "lieux.csv", latin1(string(csvFile(t, with(epn("1"), "nom", "Médiathèque")))))
	if len(c.places) != 1 || c.places[0].Name != "Médiathèque" {
		t.Fatalf("places = %v", c.places)
	}
	if c.places[0].ID != "epn/1" || c.places[0].Source != "epn" {
		t.Errorf("id %q source %q", c.places[0].ID, c.places[0].Source)
	}
}

// TestProblemWords: every kind has its words in both languages, with
// the values filled in.
func TestProblemWords(t *testing.T) {
	cats := texts(t)
	ps := []problem{{line: 3, field: "id", kind: "duplicate_id", args: []string{"value", "7", "first", "2"}, blocking: true}}
	fr := words(cats, "fr", ps)[0]
	nl := words(cats, "nl", ps)[0]
	if !strings.Contains(fr.What, "« 7 »") || !strings.Contains(fr.What, "2") || fr.Fix == "" || !fr.Blocking || fr.Line != 3 {
		t.Errorf("fr = %+v", fr)
	}
	if nl.What == fr.What || !strings.Contains(nl.What, "7") {
		t.Errorf("nl = %+v", nl)
	}
	for k := range kinds {
		for _, l := range []string{"fr", "nl"} {
			p := words(cats, l, []problem{{kind: k}})[0]
			if strings.HasPrefix(p.What, "p.") || strings.HasPrefix(p.Fix, "p.") {
				t.Errorf("%s: %s has no words", l, k)
			}
		}
	}
}

// TestCheckStandardExample: the standard's own example file, as the
// Cartographie nationale publishes its export (every column, every value
// quoted, lists with "|"), is accepted as it is, with nothing blocking.
func TestCheckStandardExample(t *testing.T) {
	data, err := os.ReadFile("testdata/exemple-valide.csv")
	if err != nil {
		t.Fatal(err)
	}
	c := check(shipped(t), "epn", "exemple-valide.csv", data)
	for _, p := range c.probs {
		if p.blocking {
			t.Errorf("blocking problem on the standard's example: %+v", p)
		}
	}
	if len(c.places) != 1 {
		t.Fatalf("%d places, want 1 (%v)", len(c.places), kindsOf(c.probs))
	}
	p := c.places[0]
	if p.ID != "epn/structure-1" || p.Name != "Anonymal" || p.Postcode != "51100" {
		t.Errorf("place = id %q name %q postcode %q", p.ID, p.Name, p.Postcode)
	}
	if p.Phone == "" || p.Hours == "" || len(p.Services) == 0 {
		t.Errorf("phone %q, hours %q, services %v: the example's values were dropped", p.Phone, p.Hours, p.Services)
	}
}
