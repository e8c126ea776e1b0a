package whatsapp

import (
	"context"
	"errors"
	"fmt"
	"log/slog"
	"maps"
	"slices"
	"strings"
	"sync"
	"testing"
	"time"

	"go.mau.fi/whatsmeow/proto/waE2E"
	"go.mau.fi/whatsmeow/types"
	"go.mau.fi/whatsmeow/types/events"
	"google.golang.org/protobuf/proto"

	"github.com/secours/secours/bot/channeltest"
	"github.com/secours/secours/configs"
	"github.com/secours/secours/flows"
	"github.com/secours/secours/geo"
)

// lidStore knows one LID.
type lidStore map[types.JID]types.JID

func (l lidStore) GetPNForLID(_ context.Context, lid types.JID) (types.JID, error) {
	if pn, ok := l[lid]; ok {
		return pn, nil
	}
	return types.JID{}, nil
}

// TestTranslate feeds real whatsmeow events and checks the neutral
// message, or why the event is not answered.
func TestTranslate(t *testing.T) {
	const beChat = flows.ChatID("wa:32470000001@s.whatsapp.net")
	loc := func(lat, lon float64) *waE2E.Message {
		return &waE2E.Message{LocationMessage: &waE2E.LocationMessage{DegreesLatitude: &lat, DegreesLongitude: &lon}}
	}
	mod := func(e *events.Message, f func(*events.Message)) *events.Message { f(e); return e }
	tests := []struct {
		name string
		evt  *events.Message
		want flows.Msg
		skip string
	}{
		{"conversation", event(bePhone, "A1", text("2")),
			flows.Msg{Chat: beChat, ID: "A1", Kind: flows.KindText, Text: "2", Country: "BE"}, ""},
		{"linked computer shares the chat", event(beDesk, "A2", text("deux")),
			flows.Msg{Chat: beChat, ID: "A2", Kind: flows.KindText, Text: "deux", Country: "BE"}, ""},
		{"extended text", event(frPhone, "A3", &waE2E.Message{ExtendedTextMessage: &waE2E.ExtendedTextMessage{Text: proto.String("Santé https://x")}}),
			flows.Msg{Chat: "wa:33612345678@s.whatsapp.net", ID: "A3", Kind: flows.KindText, Text: "Santé https://x", Country: "FR"}, ""},
		{"other country: no hint", event(dePhone, "A4", text("hallo")),
			flows.Msg{Chat: "wa:4915112345678@s.whatsapp.net", ID: "A4", Kind: flows.KindText, Text: "hallo"}, ""},
		{"pin", event(bePhone, "A5", loc(51.2199, 4.4035)),
			flows.Msg{Chat: beChat, ID: "A5", Kind: flows.KindLocation, Loc: geo.Point{Lat: 51.2199, Lon: 4.4035}, Country: "BE"}, ""},
		{"live location", event(bePhone, "A6", &waE2E.Message{LiveLocationMessage: &waE2E.LiveLocationMessage{DegreesLatitude: proto.Float64(50.63), DegreesLongitude: proto.Float64(3.06)}}),
			flows.Msg{Chat: beChat, ID: "A6", Kind: flows.KindLocation, Loc: geo.Point{Lat: 50.63, Lon: 3.06}, Country: "BE"}, ""},
		{"null island is not a place", event(bePhone, "A7", loc(0, 0)),
			flows.Msg{Chat: beChat, ID: "A7", Kind: flows.KindUnsupported, Country: "BE"}, ""},
		{"pin without coordinates", event(bePhone, "A8", &waE2E.Message{LocationMessage: &waE2E.LocationMessage{}}),
			flows.Msg{Chat: beChat, ID: "A8", Kind: flows.KindUnsupported, Country: "BE"}, ""},
		{"empty conversation", event(bePhone, "A9", text("")),
			flows.Msg{Chat: beChat, ID: "A9", Kind: flows.KindText, Country: "BE"}, ""},
		{"extended text without text", event(bePhone, "A10", &waE2E.Message{ExtendedTextMessage: &waE2E.ExtendedTextMessage{}}),
			flows.Msg{Chat: beChat, ID: "A10", Kind: flows.KindText, Country: "BE"}, ""},
		{"image", event(bePhone, "B1", &waE2E.Message{ImageMessage: &waE2E.ImageMessage{Caption: proto.String("2")}}),
			flows.Msg{Chat: beChat, ID: "B1", Kind: flows.KindUnsupported, Country: "BE"}, ""},
		{"sticker", event(bePhone, "B2", &waE2E.Message{StickerMessage: &waE2E.StickerMessage{}}),
			flows.Msg{Chat: beChat, ID: "B2", Kind: flows.KindUnsupported, Country: "BE"}, ""},
		{"voice note", event(bePhone, "B3", &waE2E.Message{AudioMessage: &waE2E.AudioMessage{PTT: proto.Bool(true)}}),
			flows.Msg{Chat: beChat, ID: "B3", Kind: flows.KindUnsupported, Country: "BE"}, ""},
		{"document", event(bePhone, "B4", &waE2E.Message{DocumentMessage: &waE2E.DocumentMessage{FileName: proto.String("a.pdf")}}),
			flows.Msg{Chat: beChat, ID: "B4", Kind: flows.KindUnsupported, Country: "BE"}, ""},
		{"video", event(bePhone, "B5", &waE2E.Message{VideoMessage: &waE2E.VideoMessage{}}),
			flows.Msg{Chat: beChat, ID: "B5", Kind: flows.KindUnsupported, Country: "BE"}, ""},
		{"contact card", event(bePhone, "B6", &waE2E.Message{ContactMessage: &waE2E.ContactMessage{}}),
			flows.Msg{Chat: beChat, ID: "B6", Kind: flows.KindUnsupported, Country: "BE"}, ""},
		{"LID sender with its number", mod(event(someLID, "C1", text("1")), func(e *events.Message) {
			e.Info.SenderAlt = bePhone
			e.Info.AddressingMode = types.AddressingModeLID
		}), flows.Msg{Chat: beChat, ID: "C1", Kind: flows.KindText, Text: "1", Country: "BE"}, ""},
		{"LID sender alone", event(someLID, "C2", text("1")),
			flows.Msg{Chat: "wa:123456789012345@lid", ID: "C2", Kind: flows.KindText, Text: "1"}, ""},

		{"from me", mod(event(bePhone, "D1", text("1")), func(e *events.Message) { e.Info.IsFromMe = true }), flows.Msg{}, skipFromMe},
		{"group", mod(event(bePhone, "D2", text("1")), func(e *events.Message) {
			e.Info.Chat, e.Info.IsGroup = aGroup, true
		}), flows.Msg{}, skipGroup},
		{"status broadcast", mod(event(bePhone, "D3", text("1")), func(e *events.Message) {
			e.Info.Chat = types.StatusBroadcastJID
		}), flows.Msg{}, skipBroadcast},
		{"newsletter", mod(event(bePhone, "D4", text("1")), func(e *events.Message) {
			e.Info.Chat = types.JID{User: "1203", Server: types.NewsletterServer}
		}), flows.Msg{}, skipServer},
		{"reaction", event(bePhone, "D5", &waE2E.Message{ReactionMessage: &waE2E.ReactionMessage{Text: proto.String("👍")}}), flows.Msg{}, skipReaction},
		{"edit", event(bePhone, "D6", &waE2E.Message{ProtocolMessage: &waE2E.ProtocolMessage{
			Type:          waE2E.ProtocolMessage_MESSAGE_EDIT.Enum(),
			EditedMessage: text("3"),
		}}), flows.Msg{}, skipProtocol},
		{"unwrapped edit", mod(event(bePhone, "D7", text("3")), func(e *events.Message) { e.IsEdit = true }), flows.Msg{}, skipEdit},
		{"revoke", event(bePhone, "D8", &waE2E.Message{ProtocolMessage: &waE2E.ProtocolMessage{Type: waE2E.ProtocolMessage_REVOKE.Enum()}}), flows.Msg{}, skipProtocol},
		{"key distribution only", event(bePhone, "D9", &waE2E.Message{SenderKeyDistributionMessage: &waE2E.SenderKeyDistributionMessage{}}), flows.Msg{}, skipOther},
		{"no content", event(bePhone, "D10", nil), flows.Msg{}, skipOther},
		{"no oneof set", event(bePhone, "D11", &waE2E.Message{}), flows.Msg{}, skipOther},
		{"no info at all", &events.Message{Message: text("1")}, flows.Msg{}, skipServer},
		{"broadcast list", mod(event(bePhone, "D12", text("1")), func(e *events.Message) {
			e.Info.Chat = types.JID{User: "1700000000", Server: types.BroadcastServer}
		}), flows.Msg{}, skipBroadcast},
		{"bot account", mod(event(bePhone, "D13", text("1")), func(e *events.Message) {
			e.Info.Chat = types.JID{User: "867051314767696", Server: types.BotServer}
		}), flows.Msg{}, skipServer},
	}
	a, _ := newAdapter(t, &channeltest.Recorder{}, nil)
	a.lids = lidStore{}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			in, skip := a.translate(t.Context(), tt.evt)
			if skip != tt.skip {
				t.Fatalf("translate skip = %q, want %q", skip, tt.skip)
			}
			if skip == "" && in.msg != tt.want {
				t.Errorf("translate = %+v, want %+v", in.msg, tt.want)
			}
		})
	}
}

