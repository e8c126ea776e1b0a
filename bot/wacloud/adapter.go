package wacloud

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io/fs"
	"log/slog"
	"math"
	"net/http"
	"slices"
	"strconv"
	"strings"
	"sync"
	"time"

	"github.com/secours/secours/bot"
	"github.com/secours/secours/flows"
	"github.com/secours/secours/geo"
	"github.com/secours/secours/internal/secret"
	"github.com/secours/secours/web"
)

// channel is the prefix of the chat ids and the channel of logs and
// metrics.
const channel = "wc"

// maxQueued bounds the tasks waiting for one chat: a flood is dropped
// rather than held in memory.
const maxQueued = 32

// maxWebhookBody bounds one webhook post: Meta batches at most a few
// dozen messages and statuses in one.
const maxWebhookBody = 1 << 20

// Options are what the adapter needs besides the settings.
type Options struct {
	Settings Settings
	// Catalogs (French and Dutch, required) tell a reply's language from
	// its labels (bot.Langs): the list button, the hint line and a push's
	// template are in the person's language.
	Catalogs map[flows.Lang]flows.Catalog
	// Texts holds the channel's catalogue, configs/i18n/wacloud.<lang>.json
	// (configs.FS).
	Texts fs.FS
	// Window keeps when each chat last wrote and the pushes held outside
	// the 24-hour window (store/memory, store/redis). Nil: unknown, every
	// push goes as a free message, and one Meta refuses for the window
	// (131047) goes as a template or is lost.
	Window Window
	// Lang is the session language of a push to chat when its replies do
	// not tell it; nil or "": Settings.DefaultLang.
	Lang func(ctx context.Context, chat flows.ChatID) flows.Lang
	// Log gets one line per failure or ignored message, never a phone
	// number or a text. Nil: slog.Default().
	Log *slog.Logger
	// Now is the clock of the window and of the pushed lists; nil:
	// time.Now.
	Now func() time.Time
	// HTTPClient calls the Graph API; nil: a client with a 20 s timeout.
	HTTPClient *http.Client
	// Timeout bounds one message's answer or one push, retries included;
	// 0: one minute.
	Timeout time.Duration
}

// Adapter translates the Cloud API's webhook posts to neutral messages
// and replies back to Graph API calls. Its methods are safe for
// concurrent use.
type Adapter struct {
	conv     bot.Conversation
	set      Settings
	token    string
	secret   string
	endpoint string // POST: {BaseURL}/{APIVersion}/{PhoneID}/messages
	http     *http.Client
	window   Window
	langOf   func(ctx context.Context, chat flows.ChatID) flows.Lang
	log      *slog.Logger
	texts    *texts
	langs    *bot.Langs
	now      func() time.Time
	timeout  time.Duration
	// sleep waits between attempts and for the rate; tests count.
	sleep func(ctx context.Context, d time.Duration) error

	paceMu sync.Mutex  // guards bucket
	bucket *bot.Bucket // nil: no rate

	// chats answers each chat's messages and sends its pushes in order.
	chats  bot.Chats[flows.ChatID]
	lists  bot.Pushed             // the numbered list a push left open, per chat
	sentMu sync.Mutex             // guards sent and swept
	sent   map[string]*pushRecord // pushes by message id, for a failed status
	swept  time.Time

	reads   chan struct{}  // a slot per read receipt under way (markReadLater)
	reading sync.WaitGroup // the read receipts under way
}

// maxReads bounds the read receipts under way; past it one is skipped:
// the ticks are a courtesy, never worth a queue.
const maxReads = 16

