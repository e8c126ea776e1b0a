package telegram

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"io"
	"log/slog"
	"net/http"
	"net/url"
	"runtime/debug"
	"slices"
	"strconv"
	"strings"
	"sync"
	"sync/atomic"
	"time"
	"unicode"

	tgbot "github.com/go-telegram/bot"
	"github.com/go-telegram/bot/models"

	"github.com/secours/secours/bot"
	"github.com/secours/secours/flows"
	"github.com/secours/secours/geo"
)

// DefaultAPIURL is the official Bot API server.
const DefaultAPIURL = "https://api.telegram.org"

// Defaults of Config.
const (
	DefaultPollTimeout   = 50 * time.Second
	DefaultUpdateTimeout = 2 * time.Minute
)

// sendTimeout bounds one Bot API call; the long poll gets its own wait on
// top of it.
const sendTimeout = 30 * time.Second

// maxAttempts bounds the sends of one message that Telegram throttles
// (429): each waits the retry_after Telegram asks for.
const maxAttempts = 8

// maxCallbackData is the Bot API's limit on a button's callback data.
const maxCallbackData = 64

// secretHeader carries the webhook secret on each request from Telegram.
const secretHeader = "X-Telegram-Bot-Api-Secret-Token"

// allowedUpdates are the update types the bot asks for. Edited messages,
// channel posts and the rest are left at Telegram.
func allowedUpdates() []string {
	return []string{models.AllowedUpdateMessage, models.AllowedUpdateCallbackQuery, models.AllowedUpdateMyChatMember}
}

// Config configures an Adapter. Token and WebhookSecret are secrets: they
// come from the environment only, LogValue hides them, and no error or log
// line holds them.
type Config struct {
	Token  string
	APIURL string // Bot API base URL; "": DefaultAPIURL. A local fake may stand in.
	// WebhookURL is the public HTTPS address Telegram posts updates to; ""
	// means long polling.
	WebhookURL string
	// WebhookSecret is the X-Telegram-Bot-Api-Secret-Token Telegram sends
	// with each webhook request (1–256 of A-Z a-z 0-9 _ -); required with
	// WebhookURL.
	WebhookSecret string
	PollTimeout   time.Duration // long-poll wait; 0: DefaultPollTimeout
	// UpdateTimeout bounds handling one update and sending its replies,
	// 429 waits included; 0: DefaultUpdateTimeout.
	UpdateTimeout time.Duration
	// Drain bounds, once Receive's ctx is done, the wait for the updates
	// received to be handled; past it they are left unconfirmed, for the
	// next poller. 0: DefaultDrain.
	Drain  time.Duration
	Limits Limits
	Log    *slog.Logger // nil: slog.Default()
	// Texts is the channel's catalogue, configs/i18n/telegram.json
	// (configs.FS): command descriptions and the group line, FR and NL.
	Texts []byte
	// Done, if set, is called once per update after its replies were sent
	// (or dropped), with its chat (0 if it has none) and the time it was
	// received. Tests wait on it; the load tool measures the bot's own
	// latency with it.
	Done func(updateID, chat int64, received time.Time)
	// Throttled, if set, is called when Telegram refused a message with a
	// 429 and it will be sent again after wait (for the metrics).
	Throttled func(wait time.Duration)
}

// LogValue shows the mode and the addresses, never the token or the secret.
func (c Config) LogValue() slog.Value {
	mode := "polling"
	if c.WebhookURL != "" {
		mode = "webhook"
	}
	api := c.APIURL
	if api == "" {
		api = DefaultAPIURL
	}
	webhook := c.WebhookURL
	if c.Token != "" {
		// Some put the token in the webhook's path to make it hard to guess.
		webhook = strings.ReplaceAll(webhook, c.Token, "<token>")
	}
	return slog.GroupValue(slog.String("mode", mode), slog.String("api", api),
		slog.String("webhook", webhook), slog.Bool("token", c.Token != ""))
}