// TestTranslateLIDStore maps a LID sender through the device's LID store.
func TestTranslateLIDStore(t *testing.T) {
	a, _ := newAdapter(t, &channeltest.Recorder{}, nil)
	a.lids = lidStore{someLID: frPhone}
	in, skip := a.translate(t.Context(), event(someLID, "L1", text("1")))
	if skip != "" || in.msg.Chat != "wa:33612345678@s.whatsapp.net" || in.msg.Country != "FR" {
		t.Errorf("translate = %+v (%q), want the FR number's chat", in.msg, skip)
	}
	if in.to != someLID {
		t.Errorf("answer goes to %v, want the chat WhatsApp used (%v)", in.to, someLID)
	}
}

// TestDispatch checks what reaches WhatsApp for each kind of event: kind
// answers through the conversation, silence for the rest, one line for a
// mention in a group, a rejected call.
func TestDispatch(t *testing.T) {
	rec := &channeltest.Recorder{Out: []flows.Reply{{Text: "ok"}}}
	a, fc := newAdapter(t, rec, nil)
	h := a.Handler(t.Context())
	group := event(bePhone, "G1", &waE2E.Message{ExtendedTextMessage: &waE2E.ExtendedTextMessage{
		Text:        proto.String("@bot hello"),
		ContextInfo: &waE2E.ContextInfo{MentionedJID: []string{botPN.String()}},
	}})
	group.Info.Chat, group.Info.IsGroup = aGroup, true
	quiet := event(bePhone, "G2", text("1"))
	quiet.Info.Chat, quiet.Info.IsGroup = aGroup, true
	call := &events.CallOffer{BasicCallMeta: types.BasicCallMeta{From: beDesk, CallID: "CALL1", Timestamp: t0}}
	groupCall := &events.CallOffer{BasicCallMeta: types.BasicCallMeta{From: beDesk, CallID: "CALL2", GroupJID: aGroup}}

	for _, evt := range []any{quiet, group, call, groupCall, event(bePhone, "S1", &waE2E.Message{StickerMessage: &waE2E.StickerMessage{}}), &events.Receipt{}, nil} {
		h(evt)
	}
	waitIdle(t, a)

	if len(rec.Msgs()) != 2 || rec.Msgs()[0].ID != "wa-call-CALL1" || rec.Msgs()[1].ID != "S1" {
		t.Fatalf("conversation got %+v, want the call then the sticker", rec.Msgs())
	}
	for _, m := range rec.Msgs() {
		if m.Kind != flows.KindUnsupported || m.Chat != "wa:32470000001@s.whatsapp.net" {
			t.Errorf("msg %+v, want unsupported in the person's chat", m)
		}
	}
	if len(fc.rejected) != 1 || fc.rejected[0] != "CALL1" {
		t.Errorf("rejected %v, want [CALL1]", fc.rejected)
	}
	if len(fc.reads) != 1 || fc.reads[0] != "S1" {
		t.Errorf("read receipts %v, want [S1] (no receipt for groups or calls)", fc.reads)
	}
	var toGroup []string
	for _, s := range fc.sent {
		if s.to == aGroup {
			toGroup = append(toGroup, s.msg.GetConversation())
		}
	}
	if len(toGroup) != 1 || !strings.Contains(toGroup[0], "message privé") || !strings.Contains(toGroup[0], "privébericht") {
		t.Errorf("group got %q, want the group line once, in both languages", toGroup)
	}
	if got := fc.count(); got != 3 {
		t.Errorf("%d messages sent, want 3 (group line, two answers)", got)
	}
}

