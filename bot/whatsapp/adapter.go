package whatsapp

import (
	"context"
	"errors"
	"io/fs"
	"log/slog"
	"math"
	"slices"
	"strings"
	"time"

	"go.mau.fi/whatsmeow"
	"go.mau.fi/whatsmeow/proto/waE2E"
	"go.mau.fi/whatsmeow/types"
	"go.mau.fi/whatsmeow/types/events"

	"github.com/secours/secours/bot"
	"github.com/secours/secours/flows"
	"github.com/secours/secours/geo"
)

// Client is what the adapter needs of *whatsmeow.Client. Tests use a fake
// that records the calls.
type Client interface {
	SendMessage(ctx context.Context, to types.JID, m *waE2E.Message, extra ...whatsmeow.SendRequestExtra) (whatsmeow.SendResponse, error)
	MarkRead(ctx context.Context, ids []types.MessageID, ts time.Time, chat, sender types.JID, extra ...types.ReceiptType) error
	SendChatPresence(ctx context.Context, chat types.JID, state types.ChatPresence, media types.ChatPresenceMedia) error
	RejectCall(ctx context.Context, from types.JID, callID string) error
	// IsOnWhatsApp tells, before a push, whether a number still has an
	// account ("+32470000001").
	IsOnWhatsApp(ctx context.Context, phones []string) ([]types.IsOnWhatsAppResponse, error)
}

var _ Client = (*whatsmeow.Client)(nil)

// LIDStore finds the phone-number JID behind a LID (the privacy id
// WhatsApp uses more and more in place of the number). The device's
// store.Device.LIDs implements it.
type LIDStore interface {
	GetPNForLID(ctx context.Context, lid types.JID) (types.JID, error)
}

// Options are the adapter's optional settings.
type Options struct {
	// LIDs maps LID senders to their phone number, so that one person has
	// one chat whichever id a message carries. Nil: a LID sender keeps a
	// LID chat id.
	LIDs LIDStore
	// Catalogs (French and Dutch, required) tell the session language from
	// the labels of a reply, for the hint line under a list: flows.Reply
	// carries no language.
	Catalogs map[flows.Lang]flows.Catalog
	// Self are the bot's own JIDs (phone and LID): a group message that
	// mentions one of them gets the "write to me privately" line.
	Self []types.JID
	// Log gets one line per failure or ignored message, never a phone
	// number or a text. Nil: slog.Default().
	Log *slog.Logger
	// Timeout bounds one update, replies included; 0: one minute.
	Timeout time.Duration
	// Texts holds the channel's own catalogue,
	// configs/i18n/whatsapp.<lang>.json (configs.FS): the reply hint under a numbered list, how to share a
	// location, and the line for groups, FR and NL. The conversation's
	// wording stays in the flows catalogues.
	Texts fs.FS
}

// maxQueued bounds the messages waiting for one chat: a flood is dropped
// rather than held in memory.
const maxQueued = 32

// maxLen keeps each sent message readable; WhatsApp itself allows ~65k.
const maxLen = 4096

// Adapter translates WhatsApp events to neutral messages and replies back.
// Its methods are safe for concurrent use.
type Adapter struct {
	conv    bot.Conversation
	client  Client
	lids    LIDStore
	log     *slog.Logger
	texts   *texts
	langs   *bot.Langs // a reply's language, from its labels
	self    []string   // own JIDs without device, as mentions spell them
	timeout time.Duration
	now     func() time.Time // the age of pushed lists; tests set it

	// chats answers each chat's messages and sends its pushes in order.
	chats bot.Chats[flows.ChatID]
	lists bot.Pushed // the numbered list a push left open, per chat
}

// New returns an adapter that answers through conv and sends with c.
func New(conv bot.Conversation, c Client, o Options) (*Adapter, error) {
	if conv == nil || c == nil {
		return nil, errors.New("whatsapp: conversation and client are required")
	}
	if len(o.Catalogs[flows.FR]) == 0 || len(o.Catalogs[flows.NL]) == 0 {
		// Without them every hint would be bilingual.
		return nil, errors.New("whatsapp: the fr and nl catalogues are required")
	}
	t, err := loadTexts(o.Texts)
	if err != nil {
		return nil, err
	}
	a := &Adapter{
		conv: conv, client: c, lids: o.LIDs, log: o.Log, texts: t, timeout: o.Timeout,
		langs: bot.NewLangs(o.Catalogs),
		now:   time.Now,
	}
	if a.log == nil {
		a.log = slog.Default()
	}
	a.chats.MaxTasks = maxQueued
	a.chats.Dropped = func(key flows.ChatID, n int) {
		a.log.Warn("messages dropped at shutdown", slog.Any("chat", key), slog.String("channel", "wa"), slog.Int("count", n))
	}
	if a.timeout == 0 {
		a.timeout = time.Minute
	}
	for _, j := range o.Self {
		if !j.IsEmpty() {
			a.self = append(a.self, j.ToNonAD().String())
		}
	}
	return a, nil
}