// validSecret reports whether s is a secret Telegram accepts: 1–256 of
// A-Z a-z 0-9 _ -.
func validSecret(s string) bool {
	if len(s) == 0 || len(s) > 256 {
		return false
	}
	for i := 0; i < len(s); i++ {
		c := s[i]
		if !(c >= 'a' && c <= 'z' || c >= 'A' && c <= 'Z' || c >= '0' && c <= '9' || c == '_' || c == '-') {
			return false
		}
	}
	return true
}

// Check names every field that is wrong, by its environment variable.
func (c Config) Check() []string {
	var problems []string
	if strings.TrimSpace(c.Token) == "" || strings.ContainsAny(c.Token, " /\n") {
		problems = append(problems, "TELEGRAM_BOT_TOKEN: empty or not a token like 123456:ABC-DEF")
	}
	if c.APIURL != "" {
		u, err := url.Parse(c.APIURL)
		if err != nil || (u.Scheme != "https" && u.Scheme != "http") || u.Host == "" {
			problems = append(problems, fmt.Sprintf("TELEGRAM_API_URL / -telegram-api-url: %q is not an http(s) URL", c.APIURL))
		}
	}
	if c.WebhookURL != "" {
		u, err := url.Parse(c.WebhookURL)
		if err != nil || u.Scheme != "https" || u.Host == "" {
			problems = append(problems, fmt.Sprintf("TELEGRAM_WEBHOOK_URL / -telegram-webhook-url: %q is not an https URL (Telegram posts to https only)", c.WebhookURL))
		}
		if !validSecret(c.WebhookSecret) {
			problems = append(problems, "TELEGRAM_WEBHOOK_SECRET: required with TELEGRAM_WEBHOOK_URL, 1–256 of A-Z a-z 0-9 _ -")
		}
	}
	return problems
}

// Adapter is the Telegram channel. It is safe for concurrent use.
type Adapter struct {
	cfg Config
	// username is the bot's, from getMe at Setup: share links need it.
	username atomic.Pointer[string]
	conv     bot.Conversation
	api      *tgbot.Bot
	poll     *http.Client
	log      *slog.Logger
	texts    map[flows.Lang]texts
	pace     *pacer
	now      func() time.Time
	sleep    func(ctx context.Context, d time.Duration) error

	// chats runs each chat's updates and pushes in order. Once Poll
	// returns or Wait is called, a push is refused.
	chats bot.Chats[int64]
	mu    sync.Mutex     // guards views and swept
	views map[int64]view // per recently active chat, what it shows
	swept time.Time      // when views was last swept
	// overran is set when Receive stopped waiting for an update past its
	// drain bound: Wait then returns without waiting for it.
	overran atomic.Bool
}

// maxWaiting is the flood rule: the updates of one chat that may wait
// behind the one being answered. A person waits for the answer before the
// next message, and one who taps or types quickly has two or three
// waiting; more is a flood (a stuck key, a script, a paste split in
// hundreds of messages). Past it, an update is dropped, and the chat is
// told once to wait (floodNotice). Without it, 1,000 messages from one
// chat made 2,000 replies paced at one a second: a 33-minute backlog, and a
// stop by signal that could not drain.
const maxWaiting = 4

// viewTTL bounds how long the adapter remembers what a chat shows, and so
// the memory it keeps: chats of the last half hour only. A press on a
// keyboard older than that is not marked as answered; the engine pauses a
// conversation left for an hour, so such a press is seldom taken as an
// answer anyway.
const viewTTL = 30 * time.Minute

// view is what a chat shows, as far as the next replies depend on it.
// Nothing else is kept per chat: a view lost (a restart, another replica,
// an idle chat) only means one answer left unmarked or one location
// keyboard left up.
type view struct {
	// msgID is the newest message with an inline keyboard, the only one
	// whose buttons answer the question the engine has open, and question
	// is that question's key (Reply.Question).
	msgID    int
	question string
	location bool      // the location reply keyboard is up
	at       time.Time // last change
}

