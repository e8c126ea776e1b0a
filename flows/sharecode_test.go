package flows_test

import (
	"strings"
	"testing"
	"time"

	"github.com/secours/secours/flows"
)

// TestShareTextForReturningPerson: sessions last 30 days, so someone who
// already talked to the bot may scan a structure's wa.me QR code in the
// middle of a conversation or at its end. The link's text starts a new
// conversation for that structure, as Telegram's /start <code> does.
func TestShareTextForReturningPerson(t *testing.T) {
	code := flows.ShareCode("be-ocmw")
	tests := []struct {
		name  string
		setup func(c *chat)
		text  string
	}{
		{"mid-conversation", func(c *chat) {
			c.say("bonjour", "fr", "belgique", "moi", "santé")
			c.wantState("device")
		}, "Bonjour Secours ! Code " + code},
		{"after a long pause", func(c *chat) {
			c.say("bonjour", "fr", "belgique", "moi", "santé")
			c.now = c.now.Add(7 * 24 * time.Hour) // would ask to continue
		}, "Bonjour Secours ! Code " + code},
		{"end screen with an open referral", func(c *chat) {
			c.say("bonjour", "fr", "belgique", "moi", "santé", "smartphone seul", "sur le telephone",
				"whatsapp", "oui avec aide", "peur", "des textes", "non", "1000", "1", "oui", "ici")
			c.wantState(flows.StateDone)
			if c.s.Ref == "" {
				t.Fatal("no open referral at the end screen")
			}
		}, "Bonjour Secours ! Code " + code},
		{"end screen, Dutch link", func(c *chat) {
			c.say("x", "nl", "ik", "gezondheid", "alleen smartphone", "op mijn gsm", "whatsapp", "met hulp",
				"bang", "tekst", "nee", "1000", "1", "nee")
			c.wantState(flows.StateDone)
		}, "Hallo Secours! Code " + code},
		{"code alone, upper case", func(c *chat) {
			c.say("bonjour", "fr")
			c.wantState(flows.StateCountry)
		}, "  " + strings.ToUpper(code) + " "},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			c := newChat(t)
			tt.setup(c)
			before := c.s
			c.say(tt.text)
			c.wantState(flows.StateLang)
			c.wantText("👋") // the welcome, in the language the chat had
			if c.s.SharedBy != "be-ocmw" || c.oc.Event != "start_shared" || c.s.Payload != code {
				t.Errorf("SharedBy %q event %q payload %q, want be-ocmw start_shared %q",
					c.s.SharedBy, c.oc.Event, c.s.Payload, code)
			}
			if len(c.s.Answers) != 0 || len(c.s.Places) != 0 || c.s.Area != "" || c.s.Paused != "" {
				t.Errorf("the old conversation was kept: answers %v places %v area %q paused %q",
					c.s.Answers, c.s.Places, c.s.Area, c.s.Paused)
			}
			// What a reset keeps: the chat, its language and open referral.
			if c.s.Chat != before.Chat || c.s.Lang != before.Lang || c.s.Ref != before.Ref || c.s.RefPlace != before.RefPlace {
				t.Errorf("reset lost chat %q lang %q ref %q/%q; had %q %q %q/%q",
					c.s.Chat, c.s.Lang, c.s.Ref, c.s.RefPlace, before.Chat, before.Lang, before.Ref, before.RefPlace)
			}
			if c.oc.Relay != "" {
				t.Errorf("the link's text was relayed to the structure: %q", c.oc.Relay)
			}
			if c.oc.Tally == nil || c.oc.Tally.Counts[flows.MetricStarted] != 1 {
				t.Errorf("tally %+v, want one started", c.oc.Tally)
			}
		})
	}
}

// TestShareTextNotTakenFromAnswers: mid-conversation, only a message that
// is a share link's text, with a code the directory knows, restarts.
func TestShareTextNotTakenFromAnswers(t *testing.T) {
	code := flows.ShareCode("be-ocmw")
	tests := []struct {
		text, event string
	}{
		{"code", "not_understood"},
		{"Je n'ai pas de code", "not_understood"},
		{"mon code secret est perdu", "not_understood"},
		{"code " + code + " et encore des mots", "not_understood"},
		{"Quel est le code " + code + " ? Aidez-moi à comprendre ce qui se passe", "not_understood"},
		{strings.Repeat("bla ", 60) + "code " + code, "not_understood"}, // too long for a link
		{"Bonjour Secours ! Code szzzzzzzzzz", "share_unknown"},         // unknown or expired
	}
	for _, tt := range tests {
		t.Run(tt.text, func(t *testing.T) {
			c := newChat(t)
			c.say("bonjour", "fr", "belgique", "moi", "santé")
			c.say(tt.text)
			c.wantState("device")
			if c.s.SharedBy != "" || c.oc.Event != tt.event || c.s.Answers["need"] != "health" {
				t.Errorf("SharedBy %q event %q need %q, want no share, %s, the answers kept",
					c.s.SharedBy, c.oc.Event, c.s.Answers["need"], tt.event)
			}
			c.wantText("Je n'ai pas compris")
		})
	}
	// At the end screen with an open referral, an ordinary message still
	// goes to the structure.
	c := newChat(t)
	c.say("bonjour", "fr", "belgique", "moi", "santé", "smartphone seul", "sur le telephone",
		"whatsapp", "oui avec aide", "peur", "des textes", "non", "1000", "1", "oui", "ici")
	c.say("Merci, quel code dois-je apporter ?")
	if c.oc.Event != "relay" || c.s.SharedBy != "" {
		t.Errorf("event %q SharedBy %q, want relay", c.oc.Event, c.s.SharedBy)
	}
}

// FuzzShareText: no text mid-conversation panics, and one that starts a
// shared conversation carries that structure's code.
func FuzzShareText(f *testing.F) {
	code := flows.ShareCode("be-epn")
	for _, s := range []string{"Bonjour Secours ! Code " + code, "Hallo Secours! Code " + code, code, "code",
		"Code: " + code + "!", "code" + code, "é" + code, strings.Repeat("ab ", 70) + code} {
		f.Add(s)
	}
	e := newEngine(f)
	s0 := flows.NewSession("cli:fuzz", t0)
	for i, txt := range []string{"bonjour", "fr", "belgique", "moi"} {
		s0 = e.Step(s0, flows.Msg{ID: string(rune('a' + i)), Chat: "cli:fuzz", Kind: flows.KindText, Text: txt}, t0).Session
	}
	f.Fuzz(func(t *testing.T, text string) {
		oc := e.Step(s0, flows.Msg{ID: "fuzz", Chat: "cli:fuzz", Kind: flows.KindText, Text: text}, t0.Add(time.Minute))
		if oc.Event != "start_shared" {
			return
		}
		if id := oc.Session.SharedBy; id == "" || !strings.Contains(strings.ToLower(text), flows.ShareCode(id)) {
			t.Errorf("%q shared by %q", text, id)
		}
		if oc.Session.State != flows.StateLang {
			t.Errorf("%q: state %q, want %q", text, oc.Session.State, flows.StateLang)
		}
	})
}
