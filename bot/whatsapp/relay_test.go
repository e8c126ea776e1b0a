package whatsapp

import (
	"log/slog"
	"slices"
	"strings"
	"testing"

	"github.com/secours/secours/bot/channeltest"
	"github.com/secours/secours/flows"
)

// TestRelayModeDigits: WhatsApp shows buttons as a numbered list, and in
// relay mode a typed "1" cancelled the referral, "3" restarted the
// questions (issue 17). Relay mode now shows no list: "1", "3" and "2"
// reach the structure, before and after a structure's message pushed to
// the chat; only "menu" shows a list, and leaving asks first.
func TestRelayModeDigits(t *testing.T) {
	_, cats := channeltest.Engine(t)
	log := slog.New(slog.DiscardHandler)
	runner, st := newReferralRunner(t, log)
	tp := &tap{conv: runner}
	a, fc := newAdapter(t, tp, log)
	c := &chatter{t: t, a: a, fc: fc, tap: tp, from: frPhone}
	chat := flows.ChatID("wa:" + frPhone.User + "@s.whatsapp.net")
	fr := cats[flows.FR]

	// French by the number: no country question. Then the autonomous
	// profile of the golden transcript, Paris 20e, the first place, yes,
	// by message.
	var last []string
	for _, in := range []string{"Bonjour", "1", "1", "5", "1", "1", "3", "1", "1", "1", "1", "75011", "1", "1", "1"} {
		last = c.say(in)
	}
	end := strings.Join(last, "\n")
	if !strings.Contains(end, strings.SplitN(fr["relay.hint"], "{place}", 2)[0]) || strings.Contains(end, "\n1. ") {
		t.Fatalf("relay mode's end screen is not the hint without a list:\n%s", end)
	}
	thread := func() []string {
		t.Helper()
		r := channeltest.OnlyReferral(t, st, chat)
		if !r.Status.Open() {
			t.Fatalf("referral %s", r.Status)
		}
		var out []string
		for _, n := range r.Thread {
			out = append(out, n.Text)
		}
		return out
	}
	sent := strings.SplitN(fr["relay.sent"], "{place}", 2)[0]
	for _, in := range []string{"1", "3"} {
		if got := strings.Join(c.say(in), "\n"); !strings.HasPrefix(got, sent) {
			t.Errorf("%q in relay mode was answered %q, want it relayed", in, got)
		}
	}
	// The structure writes: the push carries no list, so the next number
	// is for the structure too.
	if err := a.Send(t.Context(), chat, []flows.Reply{{Text: "France services vous écrit : venez mardi."}}); err != nil {
		t.Fatal(err)
	}
	waitIdle(t, a)
	if got := strings.Join(c.say("2"), "\n"); !strings.HasPrefix(got, sent) {
		t.Errorf("2 after a structure's message was answered %q, want it relayed", got)
	}
	if got := thread(); !slices.Equal(got, []string{"1", "3", "2"}) {
		t.Errorf("thread %q, want the three digits", got)
	}

	// "menu" shows the numbered menu; cancelling asks first, and "1" is
	// its "no".
	menu := strings.Join(c.say("menu"), "\n")
	if !strings.Contains(menu, "\n1. "+fr["a.menu.write"]) || !strings.Contains(menu, "\n5. "+fr["a.done.cancel"]) {
		t.Fatalf("menu:\n%s", menu)
	}
	ask := strings.Join(c.say("5"), "\n")
	if !strings.Contains(ask, "\n1. "+fr["a.confirm.cancel.no"]) || !strings.Contains(ask, "\n2. "+fr["a.confirm.cancel.yes"]) {
		t.Fatalf("confirmation:\n%s", ask)
	}
	c.say("1")
	if got := strings.Join(c.say("4"), "\n"); !strings.HasPrefix(got, sent) {
		t.Errorf("4 after the menu was left was answered %q, want it relayed", got)
	}
	if got := thread(); !slices.Equal(got, []string{"1", "3", "2", "4"}) {
		t.Errorf("thread %q", got)
	}
}
