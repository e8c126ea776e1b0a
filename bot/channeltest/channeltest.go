package channeltest

import (
	"context"
	"slices"
	"strings"
	"sync"
	"testing"

	"github.com/secours/secours/bot"
	"github.com/secours/secours/flows"
	"github.com/secours/secours/geo"
)

// EventKind is what a person does, in no channel's terms.
type EventKind int

// The events every channel is driven with.
const (
	Text      EventKind = iota // types Event.Text
	Press                      // picks choice Event.Pick (from 1) of the last question shown
	Location                   // shares Event.Loc
	Sticker                    // sends a sticker
	Voice                      // sends a voice note
	Edit                       // edits their last message to Event.Text
	Duplicate                  // the channel delivers the last event again, as the same message
	Command                    // types the command Event.Text ("/aide")
)

// Event is one thing a person does in a chat.
type Event struct {
	Kind EventKind
	Text string    // Text, Edit, Command
	Pick int       // Press
	Loc  geo.Point // Location
}

// Driver is one channel under test.
type Driver struct {
	Name string // "console", "telegram", "whatsapp", "wacloud": the key of Case.Differs
	// Start runs a fresh channel answering through conv, until the test
	// ends, and returns how to deliver events to it.
	Start func(t *testing.T, conv bot.Conversation) Deliver
}

// Deliver hands one event to the channel as the channel receives it,
// waits until the channel is done with it, and returns the texts the
// person was sent for it; ok is false when the channel has no such event
// (a terminal has no sticker).
type Deliver func(e Event) (seen []string, ok bool)

// Got is the neutral part of the message that reached the engine.
type Got struct {
	Kind         flows.Kind
	Text, Choice string
	Command, Arg string
	Loc          geo.Point
	Repeat       bool // its id is an earlier message's: the engine drops it
	absent       bool // the channel has no such event
}

// Absent is the Case.Differs entry of a channel that has no such event.
var Absent = &Got{absent: true}

// Case is one row of the incoming table.
type Case struct {
	Label  string
	Before []Event // delivered first: a question to press on, a message to edit
	Event  Event
	// Want is what reached the engine for Event; nil: nothing did.
	Want *Got
	// Differs holds, by Driver.Name, the Want of a channel whose
	// translation legitimately differs.
	Differs map[string]*Got
}

// Answer is the text of every reply the kit's conversation gives: the
// person must see it once for each message that reached the engine.
const Answer = "Reçu."

// question is the reply the kit's conversation gives: a question with
// two choices, so that a press has something to press on.
func question() []flows.Reply {
	return []flows.Reply{{Text: Answer, Question: "q", Choices: []flows.Choice{{Key: "q:a", Label: "Un"}, {Key: "q:b", Label: "Deux"}}}}
}

// Incoming is the table of incoming events every channel runs.
func Incoming() []Case {
	hello := Event{Kind: Text, Text: "bonjour"}
	typed := func(s string) *Got { return &Got{Kind: flows.KindText, Text: s} }
	return []Case{
		{Label: "text", Event: hello, Want: typed("bonjour")},
		{
			Label: "button press", Before: []Event{hello}, Event: Event{Kind: Press, Pick: 2},
			// Telegram and the WhatsApp Cloud API have buttons; elsewhere
			// the person types the number, which the engine maps to its
			// choice.
			Want:    &Got{Kind: flows.KindChoice, Choice: "q:b"},
			Differs: map[string]*Got{"console": typed("2"), "whatsapp": typed("2")},
		},
		{
			Label: "location", Event: Event{Kind: Location, Loc: geo.Point{Lat: 50.85, Lon: 4.35}},
			Want: &Got{Kind: flows.KindLocation, Loc: geo.Point{Lat: 50.85, Lon: 4.35}},
		},
		{
			Label: "sticker", Event: Event{Kind: Sticker}, Want: &Got{Kind: flows.KindUnsupported},
			Differs: map[string]*Got{"console": Absent},
		},
		{
			Label: "voice note", Event: Event{Kind: Voice}, Want: &Got{Kind: flows.KindUnsupported},
			Differs: map[string]*Got{"console": Absent},
		},
		{
			// The first answer stands: an edit is not a new answer.
			Label: "edit", Before: []Event{hello}, Event: Event{Kind: Edit, Text: "bonsoir"},
			Differs: map[string]*Got{"console": Absent},
		},
		{
			// The channel passes the repeat on with the same id, and the
			// engine drops it: no second answer.
			Label: "duplicate delivery", Before: []Event{hello}, Event: Event{Kind: Duplicate},
			Want:    &Got{Kind: flows.KindText, Text: "bonjour", Repeat: true},
			Differs: map[string]*Got{"console": Absent},
		},
		{
			Label: "command", Event: Event{Kind: Command, Text: "/aide"},
			Want: &Got{Kind: flows.KindCommand, Command: "aide"},
			// WhatsApp has no commands: the engine reads the text.
			Differs: map[string]*Got{"whatsapp": typed("/aide"), "wacloud": typed("/aide")},
		},
	}
}

