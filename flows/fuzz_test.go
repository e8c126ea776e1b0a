package flows_test

import (
	"strings"
	"testing"

	"github.com/secours/secours/flows"
)

// FuzzStep feeds arbitrary text to every state of the conversation: the
// engine never panics, never leaves the known states, and never stores
// the text it was sent.
func FuzzStep(f *testing.F) {
	for _, s := range []string{"", "1", "2️⃣", "deux", "twee", "SANTÉ", "/start abc", "/oubli", "retour", "?",
		"1000", "75011", "99999", "1OOO", "brusels", "85.07.30-033.28", "BE68 5390 0754 7034", "🙂", "\x00\xff",
		strings.Repeat("é", 600), "oui", "nee", "ce n'est pas moi"} {
		f.Add(s, uint8(0))
	}
	e := newEngine(f)
	prefix := append(untilLocation("belgique", "santé"), "1000", "oui",
		"1", "oui", "ici", "menu", "5") // then relay mode, its menu and "are you sure?"
	f.Fuzz(func(t *testing.T, text string, depth uint8) {
		s := flows.NewSession("cli:fuzz", t0)
		n := int(depth) % (len(prefix) + 1)
		for i, p := range prefix[:n] {
			s = e.Step(s, flows.Msg{Chat: "cli:fuzz", ID: itoa(i), Kind: flows.KindText, Text: p}, t0).Session
		}
		out := e.Step(s, flows.Msg{Chat: "cli:fuzz", ID: "f", Kind: flows.KindText, Text: text}, t0)
		if len(out.Replies) == 0 && !out.Dup {
			t.Fatalf("no reply to %q in state %s", text, s.State)
		}
		b, err := out.Session.Encode()
		if err != nil {
			t.Fatal(err)
		}
		back, err := flows.DecodeSession(b)
		if err != nil {
			t.Fatalf("state %q does not decode: %v", out.Session.State, err)
		}
		if back.State != out.Session.State {
			t.Fatalf("round trip changed the state")
		}
		before, _ := s.Encode()
		// Typed text with a space or a digit is never an answer key: it
		// must not reach the session (postcodes are stored canonical).
		if len(text) >= 6 && strings.ContainsAny(text, " 0123456789") && !strings.ContainsAny(text, "\"\\") &&
			strings.Contains(string(b), text) && !strings.Contains(string(before), text) {
			t.Fatalf("session stores the typed text %q: %s", text, b)
		}
	})
}
