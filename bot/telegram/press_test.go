package telegram_test

import (
	"context"
	"testing"
	"time"

	"github.com/secours/secours/flows"
	"github.com/secours/secours/internal/testkit"
)

// stepping is a conversation that says when a step starts and answers one
// line.
type stepping struct{ started chan struct{} }

func (s stepping) Handle(context.Context, flows.Msg) []flows.Reply {
	s.started <- struct{}{}
	return []flows.Reply{{Text: "Merci."}}
}

// TestPressAckedDuringStep: the press is acknowledged while the step runs,
// not before it, and still before the replies go.
func TestPressAckedDuringStep(t *testing.T) {
	conv := stepping{started: make(chan struct{}, 1)}
	h := newHarness(t, harnessOpts{poll: true, conv: conv})
	const chat = 732200077
	release := h.srv.Hold("answerCallbackQuery")
	m := h.srv.Message(chat, "fr")
	m.Text = "Une question ?"
	id := h.srv.Press(chat, "fr", m, "who:self")
	select {
	case <-conv.started:
	case <-time.After(5 * time.Second):
		t.Fatal("the step waited for the acknowledgement of the press")
	}
	testkit.WaitFor(t, "the acknowledgement under way", func() bool { return h.srv.Held("answerCallbackQuery") == 1 })
	if n := len(h.srv.CallsTo("sendMessage")); n != 0 {
		t.Errorf("%d replies went before the press was acknowledged", n)
	}
	release()
	h.wait(id)
	var order []string
	for _, c := range h.srv.Calls() {
		if c.Method == "answerCallbackQuery" || c.Method == "sendMessage" {
			order = append(order, c.Method)
		}
	}
	if len(order) != 2 || order[0] != "answerCallbackQuery" || order[1] != "sendMessage" {
		t.Errorf("calls %v, want the acknowledgement then the reply", order)
	}
}