// New checks the configuration and prepares the client; it makes no call.
func New(cfg Config, conv bot.Conversation) (*Adapter, error) {
	if p := cfg.Check(); len(p) > 0 {
		return nil, fmt.Errorf("telegram config: %s", strings.Join(p, "; "))
	}
	if conv == nil {
		return nil, errors.New("telegram: no conversation")
	}
	if cfg.APIURL == "" {
		cfg.APIURL = DefaultAPIURL
	}
	cfg.APIURL = strings.TrimRight(cfg.APIURL, "/")
	if cfg.PollTimeout <= 0 {
		cfg.PollTimeout = DefaultPollTimeout
	}
	if cfg.UpdateTimeout <= 0 {
		cfg.UpdateTimeout = DefaultUpdateTimeout
	}
	if cfg.Drain <= 0 {
		cfg.Drain = DefaultDrain
	}
	log := cfg.Log
	if log == nil {
		log = slog.Default()
	}
	tx, err := loadTexts(cfg.Texts)
	if err != nil {
		return nil, err
	}
	// One transport for sends and polls, keeping enough connections to the
	// API open for many chats at once (the default keeps 2).
	tr := http.DefaultTransport.(*http.Transport).Clone()
	tr.MaxIdleConnsPerHost = 64
	a := &Adapter{
		cfg:   cfg,
		conv:  conv,
		poll:  &http.Client{Transport: tr, Timeout: cfg.PollTimeout + sendTimeout},
		log:   log.With(slog.String("channel", "tg")),
		texts: tx,
		now:   time.Now,
		sleep: sleep,
		views: map[int64]view{},
	}
	a.chats.MaxUpdates = maxWaiting
	a.pace = newPacer(cfg.Limits, func() time.Time { return a.now() })
	a.api, err = tgbot.New(cfg.Token,
		tgbot.WithServerURL(cfg.APIURL),
		tgbot.WithSkipGetMe(), // Setup calls it, with the caller's context
		tgbot.WithHTTPClient(cfg.PollTimeout, bufferingClient{&http.Client{Transport: tr, Timeout: sendTimeout}}),
		tgbot.WithErrorsHandler(func(err error) { a.log.Warn("telegram client", slog.Any("err", a.apiErr(err))) }),
	)
	if err != nil {
		return nil, fmt.Errorf("telegram: %w", err)
	}
	return a, nil
}

// Username is the bot's Telegram username ("secours_bot") once Setup has
// run; "" before.
func (a *Adapter) Username() string {
	if u := a.username.Load(); u != nil {
		return *u
	}
	return ""
}

// Setup checks the token (getMe), sets the command menu in French, Dutch
// and by default, and registers the webhook, or removes it for polling.
// A menu that cannot be set is logged: the bot works without it.
func (a *Adapter) Setup(ctx context.Context) error {
	me, err := a.api.GetMe(ctx)
	if err != nil {
		if errors.Is(err, tgbot.ErrorUnauthorized) || errors.Is(err, tgbot.ErrorNotFound) {
			return fmt.Errorf("telegram: TELEGRAM_BOT_TOKEN rejected: %w", a.apiErr(err))
		}
		return fmt.Errorf("telegram getMe: %w", a.apiErr(err))
	}
	a.log.Info("telegram bot ready", slog.String("bot", me.Username), slog.Any("config", a.cfg))
	a.username.Store(&me.Username)
	for _, lc := range []string{"", "fr", "nl"} {
		lang := flows.ParseLang(lc)
		var cmds []models.BotCommand
		for _, c := range commandNames() {
			cmds = append(cmds, models.BotCommand{Command: c, Description: a.texts[lang].Commands[c]})
		}
		if _, err := a.api.SetMyCommands(ctx, &tgbot.SetMyCommandsParams{
			Commands: cmds, Scope: &models.BotCommandScopeDefault{}, LanguageCode: lc,
		}); err != nil {
			a.log.Warn("command menu not set", slog.String("lang", lc), slog.Any("err", a.apiErr(err)))
		}
	}
	if a.cfg.WebhookURL != "" {
		if _, err := a.api.SetWebhook(ctx, &tgbot.SetWebhookParams{
			URL: a.cfg.WebhookURL, SecretToken: a.cfg.WebhookSecret, AllowedUpdates: allowedUpdates(),
		}); err != nil {
			return fmt.Errorf("telegram setWebhook: %w", a.apiErr(err))
		}
		return nil
	}
	// getUpdates answers 409 while a webhook is set. The updates waiting
	// are kept: polling picks them up.
	if _, err := a.api.DeleteWebhook(ctx, &tgbot.DeleteWebhookParams{}); err != nil {
		return fmt.Errorf("telegram deleteWebhook: %w", a.apiErr(err))
	}
	return nil
}

