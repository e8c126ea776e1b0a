package telegram_test

import (
	"context"
	"strconv"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/secours/secours/bot/channeltest"
	"github.com/secours/secours/bot/telegram"
	"github.com/secours/secours/flows"
	"github.com/secours/secours/internal/testkit"
)

// TestOffsetWaitsForTheAnswer holds the reply to an update at the fake
// Bot API while the adapter goes on polling: the update stays unconfirmed
// until its answer went out, so that a process killed in between gets it
// again at its next start.
func TestOffsetWaitsForTheAnswer(t *testing.T) {
	h := newHarness(t, harnessOpts{poll: true})
	const chat = 733100001
	id, release := heldUnconfirmed(t, h, chat, "before its answer was sent")
	release()
	h.wait(id)
	channeltest.Eventually(t, "the offset to pass the answered update", func() bool { return h.srv.Offset() > id })
}

// gatedConv answers "echo <text>", and holds the updates of one chat until
// the gate opens.
type gatedConv struct {
	chat flows.ChatID
	gate chan struct{}
	in   chan string // the text of each held update, once it is held

	mu      sync.Mutex
	handled map[flows.ChatID]int
}

func (c *gatedConv) Handle(_ context.Context, m flows.Msg) []flows.Reply {
	if m.Chat == c.chat {
		c.in <- m.Text
		<-c.gate
	}
	c.mu.Lock()
	c.handled[m.Chat]++
	c.mu.Unlock()
	return []flows.Reply{{Text: "echo " + m.Text}}
}

func (c *gatedConv) count(chat flows.ChatID) int {
	c.mu.Lock()
	defer c.mu.Unlock()
	return c.handled[chat]
}

// TestFloodDropped sends 300 messages from one chat while its first one is
// being answered: the chat gets its first answers, one "un instant…" line
// in its language, and nothing for the rest; another chat's message, sent
// after the flood, is answered while the flood's first answer is still
// pending; every update is confirmed in the end.
func TestFloodDropped(t *testing.T) {
	for _, lang := range []string{"fr", "nl"} {
		t.Run(lang, func(t *testing.T) {
			flooder, other := int64(733200001), int64(733200002)
			if lang == "nl" {
				flooder, other = 733200011, 733200012
			}
			conv := &gatedConv{chat: flows.ChatID("tg:" + strconv.FormatInt(flooder, 10)), gate: make(chan struct{}),
				in: make(chan string, 1), handled: map[flows.ChatID]int{}}
			h := newHarness(t, harnessOpts{conv: conv, poll: true})
			var last int64
			for i := range 300 {
				last = h.srv.Text(flooder, lang, "m"+strconv.Itoa(i))
			}
			if got := <-conv.in; got != "m0" {
				t.Fatalf("first update handled %q, want m0", got)
			}
			o := h.srv.Text(other, lang, "hello")
			h.wait(o) // not behind the flood, though its first answer is held
			if got := h.texts(other); len(got) != 1 || got[0] != "echo hello" {
				t.Errorf("the other chat got %q", got)
			}
			// The flood's answers: m0, then the ones that waited behind it.
			go func() {
				for range conv.in {
				}
			}()
			close(conv.gate)
			channeltest.Eventually(t, "the flood's backlog to be answered", func() bool { return h.srv.Offset() > last })
			h.stop()
			close(conv.in)
			texts := h.texts(flooder)
			notice := 0
			var echoes []string
			for _, s := range texts {
				switch {
				case strings.HasPrefix(s, "echo "):
					echoes = append(echoes, s)
				case strings.HasPrefix(s, map[string]string{"fr": "Un instant…", "nl": "Een ogenblik…"}[lang]):
					notice++
				default:
					t.Errorf("unexpected message %q", s)
				}
			}
			if notice != 1 {
				t.Errorf("%d flood notices in %d messages, want one: %q…", notice, len(texts), texts[:min(len(texts), 8)])
			}
			if n := len(echoes); n < 2 || n > 6 || echoes[0] != "echo m0" {
				t.Errorf("%d answers to the flood (%q…), want m0 and the few that waited behind it", n, echoes[:min(n, 8)])
			}
			if n := conv.count(conv.chat); n != len(echoes) {
				t.Errorf("%d updates of the flood handled, %d answered", n, len(echoes))
			}
			if n := h.srv.Pending(); n != 0 {
				t.Errorf("%d updates left unconfirmed", n)
			}
		})
	}
}

// TestDrainBound stops polling while an answer is held at the fake Bot API
// past the drain bound: Poll returns at the bound, leaves that update
// unconfirmed, and the next poller gets it again; the engine's dedup of
// update ids answers it once.
func TestDrainBound(t *testing.T) {
	h := newHarness(t, harnessOpts{poll: true, cfg: telegram.Config{Drain: 200 * time.Millisecond}})
	const chat = 733300001
	release := h.srv.Hold("sendMessage")
	id := h.srv.Text(chat, "fr", "/start")
	channeltest.Eventually(t, "the reply to be held", func() bool { return h.srv.Held("sendMessage") == 1 })
	testkit.Returns(t, 10*time.Second, h.stop, "Poll still waiting 10 s after the stop, with a drain bound of 200 ms")
	if got := h.srv.Offset(); got > id {
		t.Errorf("offset %d confirmed the update %d left unanswered", got, id)
	}
	if n := h.srv.Pending(); n != 1 {
		t.Errorf("%d updates pending, want the one left", n)
	}
	if logs := h.logs.String(); !strings.Contains(logs, "drain bound reached") {
		t.Errorf("no warning for the update left:\n%s", logs)
	}
	release()
	// The first process's send goes out once released, as it would had
	// it lived; the second finds the step applied and stays silent.
	channeltest.Eventually(t, "the held reply", func() bool { return len(h.srv.Sent(chat)) >= 1 })
	sent := len(h.srv.Sent(chat))
	h2 := newHarness(t, harnessOpts{srv: h.srv, store: h.store, poll: true})
	h2.wait(id)
	h2.stop()
	if got := len(h.srv.Sent(chat)); got != sent {
		t.Errorf("the update came again and was answered again (%d messages, then %d)", sent, got)
	}
	if n := h.srv.Pending(); n != 0 {
		t.Errorf("%d updates pending after the second poller", n)
	}
}

// heldUnconfirmed sends /start from chat with its answer held at the fake,
// lets the adapter poll twice more, and checks that the update was not
// confirmed meanwhile (why says what that would mean); release lets the
// answer go. id is the update's.
func heldUnconfirmed(t *testing.T, h *harness, chat int64, why string) (id int64, release func()) {
	t.Helper()
	release = h.srv.Hold("sendMessage")
	id = h.srv.Text(chat, "fr", "/start")
	channeltest.Eventually(t, "the reply to be held", func() bool { return h.srv.Held("sendMessage") == 1 })
	polls := len(h.srv.CallsTo("getUpdates"))
	channeltest.Eventually(t, "two more polls", func() bool { return len(h.srv.CallsTo("getUpdates")) >= polls+2 })
	if got := h.srv.Offset(); got > id {
		t.Errorf("offset %d confirmed update %d %s", got, id, why)
	}
	return id, release
}
