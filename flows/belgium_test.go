package flows_test

import (
	"slices"
	"strings"
	"testing"

	"github.com/secours/secours/flows"
)

// realChat is a conversation with the embedded catalogues and directory.
func realChat(t *testing.T) *chat {
	return &chat{t: t, e: realEngine(t), s: flows.NewSession("cli:test", t0), now: t0}
}

// diagnosed runs a person through the questions to the location step:
// lang "fr" or "nl", country "BE" or "FR" (French only), the need's button
// number, and a profile: "proche" (R8) or "debutant" (R4, calls only).
func diagnosed(t *testing.T, lang, country, need, profile string) *chat {
	t.Helper()
	c := realChat(t)
	c.say("bonjour")
	if lang == "nl" {
		c.say("2")
	} else {
		c.say("1", map[string]string{"BE": "1", "FR": "2"}[country])
	}
	skills := "2"
	if profile == "debutant" {
		skills = "1"
	}
	c.say("1", need, "2", "2", skills, "2", "2", "1", "1")
	c.wantState(flows.StateLocation)
	return c
}

func (c *chat) cards() []flows.PlaceCard {
	var out []flows.PlaceCard
	for _, r := range c.out {
		out = append(out, r.Places...)
	}
	return out
}

func (c *chat) labels() []string {
	var out []string
	for _, r := range c.out {
		for _, ch := range r.Choices {
			out = append(out, ch.Label)
		}
	}
	return out
}

// TestCommuneQuestion: 1060 lies in Saint-Gilles and in Bruxelles; the
// bot asks, in the person's language, and each answer gets that
// commune's CPAS/OCMW (issue 15 item 1).
func TestCommuneQuestion(t *testing.T) {
	tests := []struct {
		lang, question string
		labels         []string
		answer         flows.Msg
		want           string // first place
	}{
		{"fr", "Vous habitez à… ?", []string{"Saint-Gilles", "Bruxelles"},
			flows.Msg{Kind: flows.KindChoice, Choice: "commune:21013"}, "cpas-be/21013"},
		{"fr", "Vous habitez à… ?", []string{"Saint-Gilles", "Bruxelles"},
			flows.Msg{Kind: flows.KindChoice, Choice: "commune:21004"}, "cpas-be/21004"},
		{"fr", "Vous habitez à… ?", []string{"Saint-Gilles", "Bruxelles"},
			flows.Msg{Kind: flows.KindText, Text: "2"}, "cpas-be/21004"},
		{"nl", "Woont u in… ?", []string{"Sint-Gillis", "Brussel"},
			flows.Msg{Kind: flows.KindText, Text: "sint gillis"}, "cpas-be/21013"},
		{"nl", "Woont u in… ?", []string{"Sint-Gillis", "Brussel"},
			flows.Msg{Kind: flows.KindText, Text: "Bruxelles"}, "cpas-be/21004"},
	}
	for _, tt := range tests {
		t.Run(tt.lang+" "+tt.want, func(t *testing.T) {
			c := diagnosed(t, tt.lang, "BE", "1", "proche")
			c.say("1060")
			c.wantState(flows.StateCommune)
			c.wantText(tt.question)
			if got := c.labels(); !slices.Equal(got[:2], tt.labels) {
				t.Errorf("buttons = %q, want %q first", got, tt.labels)
			}
			if len(c.cards()) != 0 {
				t.Errorf("places shown before the commune is known")
			}
			c.send(tt.answer)
			if len(c.s.Places) == 0 || c.s.Places[0] != tt.want {
				t.Fatalf("places = %v, want %s first\n%s", c.s.Places, tt.want, c.text())
			}
			c.say("retour")
			c.wantState(flows.StateCommune)
			c.say("Ce n'est pas moi")
			c.wantState(flows.StateCommune) // not an answer here
		})
	}
	t.Run("a stale commune", func(t *testing.T) {
		c := diagnosed(t, "fr", "BE", "1", "proche")
		c.say("1060")
		c.send(flows.Msg{Kind: flows.KindChoice, Choice: "commune:62063"})
		c.wantState(flows.StateCommune)
		c.wantText("Je n'ai pas compris")
	})
	t.Run("a new postcode instead", func(t *testing.T) {
		c := diagnosed(t, "fr", "BE", "1", "proche")
		c.say("1060", "5000")
		if len(c.s.Places) == 0 || c.s.Places[0] != "cpas-be/92094" {
			t.Errorf("places = %v, want Namur's CPAS", c.s.Places)
		}
	})
}