// Wait returns once every update handed to the adapter was handled and
// answered, and every push sent. Send fails from then on.
func (a *Adapter) Wait() {
	// A worker must not start while the wait may see none, and Send,
	// unlike an update, comes from outside the adapter's own loop.
	a.chats.Stop()
	if a.overran.Load() {
		// Receive left an update running past its drain bound: it is
		// unconfirmed and comes again to the next poller; waiting for it
		// would overrun the stop.
		return
	}
	a.chats.Wait()
}

// enqueueUpdate queues the handling of update u on the chat's worker
// (bot.Chats), unless the chat floods (maxWaiting): then it drops it and
// returns false, and the first update dropped in a backlog queues a notice
// to the chat right after the update being answered. ctx is the notice's.
func (a *Adapter) enqueueUpdate(ctx context.Context, u *models.Update, fn func()) bool {
	chat := chatOf(u)
	lang := langOfUpdate(u)
	switch a.chats.Update(ctx, chat, fn, func() { a.floodNotice(ctx, chat, lang) }) {
	case bot.Admitted:
		return true
	case bot.Flood:
		a.log.Warn("chat floods: updates dropped until its backlog is answered", slog.Any("chat", chatID(chat)),
			slog.String("event", "flood"), slog.Int("waiting", maxWaiting))
	}
	return false
}

// floodNotice tells a flooding chat, once, to wait for the answers (the
// catalogue's "flood" line): its messages past maxWaiting were not read.
func (a *Adapter) floodNotice(ctx context.Context, chat int64, lang flows.Lang) {
	ctx, cancel := context.WithTimeout(ctx, a.cfg.UpdateTimeout)
	defer cancel()
	if lang == "" {
		lang = flows.FR
	}
	a.reply(ctx, chat, []out{{text: a.texts[lang].Flood}})
}

// bufferingClient sends each request body in one piece. The library
// streams its multipart form through an io.Pipe, which the transport sends
// chunked, flushing every small part: one write, one wake-up of the
// writing goroutine and of the server, per form field. Read into memory
// first (a message is at most a few kilobytes), the request is one write
// with a Content-Length. Under load this halves the CPU spent per call
// and removes most of the latency (see cmd/loadtest).
type bufferingClient struct{ c *http.Client }

func (b bufferingClient) Do(req *http.Request) (*http.Response, error) {
	if req.Body != nil && req.Body != http.NoBody {
		body, err := io.ReadAll(req.Body)
		req.Body.Close()
		if err != nil {
			return nil, fmt.Errorf("read request body: %w", err)
		}
		req.Body = io.NopCloser(bytes.NewReader(body))
		req.ContentLength = int64(len(body))
		req.GetBody = func() (io.ReadCloser, error) { return io.NopCloser(bytes.NewReader(body)), nil }
	}
	return b.c.Do(req)
}

// chatOf is the chat an update belongs to, 0 if none.
func chatOf(u *models.Update) int64 {
	switch {
	case u.Message != nil:
		return u.Message.Chat.ID
	case u.CallbackQuery != nil:
		c, _ := callbackChat(u.CallbackQuery)
		return c.ID
	case u.MyChatMember != nil:
		return u.MyChatMember.Chat.ID
	case u.EditedMessage != nil:
		return u.EditedMessage.Chat.ID
	}
	return 0
}

