package whatsapp

import (
	"context"
	"log/slog"
	"strconv"
	"strings"
	"sync"
	"testing"
	"time"

	"go.mau.fi/whatsmeow"
	"go.mau.fi/whatsmeow/proto/waE2E"
	"go.mau.fi/whatsmeow/types"
	"go.mau.fi/whatsmeow/types/events"
	"google.golang.org/protobuf/proto"

	"github.com/secours/secours/bot"
	"github.com/secours/secours/bot/channeltest"
	"github.com/secours/secours/configs"
	"github.com/secours/secours/referral"
	"github.com/secours/secours/store/memory"
)

// The people of the tests. Their phone (device 0) and a linked computer
// (device 7) must share one chat.
var (
	bePhone = types.JID{User: "32470000001", Server: types.DefaultUserServer}
	beDesk  = types.JID{User: "32470000001", Device: 7, Server: types.DefaultUserServer}
	frPhone = types.JID{User: "33612345678", Server: types.DefaultUserServer}
	dePhone = types.JID{User: "4915112345678", Server: types.DefaultUserServer}
	someLID = types.JID{User: "123456789012345", Server: types.HiddenUserServer}
	aGroup  = types.JID{User: "120363000000000001", Server: types.GroupServer}
	botPN   = types.JID{User: "32460000000", Server: types.DefaultUserServer}
)

// t0 is a Tuesday at 10:00 in Brussels, as in the golden transcripts.
var t0 = time.Date(2025, 3, 4, 10, 0, 0, 0, time.FixedZone("CET", 3600))

// newRunner returns the real engine with the memory store and a clock
// that moves 20 s per message.
func newRunner(t testing.TB, log *slog.Logger) *bot.Runner {
	var mu sync.Mutex
	now := t0
	clock := func() time.Time {
		mu.Lock()
		defer mu.Unlock()
		now = now.Add(20 * time.Second)
		return now
	}
	return newRunnerAt(t, log, clock)
}

// newRunnerAt is newRunner on a clock of the caller's.
func newRunnerAt(t testing.TB, log *slog.Logger, clock func() time.Time) *bot.Runner {
	eng, _ := channeltest.Engine(t)
	return &bot.Runner{Engine: eng, Store: memory.New(time.Hour, clock), Now: clock, Log: log}
}

// newReferralRunner is newRunner with a store that keeps referrals too,
// for conversations that go on to a referral and its relay mode.
func newReferralRunner(t testing.TB, log *slog.Logger) (*bot.Runner, *memory.Store) {
	r := newRunner(t, log)
	st := memory.New(time.Hour, r.Now)
	r.Store, r.Referrals, r.Structures = st, referral.NewLedger(r.Engine, st), st
	return r, st
}

// fakeClient records what the adapter asks of WhatsApp.
type fakeClient struct {
	mu       sync.Mutex // guards everything below
	sent     []sentMsg
	reads    []types.MessageID
	presence []types.ChatPresence
	rejected []string
	sendErr  error
	notOn    map[string]bool // numbers without a WhatsApp account
	checks   int             // IsOnWhatsApp calls
	checkErr error
}

type sentMsg struct {
	to  types.JID
	msg *waE2E.Message
}

func (f *fakeClient) SendMessage(_ context.Context, to types.JID, m *waE2E.Message, _ ...whatsmeow.SendRequestExtra) (whatsmeow.SendResponse, error) {
	f.mu.Lock()
	defer f.mu.Unlock()
	if f.sendErr != nil {
		return whatsmeow.SendResponse{}, f.sendErr
	}
	f.sent = append(f.sent, sentMsg{to: to, msg: proto.Clone(m).(*waE2E.Message)})
	return whatsmeow.SendResponse{ID: "sent-" + strconv.Itoa(len(f.sent))}, nil
}

func (f *fakeClient) MarkRead(_ context.Context, ids []types.MessageID, _ time.Time, _, _ types.JID, _ ...types.ReceiptType) error {
	f.mu.Lock()
	defer f.mu.Unlock()
	f.reads = append(f.reads, ids...)
	return nil
}

func (f *fakeClient) SendChatPresence(_ context.Context, _ types.JID, state types.ChatPresence, _ types.ChatPresenceMedia) error {
	f.mu.Lock()
	defer f.mu.Unlock()
	f.presence = append(f.presence, state)
	return nil
}

func (f *fakeClient) RejectCall(_ context.Context, _ types.JID, callID string) error {
	f.mu.Lock()
	defer f.mu.Unlock()
	f.rejected = append(f.rejected, callID)
	return nil
}

func (f *fakeClient) IsOnWhatsApp(_ context.Context, phones []string) ([]types.IsOnWhatsAppResponse, error) {
	f.mu.Lock()
	defer f.mu.Unlock()
	f.checks++
	if f.checkErr != nil {
		return nil, f.checkErr
	}
	var out []types.IsOnWhatsAppResponse
	for _, p := range phones {
		user := strings.TrimPrefix(p, "+")
		out = append(out, types.IsOnWhatsAppResponse{Query: p, JID: types.NewJID(user, types.DefaultUserServer), IsIn: !f.notOn[user]})
	}
	return out, nil
}

// texts returns the text messages sent from index i on.
func (f *fakeClient) texts(i int) []string {
	f.mu.Lock()
	defer f.mu.Unlock()
	var out []string
	for _, s := range f.sent[i:] {
		if s.msg.Conversation != nil {
			out = append(out, s.msg.GetConversation())
		}
	}
	return out
}

func (f *fakeClient) count() int {
	f.mu.Lock()
	defer f.mu.Unlock()
	return len(f.sent)
}

// newAdapter wires an adapter to conv and a fake client.
func newAdapter(t testing.TB, conv bot.Conversation, log *slog.Logger) (*Adapter, *fakeClient) {
	t.Helper()
	_, cats := channeltest.Engine(t)
	if log == nil {
		log = slog.New(slog.DiscardHandler)
	}
	fc := &fakeClient{}
	a, err := New(conv, fc, Options{Catalogs: cats, Log: log, Self: []types.JID{botPN}, Texts: configs.FS})
	if err != nil {
		t.Fatal(err)
	}
	return a, fc
}

// waitIdle waits until every queued message has been answered. The
// handler calls that queued them returned before, on this goroutine, so
// no worker can start during the wait.
func waitIdle(t testing.TB, a *Adapter) {
	t.Helper()
	a.chats.Wait()
}

// event builds an incoming one-to-one message from a device of sender.
func event(sender types.JID, id string, m *waE2E.Message) *events.Message {
	return &events.Message{
		Info: types.MessageInfo{
			MessageSource: types.MessageSource{Chat: sender.ToNonAD(), Sender: sender},
			ID:            id, Timestamp: t0, Type: "text",
		},
		Message: m, RawMessage: m,
	}
}

func text(s string) *waE2E.Message { return &waE2E.Message{Conversation: proto.String(s)} }
