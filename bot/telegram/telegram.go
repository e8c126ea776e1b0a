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
	"strconv"
	"strings"
	"sync"
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
	Limits        Limits
	Log           *slog.Logger // nil: slog.Default()
	// Done, if set, is called once per update after its replies were sent
	// (or dropped), with its chat (0 if it has none) and the time it was
	// received. Tests wait on it; the load tool measures the bot's own
	// latency with it.
	Done func(updateID, chat int64, received time.Time)
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
	return slog.GroupValue(slog.String("mode", mode), slog.String("api", api),
		slog.String("webhook", c.WebhookURL), slog.Bool("token", c.Token != ""))
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
	cfg   Config
	conv  bot.Conversation
	api   *tgbot.Bot
	poll  *http.Client
	log   *slog.Logger
	texts map[flows.Lang]texts
	pace  *pacer
	now   func() time.Time
	sleep func(ctx context.Context, d time.Duration) error

	mu     sync.Mutex         // guards queues
	queues map[int64][]func() // per chat, the updates waiting behind the one running
	wg     sync.WaitGroup     // one per chat worker
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
	log := cfg.Log
	if log == nil {
		log = slog.Default()
	}
	tx, err := loadTexts()
	if err != nil {
		return nil, err
	}
	// One transport for sends and polls, keeping enough connections to the
	// API open for many chats at once (the default keeps 2).
	tr := http.DefaultTransport.(*http.Transport).Clone()
	tr.MaxIdleConnsPerHost = 64
	a := &Adapter{
		cfg:    cfg,
		conv:   conv,
		poll:   &http.Client{Transport: tr, Timeout: cfg.PollTimeout + sendTimeout},
		log:    log.With(slog.String("channel", "tg")),
		texts:  tx,
		now:    time.Now,
		sleep:  sleep,
		queues: map[int64][]func(){},
	}
	a.pace = newPacer(cfg.Limits, func() time.Time { return a.now() })
	a.api, err = tgbot.New(cfg.Token,
		tgbot.WithServerURL(cfg.APIURL),
		tgbot.WithSkipGetMe(), // Setup calls it, with the caller's context
		tgbot.WithHTTPClient(cfg.PollTimeout, bufferingClient{&http.Client{Transport: tr, Timeout: sendTimeout}}),
		tgbot.WithErrorsHandler(func(err error) { a.log.Warn("telegram client", slog.Any("err", apiErr(err))) }),
		tgbot.WithDefaultHandler(func(context.Context, *tgbot.Bot, *models.Update) {}),
	)
	if err != nil {
		return nil, fmt.Errorf("telegram: %w", err)
	}
	return a, nil
}

// Setup checks the token (getMe), sets the command menu in French, Dutch
// and by default, and registers the webhook, or removes it for polling.
// A menu that cannot be set is logged: the bot works without it.
func (a *Adapter) Setup(ctx context.Context) error {
	me, err := a.api.GetMe(ctx)
	if err != nil {
		if errors.Is(err, tgbot.ErrorUnauthorized) || errors.Is(err, tgbot.ErrorNotFound) {
			return fmt.Errorf("telegram: TELEGRAM_BOT_TOKEN rejected: %w", apiErr(err))
		}
		return fmt.Errorf("telegram getMe: %w", apiErr(err))
	}
	a.log.Info("telegram bot ready", slog.String("bot", me.Username), slog.Any("config", a.cfg))
	for _, lc := range []string{"", "fr", "nl"} {
		lang := flows.ParseLang(lc)
		var cmds []models.BotCommand
		for _, c := range commandNames() {
			cmds = append(cmds, models.BotCommand{Command: c, Description: a.texts[lang].Commands[c]})
		}
		if _, err := a.api.SetMyCommands(ctx, &tgbot.SetMyCommandsParams{
			Commands: cmds, Scope: &models.BotCommandScopeDefault{}, LanguageCode: lc,
		}); err != nil {
			a.log.Warn("command menu not set", slog.String("lang", lc), slog.Any("err", apiErr(err)))
		}
	}
	if a.cfg.WebhookURL != "" {
		if _, err := a.api.SetWebhook(ctx, &tgbot.SetWebhookParams{
			URL: a.cfg.WebhookURL, SecretToken: a.cfg.WebhookSecret, AllowedUpdates: allowedUpdates(),
		}); err != nil {
			return fmt.Errorf("telegram setWebhook: %w", apiErr(err))
		}
		return nil
	}
	// getUpdates answers 409 while a webhook is set. The updates waiting
	// are kept: polling picks them up.
	if _, err := a.api.DeleteWebhook(ctx, &tgbot.DeleteWebhookParams{}); err != nil {
		return fmt.Errorf("telegram deleteWebhook: %w", apiErr(err))
	}
	return nil
}

// Wait returns once every update handed to the adapter was handled and
// answered.
func (a *Adapter) Wait() {
	a.wg.Wait()
}

