package flows_test

import (
	"strings"
	"testing"

	"github.com/secours/secours/configs"
	"github.com/secours/secours/flows"
	"github.com/secours/secours/geo"
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

// lillePlaces is fakePlaces with Lille (59000), where nothing fits in
// full: France services helps with the procedure, not with the job.
type lillePlaces struct{ *fakePlaces }

var lilleFS = &geo.Place{ID: "fr-lille", Name: "France services Lille", Country: geo.FR, Address: "1 rue Test",
	Postcode: "59000", Commune: "Lille", Point: geo.Point{Lat: 50.63, Lon: 3.05},
	Services: []string{geo.ServiceProcedures, geo.ServiceAccess}, Programmes: []string{geo.ProgrammeFranceServices},
	TagSource: geo.TagLabel}

// InCommune narrows as geo does: nis must be one of loc.Communes.
func (f *fakePlaces) InCommune(loc geo.Location, nis string) (geo.Location, error) {
	for _, c := range loc.Communes {
		if c.NIS == nis {
			loc.NIS, loc.Communes = nis, nil
			return loc, nil
		}
	}
	return loc, geo.ErrNotInCommunes
}

// LocateIn ignores the country: the fake's names are unique.
func (f *fakePlaces) LocateIn(in string, _ geo.Country) (geo.Location, error) { return f.Locate(in) }

func (f lillePlaces) LocateIn(in string, _ geo.Country) (geo.Location, error) {
	if in == "59000" {
		return geo.Location{Point: lilleFS.Point, Country: geo.FR, Postcode: "59000", Commune: "Lille", Approx: true}, nil
	}
	return f.fakePlaces.Locate(in)
}

func (f lillePlaces) Match(q geo.Query) geo.Result {
	if q.At.Postcode == "59000" {
		return geo.Result{RadiusKM: 30, Partial: true, Filtered: 25,
			Matches: []geo.Match{{Place: lilleFS, Score: 2, KM: 1.1, Fit: geo.FitPartial}}}
	}
	return f.fakePlaces.Match(q)
}

func (f lillePlaces) Place(id string) (*geo.Place, bool) {
	if id == lilleFS.ID {
		return lilleFS, true
	}
	return f.fakePlaces.Place(id)
}

// TestPartialFitCard is D.3.7 in words: the person hears that this is
// the nearest help, not a perfect fit; the card says what kind of place
// it is, what it does and does not do; remote help comes last.
func TestPartialFitCard(t *testing.T) {
	cats, err := flows.LoadCatalogs(configs.FS)
	if err != nil {
		t.Fatal(err)
	}
	e, err := flows.NewEngine(cats, lillePlaces{newFakePlaces()})
	if err != nil {
		t.Fatal(err)
	}
	for _, tt := range []struct {
		lang, who                       string
		header, about, remote, notAbout string
	}{
		{"1", "Moi", "Aucun lieu près de chez vous ne fait tout cela. Voici l'aide la plus proche :",
			"On y aide pour : faire les démarches. Pas ici : l'emploi en ligne (CV, offres) ; demandez-leur où aller.",
			"Aide à distance aussi : Appelez le 3939", "≈"},
		{"1", "J'aide un proche", "près de chez la personne", "Pas ici : l'emploi en ligne",
			"Aide à distance aussi : Appelez le 3939", ""},
		{"2", "Ik", "Dit is de dichtstbijzijnde hulp", "Niet hier: werk online (cv, vacatures)",
			"Ook hulp op afstand: Bel 3939", ""},
	} {
		c := &chat{t: t, e: e, s: flows.NewSession("cli:test", t0), now: t0}
		c.say("bonjour", tt.lang)
		if c.s.State == flows.StateCountry {
			c.say("France")
		}
		c.say(tt.who, "3", "1", "1", "2", "2", "2", "1", "1") // job; computer, home, apps, with help, fear, text, none: proche_autonomie
		c.wantState(flows.StateLocation)
		c.say("59000")
		c.wantText(tt.header)
		c.wantText(tt.remote)
		var about string
		for _, r := range c.out {
			for _, p := range r.Places {
				about += p.Why
			}
		}
		if !strings.Contains(about, tt.about) || (tt.notAbout != "" && strings.Contains(about, tt.notAbout)) {
			t.Errorf("%s/%s: card says %q, want %q", tt.lang, tt.who, about, tt.about)
		}
	}
}

// TestSuggestionButtons: an unknown name gets the closest names as
// buttons; a tap or its number locates the name (issue 15 item 6).
func TestSuggestionButtons(t *testing.T) {
	for _, tap := range []flows.Msg{
		{Kind: flows.KindChoice, Choice: "location:s2"},
		{Kind: flows.KindText, Text: "2"},
		{Kind: flows.KindText, Text: "Brussel"},
	} {
		c := toLocation(t)
		c.say("brusels")
		var labels []string
		for _, r := range c.out {
			for _, ch := range r.Choices {
				labels = append(labels, ch.Label)
			}
		}
		if len(labels) < 2 || labels[0] != "Bruxelles" || labels[1] != "Brussel" {
			t.Fatalf("buttons = %q, want the suggestions first", labels)
		}
		c.send(tap)
		c.wantState(flows.StatePick)
		if c.s.Postcode != "1000" {
			t.Errorf("%+v: postcode = %q, want 1000", tap, c.s.Postcode)
		}
		c.say("retour")
		c.wantState(flows.StateLocation)
		for _, r := range c.out {
			for _, ch := range r.Choices {
				if strings.HasPrefix(ch.Key, "location:s") {
					t.Errorf("%+v: old suggestion %q still offered", tap, ch.Label)
				}
			}
		}
	}
}

// TestOtherNeedTyped: after the "Autre chose" tip, which asks what
// blocks in one word, "impôts" is the procedures need, and the postcode
// then gives places that help with procedures; a word that is neither a
// need nor a place is never called a postcode (issue 21).
func TestOtherNeedTyped(t *testing.T) {
	real := func() *chat {
		c := &chat{t: t, e: realEngine(t), s: flows.NewSession("cli:test", t0), now: t0}
		return c.say(untilLocation("france", "autre chose")...)
	}
	c := real()
	if c.s.Answers["need"] != "other" {
		t.Fatalf("need = %q, want other", c.s.Answers["need"])
	}
	c.wantText("par exemple « impôts »")
	c.say("mes impôts")
	c.wantState(flows.StateLocation)
	if c.s.Answers["need"] != "procedure" {
		t.Fatalf("need after \"mes impôts\" = %q, want procedure", c.s.Answers["need"])
	}
	c.wantText("C'est noté : Papiers, démarche.")
	c.wantText("FranceConnect") // the procedures' first tip
	c.say("59000")
	cards := c.cards()
	if len(cards) == 0 || !strings.Contains(cards[0].Why, "faire les démarches") {
		t.Fatalf("no place for procedures after \"impôts\": %+v\n%s", cards, c.text())
	}

	c = real()
	c.say("zorglub")
	c.wantState(flows.StateLocation)
	if strings.Contains(c.text(), "code postal. Écrivez 4 chiffres") || strings.Contains(c.text(), "ce code postal") {
		t.Errorf("a word is called a postcode:\n%s", c.text())
	}
	c.wantText("Je ne trouve pas ce nom.")
	if c.s.Answers["need"] != "other" {
		t.Errorf("need = %q after an unknown word, want other", c.s.Answers["need"])
	}
}
