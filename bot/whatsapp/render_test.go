package whatsapp

import (
	"strings"
	"testing"

	"github.com/secours/secours/bot/channeltest"
	"github.com/secours/secours/flows"
	"github.com/secours/secours/geo"
)

func TestRender(t *testing.T) {
	_, cats := channeltest.Engine(t)
	nav := func(l flows.Lang) []flows.Choice {
		return []flows.Choice{
			{Key: "nav:back", Label: cats[l]["nav.back"]},
			{Key: "nav:help", Label: cats[l]["nav.help"]},
			{Key: "nav:human", Label: cats[l]["nav.human"]},
		}
	}
	tests := []struct {
		name  string
		reply flows.Reply
		want  string
	}{
		{"text only", flows.Reply{Text: "Merci."}, "Merci."},
		{"language question: both languages", flows.Reply{Text: "Choisissez votre langue. / Kies uw taal.",
			Choices: []flows.Choice{{Key: "lang:fr", Label: "Français"}, {Key: "lang:nl", Label: "Nederlands"}}},
			"Choisissez votre langue. / Kies uw taal.\n\n1. Français\n2. Nederlands\n\nRépondez 1 ou 2 / Antwoord 1 of 2"},
		{"French list with the escape row", flows.Reply{Text: "Qui répond ?",
			Choices: []flows.Choice{{Key: "who:self", Label: cats[flows.FR]["a.who.self"]}, {Key: "who:relative", Label: cats[flows.FR]["a.who.relative"]}, {Key: "who:pro", Label: cats[flows.FR]["a.who.pro"]}},
			Nav:     nav(flows.FR)},
			"Qui répond ?\n\n1. Moi\n2. J'aide un proche\n3. Je suis pro/bénévole\n↩ Retour · ❓ Aide · 🙋 Une personne\n\nRépondez 1, 2 ou 3"},
		{"Dutch, told by the escape row only", flows.Reply{Text: "Vraag",
			Choices: []flows.Choice{{Key: "x:a", Label: "WhatsApp"}, {Key: "x:b", Label: "?"}}, Nav: nav(flows.NL)},
			"Vraag\n\n1. WhatsApp\n2. ?\n↩ Terug · ❓ Hulp · 🙋 Een mens\n\nAntwoord 1 of 2"},
		{"location step", flows.Reply{Text: "Code postal ?", AskLocation: true, LocationBtn: cats[flows.FR]["location.btn"],
			Choices: []flows.Choice{{Key: "location:not_me", Label: cats[flows.FR]["a.location.not_me"]}}, Nav: nav(flows.FR)},
			"Code postal ?\n\n1. Ce n'est pas moi\n↩ Retour · ❓ Aide · 🙋 Une personne\n\n📎 Vous pouvez aussi envoyer votre position : trombone, puis « Localisation ».\nRépondez 1"},
		// No link in the text: the location message that follows is the map.
		{"place card", flows.Reply{Text: "Le lieu :", Places: []flows.PlaceCard{{Name: "OCMW", Kind: "Het OCMW van uw gemeente",
			Address: "Grote Markt 1, 2000 Antwerpen", Distance: "0,4 km", Hours: "Open", Phone: "03 000 00 00", Why: "Hulp bij: aanvragen doen.",
			MapURL: "https://osm/x", MapLabel: "🧭 Route"}}},
			"Le lieu :\n\n*🏢 OCMW*\nHet OCMW van uw gemeente\n📍 0,4 km · Grote Markt 1, 2000 Antwerpen\n🕘 Open\n📞 03 000 00 00\n👉 Hulp bij: aanvragen doen."},
	}
	a, _ := newAdapter(t, &channeltest.Recorder{}, nil)
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			var b strings.Builder
			a.Render(&b, tt.reply)
			if got := b.String(); got != tt.want {
				t.Errorf("Render =\n%s\nwant\n%s", got, tt.want)
			}
		})
	}
}