// slotOf tells the session language from the labels (bot.Langs): a
// reply with no telling label gets both languages, never a wrong guess.
// Only the language question is such a reply (TestHintLanguage).
func (a *Adapter) slotOf(r *flows.Reply) int {
	switch a.langs.Of(r) {
	case flows.FR:
		return slotFR
	case flows.NL:
		return slotNL
	}
	return slotBoth
}

// inbound is one incoming message, translated and ready to answer.
type inbound struct {
	msg    flows.Msg
	to     types.JID // the chat to answer in, as WhatsApp named it
	sender types.JID // for the read receipt
	ts     time.Time
	group  bool   // answer the group line instead of the conversation
	callID string // a call to reject; no read receipt then
}

// Why a message is not answered, for the debug log.
const (
	skipFromMe    = "from_me"
	skipBroadcast = "broadcast"
	skipGroup     = "group"
	skipServer    = "server"
	skipEdit      = "edit"
	skipProtocol  = "protocol"
	skipReaction  = "reaction"
	skipOther     = "other"
)

// translate turns a message event into an inbound, or says why it is not
// answered. It only reads the event (and the LID store for LID senders).
func (a *Adapter) translate(ctx context.Context, evt *events.Message) (in inbound, skip string) {
	info := &evt.Info
	chat := info.Chat
	switch {
	case info.IsFromMe:
		return in, skipFromMe
	case chat.Server == types.BroadcastServer:
		// Status updates and broadcast lists are not a conversation.
		return in, skipBroadcast
	case chat.Server == types.GroupServer:
		if a.mentioned(evt.Message) {
			// The group's own key: the queue and the logs follow the group,
			// not a member.
			return inbound{msg: flows.Msg{Chat: flows.ChatID("wa-group:" + chat.User)}, to: chat, group: true}, ""
		}
		return in, skipGroup
	case chat.Server != types.DefaultUserServer && chat.Server != types.HiddenUserServer, info.IsGroup:
		return in, skipServer // newsletters, bots, hosted business accounts
	}
	m := evt.Message
	switch {
	case m == nil:
		return in, skipOther
	case evt.IsEdit || info.Edit != types.EditAttributeEmpty:
		// The first answer stands; an edit is not a new answer.
		return in, skipEdit
	case m.ProtocolMessage != nil:
		return in, skipProtocol // revokes, edits, key shares, settings
	case m.ReactionMessage != nil || m.EncReactionMessage != nil:
		return in, skipReaction
	}
	in = inbound{to: chat, sender: info.Sender, ts: info.Timestamp}
	in.msg.ID = info.ID
	in.msg.Chat, in.msg.Country = a.chatID(ctx, info)
	switch {
	case m.Conversation != nil:
		in.msg.Kind, in.msg.Text = flows.KindText, m.GetConversation()
	case m.ExtendedTextMessage != nil:
		in.msg.Kind, in.msg.Text = flows.KindText, m.GetExtendedTextMessage().GetText()
	case m.LocationMessage != nil:
		l := m.GetLocationMessage()
		in.msg.Kind, in.msg.Loc = location(l.GetDegreesLatitude(), l.GetDegreesLongitude())
	case m.LiveLocationMessage != nil:
		l := m.GetLiveLocationMessage()
		// Only its start reaches a linked device (whatsmeow#24): the moves
		// that follow never arrive as messages, so it is one position.
		in.msg.Kind, in.msg.Loc = location(l.GetDegreesLatitude(), l.GetDegreesLongitude())
	case m.ImageMessage != nil, m.StickerMessage != nil, m.AudioMessage != nil,
		m.VideoMessage != nil, m.PtvMessage != nil, m.DocumentMessage != nil,
		m.ContactMessage != nil, m.ContactsArrayMessage != nil,
		m.PollCreationMessage != nil, m.PollCreationMessageV2 != nil, m.PollCreationMessageV3 != nil,
		m.ButtonsResponseMessage != nil, m.ListResponseMessage != nil:
		// Something a person sent on purpose that the bot cannot read: the
		// engine answers kindly and asks its question again.
		in.msg.Kind = flows.KindUnsupported
	default:
		// Key distribution, pins, keep-in-chat, poll votes…: system traffic.
		return inbound{}, skipOther
	}
	return in, ""
}

// location returns a shared position, or unsupported if it is not one.
func location(lat, lon float64) (flows.Kind, geo.Point) {
	if math.IsNaN(lat) || math.IsNaN(lon) || lat < -90 || lat > 90 || lon < -180 || lon > 180 || lat == 0 && lon == 0 {
		return flows.KindUnsupported, geo.Point{}
	}
	return flows.KindLocation, geo.Point{Lat: lat, Lon: lon}
}

