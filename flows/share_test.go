package flows_test

import (
	"strings"
	"testing"

	"github.com/secours/secours/flows"
)

func TestShareCodeStartsConversation(t *testing.T) {
	code := flows.ShareCode("be-epn")
	if len(code) != 11 || code[0] != 's' || code != flows.ShareCode("be-epn") || code == flows.ShareCode("be-ocmw") {
		t.Fatalf("ShareCode = %q", code)
	}
	tests := []struct {
		name  string
		msg   flows.Msg
		want  string // SharedBy
		event string
	}{
		{"telegram deep link", flows.Msg{Kind: flows.KindCommand, Command: "start", Arg: code}, "be-epn", "start_shared"},
		{"wa.me first line", flows.Msg{Kind: flows.KindText, Text: "Bonjour Secours ! Code " + code}, "be-epn", "start_shared"},
		{"code alone, upper case", flows.Msg{Kind: flows.KindText, Text: strings.ToUpper(code)}, "be-epn", "start_shared"},
		{"unknown code", flows.Msg{Kind: flows.KindCommand, Command: "start", Arg: "szzzzzzzzzz"}, "", "share_unknown"},
		{"hostile payload", flows.Msg{Kind: flows.KindCommand, Command: "start", Arg: "<script>" + code}, "", "command_start"},
		{"huge text", flows.Msg{Kind: flows.KindText, Text: strings.Repeat("x", 300) + " " + code}, "", "start"},
		{"no code", flows.Msg{Kind: flows.KindText, Text: "bonjour"}, "", "start"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			c := newChat(t)
			c.send(tt.msg)
			c.wantState(flows.StateLang)
			if c.s.SharedBy != tt.want || c.oc.Event != tt.event {
				t.Errorf("SharedBy %q event %q, want %q %q", c.s.SharedBy, c.oc.Event, tt.want, tt.event)
			}
			if c.oc.Tally == nil || c.oc.Tally.Counts[flows.MetricStarted] != 1 || c.oc.Tally.Area != "" {
				t.Errorf("tally %+v, want one started", c.oc.Tally)
			}
		})
	}
}

func TestTalliesAndSharedReferral(t *testing.T) {
	c := newChat(t)
	c.send(flows.Msg{Kind: flows.KindCommand, Command: "start", Arg: flows.ShareCode("be-ocmw")})
	c.say("fr", "belgique", "un proche", "santé", "smartphone seul", "sur le telephone",
		"whatsapp, photos", "oui avec aide", "peur", "des textes", "non")
	if c.oc.Tally != nil {
		t.Errorf("a question step counted %+v", c.oc.Tally)
	}
	c.say("1000")
	tl := c.oc.Tally
	if tl == nil || tl.Area != "BE:Bruxelles" || tl.Month != "2026-11" {
		t.Fatalf("tally at the place list: %+v", tl)
	}
	for _, m := range []string{flows.MetricFinished, flows.MetricAidant, flows.MetricShared, flows.MetricNeed + "health", flows.MetricProfile + c.s.Answers["profile"]} {
		if tl.Counts[m] != 1 {
			t.Errorf("%s = %d, want 1 (%v)", m, tl.Counts[m], tl.Counts)
		}
	}
	c.say("retour", "1000") // a second look is not a second conversation
	if c.oc.Tally != nil {
		t.Errorf("counted twice: %+v", c.oc.Tally)
	}
	c.say("1", "oui", "ici")
	if c.oc.Tally == nil || c.oc.Tally.Counts[flows.MetricRefSent] != 1 {
		t.Errorf("referral tally %+v", c.oc.Tally)
	}
	r := c.oc.Referral
	if r == nil || r.SharedBy != "be-ocmw" || r.Area != "BE:Bruxelles" {
		t.Fatalf("referral %+v", r)
	}
	// The aidant gets the hand-over card, in the third person.
	c.wantText("Résumé pour la personne")
	c.wantText("À emporter : carte d'identité, lettres, téléphone ; ses codes restent à elle, même pour qui l'aide")
	c.wantText("📍 EPN Test · Rue Test 1, 1000 Bruxelles")
	if strings.Contains(c.text(), "Profil : ") {
		t.Errorf("the card the person is handed names a profile (F.8):\n%s", c.text())
	}
	if strings.Contains(c.text(), "Ne notez jamais vos codes") {
		t.Errorf("the aidant's card speaks to the aidant about 'your' codes")
	}
}

func TestHandOverCardForPerson(t *testing.T) {
	c := newChat(t)
	c.say("x", "nl", "ik", "gezondheid", "alleen smartphone", "op mijn gsm", "whatsapp", "met hulp", "bang", "tekst", "nee", "1000", "1", "nee")
	c.wantState(flows.StateDone)
	if strings.Contains(c.text(), "Samenvatting") && strings.Contains(c.text(), "Profiel") {
		t.Errorf("the person got a card with a profile name unasked")
	}
	c.say("samenvatting")
	c.wantText("Uw samenvatting van Secours")
	c.wantText("Meenemen: identiteitskaart")
	if strings.Contains(c.text(), "Profiel:") {
		t.Errorf("the person's card names the profile (docs/diagnostic.md F.8):\n%s", c.text())
	}
}