// TestHintLanguage: the hint and location lines follow the reply's own
// language, even when its first label is the same in both ("Internet,
// e-mails"); only the language question, whose labels tell nothing, gets
// both.
func TestHintLanguage(t *testing.T) {
	_, cats := channeltest.Engine(t)
	a, _ := newAdapter(t, &channeltest.Recorder{}, nil)
	hint := func(l flows.Lang) string { return a.texts.hintFor(langSlot(l), 4) }
	question := func(l flows.Lang) flows.Reply {
		c := cats[l]
		return flows.Reply{Text: c["q.skills"], Question: "skills", AskLocation: true,
			Choices: []flows.Choice{
				{Key: "skills:web", Label: c["a.skills.web"]}, // the same in both catalogues
				{Key: "skills:apps", Label: c["a.skills.apps"]},
				{Key: "skills:calls", Label: c["a.skills.calls"]},
				{Key: "skills:dk", Label: c["a.skills.dk"]},
			},
			Nav: []flows.Choice{{Key: "nav:help", Label: c["nav.help"]}}}
	}
	for _, tt := range []struct{ lang, other flows.Lang }{{flows.FR, flows.NL}, {flows.NL, flows.FR}} {
		t.Run(string(tt.lang), func(t *testing.T) {
			var b strings.Builder
			a.Render(&b, question(tt.lang))
			got := b.String()
			if !strings.Contains(got, hint(tt.lang)) || !strings.Contains(got, a.texts.loc[langSlot(tt.lang)]) {
				t.Errorf("Render =\n%s\nwant the %s hint and location lines", got, tt.lang)
			}
			if strings.Contains(got, a.texts.raw[langSlot(tt.other)]["hint"][:5]) || strings.Contains(got, a.texts.loc[langSlot(tt.other)]) {
				t.Errorf("Render =\n%s\nholds %s lines", got, tt.other)
			}
		})
	}
	var b strings.Builder
	a.Render(&b, flows.Reply{Text: cats[flows.FR]["q.lang"], Question: "lang", Choices: []flows.Choice{
		{Key: "lang:fr", Label: cats[flows.FR]["a.lang.fr"]}, {Key: "lang:nl", Label: cats[flows.FR]["a.lang.nl"]}}})
	if !strings.HasSuffix(b.String(), a.texts.hintFor(slotBoth, 2)) {
		t.Errorf("language question:\n%s\nwant the hint in both languages", b.String())
	}
}

// TestMessages: a turn's replies go out as few messages, each under the
// limit, with a pin right after each place that has one, and the
// hand-over card alone.
func TestMessages(t *testing.T) {
	a, _ := newAdapter(t, &channeltest.Recorder{}, nil)
	place := flows.PlaceCard{Name: "P", Address: "A", Loc: geo.Point{Lat: 50.8, Lon: 4.3}, MapURL: "https://osm.example/d"}
	seat := flows.PlaceCard{Name: "CPAS", Address: "à demander", Loc: geo.Point{Lat: 50.8, Lon: 4.3}} // a commune's seat: no pin
	long := strings.Repeat("Un long texte. ", 400)                                                    // 6 kB
	out := a.messages([]flows.Reply{
		{Text: "Voici."},
		{Text: "Le lieu :", Places: []flows.PlaceCard{place}},
		{Text: "Autres :", Places: []flows.PlaceCard{place, seat}},
		{Text: "📋 Résumé", HandOver: true},
		{Text: long},
		{Text: "Fin ?", Choices: []flows.Choice{{Key: "done:restart", Label: "🔄 Recommencer"}}},
	})
	var kinds []string
	for _, o := range out {
		if o.place != nil {
			kinds = append(kinds, "pin")
			continue
		}
		kinds = append(kinds, "text")
		if len(o.text) > maxLen {
			t.Errorf("message of %d bytes", len(o.text))
		}
	}
	if got := strings.Join(kinds, " "); got != "text pin text pin text text text text" {
		t.Errorf("messages %s, want text pin text (others) pin, the card, two for the long text, text", got)
	}
	if !strings.HasPrefix(out[0].text, "Voici.\n\nLe lieu :") || out[1].place.Name != "P" {
		t.Errorf("first message %q, want the two first replies joined", out[0].text)
	}
	if got := a.messages(nil); len(got) != 0 {
		t.Errorf("no reply gave %d messages", len(got))
	}
}