// chatID names the person, not the device: the phone-number JID without
// device part, so that a phone and its linked computer share one chat. A
// LID sender is mapped to its number when WhatsApp or the store knows it.
// The country hint follows the number's prefix.
func (a *Adapter) chatID(ctx context.Context, info *types.MessageInfo) (flows.ChatID, string) {
	who := info.Sender.ToNonAD()
	if who.IsEmpty() {
		who = info.Chat.ToNonAD()
	}
	if who.Server == types.HiddenUserServer {
		if alt := info.SenderAlt.ToNonAD(); alt.Server == types.DefaultUserServer && alt.User != "" {
			who = alt
		} else if a.lids != nil {
			if pn, err := a.lids.GetPNForLID(ctx, who); err == nil && pn.Server == types.DefaultUserServer && pn.User != "" {
				who = pn.ToNonAD()
			}
		}
	}
	return peerChat(who), country(who)
}

func peerChat(who types.JID) flows.ChatID {
	return flows.ChatID("wa:" + who.User + "@" + who.Server)
}

// country is the hint the engine uses to skip the country question.
func country(who types.JID) string {
	if who.Server != types.DefaultUserServer {
		return ""
	}
	switch {
	case strings.HasPrefix(who.User, "32"):
		return "BE"
	case strings.HasPrefix(who.User, "33"):
		return "FR"
	}
	return ""
}

// mentioned reports whether a group message names the bot or quotes it.
func (a *Adapter) mentioned(m *waE2E.Message) bool {
	if len(a.self) == 0 || m == nil {
		return false
	}
	ci := m.GetExtendedTextMessage().GetContextInfo()
	for _, s := range a.self {
		if ci.GetParticipant() == s {
			return true
		}
		for _, j := range ci.GetMentionedJID() {
			if j == s {
				return true
			}
		}
	}
	return false
}

// call translates a call offer: the call is rejected and the person gets
// the engine's "I only read text" answer. Group calls are ignored.
func (a *Adapter) call(ctx context.Context, c *events.CallOffer) (inbound, string) {
	if !c.GroupJID.IsEmpty() {
		return inbound{}, skipGroup
	}
	from := c.From.ToNonAD()
	if from.Server != types.DefaultUserServer && from.Server != types.HiddenUserServer {
		return inbound{}, skipServer
	}
	info := types.MessageInfo{MessageSource: types.MessageSource{Chat: from, Sender: from}}
	if alt := c.CallCreatorAlt; alt.Server == types.DefaultUserServer {
		info.SenderAlt = alt
	}
	in := inbound{to: from, sender: c.From, ts: c.Timestamp, callID: c.CallID}
	in.msg.Kind, in.msg.ID = flows.KindUnsupported, "wa-call-"+c.CallID
	in.msg.Chat, in.msg.Country = a.chatID(ctx, &info)
	return in, ""
}

// Handler returns the whatsmeow event handler: it translates the event
// at once and queues the answer on the chat's worker, so that WhatsApp's
// event loop never waits for the session store or the network (a LID
// sender costs one look-up in the device's own store). ctx bounds the
// answers: once it is done, the answer under way is abandoned and the
// queued ones are dropped. Run keeps it alive a little past its own
// context so that a shutdown can finish them.
func (a *Adapter) Handler(ctx context.Context) func(evt any) {
	return func(evt any) { a.dispatch(ctx, evt) }
}

func (a *Adapter) dispatch(ctx context.Context, evt any) {
	var (
		in   inbound
		skip string
	)
	switch e := evt.(type) {
	case *events.Message:
		if e == nil {
			return
		}
		in, skip = a.translate(ctx, e)
	case *events.CallOffer:
		if e == nil {
			return
		}
		in, skip = a.call(ctx, e)
	default:
		return
	}
	if skip != "" {
		a.log.Debug("message ignored", slog.String("channel", "wa"), slog.String("event", skip))
		return
	}
	a.enqueue(ctx, &in)
}

// enqueue queues the answer on the chat's worker (bot.Chats): one chat's
// messages are answered in order, chats in parallel. A flood (maxQueued)
// is dropped; once ctx is done the message is dropped, not answered.
func (a *Adapter) enqueue(ctx context.Context, in *inbound) {
	key := in.msg.Chat
	queued := time.Now()
	switch a.chats.Update(ctx, key, func() {
		in.msg.Waited = time.Since(queued) // the redelivery rule counts from arrival
		a.handle(ctx, in)
	}, nil) {
	case bot.Closed:
		a.log.Warn("message dropped at shutdown", slog.Any("chat", key), slog.String("channel", "wa"))
	case bot.Flood, bot.Flooding:
		a.log.Warn("chat queue full, message dropped", slog.Any("chat", key), slog.String("channel", "wa"))
	}
}