// callbackChat is the chat of the message whose button was pressed, even
// when Telegram no longer gives the message itself (older than 48 hours);
// false for a message sent in inline mode, which has no chat.
func callbackChat(q *models.CallbackQuery) (models.Chat, bool) {
	switch {
	case q.Message.Message != nil:
		return q.Message.Message.Chat, true
	case q.Message.InaccessibleMessage != nil:
		return q.Message.InaccessibleMessage.Chat, true
	}
	return models.Chat{}, false
}

// chatID is the neutral id of a Telegram chat.
func chatID(chat int64) flows.ChatID {
	return flows.ChatID("tg:" + strconv.FormatInt(chat, 10))
}

// langOf maps the person's Telegram language to a catalogue language; ""
// if Telegram does not say.
func langOf(u *models.User) flows.Lang {
	if u == nil || u.LanguageCode == "" {
		return ""
	}
	return flows.ParseLang(u.LanguageCode)
}

// langOfUpdate is the language of the update's sender, "" if unknown.
func langOfUpdate(u *models.Update) flows.Lang {
	switch {
	case u.Message != nil:
		return langOf(u.Message.From)
	case u.CallbackQuery != nil:
		return langOf(&u.CallbackQuery.From)
	}
	return ""
}

// handle translates one update, runs it through the conversation and
// sends the replies. It never panics: an update that does is logged and
// dropped, so that one bad update cannot stop the others.
func (a *Adapter) handle(ctx context.Context, u *models.Update, received time.Time) {
	ctx, cancel := context.WithTimeout(ctx, a.cfg.UpdateTimeout)
	defer cancel()
	chat := chatOf(u)
	defer func() {
		if v := recover(); v != nil {
			a.log.Error("update panicked", slog.Any("chat", chatID(chat)), slog.String("err", fmt.Sprintf("%T", v)),
				slog.String("stack", string(debug.Stack())))
		}
		if a.cfg.Done != nil {
			a.cfg.Done(u.ID, chat, received)
		}
	}()
	switch {
	case u.Message != nil:
		a.message(ctx, u.ID, u.Message)
	case u.CallbackQuery != nil:
		a.callback(ctx, u.ID, u.CallbackQuery)
	case u.MyChatMember != nil:
		a.memberChanged(ctx, u.MyChatMember)
	default:
		// Edited messages (the engine answered the original), channel posts
		// and the rest: nothing to say.
		a.log.Debug("update ignored", slog.Any("chat", chatID(chat)), slog.String("event", "ignored"))
	}
}

// memberChanged follows the bot's own membership of a chat: a person who
// blocks the bot is logged, and a group that adds it gets the one line
// saying that it talks in private only.
func (a *Adapter) memberChanged(ctx context.Context, m *models.ChatMemberUpdated) {
	left := func(t models.ChatMemberType) bool {
		return t == models.ChatMemberTypeBanned || t == models.ChatMemberTypeLeft
	}
	switch m.Chat.Type {
	case models.ChatTypePrivate:
		if left(m.NewChatMember.Type) {
			a.log.Info("bot blocked", slog.Any("chat", chatID(m.Chat.ID)), slog.String("event", "blocked"))
		}
	case models.ChatTypeGroup, models.ChatTypeSupergroup:
		if left(m.OldChatMember.Type) && !left(m.NewChatMember.Type) {
			a.groupLine(ctx, m.Chat.ID, langOf(&m.From))
		}
	}
}

// groupLine tells a group, in one line, that the bot talks in private
// only: the conversation asks personal questions.
func (a *Adapter) groupLine(ctx context.Context, chat int64, lang flows.Lang) {
	if lang == "" {
		lang = flows.FR
	}
	a.reply(ctx, chat, []out{{text: a.texts[lang].GroupOnly}})
}