// Run runs the incoming table against the channel of d: for each case,
// what reached the engine, and what the person was sent.
func Run(t *testing.T, d Driver) {
	for _, c := range Incoming() {
		t.Run(c.Label, func(t *testing.T) {
			want := c.Want
			if w, ok := c.Differs[d.Name]; ok {
				want = w
			}
			conv := &Conversation{}
			deliver := d.Start(t, conv)
			for _, e := range c.Before {
				if _, ok := deliver(e); !ok {
					t.Fatalf("%s: cannot deliver %+v, needed before the case", d.Name, e)
				}
			}
			before := len(conv.Msgs())
			seen, ok := deliver(c.Event)
			if want == Absent {
				if ok {
					t.Errorf("%s delivered %+v, which the table says it has no such thing as", d.Name, c.Event)
				}
				return
			}
			if !ok {
				t.Fatalf("%s cannot deliver %+v", d.Name, c.Event)
			}
			msgs := conv.Msgs()
			var got *Got
			switch n := len(msgs) - before; n {
			case 0:
			case 1:
				got = neutral(msgs[len(msgs)-1], msgs[:len(msgs)-1])
			default:
				t.Fatalf("%s: %d messages reached the engine, want at most one", d.Name, n)
			}
			if !equal(got, want) {
				t.Errorf("%s: reached the engine %+v, want %+v", d.Name, got, want)
			}
			answers := 0
			for _, s := range seen {
				if strings.Contains(s, Answer) {
					answers++
				}
			}
			if wantAnswers := btoi(want != nil && !want.Repeat); answers != wantAnswers {
				t.Errorf("%s: the person got %d answers (%q), want %d", d.Name, answers, seen, wantAnswers)
			}
		})
	}
}

func btoi(b bool) int {
	if b {
		return 1
	}
	return 0
}

func equal(a, b *Got) bool {
	if a == nil || b == nil {
		return a == b
	}
	return *a == *b
}

// neutral is the part of m a case checks, earlier the messages before it.
func neutral(m flows.Msg, earlier []flows.Msg) *Got {
	return &Got{
		Kind: m.Kind, Text: m.Text, Choice: m.Choice, Command: m.Command, Arg: m.Arg, Loc: m.Loc,
		Repeat: m.ID != "" && slices.ContainsFunc(earlier, func(e flows.Msg) bool { return e.ID == m.ID }),
	}
}

// Conversation is the engine's stand-in: it records each message and
// answers with a question, except a repeat of a message id it saw, which
// it drops as the engine does. It is safe for concurrent use.
type Conversation struct {
	mu   sync.Mutex
	msgs []flows.Msg
}

var _ bot.Conversation = (*Conversation)(nil)

// Handle records m and answers it.
func (c *Conversation) Handle(_ context.Context, m flows.Msg) []flows.Reply {
	c.mu.Lock()
	defer c.mu.Unlock()
	repeat := m.ID != "" && slices.ContainsFunc(c.msgs, func(e flows.Msg) bool { return e.ID == m.ID })
	c.msgs = append(c.msgs, m)
	if repeat {
		return nil
	}
	return question()
}

// Msgs returns the messages that reached the conversation, in order.
func (c *Conversation) Msgs() []flows.Msg {
	c.mu.Lock()
	defer c.mu.Unlock()
	return slices.Clone(c.msgs)
}