// TestTypingAndRead: a read receipt and "typing…" before the answer, and
// "paused" only when nothing could be sent.
func TestTypingAndRead(t *testing.T) {
	rec := &channeltest.Recorder{Out: []flows.Reply{{Text: "ok"}}}
	var logs channeltest.Buffer
	a, fc := newAdapter(t, rec, slog.New(slog.NewJSONHandler(&logs, nil)))
	h := a.Handler(t.Context())
	h(event(bePhone, "T1", text("1")))
	waitIdle(t, a)
	if len(fc.reads) != 1 || len(fc.presence) != 1 || fc.presence[0] != types.ChatPresenceComposing {
		t.Errorf("reads %v, presence %v; want one read and composing", fc.reads, fc.presence)
	}
	fc.sendErr = errors.New("send to 32470000001@s.whatsapp.net: timed out")
	h(event(bePhone, "T2", text("1")))
	waitIdle(t, a)
	if got := fc.presence[len(fc.presence)-1]; got != types.ChatPresencePaused {
		t.Errorf("after a failed send, presence %q, want paused", got)
	}
	if !strings.Contains(logs.String(), "send failed") || strings.Contains(logs.String(), "32470000001") {
		t.Errorf("log should say the send failed, without the number:\n%s", logs.String())
	}
}

