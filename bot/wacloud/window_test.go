package wacloud

import (
	"context"
	"errors"
	"strings"
	"testing"
	"time"

	"github.com/secours/secours/bot"
	"github.com/secours/secours/bot/channeltest"
	"github.com/secours/secours/flows"
)

const beChat = flows.ChatID("wc:" + beID)

// answerPush is a structure's answer: a question with two choices, in
// French (the labels tell: "↩ Retour" is the French catalogue's).
var answerPush = []flows.Reply{{
	Text:    "Le CPAS d'Ixelles vous propose un rendez-vous\nmardi à 10 h.",
	Choices: []flows.Choice{{Key: "ref:ok", Label: "Oui"}, {Key: "ref:other", Label: "Un autre jour"}},
	Nav:     []flows.Choice{{Key: "nav:back", Label: "↩ Retour"}},
}}

// TestWindow: a push within 24 hours of the person's last message is a
// free message; later, the template of its language with the text as its
// variable, and a typed number answers its list.
func TestWindow(t *testing.T) {
	rec := &channeltest.Recorder{}
	h := newHarness(t, rec, nil)
	h.fake.Text(beID, "bonjour")

	h.clk.Add(time.Hour)
	if err := h.a.Send(t.Context(), beChat, answerPush); err != nil {
		t.Fatal(err)
	}
	m, _ := h.fake.Last(beID)
	if m.Type != "interactive" || m.Interactive != "button" || len(m.Buttons) != 3 {
		t.Errorf("push at +1 h: %s %s, want reply buttons", m.Type, m.Interactive)
	}

	h.clk.Add(29 * time.Hour)
	if err := h.a.Send(t.Context(), beChat, answerPush); err != nil {
		t.Fatal(err)
	}
	m, _ = h.fake.Last(beID)
	want := "Le CPAS d'Ixelles vous propose un rendez-vous mardi à 10 h. 1. Oui · 2. Un autre jour"
	if m.Type != "template" || m.Template.Name != "secours_suivi" || m.Template.Lang != "fr" ||
		len(m.Template.Params) != 1 || m.Template.Params[0] != want {
		t.Errorf("push at +30 h: %s %+v, want the template with %q", m.Type, m.Template, want)
	}
	h.fake.Text(beID, "2")
	if got := rec.Last(t); got.Kind != flows.KindChoice || got.Choice != "ref:other" {
		t.Errorf("a typed 2 after the template reached the engine as %+v", got)
	}
	if !strings.Contains(h.logs.String(), `"event":"template"`) {
		t.Errorf("no template line in the log:\n%s", h.logs)
	}
}

// TestWindowHeld: outside the window with no template for the push's
// language, the push waits and the log says why; the person's next
// message gets it first, then its answer.
func TestWindowHeld(t *testing.T) {
	rec := &channeltest.Recorder{Out: []flows.Reply{{Text: "Antwoord."}}}
	h := newHarness(t, rec, func(o *Options) {
		o.Lang = func(context.Context, flows.ChatID) flows.Lang { return flows.NL }
	})
	h.fake.Text(beID, "hallo")
	n := len(h.fake.Delivered(beID))
	h.clk.Add(30 * time.Hour)
	push := []flows.Reply{{Text: "Het OCMW antwoordt u."}}
	if err := h.a.Send(t.Context(), beChat, push); err != nil {
		t.Fatalf("Send = %v, want nil: the push is held", err)
	}
	if got := len(h.fake.Delivered(beID)); got != n || h.win.holding(beChat) != 1 {
		t.Fatalf("%d messages sent and %d held, want none sent and one held", got-n, h.win.holding(beChat))
	}
	if log := h.logs.String(); !strings.Contains(log, `"event":"held_outside_window"`) || !strings.Contains(log, `"lang":"nl"`) || strings.Contains(log, beID) {
		t.Errorf("the log does not say why, or shows the number:\n%s", log)
	}
	h.fake.Text(beID, "hallo")
	sent := h.fake.Delivered(beID)[n:]
	if len(sent) != 2 || sent[0].Text != "Het OCMW antwoordt u." || sent[1].Text != "Antwoord." {
		t.Errorf("after the person wrote: %d messages %+v, want the held push then the answer", len(sent), sent)
	}
	if h.win.holding(beChat) != 0 {
		t.Error("the push is still held")
	}
}

// TestReengagementStatus: with no window to tell, a push goes free; Meta
// refuses it later by a failed status (131047) and the push goes again as
// the template.
func TestReengagementStatus(t *testing.T) {
	h := newHarness(t, &channeltest.Recorder{}, func(o *Options) { o.Window = nil })
	h.fake.Text(beID, "bonjour")
	h.clk.Add(30 * time.Hour)
	if err := h.a.Send(t.Context(), beChat, answerPush); err != nil {
		t.Fatal(err)
	}
	h.fake.Flush()
	channeltest.Eventually(t, "the push sent again as a template", func() bool {
		m, ok := h.fake.Last(beID)
		return ok && m.Type == "template"
	})
	h.fake.Flush()
	h.a.Wait()
	templates := 0
	for _, m := range h.fake.Sent(beID) {
		if m.Type == "template" {
			templates++
		}
	}
	if templates != 1 {
		t.Errorf("%d templates sent, want 1", templates)
	}
}

// TestSendErrors: bad chat ids, an unreachable number, a closed adapter.
func TestSendErrors(t *testing.T) {
	h := newHarness(t, &channeltest.Recorder{}, nil)
	for _, chat := range []flows.ChatID{"wa:32470000001@s.whatsapp.net", "wc:", "wc:+32470000001", "tg:42"} {
		if err := h.a.Send(t.Context(), chat, answerPush); err == nil {
			t.Errorf("Send(%q) = nil, want an error", chat)
		}
	}
	h.fake.Text(beID, "bonjour")
	h.fake.Fail(failure(codeUndeliverable))
	err := h.a.Send(t.Context(), beChat, answerPush)
	if !errors.Is(err, bot.ErrUnreachable) || strings.Contains(err.Error(), beID) {
		t.Errorf("Send to an undeliverable number = %v, want ErrUnreachable without the number", err)
	}
	h.a.Close()
	if err := h.a.Send(t.Context(), beChat, answerPush); err == nil {
		t.Error("Send after Close = nil")
	}
}

// TestHeldListNotAnswered: a number typed as a held push is released
// answers what the person saw, not the push they had not seen yet.
func TestHeldListNotAnswered(t *testing.T) {
	rec := &channeltest.Recorder{}
	h := newHarness(t, rec, func(o *Options) { o.Settings.Templates = nil })
	h.fake.Text(beID, "bonjour")
	h.clk.Add(30 * time.Hour)
	if err := h.a.Send(t.Context(), beChat, answerPush); err != nil || h.win.holding(beChat) != 1 {
		t.Fatalf("Send = %v, %d held, want it held", err, h.win.holding(beChat))
	}
	h.fake.Text(beID, "1")
	if got := rec.Last(t); got.Kind != flows.KindText || got.Text != "1" {
		t.Errorf("a 1 typed as the push was released reached the engine as %+v, want the text", got)
	}
	h.fake.Text(beID, "1")
	if got := rec.Last(t); got.Kind != flows.KindChoice || got.Choice != "ref:ok" {
		t.Errorf("a 1 typed after the push was shown reached the engine as %+v, want its choice", got)
	}
}
