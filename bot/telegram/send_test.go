package telegram_test

import (
	"context"
	"errors"
	"net/http"
	"slices"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/secours/secours/bot"
	"github.com/secours/secours/bot/telegram"
	"github.com/secours/secours/bot/telegram/telegramtest"
	"github.com/secours/secours/flows"
	"github.com/secours/secours/geo"
)

func tgChat(chat int64) flows.ChatID { return flows.ChatID("tg:" + strconv.FormatInt(chat, 10)) }

// pushed is what a structure's answer may look like: a question with its
// buttons, then a place.
var pushed = []flows.Reply{
	{Text: "Le CPAS a répondu : rendez-vous mardi.", Question: "ref",
		Choices: []flows.Choice{{Key: "ref:ok", Label: "Ça me va"}, {Key: "ref:other", Label: "Autre jour"}}},
	{Text: "Adresse :", Places: []flows.PlaceCard{{Name: "CPAS", Address: "Rue Haute 298a, 1000 Bruxelles",
		Loc: geo.Point{Lat: 50.836, Lon: 4.348}, MapURL: "https://www.openstreetmap.org/directions?route=%3B50.836%2C4.348", MapLabel: "🧭 Y aller"}}},
}

// TestSendDelivers: a push reaches the chat as a turn's replies do, text
// and keyboard, then the place's card and pin.
func TestSendDelivers(t *testing.T) {
	h := newHarness(t, harnessOpts{conv: &countingConv{}})
	const chat = 732000001
	if err := h.a.Send(t.Context(), tgChat(chat), pushed); err != nil {
		t.Fatalf("Send: %v", err)
	}
	sent := h.srv.Sent(chat)
	if len(sent) != 3 || sent[0].Method != "sendMessage" || sent[1].Method != "sendMessage" || sent[2].Method != "sendVenue" {
		t.Fatalf("sent %v, want two messages and a venue", sent)
	}
	if got := sent[0].Params["text"]; got != pushed[0].Text {
		t.Errorf("text %q, want %q", got, pushed[0].Text)
	}
	kb := sent[0].Markup().InlineKeyboard
	if len(kb) != 2 || kb[0][0].Text != "Ça me va" || kb[0][0].CallbackData != "ref:ok" || kb[1][0].CallbackData != "ref:other" {
		t.Errorf("keyboard %+v, want one row per choice", kb)
	}
	if !strings.Contains(sent[1].Params["text"], "Rue Haute 298a") {
		t.Errorf("place card %q lacks the address", sent[1].Params["text"])
	}
	for _, c := range sent {
		if c.Markup().RemoveKeyboard {
			t.Errorf("a push took the location keyboard away (%s)", c.Params["text"])
		}
	}
	if h.srv.Venues(chat) != 1 {
		t.Errorf("%d venues, want 1", h.srv.Venues(chat))
	}
	if kb := sent[2].Markup().InlineKeyboard; len(kb) != 1 || kb[0][0].Text != "🧭 Y aller" || kb[0][0].URL != pushed[1].Places[0].MapURL {
		t.Errorf("venue keyboard %+v, want the directions button", kb)
	}
}

// TestSendKeepsLocationKeyboard: a push between two turns leaves the
// "share my location" keyboard of the open question up.
func TestSendKeepsLocationKeyboard(t *testing.T) {
	conv := askLocation{}
	h := newHarness(t, harnessOpts{conv: conv, poll: true})
	const chat = 732000002
	h.text(chat, "fr", "1000")
	if err := h.a.Send(t.Context(), tgChat(chat), []flows.Reply{{Text: "Nouvelle du CPAS"}}); err != nil {
		t.Fatalf("Send: %v", err)
	}
	sent := h.srv.Sent(chat)
	last := sent[len(sent)-1]
	if last.Params["text"] != "Nouvelle du CPAS" || last.Params["reply_markup"] != "" {
		t.Errorf("push sent as %q with markup %s, want no markup", last.Params["text"], last.Params["reply_markup"])
	}
}

// askLocation asks for a location at every turn.
type askLocation struct{}

