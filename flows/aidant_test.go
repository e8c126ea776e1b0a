package flows_test

import (
	"slices"
	"strings"
	"testing"

	"github.com/secours/secours/configs"
	"github.com/secours/secours/flows"
	"github.com/secours/secours/geo"
)

// chatWith is a chat on the place directory dir.
func chatWith(t *testing.T, dir flows.Places) *chat {
	t.Helper()
	cats, err := flows.LoadCatalogs(configs.FS)
	if err != nil {
		t.Fatal(err)
	}
	e, err := flows.NewEngine(cats, dir)
	if err != nil {
		t.Fatal(err)
	}
	return &chat{t: t, e: e, s: flows.NewSession("cli:test", t0), now: t0}
}

// cardChat is a chat whose Brussels places have the given opening hours
// (OSM syntax; "" is unknown).
func cardChat(t *testing.T, epn, ocmw string) *chat {
	t.Helper()
	dir := newFakePlaces()
	dir.places["be-epn"].Hours = epn
	dir.places["be-ocmw"].Hours = ocmw
	// An address, so that the OCMW's card too comes after a referral.
	dir.places["be-ocmw"].Email = "ocmw@example.org"
	return chatWith(t, dir)
}

// nearPlaces puts every match a few hundred metres away, between two
// postcode centroids: the place list says "in your commune".
type nearPlaces struct{ *fakePlaces }

func (n nearPlaces) Match(q geo.Query) geo.Result {
	r := n.fakePlaces.Match(q)
	for i := range r.Matches {
		r.Matches[i].KM, r.Matches[i].Approx = 0.3, true
	}
	return r
}

// cardLines returns the lines of the hand-over card among the last
// replies, the one that starts with title.
func (c *chat) cardLines(title string) []string {
	c.t.Helper()
	for _, r := range c.out {
		if strings.HasPrefix(r.Text, title) {
			return strings.Split(r.Text, "\n")
		}
	}
	c.t.Fatalf("no card %q in:\n%s", title, c.text())
	return nil
}

// TestHandOverCard checks the card line by line: an aidant's in French and
// Dutch, the person's own ("Garder ce résumé"), with the place's week
// rather than "open now", which is wrong once the card is forwarded.
// keepSummaryFR is a person in French who picks the EPN, says no to the
// referral and may keep the summary.
var keepSummaryFR = []string{"bonjour", "fr", "belgique", "moi", "santé", "smartphone seul", "sur le telephone",
	"whatsapp", "avec aide", "peur", "des textes", "non", "1000", "1", "non"}

func TestHandOverCard(t *testing.T) {
	cats, err := flows.LoadCatalogs(configs.FS)
	if err != nil {
		t.Fatal(err)
	}
	const split = "Mo-Fr 09:00-12:00,13:30-17:00; We 09:00-12:00; Sa 10:00-12:00"
	tests := []struct {
		name       string
		lang       flows.Lang
		epn, ocmw  string
		answers    []string
		keep       string // typed at the end screen to get the card; "" if it comes by itself
		aidant     bool
		place      string
		hours      string // the card's hours line
		hasPhone   bool
		countryTip string
	}{
		{"aidant FR, split week", flows.FR, split, "",
			[]string{"bonjour", "fr", "belgique", "je suis pro", "santé", "smartphone seul", "sur son téléphone",
				"whatsapp", "avec aide", "peur", "des textes", "non", "1000", "1", "oui", "ici"},
			"", true, "📍 EPN Test · Rue Test 1, 1000 Bruxelles",
			"🕘 Horaires : lun–mar 9 h–12 h, 13 h 30–17 h ; mer 9 h–12 h ; jeu–ven 9 h–12 h, 13 h 30–17 h ; sam 10 h–12 h",
			true, "tip.health.BE.1"},
		{"aidant NL, split week", flows.NL, split, "",
			[]string{"x", "nl", "ik help iemand", "gezondheid", "alleen smartphone", "op de gsm",
				"whatsapp", "met hulp", "bang", "tekst", "nee", "1000", "1", "ja", "hier"},
			"", true, "📍 EPN Test · Rue Test 1, 1000 Bruxelles",
			"🕘 Openingsuren: ma–di 9 u–12 u, 13.30 u–17 u; wo 9 u–12 u; do–vr 9 u–12 u, 13.30 u–17 u; za 10 u–12 u",
			true, "tip.health.BE.1"},
		{"aidant FR, hours unknown", flows.FR, "", "",
			[]string{"bonjour", "fr", "belgique", "j'aide un proche", "santé", "smartphone seul", "sur le telephone",
				"whatsapp", "avec aide", "peur de se tromper", "des textes", "non", "1000", "2", "oui", "ici"},
			"", true, "📍 OCMW Test · Straat 2, 1000 Brussel",
			"🕘 Horaires inconnus : renseignez-vous avant d'y aller", false, "tip.health.BE.1"},
		{"person FR, keeps the summary", flows.FR, "Mo-Fr 09:00-17:00", "",
			keepSummaryFR,
			"garder ce résumé", false, "📍 EPN Test · Rue Test 1, 1000 Bruxelles",
			"🕘 Horaires : lun–ven 9 h–17 h", true, "tip.health.BE.1"},
		{"person NL, open round the clock", flows.NL, "24/7", "",
			[]string{"x", "nl", "ik", "gezondheid", "alleen smartphone", "op mijn gsm", "whatsapp", "met hulp",
				"bang", "tekst", "nee", "1000", "1", "nee"},
			"samenvatting", false, "📍 EPN Test · Rue Test 1, 1000 Bruxelles",
			"🕘 Openingsuren: elke dag, dag en nacht", true, "tip.health.BE.1"},
		{"person FR, hours as written", flows.FR, "sur rendez-vous", "",
			keepSummaryFR,
			"garder ce résumé", false, "📍 EPN Test · Rue Test 1, 1000 Bruxelles",
			"🕘 Horaires : sur rendez-vous", true, "tip.health.BE.1"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			c := cardChat(t, tt.epn, tt.ocmw)
			c.say(tt.answers...)
			c.wantState(flows.StateDone)
			if tt.keep != "" {
				c.say(tt.keep)
			}
			cat := cats[tt.lang]
			r, err := flows.Classify(c.s.Answers)
			if err != nil {
				t.Fatal(err)
			}
			var want []string
			if tt.aidant {
				// No profile name: the card is for the person (F.8).
				want = append(want, cat["card.title.aidant"], cat[r.Why])
			} else {
				want = append(want, cat["card.title"], cat[r.Why+".self"])
			}
			want = append(want, tt.place, tt.hours)
			if tt.hasPhone {
				want = append(want, "📞 02 000 00 00")
			}
			if tt.aidant {
				want = append(want, cat["card.bring.aidant"])
			} else {
				want = append(want, cat["card.bring"])
			}
			got := c.cardLines(want[0])
			if strings.Join(got, "\n") != strings.Join(want, "\n") {
				t.Errorf("card:\n%s\nwant:\n%s", strings.Join(got, "\n"), strings.Join(want, "\n"))
			}
			for _, relative := range []string{cat["hours.open_until"], cat["hours.opens_today"], cat["hours.opens_tomorrow"]} {
				prefix, _, _ := strings.Cut(relative, "{")
				if strings.Contains(strings.Join(got, "\n"), prefix) {
					t.Errorf("the card speaks of now (%q):\n%s", prefix, strings.Join(got, "\n"))
				}
			}
		})
	}
}

