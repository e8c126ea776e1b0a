package whatsapp

import (
	"context"
	"log/slog"
	"strconv"
	"strings"
	"sync"
	"testing"
	"time"

	"go.mau.fi/whatsmeow/proto/waE2E"
	"go.mau.fi/whatsmeow/types"

	"github.com/secours/secours/bot"
	"github.com/secours/secours/bot/channeltest"
	"github.com/secours/secours/flows"
)

// chatter plays one person through the adapter, the real engine and the
// memory store, the way WhatsApp delivers: one event per message.
type chatter struct {
	t    *testing.T
	a    *Adapter
	fc   *fakeClient
	tap  *tap
	from types.JID
	n    int
}

func newChatter(t *testing.T, from types.JID, log *slog.Logger) *chatter {
	if log == nil {
		log = slog.New(slog.DiscardHandler)
	}
	tp := &tap{conv: newRunner(t, log)}
	a, fc := newAdapter(t, tp, log)
	return &chatter{t: t, a: a, fc: fc, tap: tp, from: from}
}

// tap records the engine's replies on their way to the adapter.
type tap struct {
	conv    bot.Conversation
	mu      sync.Mutex
	replies []flows.Reply
}

func (p *tap) Handle(ctx context.Context, m flows.Msg) []flows.Reply {
	out := p.conv.Handle(ctx, m)
	p.mu.Lock()
	defer p.mu.Unlock()
	p.replies = append(p.replies, out...)
	return out
}

// say sends one text and returns the text messages sent in answer.
func (c *chatter) say(s string) []string {
	c.t.Helper()
	c.n++
	before := c.fc.count()
	c.a.Handler(c.t.Context())(event(c.from, "MSG"+strconv.Itoa(c.n), text(s)))
	waitIdle(c.t, c.a)
	return c.fc.texts(before)
}

// TestProfiles runs a whole conversation for each profile, in French and
// in Dutch, and checks the WhatsApp side of it: every list says how to
// answer, the escape row is there in words, each message fits, places
// come with a pin, and the log never names the person.
func TestProfiles(t *testing.T) {
	tests := []struct {
		name    string
		from    types.JID
		profile string
		places  bool // the postcode has places (else the honest fallback)
		input   []string
	}{
		// A +33 number: the engine skips the country question.
		{"autonome_fr", frPhone, "autonome", true,
			strings.Fields("1 1 5 1 1 3 1 1 1 1 59000 2 2")},
		{"besoin_assistance_fr_aidant", frPhone, "besoin_assistance", true,
			strings.Fields("1 3 1 4 3 1 4 3 1 1 62100 3 1")},
		{"grand_debutant_fr", bePhone, "grand_debutant", false,
			strings.Fields("1 1 4 3 3 1 3 3 1 1 4000 2")},
		{"proche_autonomie_fr", frPhone, "proche_autonomie", true,
			[]string{"français", "moi", "papiers", "smartphone seul", "sur le téléphone", "whatsapp",
				"oui avec aide", "peur de me tromper", "des textes", "non", "59000", "1"}},
		{"autonome_nl", bePhone, "autonome", false,
			strings.Fields("2 1 3 1 1 3 1 1 1 1 9000 2")},
		{"besoin_assistance_nl_aidant", bePhone, "besoin_assistance", true,
			strings.Fields("2 2 1 4 3 1 4 3 3 2 8400 1 1")},
		{"grand_debutant_nl", bePhone, "grand_debutant", false,
			strings.Fields("2 1 7 3 3 1 3 3 1 1 3000 1")},
		{"proche_autonomie_nl", bePhone, "proche_autonomie", true,
			[]string{"nederlands", "ik", "papieren", "alleen smartphone", "op mijn gsm", "whatsapp",
				"met hulp", "bang", "tekst", "nee", "2000", "1"}},
	}
	_, cats := channeltest.Engine(t)
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			var logs channeltest.Buffer
			log := slog.New(slog.NewJSONHandler(&logs, &slog.HandlerOptions{Level: slog.LevelDebug}))
			c := newChatter(t, tt.from, log)
			lang := flows.FR
			if strings.HasSuffix(tt.name, "_nl") || strings.Contains(tt.name, "_nl_") {
				lang = flows.NL
			}
			var all []string
			// A conversation on WhatsApp opens with a greeting.
			for _, in := range append([]string{"bonjour"}, tt.input...) {
				got := c.say(in)
				if len(got) == 0 {
					t.Fatalf("no answer to %q", in)
				}
				all = append(all, got...)
			}
			transcript := strings.Join(all, "\n---\n")
			for _, m := range all {
				if len(m) > maxLen {
					t.Errorf("message of %d bytes, want ≤ %d", len(m), maxLen)
				}
			}
			// The guessed language is the conversation's for every list but
			// the language question.
			for _, r := range c.tap.replies {
				if len(r.Choices) == 0 {
					continue
				}
				want := langSlot(lang)
				if r.Question == flows.StateLang {
					want = slotBoth
				}
				if got := c.a.slotOf(&r); got != want {
					t.Errorf("question %q: hint language slot %d, want %d", r.Question, got, want)
				}
				if hint := c.a.texts.hintFor(want, len(r.Choices)); !strings.Contains(transcript, "\n"+hint) {
					t.Errorf("question %q: hint %q never sent", r.Question, hint)
				}
			}
			if !strings.Contains(transcript, cats[lang]["nav.help"]) {
				t.Errorf("the escape row %q never shown:\n%s", cats[lang]["nav.help"], transcript)
			}
			if !strings.Contains(logs.String(), `"profile":"`+tt.profile+`"`) {
				t.Errorf("profile %s not reached; log:\n%s\ntranscript:\n%s", tt.profile, logs.String(), transcript)
			}
			pins, places := 0, 0
			for _, r := range c.tap.replies {
				for _, p := range r.Places {
					if p.MapURL != "" {
						places++
					}
				}
			}
			for _, s := range c.fc.sent {
				if s.msg.LocationMessage != nil {
					pins++
					if s.msg.GetLocationMessage().GetName() == "" {
						t.Error("pin without the place's name")
					}
				}
			}
			if tt.places && (pins == 0 || pins != places) {
				t.Errorf("%d location pins, want one for each of the %d places with a point:\n%s", pins, places, transcript)
			}
			if strings.Contains(transcript, "http") {
				t.Errorf("a link in the text (the pins are the maps):\n%s", transcript)
			}
			if got := len(c.fc.reads); got != len(tt.input)+1 {
				t.Errorf("%d read receipts, want %d", got, len(tt.input)+1)
			}
			assertNoPersonalData(t, logs.String(), tt.from)
			checkGolden(t, tt.name, c.fc.transcript())
		})
	}
}