// New returns an adapter that answers through conv and sends with the
// settings of o (checked with Settings.Check first).
func New(conv bot.Conversation, o Options) (*Adapter, error) {
	if conv == nil {
		return nil, errors.New("wacloud: a conversation is required")
	}
	if len(o.Catalogs[flows.FR]) == 0 || len(o.Catalogs[flows.NL]) == 0 {
		return nil, errors.New("wacloud: the fr and nl catalogues are required")
	}
	if bad := o.Settings.Check(); len(bad) > 0 {
		return nil, fmt.Errorf("wacloud: %s", strings.Join(bad, "; "))
	}
	t, err := loadTexts(o.Texts)
	if err != nil {
		return nil, err
	}
	s := o.Settings
	a := &Adapter{
		conv: conv, set: s, window: o.Window, langOf: o.Lang, log: o.Log, texts: t,
		langs: bot.NewLangs(o.Catalogs), now: o.Now, timeout: o.Timeout, http: o.HTTPClient,
		endpoint: s.base() + "/" + s.version() + "/" + s.PhoneID + "/messages",
		sleep:    sleepCtx, sent: map[string]*pushRecord{}, reads: make(chan struct{}, maxReads),
	}
	if a.token, err = secret.Read(s.Token, s.TokenFile); err != nil {
		return nil, fmt.Errorf("wacloud token: %w", err)
	}
	if a.secret, err = secret.Read(s.AppSecret, s.AppSecretFile); err != nil {
		return nil, fmt.Errorf("wacloud app secret: %w", err)
	}
	if a.log == nil {
		a.log = slog.Default()
	}
	if a.now == nil {
		a.now = time.Now
	}
	if a.timeout == 0 {
		a.timeout = time.Minute
	}
	if a.http == nil {
		a.http = &http.Client{Timeout: 20 * time.Second}
	}
	if r, _ := s.rate(); r > 0 {
		a.bucket = bot.NewBucket(r, int(math.Ceil(r)))
	}
	a.chats.MaxTasks = maxQueued
	a.chats.Dropped = func(chat flows.ChatID, n int) {
		a.log.Warn("messages dropped at shutdown", slog.Any("chat", chat), slog.String("channel", channel), slog.Int("count", n))
	}
	return a, nil
}

// WebhookHandler is the webhook Meta posts to, under the common policy of
// signed webhooks (web.Signed): the subscription check answered with the
// verify token, each post checked against the app secret (401 otherwise)
// and bounded; then HandleWebhook.
func (a *Adapter) WebhookHandler() http.Handler {
	return web.Signed(web.SignedOptions{AppSecret: a.secret, VerifyToken: a.set.VerifyToken,
		MaxBody: maxWebhookBody, Logger: a.log}, a.HandleWebhook)
}

// Close stops taking messages and pushes, and waits until the queued ones
// are answered, or dropped once their context is done.
func (a *Adapter) Close() { a.chats.Close() }

// Wait returns once no chat has a message or a push queued or running.
// Call it after the webhook's server stopped taking requests.
func (a *Adapter) Wait() {
	a.chats.Wait()
	a.reading.Wait()
}

// inbound is one incoming message, translated.
type inbound struct {
	msg flows.Msg
	to  string    // the wa_id to answer
	at  time.Time // when the person wrote
}

// HandleWebhook handles one post as Meta sends it (already verified);
// false if the body is no webhook post, or if the adapter is closed (the
// 400, which Meta posts again). Its messages are answered before it
// returns, and so before the 200: a process killed halfway gets them again
// from Meta, and the engine drops a repeat by its id (the wamid). Each
// chat's messages keep their order on its worker (bot.Chats); statuses are
// read at once.
func (a *Adapter) HandleWebhook(ctx context.Context, raw []byte) bool {
	var h hook
	if err := json.Unmarshal(raw, &h); err != nil || h.Object == "" {
		return false
	}
	if h.Object != "whatsapp_business_account" {
		return true // not ours to read; Meta must not post it again
	}
	work := context.WithoutCancel(ctx)
	var (
		wg     sync.WaitGroup
		closed bool // a message refused at shutdown: Meta must post it again
	)
	for _, e := range h.Entry {
		for _, c := range e.Changes {
			if c.Field != "messages" {
				continue
			}
			if c.Value.Metadata.PhoneNumberID != a.set.PhoneID {
				a.log.Warn("webhook post for another number ignored", slog.String("channel", channel), slog.String("event", "other_phone_id"))
				continue
			}
			for i := range c.Value.Statuses {
				a.status(work, &c.Value.Statuses[i])
			}
			for i := range c.Value.Messages {
				in, skip := a.translate(&c.Value.Messages[i])
				if skip != "" {
					a.log.Debug("message ignored", slog.String("channel", channel), slog.String("event", skip))
					continue
				}
				wg.Add(1)
				if adm := a.enqueue(work, in, wg.Done); adm != bot.Admitted {
					wg.Done()
					closed = closed || adm == bot.Closed
				}
			}
		}
	}
	wg.Wait()
	return !closed
}