// TestBelgianCards: the person's own CPAS/OCMW, found by commune; a card
// without a street names no distance and no map (issue 15 items 2, 4).
func TestBelgianCards(t *testing.T) {
	tests := []struct {
		name, lang, in  string
		place           string // name on the card
		about, address  string
		noStreet        bool
		wantNoteCommune string
	}{
		{"Ledeberg by postcode", "nl", "9050", "OCMW Gent", "Het OCMW van uw gemeente", "Onderbergen 86", false, "Gent"},
		{"Ledeberg by name", "fr", "Ledeberg", "OCMW Gent", "Le CPAS de votre commune", "Onderbergen 86", false, "Gent"},
		{"Brussels, bilingual, in French", "fr", "1000", "CPAS / OCMW Bruxelles / Brussel", "Le CPAS de votre commune : aide sociale",
			"Adresse : à demander à l'accueil de la commune de Bruxelles / Brussel", true, ""},
		{"Brussels, bilingual, in Dutch", "nl", "Brussel", "CPAS / OCMW Bruxelles / Brussel", "Het OCMW van uw gemeente: sociale hulp",
			"Adres: vraag het aan het onthaal van de gemeente Bruxelles / Brussel", true, ""},
		{"German-speaking commune", "fr", "Eupen", "CPAS / ÖSHZ Eupen", "Le CPAS de votre commune",
			"Adresse : à demander à l'accueil de la commune de Eupen", true, ""},
		{"Liège by its Dutch name", "nl", "Luik", "CPAS Liège", "Het OCMW van uw gemeente", "gemeente Liège", true, ""},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			c := diagnosed(t, tt.lang, "BE", "1", "proche")
			c.say(tt.in)
			cards := c.cards()
			if len(cards) == 0 {
				t.Fatalf("no card:\n%s", c.text())
			}
			p := cards[0]
			if p.Name != tt.place || !strings.Contains(p.Kind, tt.about) || !strings.Contains(p.Address, tt.address) {
				t.Errorf("card = %q / %q / %q, want %q / %q / %q", p.Name, p.Kind, p.Address, tt.place, tt.about, tt.address)
			}
			if tt.noStreet && (p.Distance != "" || p.MapURL != "" || p.Phone != "") {
				t.Errorf("a card without a street shows distance %q, map %q, phone %q", p.Distance, p.MapURL, p.Phone)
			}
			if !tt.noStreet && p.Distance == "" {
				t.Errorf("a seat with an address has no distance")
			}
			if strings.Contains(p.Kind+p.Why, "{") || strings.Contains(p.Address, "{") {
				t.Errorf("unrendered placeholder: %q %q %q", p.Kind, p.Why, p.Address)
			}
		})
	}
}

// TestFirstTimerGetsAPlace: a grand_debutant, whose base service no
// shipped place declares, gets the nearest partial help in Lille, Paris
// and Antwerpen, never the bare fallback (issue 15 item 3).
func TestFirstTimerGetsAPlace(t *testing.T) {
	for _, tt := range []struct{ lang, country, in, header string }{
		{"fr", "FR", "59000", "Voici l'aide la plus proche"},
		{"fr", "FR", "75001", "Voici l'aide la plus proche"},
		{"nl", "BE", "2000", "Dit is de dichtstbijzijnde hulp"},
	} {
		t.Run(tt.in, func(t *testing.T) {
			c := diagnosed(t, tt.lang, tt.country, "1", "debutant")
			if c.s.Answers["profile"] != "grand_debutant" {
				t.Fatalf("profile = %q", c.s.Answers["profile"])
			}
			c.say(tt.in)
			c.wantText(tt.header)
			cards := c.cards()
			// A place that cannot receive a referral (OCMW Antwerpen has no
			// e-mail) ends on its hand-over card: still a place, not the fallback.
			if len(cards) == 0 {
				t.Fatalf("no place for a first-timer in %s:\n%s", tt.in, c.text())
			}
			if !strings.Contains(cards[0].Why, "apprendre les bases") && !strings.Contains(cards[0].Why, "de basis leren") {
				t.Errorf("the card does not say what it lacks: %q", cards[0].Why)
			}
		})
	}
}