// message translates a new message of a private chat; a group gets one
// line at most, and other chats (channels) nothing.
func (a *Adapter) message(ctx context.Context, updateID int64, m *models.Message) {
	chat := m.Chat.ID
	lang := langOf(m.From)
	switch m.Chat.Type {
	case models.ChatTypePrivate:
	case models.ChatTypeGroup, models.ChatTypeSupergroup:
		// Only a command is meant for the bot; answering the rest of a
		// group's talk would flood it.
		if _, _, ok := parseCommand(m.Text); ok {
			a.groupLine(ctx, chat, lang)
		}
		return
	default:
		return
	}
	msg := flows.Msg{Chat: chatID(chat), ID: strconv.FormatInt(updateID, 10), Lang: lang}
	switch {
	case m.Location != nil:
		msg.Kind, msg.Loc = flows.KindLocation, geo.Point{Lat: m.Location.Latitude, Lon: m.Location.Longitude}
	case m.Text != "":
		msg.Kind, msg.Text = flows.KindText, m.Text
		if cmd, arg, ok := parseCommand(m.Text); ok {
			msg.Kind, msg.Text, msg.Command, msg.Arg = flows.KindCommand, "", cmd, arg
		}
	default:
		// Sticker, photo, voice note, document…: the engine says kindly
		// what it can read.
		msg.Kind = flows.KindUnsupported
	}
	shown := a.view(chat)
	a.reply(ctx, chat, render(a.conv.Handle(ctx, msg), shown.location))
}

// parseCommand reads "/start@SecoursBot abc123" as ("start", "abc123").
func parseCommand(text string) (cmd, arg string, ok bool) {
	rest, ok := strings.CutPrefix(text, "/")
	if !ok {
		return "", "", false
	}
	cmd = rest
	if i := strings.IndexFunc(rest, unicode.IsSpace); i >= 0 {
		cmd, arg = rest[:i], rest[i:]
	}
	cmd, _, _ = strings.Cut(cmd, "@")
	if cmd == "" {
		return "", "", false
	}
	return strings.ToLower(cmd), strings.TrimSpace(arg), true
}

// callback handles a button press: it stops the spinner, runs the choice,
// shows the answer in the question it came from if the engine took it,
// and sends the replies.
func (a *Adapter) callback(ctx context.Context, updateID int64, q *models.CallbackQuery) {
	// Always answered, and first, so that the button stops spinning even
	// if what follows fails.
	if err := a.call(ctx, 0, false, func(ctx context.Context) error {
		_, err := a.api.AnswerCallbackQuery(ctx, &tgbot.AnswerCallbackQueryParams{CallbackQueryID: q.ID})
		return err
	}); err != nil {
		a.log.Warn("callback not answered", slog.Any("err", a.apiErr(err)))
	}
	c, ok := callbackChat(q)
	if !ok || c.Type != models.ChatTypePrivate || q.Data == "" {
		// A message sent in inline mode, a group's, or a button without
		// data (a game's): none of them is one of ours.
		return
	}
	chat := c.ID
	shown := a.view(chat)
	msg := flows.Msg{Chat: chatID(chat), ID: strconv.FormatInt(updateID, 10), Kind: flows.KindChoice,
		Lang: langOf(&q.From), Choice: q.Data}
	replies := a.conv.Handle(ctx, msg)
	if m := q.Message.Message; m != nil && taken(shown, m.ID, q.Data, replies) {
		a.markAnswered(ctx, chat, m, q.Data)
	}
	a.reply(ctx, chat, render(replies, shown.location))
}

// taken reports whether a press on message msgID with callback data was
// taken as the answer to the question the chat had open (shown, before the
// press), judging by the engine's replies: it was if they no longer ask
// that question, and the press came from it, that is from the newest
// keyboard or from a button of that question. A stale button (from a
// question answered by typing, or shown before a restart) gets the open
// question asked again, and an unknown view marks nothing.
func taken(shown view, msgID int, data string, replies []flows.Reply) bool {
	if shown.question == "" || slices.ContainsFunc(replies, func(r flows.Reply) bool { return r.Question == shown.question }) {
		return false
	}
	return msgID == shown.msgID || strings.HasPrefix(data, shown.question+":")
}

