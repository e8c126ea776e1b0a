package wacloud

import (
	"strconv"
	"strings"
	"testing"

	"github.com/secours/secours/bot/channeltest"
	"github.com/secours/secours/bot/wacloud/wacloudtest"
	"github.com/secours/secours/flows"
	"github.com/secours/secours/geo"
)

// choices returns n answers "q:1"… labelled "Réponse 1"…
func choices(n int) []flows.Choice {
	var cs []flows.Choice
	for i := 1; i <= n; i++ {
		cs = append(cs, flows.Choice{Key: "q:" + strconv.Itoa(i), Label: "Réponse " + strconv.Itoa(i)})
	}
	return cs
}

// answer has the person write and returns the messages sent back.
func answer(t *testing.T, replies []flows.Reply) []wacloudtest.Message {
	t.Helper()
	rec := &channeltest.Recorder{Out: replies}
	h := newHarness(t, rec, nil)
	h.fake.Text(beID, "bonjour")
	return h.fake.Delivered(beID)
}

func ids(cs []wacloudtest.Choice) string {
	var s []string
	for _, c := range cs {
		s = append(s, c.ID)
	}
	return strings.Join(s, ",")
}

// TestRender: the shapes of a reply's choices, by how many there are.
func TestRender(t *testing.T) {
	// "Retour" is a label of the French catalogue: the reply is French.
	back := []flows.Choice{{Key: "nav:back", Label: "↩ Retour"}}
	for _, c := range []struct {
		name  string
		reply flows.Reply
		check func(t *testing.T, m wacloudtest.Message)
	}{
		{"2 choices: buttons", flows.Reply{Text: "Q ?", Choices: choices(2)}, func(t *testing.T, m wacloudtest.Message) {
			if m.Interactive != "button" || ids(m.Buttons) != "q:1,q:2" || m.Text != "Q ?" {
				t.Errorf("got %s %q %q", m.Interactive, ids(m.Buttons), m.Text)
			}
		}},
		{"2 choices and the escape row: 3 buttons", flows.Reply{Text: "Q ?", Choices: choices(2), Nav: back}, func(t *testing.T, m wacloudtest.Message) {
			if m.Interactive != "button" || ids(m.Buttons) != "q:1,q:2,nav:back" {
				t.Errorf("got %s %q", m.Interactive, ids(m.Buttons))
			}
		}},
		{"3 choices and the escape row: 3 buttons, the escape row as words", flows.Reply{Text: "Q ?", Choices: choices(3),
			Nav: append(back, flows.Choice{Key: "nav:help", Label: "❓ Aide"})}, func(t *testing.T, m wacloudtest.Message) {
			if m.Interactive != "button" || ids(m.Buttons) != "q:1,q:2,q:3" || m.Text != "Q ?\n\n↩ Retour · ❓ Aide" {
				t.Errorf("got %s %q %q", m.Interactive, ids(m.Buttons), m.Text)
			}
		}},
		{"5 choices: a list", flows.Reply{Text: "Q ?", Choices: choices(5), Nav: back}, func(t *testing.T, m wacloudtest.Message) {
			if m.Interactive != "list" || ids(m.Rows) != "q:1,q:2,q:3,q:4,q:5,nav:back" || m.ListButton != "Choisir" {
				t.Errorf("got %s %q button %q", m.Interactive, ids(m.Rows), m.ListButton)
			}
			if m.Rows[0].Section != "Réponses" || m.Rows[5].Section != "Autres choix" {
				t.Errorf("sections %q, %q", m.Rows[0].Section, m.Rows[5].Section)
			}
		}},
		{"12 choices: numbered text", flows.Reply{Text: "Q ?", Choices: choices(12), Nav: back}, func(t *testing.T, m wacloudtest.Message) {
			if m.Type != "text" || !strings.Contains(m.Text, "\n12. Réponse 12") || !strings.HasSuffix(m.Text, "Répondez 1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11 ou 12") {
				t.Errorf("got %s %q", m.Type, m.Text)
			}
		}},
		{"a long title: numbered text", flows.Reply{Text: "Q ?", Choices: []flows.Choice{{Key: "q:a", Label: strings.Repeat("é", 25)}}, Nav: back}, func(t *testing.T, m wacloudtest.Message) {
			if m.Type != "text" || !strings.Contains(m.Text, "1. é") {
				t.Errorf("got %s %q", m.Type, m.Text)
			}
		}},
		{"a title for a row, not a button: a list", flows.Reply{Text: "Q ?", Choices: []flows.Choice{{Key: "q:a", Label: strings.Repeat("é", 22)}}}, func(t *testing.T, m wacloudtest.Message) {
			if m.Interactive != "list" || len(m.Rows) != 1 || m.Rows[0].Section != "" {
				t.Errorf("got %s %+v", m.Interactive, m.Rows)
			}
		}},
		{"a long body: numbered text", flows.Reply{Text: strings.Repeat("mot ", 300), Choices: choices(2)}, func(t *testing.T, m wacloudtest.Message) {
			if m.Type != "text" || !strings.Contains(m.Text, "2. Réponse 2") {
				t.Errorf("got %s", m.Type)
			}
		}},
	} {
		t.Run(c.name, func(t *testing.T) {
			sent := answer(t, []flows.Reply{c.reply})
			if len(sent) != 1 {
				t.Fatalf("%d messages sent, want 1", len(sent))
			}
			c.check(t, sent[0])
		})
	}
}

