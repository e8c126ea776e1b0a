package whatsapp

import (
	"context"
	"errors"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/secours/secours/bot"
	"github.com/secours/secours/bot/channeltest"
	"github.com/secours/secours/flows"
	"github.com/secours/secours/geo"
)

const beChat = flows.ChatID("wa:32470000001@s.whatsapp.net")

// answerPush is a structure's answer: a question with two choices.
var answerPush = []flows.Reply{{Text: "Le CPAS propose mardi.", Question: "ref",
	Choices: []flows.Choice{{Key: "ref:ok", Label: "Ça me va"}, {Key: "ref:other", Label: "Autre jour"}}}}

// TestSendRenders: a push is rendered as a turn's replies are, numbered
// list, card and pin included, and goes to the person's number.
func TestSendRenders(t *testing.T) {
	a, fc := newAdapter(t, &channeltest.Recorder{}, nil)
	replies := append(answerPush, flows.Reply{Text: "Adresse :", Places: []flows.PlaceCard{{
		Name: "CPAS", Address: "Rue Haute 298a, 1000 Bruxelles", Loc: geo.Point{Lat: 50.836, Lon: 4.348}}}})
	if err := a.Send(t.Context(), beChat, replies); err != nil {
		t.Fatalf("Send: %v", err)
	}
	want := a.messages(replies)
	if len(fc.sent) != len(want) {
		t.Fatalf("%d messages sent, want %d", len(fc.sent), len(want))
	}
	for i, s := range fc.sent {
		if s.to != bePhone {
			t.Errorf("message %d went to %v, want %v", i, s.to, bePhone)
		}
		if w := want[i]; w.place == nil && s.msg.GetConversation() != w.text || w.place != nil && s.msg.GetLocationMessage().GetName() != w.place.Name {
			t.Errorf("message %d = %v, want %+v", i, s.msg, w)
		}
	}
	if first := fc.sent[0].msg.GetConversation(); !strings.Contains(first, "1. Ça me va\n2. Autre jour") {
		t.Errorf("first message %q lacks the numbered list", first)
	}
	if fc.checks != 1 {
		t.Errorf("%d account checks, want 1", fc.checks)
	}
	if err := a.Send(t.Context(), "wa:123456789012345@lid", []flows.Reply{{Text: "x"}}); err != nil || fc.sent[len(fc.sent)-1].to != someLID {
		t.Errorf("Send to a LID = %v, to %v; want sent to %v", err, fc.sent[len(fc.sent)-1].to, someLID)
	}
	if fc.checks != 1 {
		t.Errorf("a LID was checked: %d checks, want 1 (a LID is no number)", fc.checks)
	}
	if err := a.Send(t.Context(), beChat, nil); err != nil || fc.checks != 1 {
		t.Errorf("Send of nothing = %v after %d checks, want nil and no call", err, fc.checks)
	}
}

// TestSendListAnswers: a number or a label typed after a push answers
// the push's list, once, as a press would; the conversation's own list,
// once shown, takes the numbers back, and so does time.
func TestSendListAnswers(t *testing.T) {
	rec := &channeltest.Recorder{}
	a, _ := newAdapter(t, rec, nil)
	clk := t0
	a.now = func() time.Time { return clk }
	h := a.Handler(t.Context())
	n := 0
	typed := func(s string) flows.Msg {
		t.Helper()
		n++
		h(event(bePhone, "M"+strconv.Itoa(n), text(s)))
		waitIdle(t, a)
		return rec.Msgs()[len(rec.Msgs())-1]
	}
	push := func(chat flows.ChatID) {
		t.Helper()
		if err := a.Send(t.Context(), chat, answerPush); err != nil {
			t.Fatalf("Send: %v", err)
		}
	}
	choice := func(key string) flows.Msg {
		return flows.Msg{Chat: beChat, Kind: flows.KindChoice, Choice: key, Country: "BE"}
	}
	plain := func(s string) flows.Msg { return flows.Msg{Chat: beChat, Kind: flows.KindText, Text: s, Country: "BE"} }
	strip := func(m flows.Msg) flows.Msg { m.ID, m.Waited = "", 0; return m } // the id and the queue wait are not translation

	push(beChat)
	steps := []struct {
		name string
		do   func()
		in   string
		want flows.Msg
	}{
		{"number", nil, "2", choice("ref:other")},
		{"a list answers once", nil, "2", plain("2")},
		{"keycap, bare chat id", func() { push("wa:32470000001") }, "1️⃣", choice("ref:ok")},
		{"label, any case", func() { push(beChat) }, "  autre JOUR ", choice("ref:other")},
		{"out of range", func() { push(beChat) }, "3", plain("3")},
		{"still open after other text", nil, "1.", choice("ref:ok")},
		{"the conversation's list takes over", func() {
			push(beChat)
			rec.SetOut([]flows.Reply{{Text: "Q ?", Choices: []flows.Choice{{Key: "q:a", Label: "A"}}}})
			typed("bonjour")
			rec.SetOut(nil)
		}, "1", plain("1")},
		{"too old", func() {
			push(beChat)
			clk = clk.Add(bot.PushedTTL + time.Minute)
		}, "1", plain("1")},
	}
	for _, s := range steps {
		if s.do != nil {
			s.do()
		}
		if got := strip(typed(s.in)); got != s.want {
			t.Errorf("%s: %q reached the conversation as %+v, want %+v", s.name, s.in, got, s.want)
		}
	}
	push(beChat)
	a.lists.Remember("wa:33612345678@s.whatsapp.net", answerPush[0].Choices, a.now()) // sweeps the lists once a minute
	if a.lists.Len() != 2 {
		t.Errorf("%d lists kept, want 2", a.lists.Len())
	}
	clk = clk.Add(bot.PushedTTL + time.Hour)
	a.lists.Remember("wa:4915112345678@s.whatsapp.net", answerPush[0].Choices, a.now())
	if a.lists.Len() != 1 {
		t.Errorf("%d lists kept after a day, want the new one only", a.lists.Len())
	}
}