func (askLocation) Handle(context.Context, flows.Msg) []flows.Reply {
	return []flows.Reply{{Text: "Où êtes-vous ?", AskLocation: true, LocationBtn: "📍 Ma position", Question: "location"}}
}

// TestSendButtonAnswers: a button sent by Send, pressed later, reaches
// the conversation as a choice, and its question is marked answered.
func TestSendButtonAnswers(t *testing.T) {
	conv := &countingConv{}
	h := newHarness(t, harnessOpts{conv: conv, poll: true})
	const chat = 732000003
	if err := h.a.Send(t.Context(), tgChat(chat), pushed[:1]); err != nil {
		t.Fatalf("Send: %v", err)
	}
	h.press(chat, "fr", "ref:other")
	if len(conv.msgs) != 1 {
		t.Fatalf("conversation got %d messages, want the press", len(conv.msgs))
	}
	if m := conv.msgs[0]; m.Kind != flows.KindChoice || m.Choice != "ref:other" || m.Chat != tgChat(chat) {
		t.Errorf("conversation got %+v, want the choice ref:other in the chat", m)
	}
	if len(h.srv.CallsTo("answerCallbackQuery")) != 1 {
		t.Error("the press was not answered")
	}
	if m, ok := h.srv.Keyboard(chat); ok {
		t.Errorf("question %q still shows its buttons, want it marked answered", m.Text)
	}
}

// TestSendOrder: a push waits for the answer to the chat's update in
// flight, and Send returns only once the push went out.
func TestSendOrder(t *testing.T) {
	conv := &countingConv{hold: make(chan struct{}), in: make(chan struct{}, 1)}
	h := newHarness(t, harnessOpts{conv: conv, poll: true})
	const chat = 732000004
	id := h.srv.Text(chat, "fr", "m0")
	<-conv.in // the update is in flight
	errc := make(chan error, 1)
	go func() { errc <- h.a.Send(t.Context(), tgChat(chat), []flows.Reply{{Text: "push"}}) }()
	for deadline := time.Now().Add(10 * time.Second); telegram.Queued(h.a, chat) == 0; time.Sleep(time.Millisecond) {
		if time.Now().After(deadline) {
			t.Fatal("Send never queued behind the update")
		}
	}
	select {
	case err := <-errc:
		t.Fatalf("Send returned (%v) before its message could be sent", err)
	default:
	}
	conv.hold <- struct{}{}
	if err := <-errc; err != nil {
		t.Fatalf("Send: %v", err)
	}
	h.wait(id)
	if got, want := h.texts(chat), []string{"echo m0", "push"}; !slices.Equal(got, want) {
		t.Errorf("sent %q, want %q in order", got, want)
	}
}

// TestSendCancelled: Send returns as soon as its context ends, even when
// the chat is busy, and what it did not send is never sent.
func TestSendCancelled(t *testing.T) {
	conv := &countingConv{hold: make(chan struct{}), in: make(chan struct{}, 1)}
	h := newHarness(t, harnessOpts{conv: conv, poll: true})
	const chat = 732000005

	cancelled, cancel := context.WithCancel(t.Context())
	cancel()
	if err := h.a.Send(cancelled, tgChat(chat), []flows.Reply{{Text: "never"}}); !errors.Is(err, context.Canceled) {
		t.Errorf("Send with a cancelled context = %v, want context.Canceled", err)
	}

	id := h.srv.Text(chat, "fr", "m0")
	<-conv.in // the chat's worker is busy
	ctx, stop := context.WithTimeout(t.Context(), 50*time.Millisecond)
	defer stop()
	start := time.Now()
	err := h.a.Send(ctx, tgChat(chat), []flows.Reply{{Text: "too late"}})
	if !errors.Is(err, context.DeadlineExceeded) {
		t.Errorf("Send = %v, want context.DeadlineExceeded", err)
	}
	if d := time.Since(start); d > 5*time.Second {
		t.Errorf("Send took %s after its deadline", d)
	}
	conv.hold <- struct{}{}
	h.wait(id)
	h.a.Wait()
	if got, want := h.texts(chat), []string{"echo m0"}; !slices.Equal(got, want) {
		t.Errorf("sent %q, want %q: a cancelled push is not sent", got, want)
	}
}