// enqueue runs fn after the updates of the chat already queued; chats run
// in parallel. One worker per busy chat keeps the chat's replies in order,
// even when Telegram delivers two of its updates at once.
func (a *Adapter) enqueue(chat int64, fn func()) {
	a.mu.Lock()
	if q, busy := a.queues[chat]; busy {
		a.queues[chat] = append(q, fn)
		a.mu.Unlock()
		return
	}
	a.queues[chat] = nil // present: a worker runs
	a.mu.Unlock()
	a.wg.Go(func() {
		for {
			fn()
			a.mu.Lock()
			q := a.queues[chat]
			if len(q) == 0 {
				delete(a.queues, chat)
				a.mu.Unlock()
				return
			}
			fn, q[0] = q[0], nil
			a.queues[chat] = q[1:]
			a.mu.Unlock()
		}
	})
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
		return callbackChat(u.CallbackQuery)
	case u.MyChatMember != nil:
		return u.MyChatMember.Chat.ID
	case u.EditedMessage != nil:
		return u.EditedMessage.Chat.ID
	}
	return 0
}

func callbackChat(q *models.CallbackQuery) int64 {
	switch {
	case q.Message.Message != nil:
		return q.Message.Message.Chat.ID
	case q.Message.InaccessibleMessage != nil:
		return q.Message.InaccessibleMessage.Chat.ID
	}
	return 0
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
		m := u.MyChatMember
		if m.Chat.Type == models.ChatTypePrivate && (m.NewChatMember.Type == models.ChatMemberTypeBanned || m.NewChatMember.Type == models.ChatMemberTypeLeft) {
			a.log.Info("bot blocked", slog.Any("chat", chatID(m.Chat.ID)), slog.String("event", "blocked"))
		}
	default:
		// Edited messages (the engine answered the original), channel posts
		// and the rest: nothing to say.
		a.log.Debug("update ignored", slog.Any("chat", chatID(chat)), slog.String("event", "ignored"))
	}
}

// message handles a new message.
func (a *Adapter) message(ctx context.Context, updateID int64, m *models.Message) {
	chat := m.Chat.ID
	lang := langOf(m.From)
	switch m.Chat.Type {
	case models.ChatTypePrivate:
	case models.ChatTypeGroup, models.ChatTypeSupergroup:
		// The conversation asks personal questions: private chat only.
		if lang == "" {
			lang = flows.FR
		}
		a.send(ctx, chat, []out{{text: a.texts[lang].GroupOnly}})
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
	a.send(ctx, chat, render(a.conv.Handle(ctx, msg)))
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

// callback handles a button press: it stops the spinner, shows the answer
// in the question it came from, and runs the choice.
func (a *Adapter) callback(ctx context.Context, updateID int64, q *models.CallbackQuery) {
	// Always answered, and first, so that the button stops spinning even
	// if what follows fails.
	if err := a.call(ctx, 0, false, func(ctx context.Context) error {
		_, err := a.api.AnswerCallbackQuery(ctx, &tgbot.AnswerCallbackQueryParams{CallbackQueryID: q.ID})
		return err
	}); err != nil {
		a.log.Warn("callback not answered", slog.Any("err", apiErr(err)))
	}
	chat := callbackChat(q)
	if chat == 0 {
		return // a message sent in inline mode: not a conversation of ours
	}
	if m := q.Message.Message; m != nil {
		if m.Chat.Type != models.ChatTypePrivate {
			return
		}
		a.markAnswered(ctx, chat, m, q.Data)
	}
	msg := flows.Msg{Chat: chatID(chat), ID: strconv.FormatInt(updateID, 10), Kind: flows.KindChoice,
		Lang: langOf(&q.From), Choice: q.Data}
	a.send(ctx, chat, render(a.conv.Handle(ctx, msg)))
}

// markAnswered edits the question whose button was pressed: its text with
// "→ label" below, and no keyboard, so that the chat reads like a
// transcript and an old button cannot be pressed again. The label comes
// from the message itself: nothing is kept on the server.
func (a *Adapter) markAnswered(ctx context.Context, chat int64, m *models.Message, data string) {
	if m.ReplyMarkup == nil {
		return // already answered: a double tap
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
		// Too old to edit, or already edited: the answer goes on anyway.
		a.log.Debug("question not edited", slog.Any("chat", chatID(chat)), slog.Any("err", apiErr(err)))
	}
}

// send makes the calls of one update's replies, in order. A chat that
// blocked the bot (403) gets nothing more, and the refusal is not retried.
func (a *Adapter) send(ctx context.Context, chat int64, outs []out) {
	for _, o := range outs {
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
			_, err := a.api.SendMessage(ctx, p)
			return err
		})
		switch {
		case err == nil:
		case errors.Is(err, tgbot.ErrorForbidden):
			a.log.Warn("send refused, dropped", slog.Any("chat", chatID(chat)), slog.String("event", "forbidden"), slog.Any("err", apiErr(err)))
			return
		case ctx.Err() != nil:
			a.log.Error("send abandoned", slog.Any("chat", chatID(chat)), slog.Any("err", apiErr(err)))
			return
		default:
			a.log.Error("send failed", slog.Any("chat", chatID(chat)), slog.Any("err", apiErr(err)))
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
		if err := a.sleep(ctx, wait); err != nil {
			return err
		}
	}
}

// apiErr keeps what a log may show of a Bot API error: the library puts
// the whole response body in its decode errors, and a body may echo a
// message's text.
func apiErr(err error) error {
	if err != nil && strings.Contains(err.Error(), "error decode response") {
		return errors.New("telegram: undecodable response")
	}
	return err
}
