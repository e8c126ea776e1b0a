package wacloud

import (
	"context"
	"flag"
	"path/filepath"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/secours/secours/bot"
	"github.com/secours/secours/bot/channeltest"
	"github.com/secours/secours/flows"
	"github.com/secours/secours/internal/testkit"
	"github.com/secours/secours/referral"
	"github.com/secours/secours/store/memory"
	"github.com/secours/secours/store/redis"
)

var update = flag.Bool("update", false, "rewrite the Cloud API golden transcripts in testdata/golden")

// checkGolden compares a person's transcript on the fake with
// testdata/golden/name.txt.
func checkGolden(t *testing.T, name, got string) {
	t.Helper()
	testkit.Golden(t, filepath.Join("testdata", "golden", name+".txt"), got, *update,
		"go test ./bot/wacloud -run TestConversation -update rewrites it")
}

// later is a conversation set once the harness (and its clock) exists.
type later struct{ bot.Conversation }

// The stores keep the window for the channel.
var (
	_ Window = (*memory.Store)(nil)
	_ Window = (*redis.Store)(nil)
)

// person plays someone on the fake: a number is a press on that answer
// of the last buttons or list (the answers come first), or typed when
// the last message is text; anything else is typed.
type person struct {
	t    *testing.T
	h    *harness
	waID string
}

func (p *person) do(in string) {
	p.t.Helper()
	p.h.clk.Add(20 * time.Second)
	n, err := strconv.Atoi(in)
	m, ok := p.h.fake.Last(p.waID)
	var code int
	switch {
	case err != nil || !ok:
		_, code = p.h.fake.Text(p.waID, in)
	case n >= 1 && n <= len(m.Buttons):
		_, code = p.h.fake.Press(p.waID, m.Buttons[n-1].ID, m.Buttons[n-1].Title)
	case n >= 1 && n <= len(m.Rows):
		_, code = p.h.fake.Pick(p.waID, m.Rows[n-1].ID, m.Rows[n-1].Title)
	default:
		_, code = p.h.fake.Text(p.waID, in)
	}
	if code != 200 {
		p.t.Fatalf("%q: the webhook answered %d", in, code)
	}
}

// TestConversation: a whole conversation over the fake Cloud API with
// the real engine — diagnostic, place, referral with consent — then the
// structure's answer 30 hours later, which goes as the template, and the
// person's answer to it.
func TestConversation(t *testing.T) {
	conv := &later{}
	var st *memory.Store // the sessions, the referrals and the window
	h := newHarness(t, conv, func(o *Options) {
		st = memory.New(7*24*time.Hour, o.Now)
		o.Window = st
	})
	eng, _ := channeltest.Engine(t)
	conv.Conversation = &bot.Runner{Engine: eng, Store: st, Referrals: referral.NewLedger(eng, st), Structures: st, Now: h.clk.Now, Log: h.logs.Logger(0)}
	p := &person{t: t, h: h, waID: frID}
	// A +33 number: no country question. The autonomous profile, Paris
	// 11e, the first place, consent, by message.
	for _, in := range []string{"Bonjour", "1", "1", "5", "1", "1", "3", "1", "1", "1", "1", "75011", "1", "1", "1"} {
		p.do(in)
	}
	chat := flows.ChatID("wc:" + frID)
	ref := channeltest.OnlyReferral(t, st, chat)

	// The structure answers 30 hours later, as the referral service tells
	// the person: the engine's notice, sent through the channel.
	h.clk.Add(30 * time.Hour)
	out, err := eng.Notify(t.Context(), flows.Stores{Sessions: st, Structures: st},
		flows.Notice{Referral: ref, Kind: flows.NoticeMessage, Text: "Venez mardi à 10 h."}, h.clk.Now())
	if err != nil || len(out.Replies) == 0 {
		t.Fatalf("notice: %d replies, %v", len(out.Replies), err)
	}
	if err := h.a.Send(t.Context(), chat, out.Replies); err != nil {
		t.Fatal(err)
	}
	last, _ := h.fake.Last(frID)
	if last.Type != "template" || len(last.Template.Params) != 1 || !strings.Contains(last.Template.Params[0], "Venez mardi à 10 h.") {
		t.Fatalf("the answer 30 h later went as %s %+v, want the template with its text", last.Type, last.Template)
	}
	p.do("Merci, je viendrai.")
	checkGolden(t, "referral_fr", h.fake.Transcript(frID))
	if log := h.logs.String(); strings.Contains(log, frID) {
		t.Error("the log shows the number")
	}
}

// TestConversationHeld: a Dutch conversation; 30 hours later a push in
// Dutch, for which no template is configured, waits; the person's next
// message gets it first, then its answer. The push's language comes from
// the session (Options.Lang), as the command wires it.
func TestConversationHeld(t *testing.T) {
	conv := &later{}
	var st *memory.Store
	h := newHarness(t, conv, func(o *Options) {
		st = memory.New(7*24*time.Hour, o.Now)
		o.Window = st
		o.Lang = func(ctx context.Context, chat flows.ChatID) flows.Lang {
			if s, err := st.Load(ctx, chat); err == nil {
				return s.Lang
			}
			return ""
		}
	})
	eng, _ := channeltest.Engine(t)
	conv.Conversation = &bot.Runner{Engine: eng, Store: st, Now: h.clk.Now, Log: h.logs.Logger(0)}
	p := &person{t: t, h: h, waID: beID}
	for _, in := range append([]string{"hallo"}, strings.Fields("2 1 7 3 3 1 3 3 1 1 3000 1")...) {
		p.do(in)
	}
	h.clk.Add(30 * time.Hour)
	if err := h.a.Send(t.Context(), beChat, []flows.Reply{{Text: "✉️ Bericht van het OCMW: kom dinsdag om 10 uur."}}); err != nil {
		t.Fatal(err)
	}
	if !strings.Contains(h.logs.String(), `"event":"held_outside_window"`) {
		t.Fatal("the push was not held")
	}
	p.do("hallo")
	checkGolden(t, "held_nl", h.fake.Transcript(beID))
	if held, err := st.WindowSeen(t.Context(), beChat, h.clk.Now()); err != nil || len(held) != 0 {
		t.Errorf("still held: %d, %v", len(held), err)
	}
}

// TestTypedEscape: where the answers are buttons and the escape row is
// words under the text, typing a word of it goes back, on the real
// engine.
func TestTypedEscape(t *testing.T) {
	conv := &later{}
	st := memory.New(time.Hour, nil)
	h := newHarness(t, conv, nil)
	eng, _ := channeltest.Engine(t)
	conv.Conversation = &bot.Runner{Engine: eng, Store: st, Now: h.clk.Now}
	p := &person{t: t, h: h, waID: frID}
	p.do("Bonjour")
	p.do("1") // Français: "Qui répond aux questions ?", three buttons
	m, _ := h.fake.Last(frID)
	if m.Interactive != "button" || len(m.Buttons) != 3 || !strings.Contains(m.Text, "↩ Retour") {
		t.Fatalf("the question after the language: %s, %d buttons, text %q", m.Interactive, len(m.Buttons), m.Text)
	}
	before, _ := st.Load(t.Context(), flows.ChatID("wc:"+frID))
	p.do("retour")
	after, _ := st.Load(t.Context(), flows.ChatID("wc:"+frID))
	if after.State == before.State {
		t.Errorf("typing retour left the person at %s", after.State)
	}
	if m, _ := h.fake.Last(frID); !strings.Contains(m.Text, "langue") {
		t.Errorf("after retour the person sees %q, want the language question again", m.Text)
	}
}
