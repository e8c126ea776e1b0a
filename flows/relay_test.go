package flows_test

import (
	"testing"
	"time"

	"github.com/secours/secours/flows"
)

// toRelay runs a Brussels conversation to a referral by message: relay
// mode, where what the person types goes to the structure.
func toRelay(t *testing.T) *chat {
	c := toPlaces(t, "moi")
	c.say("1", "oui", "ici")
	c.wantState(flows.StateDone)
	if c.s.Ref == "" {
		t.Fatal("no open referral")
	}
	return c
}

// TestRelayModeRelaysEverything: in relay mode a digit was a button of
// the end screen, "1" cancelled and erased the referral and "3" restarted
// the questions (issue 17). Every typed text is now relayed, digits and
// short words and escape words too; nothing leaves relay mode.
func TestRelayModeRelaysEverything(t *testing.T) {
	for _, in := range []string{"1", "2", "3", "4", "ok", "oui", "non", "Annuler ma demande", "annuler", "recommencer",
		"aide", "retour", "?", "une personne", "aucun", "Garder ce résumé", "langue", "1️⃣", "2."} {
		t.Run(in, func(t *testing.T) {
			c := toRelay(t)
			ref := c.s.Ref
			c.say(in)
			c.wantState(flows.StateDone)
			if c.oc.Relay != in || c.oc.Withdraw != "" || c.s.Ref != ref || c.oc.Forget {
				t.Errorf("%q: relay %q, withdraw %q, ref %q → %q, forget %v; want it relayed and nothing else",
					in, c.oc.Relay, c.oc.Withdraw, ref, c.s.Ref, c.oc.Forget)
			}
			c.wantText("Message transmis à EPN Test.")
		})
	}
}

// TestRelayModeShowsNoNumberedButtons: the end screen of relay mode has no
// answer buttons (a channel renders them as a numbered list), only the
// menu in its escape row; the end screen without a referral keeps its
// buttons.
func TestRelayModeShowsNoNumberedButtons(t *testing.T) {
	c := toRelay(t)
	last := c.out[len(c.out)-1]
	if len(last.Choices) != 0 || len(last.Nav) != 1 || last.Nav[0].Key != "nav:menu" {
		t.Errorf("relay mode's end screen: choices %+v, nav %+v; want none and the menu", last.Choices, last.Nav)
	}
	c.wantText("Ce que vous écrivez ici est transmis à EPN Test.")
	c = toPlaces(t, "moi")
	c.say("aucun")
	c.wantState(flows.StateDone)
	c.wantText("[done:card] [done:restart] [done:about]")
}

// TestRelayModeLeavesOnlyConfirmed: leaving relay mode takes the menu (a
// typed "menu" or its button), a choice, then "are you sure?". "No" goes
// back to writing; a typed message in the menu is relayed.
func TestRelayModeLeavesOnlyConfirmed(t *testing.T) {
	menu := flows.Msg{Kind: flows.KindChoice, Choice: "nav:menu"}
	tests := []struct {
		name     string
		do       func(c *chat)
		state    string
		withdraw bool
		relay    string // relayed by the last message
	}{
		{"menu, cancel, yes", func(c *chat) { c.say("menu", "5", "2") }, flows.StateDone, true, ""},
		{"menu button, cancel by label, oui", func(c *chat) { c.send(menu); c.say("annuler ma demande", "oui") }, flows.StateDone, true, ""},
		{"menu, cancel, no", func(c *chat) { c.say("menu", "5", "1") }, flows.StateDone, false, ""},
		{"menu, cancel, back", func(c *chat) { c.say("menu", "5", "retour") }, flows.StateDone, false, ""},
		{"menu, restart, yes", func(c *chat) { c.say("menu", "3", "oui") }, flows.StateWho, false, ""},
		{"menu, restart, no", func(c *chat) { c.say("menu", "3", "non") }, flows.StateDone, false, ""},
		{"menu, write", func(c *chat) { c.say("menu", "1") }, flows.StateDone, false, ""},
		{"menu, back", func(c *chat) { c.say("menu", "retour") }, flows.StateDone, false, ""},
		{"menu, then a message", func(c *chat) { c.say("menu", "Je viendrai lundi") }, flows.StateDone, false, "Je viendrai lundi"},
		{"menu, card", func(c *chat) { c.say("menu", "2") }, flows.StateDone, false, ""},
		{"/annuler, yes", func(c *chat) { c.say("/annuler", "oui") }, flows.StateDone, true, ""},
		{"/annuler, no", func(c *chat) { c.say("/annuler", "non") }, flows.StateDone, false, ""},
		{"/recommencer asks", func(c *chat) { c.say("/recommencer") }, flows.StateConfirm, false, ""},
		{"/start asks", func(c *chat) { c.say("/start") }, flows.StateConfirm, false, ""},
		{"/start, yes", func(c *chat) { c.say("/start", "oui") }, flows.StateWho, false, ""},
		{"a stale end-screen button", func(c *chat) { c.send(flows.Msg{Kind: flows.KindChoice, Choice: "done:cancel"}) }, flows.StateDone, false, ""},
		{"/annuler from /langue, no", func(c *chat) { c.say("/langue", "/annuler", "non") }, flows.StateDone, false, ""},
		{"/langue in the confirmation", func(c *chat) { c.say("menu", "5", "/langue", "nederlands") }, flows.StateDone, false, ""},
		{"menu, an hour later a message", func(c *chat) {
			c.say("menu")
			c.now = c.now.Add(3 * time.Hour)
			c.say("Je suis de retour")
		}, flows.StateDone, false, "Je suis de retour"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			c := toRelay(t)
			ref := c.s.Ref
			var withdrawn string
			tt.do(c)
			if c.oc.Withdraw != "" {
				withdrawn = c.oc.Withdraw
			}
			c.wantState(tt.state)
			if got := withdrawn != ""; got != tt.withdraw {
				t.Errorf("withdrawn %v, want %v", got, tt.withdraw)
			}
			if tt.withdraw != (c.s.Ref == "") || !tt.withdraw && c.s.Ref != ref {
				t.Errorf("ref %q → %q", ref, c.s.Ref)
			}
			if c.oc.Relay != tt.relay {
				t.Errorf("relay %q, want %q", c.oc.Relay, tt.relay)
			}
			if _, ok := c.s.Answers["confirm"]; ok && c.s.State != flows.StateConfirm {
				t.Errorf("a confirmation is left pending in %q", c.s.State)
			}
		})
	}
}