// blocker is a Conversation that holds the first message until released,
// so that a test can fill the chat's queue behind it.
type blocker struct {
	channeltest.Recorder
	started chan struct{}
	release chan struct{}
	once    sync.Once
}

func newBlocker() *blocker {
	return &blocker{started: make(chan struct{}), release: make(chan struct{})}
}

func (b *blocker) Handle(ctx context.Context, m flows.Msg) []flows.Reply {
	b.once.Do(func() {
		close(b.started)
		select {
		case <-b.release:
		case <-ctx.Done():
		}
	})
	return b.Recorder.Handle(ctx, m)
}

// TestChatOrder: one chat's messages are answered in order while another
// chat goes on; a full queue drops instead of growing, and nothing is
// answered after Close.
func TestChatOrder(t *testing.T) {
	var logs channeltest.Buffer
	conv := newBlocker()
	a, _ := newAdapter(t, conv, slog.New(slog.NewJSONHandler(&logs, nil)))
	h := a.Handler(t.Context())
	h(event(bePhone, "be-00", text("x")))
	<-conv.started // the BE worker holds be-00; its queue is empty
	var want []string
	for i := 1; i <= maxQueued+3; i++ {
		id := fmt.Sprintf("be-%02d", i)
		if i <= maxQueued {
			want = append(want, id)
		}
		h(event(bePhone, id, text("x")))
	}
	h(event(frPhone, "fr-1", text("y")))
	close(conv.release)
	a.Close()

	var be []string
	fr := 0
	for _, m := range conv.Msgs() {
		if m.Country == "BE" {
			be = append(be, m.ID)
		} else {
			fr++
		}
	}
	want = append([]string{"be-00"}, want...)
	if !slices.Equal(be, want) {
		t.Errorf("BE answered %v, want %v in order (3 dropped)", be, want)
	}
	if fr != 1 {
		t.Errorf("FR answered %d times, want 1", fr)
	}
	if n := strings.Count(logs.String(), "chat queue full"); n != 3 {
		t.Errorf("%d drops logged, want 3:\n%s", n, logs.String())
	}
	h(event(bePhone, "late", text("x")))
	a.chats.Wait()
	if got := len(conv.Msgs()); got != len(want)+1 {
		t.Errorf("%d messages answered after Close, want none", got-len(want)-1)
	}
	if a.chats.Busy() != 0 {
		t.Errorf("%d chat queues left, want none", a.chats.Busy())
	}
}