// TestSendUnreachable: the refusals that mean the person is gone wrap
// bot.ErrUnreachable; other failures are errors, without the token.
func TestSendUnreachable(t *testing.T) {
	tests := []struct {
		name        string
		setup       func(*telegramtest.Server, int64)
		unreachable bool
	}{
		{"blocked", func(s *telegramtest.Server, chat int64) { s.Block(chat) }, true},
		{"deactivated", fail(http.StatusForbidden, "Forbidden: user is deactivated"), true},
		{"kicked", fail(http.StatusForbidden, "Forbidden: bot was kicked from the group chat"), true},
		{"chat not found", fail(http.StatusBadRequest, "Bad Request: chat not found"), true},
		{"bad request", fail(http.StatusBadRequest, "Bad Request: can't parse entities"), false},
		{"server error", fail(http.StatusInternalServerError, "Internal Server Error"), false},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			h := newHarness(t, harnessOpts{conv: &countingConv{}})
			const chat = 732000006
			tt.setup(h.srv, chat)
			// Two messages: the first has a button, so it is not merged
			// with the second.
			err := h.a.Send(t.Context(), tgChat(chat), []flows.Reply{
				{Text: "Nouvelle", Choices: []flows.Choice{{Key: "q:a", Label: "A"}}}, {Text: "Suite"}})
			if err == nil {
				t.Fatal("Send = nil, want an error")
			}
			if got := errors.Is(err, bot.ErrUnreachable); got != tt.unreachable {
				t.Errorf("errors.Is(%v, ErrUnreachable) = %v, want %v", err, got, tt.unreachable)
			}
			if strings.Contains(err.Error(), h.srv.Token) || strings.Contains(err.Error(), "732000006") {
				t.Errorf("error %q shows the token or the chat id", err)
			}
			calls := len(h.srv.CallsTo("sendMessage"))
			if tt.unreachable && calls != 1 {
				t.Errorf("%d sendMessage calls, want 1: nothing more to a chat gone", calls)
			}
			if !tt.unreachable && calls != 2 {
				t.Errorf("%d sendMessage calls, want 2: a failure costs its message only", calls)
			}
		})
	}
}

func fail(code int, desc string) func(*telegramtest.Server, int64) {
	return func(s *telegramtest.Server, _ int64) {
		s.Fail("sendMessage", telegramtest.Failure{Code: code, Description: desc})
	}
}

// TestSendRejectsOtherChats: only "tg:<id>" chats are Telegram's.
func TestSendRejectsOtherChats(t *testing.T) {
	h := newHarness(t, harnessOpts{conv: &countingConv{}})
	for _, chat := range []flows.ChatID{"wa:32470000001@s.whatsapp.net", "cli:local", "tg:", "tg:abc", "tg:+42", "tg:042", "tg:0", "42"} {
		if err := h.a.Send(t.Context(), chat, []flows.Reply{{Text: "x"}}); err == nil || errors.Is(err, bot.ErrUnreachable) {
			t.Errorf("Send(%q) = %v, want an error other than unreachable", chat, err)
		}
	}
	if n := len(h.srv.CallsTo("sendMessage")); n != 0 {
		t.Errorf("%d messages sent, want none", n)
	}
}

// TestSendAfterStop: once the adapter stopped, a push is refused rather
// than started behind the final wait.
func TestSendAfterStop(t *testing.T) {
	h := newHarness(t, harnessOpts{conv: &countingConv{}, poll: true})
	h.stop()
	err := h.a.Send(t.Context(), tgChat(732000007), []flows.Reply{{Text: "x"}})
	if err == nil || errors.Is(err, bot.ErrUnreachable) {
		t.Errorf("Send after Poll returned = %v, want an error other than unreachable", err)
	}
	if n := len(h.srv.CallsTo("sendMessage")); n != 0 {
		t.Errorf("%d messages sent, want none", n)
	}
}