// markAnswered edits the question whose button was pressed: its text with
// "→ label" below, and no keyboard, so that the chat reads like a
// transcript and the button cannot be pressed again. The label comes from
// the message itself.
func (a *Adapter) markAnswered(ctx context.Context, chat int64, m *models.Message, data string) {
	if m.ReplyMarkup == nil {
		return
	}
	label := ""
	for _, row := range m.ReplyMarkup.InlineKeyboard {
		for _, b := range row {
			if b.CallbackData == data {
				label = b.Text
			}
		}
	}
	text := m.Text + "\n→ " + label
	err := a.call(ctx, chat, true, func(ctx context.Context) error {
		if label == "" || m.Text == "" || utf16Len(text) > maxText {
			_, err := a.api.EditMessageReplyMarkup(ctx, &tgbot.EditMessageReplyMarkupParams{ChatID: chat, MessageID: m.ID})
			return err
		}
		_, err := a.api.EditMessageText(ctx, &tgbot.EditMessageTextParams{ChatID: chat, MessageID: m.ID, Text: text})
		return err
	})
	if err != nil {
		// Too old to edit (48 hours): the answer goes on anyway.
		a.log.Debug("question not edited", slog.Any("chat", chatID(chat)), slog.Any("err", a.apiErr(err)))
	}
}

// reply sends one update's replies and logs what went wrong: in a turn
// nobody else is told.
func (a *Adapter) reply(ctx context.Context, chat int64, outs []out) {
	err := a.send(ctx, chat, outs)
	switch {
	case err == nil:
	case unreachable(err):
		a.log.Warn("send refused, dropped", slog.Any("chat", chatID(chat)), slog.String("event", "forbidden"), slog.Any("err", a.apiErr(err)))
	case ctx.Err() != nil:
		a.log.Error("send abandoned", slog.Any("chat", chatID(chat)), slog.Any("err", a.apiErr(err)))
	default:
		a.log.Error("send failed", slog.Any("chat", chatID(chat)), slog.Any("err", a.apiErr(err)))
	}
}

// send makes the calls of one batch of messages, in order, and records
// what the chat now shows. A chat that can no longer be reached (403,
// "chat not found") gets nothing more, and the refusal is not retried; it
// stops at a done ctx too. Another failure costs its message only: the
// person can still type an answer to a question whose buttons did not go
// out. It returns the error that stopped it, else the first one.
func (a *Adapter) send(ctx context.Context, chat int64, outs []out) error {
	var first error
	for _, o := range outs {
		var sent *models.Message
		err := a.call(ctx, chat, true, func(ctx context.Context) error {
			if o.venue != nil {
				_, err := a.api.SendVenue(ctx, &tgbot.SendVenueParams{ChatID: chat,
					Latitude: o.venue.Loc.Lat, Longitude: o.venue.Loc.Lon, Title: o.venue.Name, Address: o.venue.Address})
				return err
			}
			p := &tgbot.SendMessageParams{ChatID: chat, Text: o.text, ReplyMarkup: o.markup}
			if o.noPreview {
				p.LinkPreviewOptions = &models.LinkPreviewOptions{IsDisabled: tgbot.True()}
			}
			var err error
			sent, err = a.api.SendMessage(ctx, p)
			return err
		})
		if err == nil && sent != nil {
			if o.inline != nil {
				err = a.call(ctx, chat, true, func(ctx context.Context) error {
					_, err := a.api.EditMessageReplyMarkup(ctx, &tgbot.EditMessageReplyMarkupParams{
						ChatID: chat, MessageID: sent.ID, ReplyMarkup: o.inline})
					return err
				})
			}
			keyboard := err == nil
			a.setView(chat, func(v *view) { v.apply(o, sent.ID, keyboard) })
		}
		if err == nil {
			continue
		}
		if unreachable(err) || ctx.Err() != nil {
			return err
		}
		if first == nil {
			first = err
		}
	}
	return first
}

