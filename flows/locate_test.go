package flows_test

import (
	"testing"

	"github.com/secours/secours/flows"
)

// toPlaces runs a Belgian person through the diagnostic to the location
// step.
func toLocation(t *testing.T) *chat {
	c := newChat(t)
	c.say("bonjour", "1", "Belgique", "Moi", "santé",
		"Smartphone seul", "sur le telephone", "WHATSAPP, PHOTOS", "oui avec aide", "peur", "des textes", "non")
	c.wantState(flows.StateLocation)
	return c
}

// TestPostcodeAtPlaceList: a postcode typed at the place list is a new
// location, not a number to keep secret (issue 15, fix on the way).
func TestPostcodeAtPlaceList(t *testing.T) {
	tests := []struct {
		name      string
		first     string // the first location, then maybe a pick
		then      string
		wantState string
		wantText  string
		wantPlace string // first place shown after
	}{
		{"5-digit at the pick", "1000", "75001", flows.StateConsent, "France services Test vous contacte", "fr-fs"},
		{"4-digit at the consent", "75001", "1000", flows.StatePick, "Quel lieu choisissez-vous", "be-epn"},
		{"unknown number stays secret", "1000", "1234", flows.StatePick, "N'envoyez pas ce numéro ici", "be-epn"},
		{"after the fallback", "4000", "1000", flows.StatePick, "Quel lieu choisissez-vous", "be-epn"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			c := toLocation(t)
			c.say(tt.first)
			c.say(tt.then)
			c.wantState(tt.wantState)
			c.wantText(tt.wantText)
			if len(c.s.Places) == 0 || c.s.Places[0] != tt.wantPlace {
				t.Errorf("places = %v, want %s first", c.s.Places, tt.wantPlace)
			}
			c.say("retour")
			c.wantState(flows.StateLocation)
		})
	}
}
