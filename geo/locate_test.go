package geo

import (
	"errors"
	"fmt"
	"math"
	"slices"
	"testing"
)

func TestLocateShipped(t *testing.T) {
	d := shipped(t)
	tests := []struct {
		in       string
		country  Country
		postcode string
		commune  string
	}{
		{"1000", BE, "1000", "Bruxelles"},
		{" 75001 ", FR, "75001", "Paris"},
		{"B-9300", BE, "9300", "Aalst"},
		{"4000 Rocourt", BE, "4000", "Rocourt"},
		{"bruxelles", BE, "1000", "Bruxelles"},
		{"LIÈGE", BE, "4000", "Liège"},
		{"liege", BE, "4000", "Liège"},
		{"Saint-Amand-les-Eaux", FR, "59230", "Saint Amand les Eaux"},
		{"50.85,4.35", BE, "1000", "Bruxelles"},
		{"50.6317 3.0478", FR, "59000", "Lille"},
	}
	for _, tt := range tests {
		loc, err := d.Locate(tt.in)
		if err != nil {
			t.Errorf("Locate(%q) error %v", tt.in, err)
			continue
		}
		if loc.Country != tt.country || loc.Postcode != tt.postcode || loc.Commune != tt.commune {
			t.Errorf("Locate(%q) = %+v, want %s %s %s", tt.in, loc, tt.country, tt.postcode, tt.commune)
		}
	}
}

func TestLocateBadInput(t *testing.T) {
	d := shipped(t)
	tests := []struct {
		in      string
		is      error
		suggest string // one expected suggestion, "" for none
	}{
		{"99999", ErrUnknownPostcode, ""},
		{"ABC", ErrUnknownPostcode, ""},
		{"1OOO", ErrUnknownPostcode, "1000 Bruxelles"},
		{"0999", ErrUnknownPostcode, ""},
		{"Bruxeles", ErrUnknownPostcode, "1000 Bruxelles"},
		{"Charleroy", ErrUnknownPostcode, "6000 Charleroi"},
		{"saint-denis", ErrUnknownPostcode, "11310 Saint Denis"}, // ambiguous: ask for the postcode
		{"", ErrUnknownPostcode, ""},
		{"51.5,2.0", ErrOutside, ""},   // North Sea
		{"52.37,4.89", ErrOutside, ""}, // Amsterdam
		{"95.0,4.0", ErrBadPoint, ""},  // not on Earth
		{"NaN,4.0", ErrBadPoint, ""},   // the form of a position, not a number
		{"NaN,NaN", ErrBadPoint, ""},
		{"999,999", ErrBadPoint, ""},
		{"-999; 12", ErrBadPoint, ""},
		{"1e309,1", ErrBadPoint, ""},
		{"inf 4.35", ErrBadPoint, ""},
	}
	for _, tt := range tests {
		_, err := d.Locate(tt.in)
		if !errors.Is(err, tt.is) {
			t.Errorf("Locate(%q) error = %v, want %v", tt.in, err, tt.is)
			continue
		}
		// Typed errors survive wrapping.
		wrapped := fmt.Errorf("flow: %w", err)
		nf, ok := errors.AsType[*NotFoundError](wrapped)
		if tt.is == ErrUnknownPostcode && !ok {
			t.Errorf("Locate(%q): no *NotFoundError in %v", tt.in, err)
			continue
		}
		if ok && len(nf.Suggestions) > 3 {
			t.Errorf("Locate(%q): %d suggestions, want at most 3", tt.in, len(nf.Suggestions))
		}
		if tt.suggest != "" && !slices.Contains(nf.Suggestions, tt.suggest) {
			t.Errorf("Locate(%q) suggestions = %q, want %q among them", tt.in, nf.Suggestions, tt.suggest)
		}
	}
}

func TestLocatePointInvalid(t *testing.T) {
	d := shipped(t)
	for _, p := range []Point{{math.NaN(), 4}, {50, math.Inf(1)}, {-91, 0}} {
		if _, err := d.LocatePoint(p); !errors.Is(err, ErrOutside) {
			t.Errorf("LocatePoint(%v) error = %v, want ErrOutside", p, err)
		}
	}
	if _, err := d.Locate("saint-denis"); err != nil {
		if nf, ok := errors.AsType[*NotFoundError](err); !ok || !nf.Ambiguous {
			t.Errorf("Locate(saint-denis) = %v, want an ambiguous NotFoundError", err)
		}
	}
}

func TestPlacesShipped(t *testing.T) {
	d := shipped(t)
	bySource := map[string]int{}
	for _, p := range d.Places() {
		bySource[p.Source]++
		switch p.Source {
		case SourceOCMW:
			if !p.CommuneOnly || !p.Approx || p.TagSource != TagLegalMission || p.Country != BE {
				t.Fatalf("OCMW %+v", p)
			}
		case SourceFranceServices:
			if p.TagSource != TagLabel || p.Country != FR {
				t.Fatalf("France services %+v", p)
			}
		}
	}
	if bySource[SourceOCMW] != 300 || bySource[SourceFranceServices] < 2600 {
		t.Errorf("places per source = %v", bySource)
	}
	if d.Credits() == "" {
		t.Error("no credits")
	}
	// An OCMW serves its own commune only.
	loc, _ := d.Locate("9300")
	r := d.Match(Query{At: loc, Profile: "proche_autonomie", Need: "procedure", Equipment: 2, Connectivity: 2, Lang: "nl"})
	if len(r.Matches) == 0 || r.Matches[0].Place.Name != "OCMW Aalst" || !r.Matches[0].Approx {
		t.Errorf("9300: %+v", r)
	}
	for _, m := range r.Matches {
		if m.Place.CommuneOnly && m.Place.Commune != "Aalst" {
			t.Errorf("9300 got %s", m.Place.Name)
		}
	}
}