// TestShutdown: an answer that outlasts the grace period is abandoned,
// the messages queued behind it are dropped, and shutdown returns only
// once no worker is left.
func TestShutdown(t *testing.T) {
	conv := newBlocker() // never released: only ctx ends it
	a, _ := newAdapter(t, conv, nil)
	ctx, abandon := context.WithCancel(t.Context())
	h := a.Handler(ctx)
	h(event(bePhone, "S1", text("1")))
	<-conv.started
	h(event(bePhone, "S2", text("2")))
	a.shutdown(time.Millisecond, abandon)
	if ctx.Err() == nil {
		t.Error("the answers' context was not cancelled")
	}
	if a.chats.Busy() != 0 {
		t.Errorf("%d chat queues left after shutdown", a.chats.Busy())
	}
	if len(conv.Msgs()) != 1 || conv.Msgs()[0].ID != "S1" {
		t.Errorf("answered %+v, want S1 only (S2 dropped)", conv.Msgs())
	}
}

// TestNewNeedsCatalogs: without the catalogues every hint would be in
// both languages.
func TestNewNeedsCatalogs(t *testing.T) {
	_, cats := channeltest.Engine(t)
	for _, c := range []map[flows.Lang]flows.Catalog{nil, {flows.FR: cats[flows.FR]}} {
		if _, err := New(&channeltest.Recorder{}, &fakeClient{}, Options{Catalogs: c, Texts: configs.FS}); err == nil {
			t.Errorf("New with catalogues %v = nil error", slices.Collect(maps.Keys(c)))
		}
	}
	if _, err := New(nil, &fakeClient{}, Options{Catalogs: cats, Texts: configs.FS}); err == nil {
		t.Error("New without a conversation = nil error")
	}
}

func TestRedact(t *testing.T) {
	tests := []struct{ in, want string }{
		{"", ""},
		{"timeout", "timeout"},
		{"code 401", "code 401"},
		{"to 32470000001@s.whatsapp.net:12", "to …@s.whatsapp.net:12"},
		{"32470000001", "…"},
		{"a 1234 b 123456", "a 1234 b …"},
		{`took 2s for <message from="32470000001@s.whatsapp.net" notify="Jean Dupont">`, "took 2s for …"},
	}
	for _, tt := range tests {
		if got := redact(tt.in); got != tt.want {
			t.Errorf("redact(%q) = %q, want %q", tt.in, got, tt.want)
		}
	}
}

// FuzzTranslate: no event shape panics, and a translated text comes back
// unchanged (the engine, not the adapter, reads the answer).
func FuzzTranslate(f *testing.F) {
	f.Add("2️⃣", types.DefaultUserServer, "32470000001", 50.8, 4.3, uint8(0))
	f.Add("", types.HiddenUserServer, "", 0.0, 0.0, uint8(1))
	f.Add("deux", types.NewsletterServer, "1203", 91.0, -181.0, uint8(2))
	a, _ := newAdapter(f, &channeltest.Recorder{}, nil)
	a.lids = lidStore{}
	f.Fuzz(func(t *testing.T, s, server, user string, lat, lon float64, kind uint8) {
		var m *waE2E.Message
		switch kind % 4 {
		case 0:
			m = text(s)
		case 1:
			m = &waE2E.Message{LocationMessage: &waE2E.LocationMessage{DegreesLatitude: &lat, DegreesLongitude: &lon}}
		case 2:
			m = &waE2E.Message{LiveLocationMessage: &waE2E.LiveLocationMessage{}}
		}
		evt := event(types.JID{User: user, Server: server}, s, m)
		in, skip := a.translate(t.Context(), evt)
		if skip == "" && kind%4 == 0 && in.msg.Text != s {
			t.Fatalf("translate(%q).Text = %q", s, in.msg.Text)
		}
	})
}