// enqueue queues the answer on the chat's worker; done is called once it
// ran, if it was admitted. A flood is dropped (Meta must not post it
// again); at shutdown, the webhook's refusal has Meta post it again,
// to another instance or later.
func (a *Adapter) enqueue(ctx context.Context, in *inbound, done func()) bot.Admission {
	queued := time.Now()
	adm := a.chats.Update(ctx, in.msg.Chat, func() {
		defer done()
		in.msg.Waited = time.Since(queued)
		a.handle(ctx, in)
	}, nil)
	switch adm {
	case bot.Admitted:
	case bot.Closed:
		a.log.Warn("message refused at shutdown, for Meta to post again", slog.Any("chat", in.msg.Chat), slog.String("channel", channel))
	default:
		a.log.Warn("chat queue full, message dropped", slog.Any("chat", in.msg.Chat), slog.String("channel", channel))
	}
	return adm
}

// translate turns one webhook message into an inbound, or says why it is
// not answered.
func (a *Adapter) translate(m *inMessage) (*inbound, string) {
	if !isWaID(m.From) {
		return nil, "no_sender"
	}
	in := &inbound{to: m.From, at: a.now()}
	if sec, err := strconv.ParseInt(m.Timestamp, 10, 64); err == nil && sec > 0 {
		in.at = time.Unix(sec, 0)
	}
	in.msg = flows.Msg{Chat: flows.ChatID(channel + ":" + m.From), ID: m.ID, Country: country(m.From)}
	switch m.Type {
	case "text":
		if m.Text == nil {
			return nil, "empty"
		}
		in.msg.Kind, in.msg.Text = flows.KindText, m.Text.Body
	case "interactive":
		switch {
		case m.Interactive != nil && m.Interactive.ButtonReply != nil:
			in.msg.Kind, in.msg.Choice = flows.KindChoice, m.Interactive.ButtonReply.ID
		case m.Interactive != nil && m.Interactive.ListReply != nil:
			in.msg.Kind, in.msg.Choice = flows.KindChoice, m.Interactive.ListReply.ID
		default:
			in.msg.Kind = flows.KindUnsupported
		}
	case "button": // a template's quick reply
		if m.Button == nil || m.Button.Payload == "" {
			return nil, "empty"
		}
		in.msg.Kind, in.msg.Choice = flows.KindChoice, m.Button.Payload
	case "location":
		if m.Location == nil {
			return nil, "empty"
		}
		in.msg.Kind, in.msg.Loc = point(m.Location.Latitude, m.Location.Longitude)
	case "reaction":
		return nil, "reaction"
	case "edit", "revoke":
		// The first answer stands: an edit is not a new answer.
		return nil, m.Type
	case "system", "request_welcome":
		return nil, m.Type
	default:
		// Image, audio, voice, sticker, video, document, contacts, an
		// unsupported type: the engine answers kindly and asks again.
		in.msg.Kind = flows.KindUnsupported
	}
	return in, ""
}

// point is a shared position, or unsupported if it is not one.
func point(lat, lon float64) (flows.Kind, geo.Point) {
	if math.IsNaN(lat) || math.IsNaN(lon) || lat < -90 || lat > 90 || lon < -180 || lon > 180 || lat == 0 && lon == 0 {
		return flows.KindUnsupported, geo.Point{}
	}
	return flows.KindLocation, geo.Point{Lat: lat, Lon: lon}
}