// unreachable reports whether a Bot API error means that the bot may no
// longer write to the chat. Every 403 on a send says so, whatever its
// wording: "bot was blocked by the user", "user is deactivated", "bot was
// kicked from the group chat", "bot can't initiate conversation with a
// user". Among the 400s only "chat not found" does; the others (a text
// too long, a bad keyboard) are the bot's own fault. The description is
// the only way to tell them apart: the API gives no finer code.
func unreachable(err error) bool {
	if errors.Is(err, tgbot.ErrorForbidden) {
		return true
	}
	return errors.Is(err, tgbot.ErrorBadRequest) && strings.Contains(strings.ToLower(err.Error()), "chat not found")
}

// apply records a message sent as o; keyboard reports whether its inline
// keyboard, if it has one, is on it.
func (v *view) apply(o out, id int, keyboard bool) {
	switch o.markup.(type) {
	case *models.ReplyKeyboardMarkup:
		v.location = true
	case *models.ReplyKeyboardRemove:
		v.location = false
	}
	if _, inline := o.markup.(*models.InlineKeyboardMarkup); (inline || o.inline != nil) && keyboard {
		v.msgID, v.question = id, o.question
	}
}

// view returns what the chat shows, or the zero view if that is not known.
func (a *Adapter) view(chat int64) view {
	now := a.now()
	a.mu.Lock()
	defer a.mu.Unlock()
	if v := a.views[chat]; now.Sub(v.at) <= viewTTL {
		return v
	}
	return view{}
}

// setView applies a change to what the chat shows, and forgets, once a
// minute, the chats idle for viewTTL: the map holds recent chats only.
func (a *Adapter) setView(chat int64, change func(*view)) {
	now := a.now()
	a.mu.Lock()
	defer a.mu.Unlock()
	v := a.views[chat]
	if now.Sub(v.at) > viewTTL {
		v = view{}
	}
	change(&v)
	v.at = now
	a.views[chat] = v
	if now.Sub(a.swept) > time.Minute {
		a.swept = now
		for id, v := range a.views {
			if now.Sub(v.at) > viewTTL {
				delete(a.views, id)
			}
		}
	}
}

// call makes one Bot API call for a chat: paced if asked, and sent again
// after the wait a 429 asks for. A 429 means Telegram refused the message,
// so the resend cannot duplicate it; any other error is returned as is.
func (a *Adapter) call(ctx context.Context, chat int64, paced bool, fn func(context.Context) error) error {
	for attempt := 1; ; attempt++ {
		if paced {
			if err := a.sleep(ctx, a.pace.reserve(chat)); err != nil {
				return err
			}
		}
		err := fn(ctx)
		tm, ok := errors.AsType[*tgbot.TooManyRequestsError](err)
		if !ok || attempt == maxAttempts {
			return err
		}
		wait := time.Duration(max(tm.RetryAfter, 1)) * time.Second
		a.log.Warn("send throttled, waiting", slog.Any("chat", chatID(chat)), slog.String("event", "throttled"), slog.Duration("dur", wait))
		if a.cfg.Throttled != nil {
			a.cfg.Throttled(wait)
		}
		if err := a.sleep(ctx, wait); err != nil {
			return err
		}
	}
}

// apiErr keeps what a log or an error string may show of a Bot API error.
// The library puts the whole response body in its decode errors, and a
// body may echo a message's text; a request that fails names its URL, and
// the URL holds the token. errors.Is and errors.AsType still see the
// original.
func (a *Adapter) apiErr(err error) error {
	if err == nil {
		return nil
	}
	msg := err.Error()
	if strings.Contains(msg, "error decode response") {
		msg = "telegram: undecodable response"
	}
	if a.cfg.Token != "" {
		msg = strings.ReplaceAll(msg, a.cfg.Token, "<token>")
	}
	if msg == err.Error() {
		return err
	}
	return &redactedError{msg: msg, err: err}
}

// redactedError shows msg in place of err's text.
type redactedError struct {
	msg string
	err error
}

func (e *redactedError) Error() string { return e.msg }
func (e *redactedError) Unwrap() error { return e.err }
