package geo

import (
	"slices"
	"testing"
)

// TestFind: an operator names a place by its id or by its name, whatever
// the accents and the case (issue 17.13: "France services de Tourcoing"
// was "not in the directory" for secours structure link).
func TestFind(t *testing.T) {
	d := shipped(t)
	tests := []struct {
		query string
		want  string   // the place found; "" for none
		among []string // some of the candidates of an ambiguous name
	}{
		{"france-services/1", "france-services/1", nil},
		{" france-services/1 ", "france-services/1", nil},
		{"France services de Tourcoing", "france-services/temp_122", nil},
		{"FRANCE SERVICES DE TOURCOING", "france-services/temp_122", nil},
		{"france services de valserhone", "france-services/1", nil},
		{"Valserhône", "france-services/1", nil},
		{"OCMW Aalst", "ocmw-vlaanderen/OVO002601", nil},
		{"France services de Nogent", "france-services/2426", nil}, // the whole name, among longer ones
		{"Nogent", "", []string{"france-services/2117", "france-services/2426", "france-services/551"}},
		{"ocmw", "", []string{"ocmw-vlaanderen/OVO002601"}},
		{"Nulle Part Sur Terre", "", nil},
		{"", "", nil},
		{"  --  ", "", nil},
	}
	for _, tt := range tests {
		p, candidates := d.Find(tt.query)
		got := ""
		if p != nil {
			got = p.ID
		}
		if got != tt.want {
			t.Errorf("Find(%q) = %q, want %q", tt.query, got, tt.want)
		}
		if p != nil && candidates != nil {
			t.Errorf("Find(%q) gave a place and %d candidates", tt.query, len(candidates))
		}
		var ids []string
		for _, c := range candidates {
			ids = append(ids, c.ID)
		}
		if !slices.IsSorted(ids) {
			t.Errorf("Find(%q): candidates not ordered by id: %v", tt.query, ids)
		}
		for _, id := range tt.among {
			if !slices.Contains(ids, id) {
				t.Errorf("Find(%q): %s not among the candidates %v", tt.query, id, ids)
			}
		}
		if tt.among == nil && p == nil && len(candidates) > 0 {
			t.Errorf("Find(%q) = %d candidates, want none", tt.query, len(candidates))
		}
	}
}
