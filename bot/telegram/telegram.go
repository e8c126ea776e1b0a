package telegram

import (
	"context"
	"errors"
	"fmt"
	"log/slog"
	"net/http"
	"strings"
	"sync"
	"sync/atomic"
	"time"

	tgbot "github.com/go-telegram/bot"
	"github.com/go-telegram/bot/models"

	"github.com/secours/secours/bot"
	"github.com/secours/secours/flows"
	"github.com/secours/secours/internal/pause"
)

// Adapter is the Telegram channel. It is safe for concurrent use.
type Adapter struct {
	cfg Config
	// username is the bot's, from getMe at Setup: share links need it.
	username  atomic.Pointer[string]
	conv      bot.Conversation
	api       *tgbot.Bot
	fast      *jsonAPI // the calls of every turn, as JSON
	poll      *http.Client
	inboxName string // InboxName of the token
	log       *slog.Logger
	texts     map[flows.Lang]texts
	pace      *pacer
	now       func() time.Time
	sleep     func(ctx context.Context, d time.Duration) error

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
	// A burst of replies waits for one of these connections rather than
	// opening thousands: under 10,000 simulated people, 2,200 connections
	// to the API (two goroutines and two buffers each) were a fifth of the
	// process's memory. 128 calls at once is far above the 30 a second
	// Telegram takes from one bot.
	tr.MaxConnsPerHost = 128
	a := &Adapter{
		cfg:       cfg,
		conv:      conv,
		poll:      &http.Client{Transport: tr, Timeout: cfg.PollTimeout + sendTimeout},
		log:       log.With(slog.String("channel", "tg")),
		texts:     tx,
		inboxName: InboxName(cfg.Token),
		now:       time.Now,
		sleep:     pause.For,
		views:     map[int64]view{},
	}
	a.chats.MaxUpdates = maxWaiting
	a.pace = newPacer(cfg.Limits, func() time.Time { return a.now() })
	send := &http.Client{Transport: tr, Timeout: sendTimeout}
	a.fast = newJSONAPI(send, cfg.APIURL, cfg.Token)
	a.api, err = tgbot.New(cfg.Token,
		tgbot.WithServerURL(cfg.APIURL),
		tgbot.WithSkipGetMe(), // Setup calls it, with the caller's context
		tgbot.WithHTTPClient(cfg.PollTimeout, bufferingClient{send}),
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