func langSlot(l flows.Lang) int {
	if l == flows.NL {
		return slotNL
	}
	return slotFR
}

// assertNoPersonalData checks that the log holds no trace of the number.
func assertNoPersonalData(t *testing.T, logs string, who types.JID) {
	t.Helper()
	for _, secret := range []string{who.User, who.User[2:], who.String(), "s.whatsapp.net", "@lid"} {
		if strings.Contains(logs, secret) {
			t.Errorf("log contains %q:\n%s", secret, logs)
		}
	}
	if !strings.Contains(logs, `"chat":"`) {
		t.Errorf("log does not follow the chat at all:\n%s", logs)
	}
}

// TestSpelledAnswers: the adapter passes the text through and the engine
// reads "deux", "2️⃣" and "twee" as the second choice.
func TestSpelledAnswers(t *testing.T) {
	_, cats := channeltest.Engine(t)
	fr := newChatter(t, bePhone, nil)
	fr.say("bonjour")
	if got := fr.say("1"); !strings.Contains(strings.Join(got, "\n"), cats[flows.FR]["q.who"]) {
		t.Fatalf("after choosing French: %q, want the who question", got)
	}
	if got := strings.Join(fr.say("2️⃣"), "\n"); !strings.Contains(got, cats[flows.FR]["q.need.aidant"]) {
		t.Errorf("2️⃣ at the who question gave %q, want the aidant's need question", got)
	}
	if got := strings.Join(fr.say("deux"), "\n"); !strings.Contains(got, cats[flows.FR]["q.device.aidant"]) {
		t.Errorf("deux at the need question gave %q, want the next question", got)
	}

	nl := newChatter(t, bePhone, nil)
	nl.say("hallo")
	if got := strings.Join(nl.say("twee"), "\n"); !strings.Contains(got, cats[flows.NL]["q.who"]) {
		t.Errorf("twee at the language question gave %q, want the Dutch who question", got)
	}
	if got := strings.Join(nl.say("twee"), "\n"); !strings.Contains(got, cats[flows.NL]["q.need.aidant"]) {
		t.Errorf("twee at the who question gave %q, want the aidant's need question", got)
	}
}

// TestDuplicateDelivery: WhatsApp may deliver one message twice, through
// two of the person's linked devices at once: it is answered once. The
// same message redelivered long after (the process that saved its step
// died before it replied) gets the open question again.
func TestDuplicateDelivery(t *testing.T) {
	for _, tt := range []struct {
		name  string
		gap   time.Duration // between the two deliveries
		again bool
	}{
		{"twice at once", 10 * time.Millisecond, false},
		{"redelivered later", 10 * time.Second, true},
	} {
		t.Run(tt.name, func(t *testing.T) {
			var mu sync.Mutex
			now := t0
			clock := func() time.Time {
				mu.Lock()
				defer mu.Unlock()
				return now
			}
			log := slog.New(slog.DiscardHandler)
			a, fc := newAdapter(t, newRunnerAt(t, log, clock), log)
			h := a.Handler(t.Context())
			h(event(bePhone, "SAME", text("hello")))
			waitIdle(t, a)
			first := fc.count()
			mu.Lock()
			now = now.Add(tt.gap)
			mu.Unlock()
			h(event(beDesk, "SAME", text("hello")))
			waitIdle(t, a)
			switch got := fc.count(); {
			case !tt.again && got != first:
				t.Errorf("a message delivered twice at once was answered again: %d then %d messages", first, got)
			case tt.again && got != 2*first:
				t.Errorf("a late redelivery got %d messages, want the same %d again", got-first, first)
			}
		})
	}
}

// TestLocationMessage: a shared pin at the location step gives places.
func TestLocationMessage(t *testing.T) {
	c := newChatter(t, bePhone, nil)
	for _, in := range []string{"hallo", "nederlands", "ik", "papieren", "alleen smartphone", "op mijn gsm",
		"whatsapp", "met hulp", "bang", "tekst", "nee"} {
		c.say(in)
	}
	before := c.fc.count()
	lat, lon := 51.2199, 4.4035 // Antwerpen
	c.a.Handler(t.Context())(event(bePhone, "PIN", &waE2E.Message{LocationMessage: &waE2E.LocationMessage{
		DegreesLatitude: &lat, DegreesLongitude: &lon,
	}}))
	waitIdle(t, c.a)
	got := strings.Join(c.fc.texts(before), "\n")
	if !strings.Contains(got, "🏢 OCMW Antwerpen") || !strings.Contains(got, "📍") {
		t.Errorf("a pin at the location step gave %q, want place cards", got)
	}
}