// TestAidantSpeaksOfThePerson: an aidant sees answer labels and result
// lines about "la personne" / "de persoon", and may type either label;
// the person answering for themselves sees the plain ones.
func TestAidantSpeaksOfThePerson(t *testing.T) {
	cats, err := flows.LoadCatalogs(configs.FS)
	if err != nil {
		t.Fatal(err)
	}
	labels := func(c *chat) []string {
		var out []string
		for _, r := range c.out {
			for _, ch := range r.Choices {
				out = append(out, ch.Label)
			}
		}
		return out
	}
	for _, lang := range flows.Langs {
		cat := cats[lang]
		for _, who := range []string{"self", "pro"} {
			t.Run(string(lang)+"/"+who, func(t *testing.T) {
				c := chatWith(t, nearPlaces{newFakePlaces()})
				c.say("hello", string(lang))
				if lang == flows.FR {
					c.say("belgique")
				}
				c.send(flows.Msg{Kind: flows.KindChoice, Choice: "who:" + who})
				c.say("1") // need: procedure
				suffix := ""
				if who != "self" {
					suffix = ".aidant"
				}
				// Each question shows its labels; the answer is typed as
				// the label of the other kind of answerer, then the shown one.
				for _, step := range []struct{ q, a string }{
					{"device", "none"}, {"internet", "mobile"}, {"skills", "calls"},
					{"online_done", "other_does"}, {"feeling", "lost"}, {"reading", "reader"},
				} {
					c.wantState(step.q)
					key := "a." + step.q + "." + step.a
					shown, other := key, key+".aidant"
					if _, ok := cat[key+".aidant"]; ok && who != "self" {
						shown, other = key+".aidant", key
					}
					if got := labels(c); !slices.Contains(got, cat[shown]) {
						t.Errorf("%s: labels %q, want %q", step.q, got, cat[shown])
					}
					if _, ok := cat[other]; ok {
						c.say(strings.ToUpper(cat[other])) // the other label is still understood
					} else {
						c.say(cat[shown])
					}
					if c.s.Answers[step.q] != step.a {
						t.Fatalf("%s: answer %q, want %q", step.q, c.s.Answers[step.q], step.a)
					}
				}
				c.say("1") // barrier: none
				c.wantState(flows.StateLocation)
				c.wantText(cat["tip.assistance.BE"+suffix])
				if got := labels(c); !slices.Contains(got, cat["a.location.not_me"+suffix]) {
					t.Errorf("location labels %q, want %q", got, cat["a.location.not_me"+suffix])
				}
				c.say("1000")
				c.wantText(cat["places.best"+suffix])
				var here string
				for _, r := range c.out {
					for _, p := range r.Places {
						if p.ID == "be-epn" {
							here = p.Distance
						}
					}
				}
				if here != cat["places.here"+suffix] {
					t.Errorf("distance %q, want %q", here, cat["places.here"+suffix])
				}
				c.send(flows.Msg{Kind: flows.KindChoice, Choice: "nav:human"})
				c.wantText("02 000 00 00") // the chosen place's phone: same for both
			})
		}
	}
	// No place near Liège: the honest fallback, about the person.
	for _, lang := range flows.Langs {
		c := newChat(t)
		c.say("hello", string(lang))
		if lang == flows.FR {
			c.say("belgique")
		}
		c.send(flows.Msg{Kind: flows.KindChoice, Choice: "who:relative"})
		c.say("1", "1", "1", "1", "1", "1", "1", "1", "4000")
		c.wantText(cats[lang]["fallback.BE.aidant"])
		c.wantText(cats[lang]["human.BE.aidant"]) // on the card, for want of a place
	}
}