// Close stops taking messages and pushes, and waits until the queued ones
// are answered, or dropped once their context is done (the handler's for
// messages, Send's for pushes).
func (a *Adapter) Close() { a.chats.Close() }

// handle answers one message: read receipt, "typing…", the conversation,
// then the replies.
func (a *Adapter) handle(ctx context.Context, in *inbound) {
	ctx, cancel := context.WithTimeout(ctx, a.timeout)
	defer cancel()
	if in.group {
		a.sendAll(ctx, in, []outgoing{{text: a.texts.group}})
		return
	}
	switch {
	case in.callID != "":
		if err := a.client.RejectCall(ctx, in.sender, in.callID); err != nil {
			a.fail("reject call failed", in.msg.Chat, err)
		}
	case in.msg.ID != "": // whatsmeow refuses a receipt without an id
		if err := a.client.MarkRead(ctx, []types.MessageID{in.msg.ID}, in.ts, in.to, in.sender); err != nil {
			a.fail("mark read failed", in.msg.Chat, err)
		}
	}
	if err := a.client.SendChatPresence(ctx, in.to, types.ChatPresenceComposing, types.ChatPresenceMediaText); err != nil {
		a.fail("chat presence failed", in.msg.Chat, err)
	}
	if in.msg.Kind == flows.KindText {
		if key, ok := a.lists.Choice(in.msg.Chat, in.msg.Text, a.now()); ok {
			in.msg.Kind, in.msg.Choice, in.msg.Text = flows.KindChoice, key, ""
		}
	}
	replies := a.conv.Handle(ctx, in.msg)
	if slices.ContainsFunc(replies, func(r flows.Reply) bool { return len(r.Choices) > 0 }) {
		// The conversation's list is now the newest: a number answers it.
		a.lists.Forget(in.msg.Chat)
	}
	if a.sendAll(ctx, in, a.messages(replies)) == 0 {
		// A sent message ends "typing…" by itself; otherwise end it here.
		if err := a.client.SendChatPresence(ctx, in.to, types.ChatPresencePaused, types.ChatPresenceMediaText); err != nil {
			a.fail("chat presence failed", in.msg.Chat, err)
		}
	}
}

// sendAll sends one turn's messages and logs a failure; it returns how
// many were sent.
func (a *Adapter) sendAll(ctx context.Context, in *inbound, out []outgoing) int {
	n, err := a.sendTo(ctx, in.to, out)
	if err != nil {
		a.fail("send failed", in.msg.Chat, err)
	}
	return n
}

// sendTo sends in order and stops at the first failure, so that a later
// message never arrives without the one before it. It returns how many
// were sent.
func (a *Adapter) sendTo(ctx context.Context, to types.JID, out []outgoing) (int, error) {
	for i, o := range out {
		m := &waE2E.Message{}
		if o.place != nil {
			p := o.place
			m.LocationMessage = &waE2E.LocationMessage{
				DegreesLatitude: &p.Loc.Lat, DegreesLongitude: &p.Loc.Lon,
				Name: &p.Name, Address: &p.Address,
			}
		} else {
			m.Conversation = &o.text
		}
		if _, err := a.client.SendMessage(ctx, to, m); err != nil {
			return i, err
		}
	}
	return len(out), nil
}

// fail logs a WhatsApp error without the numbers it may quote.
func (a *Adapter) fail(event string, chat flows.ChatID, err error) {
	a.log.Warn(event, slog.Any("chat", chat), slog.String("channel", "wa"), slog.String("err", redact(err.Error())))
}

// redact makes text from whatsmeow fit for the logs: it cuts at the first
// "<", since an XML node's attributes hold ids and push names, and
// replaces every run of five digits or more (a phone number, a JID) with
// "…".
func redact(s string) string {
	if i := strings.IndexByte(s, '<'); i >= 0 {
		s = s[:i] + "…"
	}
	run, long := 0, false
	for i := 0; i < len(s) && !long; i++ {
		if s[i] >= '0' && s[i] <= '9' {
			run++
		} else {
			run = 0
		}
		long = run >= 5
	}
	if !long {
		return s
	}
	var b strings.Builder
	b.Grow(len(s))
	run = 0
	for i := 0; i <= len(s); i++ {
		if i < len(s) && s[i] >= '0' && s[i] <= '9' {
			run++
			continue
		}
		if run >= 5 {
			b.WriteString("…")
		} else {
			b.WriteString(s[i-run : i])
		}
		run = 0
		if i < len(s) {
			b.WriteByte(s[i])
		}
	}
	return b.String()
}