// TestRenderLocation: a location question is a location request, its
// choices a second interactive message.
func TestRenderLocation(t *testing.T) {
	sent := answer(t, []flows.Reply{{Text: "Où êtes-vous ?", AskLocation: true, LocationBtn: "📍 Ma position",
		Choices: choices(2), Nav: []flows.Choice{{Key: "nav:back", Label: "↩ Retour"}}}})
	if len(sent) != 2 {
		t.Fatalf("%d messages sent, want 2", len(sent))
	}
	if !sent[0].LocationRequest || sent[0].Text != "Où êtes-vous ?" {
		t.Errorf("first: %+v, want the location request", sent[0])
	}
	if sent[1].Interactive != "button" || sent[1].Text != "Ou choisissez une réponse." || ids(sent[1].Buttons) != "q:1,q:2,nav:back" {
		t.Errorf("second: %s %q %q", sent[1].Interactive, sent[1].Text, ids(sent[1].Buttons))
	}
}

// TestRenderJoin: text replies join into one message, and into the body
// of the question that follows; a place card is its text then its pin;
// the hand-over card is a message of its own.
func TestRenderJoin(t *testing.T) {
	card := flows.PlaceCard{Name: "CPAS d'Ixelles", Address: "Rue Jean Paquot 63, 1050 Ixelles", Hours: "Ouvert aujourd'hui jusqu'à 16 h",
		Loc: geo.Point{Lat: 50.8275, Lon: 4.3725}, MapURL: "https://maps.example/?q=50.8275,4.3725"}
	sent := answer(t, []flows.Reply{
		{Text: "Voici une adresse."},
		{Places: []flows.PlaceCard{card}},
		{Text: "Pour le guichet :", HandOver: true},
		{Text: "Merci."},
		{Text: "Q ?", Choices: choices(2)},
	})
	var got []string
	for _, m := range sent {
		switch {
		case m.Location != nil:
			got = append(got, "pin "+m.Location.Name+" "+strconv.FormatFloat(m.Location.Lat, 'f', -1, 64))
		default:
			got = append(got, m.Type+" "+m.Interactive+" "+m.Text)
		}
	}
	want := []string{
		"text  Voici une adresse.\n\n*🏢 CPAS d'Ixelles*\n📍 Rue Jean Paquot 63, 1050 Ixelles\n🕘 Ouvert aujourd'hui jusqu'à 16 h",
		"pin CPAS d'Ixelles 50.8275",
		"text  Pour le guichet :",
		"interactive button Merci.\n\nQ ?",
	}
	if strings.Join(got, "|") != strings.Join(want, "|") {
		t.Errorf("sent\n%q\nwant\n%q", got, want)
	}
}