// TestStartMidwayAsks: /start in the middle of the questions wiped the
// answers without asking (issue 17). It now asks: keep or start again.
func TestStartMidwayAsks(t *testing.T) {
	tests := []struct {
		name    string
		answer  []string
		state   string
		answers bool // the answers are still there
	}{
		{"keep", []string{"1"}, "internet", true},
		{"keep by word", []string{"non"}, "internet", true},
		{"keep with retour", []string{"retour"}, "internet", true},
		{"start again", []string{"2"}, flows.StateLang, false},
		{"start again by word", []string{"oui"}, flows.StateLang, false},
		{"not understood, asked again", []string{"peut-être"}, flows.StateConfirm, true},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			c := newChat(t)
			c.say("x", "fr", "belgique", "moi", "santé", "smartphone seul")
			c.wantState("internet")
			c.say("/start")
			c.wantState(flows.StateConfirm)
			c.wantText("Tout recommencer depuis le début ? Vos réponses seront effacées.")
			c.wantText("[confirm:no] [confirm:yes]")
			c.say(tt.answer...)
			c.wantState(tt.state)
			if got := c.s.Answers["device"] == "smartphone"; got != tt.answers {
				t.Errorf("answers kept %v, want %v: %v", got, tt.answers, c.s.Answers)
			}
		})
	}
	// From the language question of /langue, "keep" goes back to the
	// question the person was at.
	c := newChat(t)
	c.say("x", "fr", "belgique", "moi", "santé", "smartphone seul", "/langue", "/start", "non")
	c.wantState("internet")
	if c.s.Answers["device"] != "smartphone" || c.s.Paused != "" {
		t.Errorf("after /langue, /start, non: answers %v, paused %q", c.s.Answers, c.s.Paused)
	}
	// Nothing to lose: /start starts again at once.
	for _, path := range [][]string{{"x"}, {"x", "fr"}, {"x", "fr", "belgique"}} {
		c := newChat(t)
		c.say(path...)
		c.say("/start")
		c.wantState(flows.StateLang)
	}
	// A deep link or a share code is a new start on purpose.
	c = newChat(t)
	c.say("x", "fr", "belgique", "moi", "santé")
	c.send(flows.Msg{Kind: flows.KindCommand, Command: "start", Arg: "promo"})
	c.wantState(flows.StateLang)
}

// TestConfirmWithoutAction: a stored session at "are you sure?" that no
// longer says what was asked (an older or damaged value) goes back to the
// end screen instead of asking an empty question.
func TestConfirmWithoutAction(t *testing.T) {
	c := newChat(t)
	c.s.State, c.s.Lang, c.s.Answers = flows.StateConfirm, flows.FR, map[string]string{"who": "self"}
	c.send(flows.Msg{Kind: flows.KindUnsupported})
	c.wantState(flows.StateDone)
	for _, r := range c.out {
		if r.Text == "" {
			t.Errorf("an empty message: %+v", r)
		}
	}
}