// TestSendErrors: a number without an account is unreachable; a send
// that fails is an error without the number; a failed account check
// does not stop the push.
func TestSendErrors(t *testing.T) {
	a, fc := newAdapter(t, &channeltest.Recorder{}, nil)
	fc.notOn = map[string]bool{"32470000001": true}
	err := a.Send(t.Context(), beChat, answerPush)
	if !errors.Is(err, bot.ErrUnreachable) || fc.count() != 0 {
		t.Errorf("Send to a number without WhatsApp = %v after %d sends, want ErrUnreachable and none", err, fc.count())
	}

	fc.notOn, fc.checkErr = nil, errors.New("usync: timed out")
	if err := a.Send(t.Context(), beChat, answerPush); err != nil || fc.count() != 1 {
		t.Errorf("Send with a failed check = %v after %d sends, want sent", err, fc.count())
	}

	a.lists.Forget(beChat)
	fc.sendErr = errors.New("send to 32470000001@s.whatsapp.net: websocket not connected")
	err = a.Send(t.Context(), beChat, answerPush)
	if err == nil || errors.Is(err, bot.ErrUnreachable) || !errors.Is(err, fc.sendErr) {
		t.Errorf("Send = %v, want an error wrapping the cause, not unreachable", err)
	}
	if err != nil && strings.Contains(err.Error(), "32470000001") {
		t.Errorf("error %q shows the number", err)
	}
	if a.lists.Has(beChat) {
		t.Error("the list of a failed push was remembered")
	}

	for _, chat := range []flows.ChatID{"tg:42", "wa:", "wa:abc@s.whatsapp.net", "wa:120363000000000001@g.us",
		"wa-group:120363000000000001", "wa:3247:7@s.whatsapp.net", "cli:local"} {
		if err := a.Send(t.Context(), chat, answerPush); err == nil || errors.Is(err, bot.ErrUnreachable) {
			t.Errorf("Send(%q) = %v, want an error other than unreachable", chat, err)
		}
	}
}

// TestSendQueue: a push waits for the answer in flight in its chat and
// is sent after it; Send returns at once when its context ends; after
// Close, Send fails.
func TestSendQueue(t *testing.T) {
	conv := newBlocker()
	conv.SetOut([]flows.Reply{{Text: "answer"}})
	a, fc := newAdapter(t, conv, nil)
	h := a.Handler(t.Context())
	h(event(bePhone, "Q1", text("x")))
	<-conv.started // the chat's worker is busy

	ctx, cancel := context.WithTimeout(t.Context(), 50*time.Millisecond)
	defer cancel()
	start := time.Now()
	if err := a.Send(ctx, beChat, []flows.Reply{{Text: "too late"}}); !errors.Is(err, context.DeadlineExceeded) {
		t.Errorf("Send = %v, want context.DeadlineExceeded", err)
	}
	if d := time.Since(start); d > 5*time.Second {
		t.Errorf("Send took %s", d)
	}

	errc := make(chan error, 1)
	go func() { errc <- a.Send(t.Context(), beChat, []flows.Reply{{Text: "push"}}) }()
	// The late push, then this one.
	channeltest.Eventually(t, "Send queued", func() bool { return a.chats.Waiting(beChat) == 2 })
	close(conv.release)
	if err := <-errc; err != nil {
		t.Fatalf("Send: %v", err)
	}
	if got := fc.texts(0); len(got) != 2 || got[0] != "answer" || got[1] != "push" {
		t.Errorf("sent %q, want the answer then the push", got)
	}
	a.Close()
	if err := a.Send(t.Context(), beChat, []flows.Reply{{Text: "x"}}); err == nil {
		t.Error("Send after Close = nil")
	}
	if a.chats.Busy() != 0 {
		t.Errorf("%d queues left", a.chats.Busy())
	}
}