// country is the hint the engine uses to skip the country question.
func country(waID string) string {
	switch {
	case strings.HasPrefix(waID, "32"):
		return "BE"
	case strings.HasPrefix(waID, "33"):
		return "FR"
	}
	return ""
}

// handle answers one message on its chat's worker: the window noted, the
// pushes held for it sent first, then the conversation's replies.
func (a *Adapter) handle(ctx context.Context, in *inbound) {
	ctx, cancel := context.WithTimeout(ctx, a.timeout)
	defer cancel()
	chat := in.msg.Chat
	// A number answers the list of a push the person saw, not one held
	// until now: map it before the release.
	if in.msg.Kind == flows.KindText {
		if key, ok := a.lists.Choice(chat, in.msg.Text, a.now()); ok {
			in.msg.Kind, in.msg.Choice, in.msg.Text = flows.KindChoice, key, ""
		}
	}
	if a.window != nil {
		held, err := a.window.WindowSeen(ctx, chat, in.at)
		if err != nil {
			a.log.Warn("window not noted", slog.Any("chat", chat), slog.String("channel", channel), slog.Any("err", err))
		}
		a.release(ctx, chat, in.to, held)
	}
	replies := a.conv.Handle(ctx, in.msg)
	if slices.ContainsFunc(replies, func(r flows.Reply) bool { return len(r.Choices) > 0 }) {
		a.lists.Forget(chat) // the conversation's list is now the newest
	}
	if _, err := a.sendAll(ctx, in.to, a.messages(replies)); err != nil {
		a.log.Warn("send failed", slog.Any("chat", chat), slog.String("channel", channel), slog.Any("err", err))
	}
	if in.msg.ID != "" {
		a.markReadLater(in.msg.ID)
	}
}

// markReadLater marks the person's message read once it is answered: the
// ticks turn blue, which tells someone unsure of the app that the message
// arrived. It runs beside the chat's worker, so that neither the answer
// nor the webhook's 200 waits for it; at most maxReads at once.
func (a *Adapter) markReadLater(wamid string) {
	select {
	case a.reads <- struct{}{}:
	default:
		a.log.Debug("message not marked read: too many under way", slog.String("channel", channel))
		return
	}
	a.reading.Go(func() {
		defer func() { <-a.reads }()
		ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
		defer cancel()
		a.markRead(ctx, wamid)
	})
}

// markRead is one try, outside the messages' rate (it is no message): a
// failure costs only the ticks.
func (a *Adapter) markRead(ctx context.Context, wamid string) {
	body, err := json.Marshal(readReceipt{Product: "whatsapp", Status: "read", MessageID: wamid})
	if err == nil {
		_, err = a.postOnce(ctx, body)
	}
	if err != nil {
		a.log.Debug("message not marked read", slog.String("channel", channel), slog.Any("err", err))
	}
}

// sendAll sends in order and stops at the first failure, so that a later
// message never arrives without the one before it. A message the
// recipient cannot get as interactive (131051), or that the API finds
// malformed (100, 131009), goes as its numbered text.
// It returns the ids of the messages sent.
func (a *Adapter) sendAll(ctx context.Context, to string, out []outgoing) ([]string, error) {
	ids := make([]string, 0, len(out))
	fellBack := false
	for i := range out {
		if fellBack && out[i].fallback == "" && out[i].msg.Type == "interactive" {
			continue // the numbered text sent in place of the one before holds it
		}
		fellBack = false
		m := out[i].msg
		m.Product, m.Recipient, m.To = "whatsapp", "individual", to
		id, err := a.post(ctx, &m)
		if err != nil && out[i].fallback != "" && (isCode(err, codeUnsupported) || isCode(err, codeParam) || isCode(err, codeRecipient)) {
			// Refused as interactive (a type the recipient cannot get, a
			// limit we misjudged): the same words as numbered text.
			fb := textMsg(out[i].fallback).msg
			fb.Product, fb.Recipient, fb.To = "whatsapp", "individual", to
			id, err = a.post(ctx, &fb)
			fellBack = true
		}
		if err != nil {
			return ids, err
		}
		ids = append(ids, id)
	}
	return ids, nil
}
