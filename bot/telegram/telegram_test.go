package telegram_test

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"log/slog"
	"net/http"
	"net/http/httptest"
	"slices"
	"strconv"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/go-telegram/bot/models"

	"github.com/secours/secours/bot"
	"github.com/secours/secours/bot/channeltest"
	"github.com/secours/secours/bot/telegram"
	"github.com/secours/secours/bot/telegram/telegramtest"
	"github.com/secours/secours/configs"
	"github.com/secours/secours/flows"
	"github.com/secours/secours/geo"
	"github.com/secours/secours/store/memory"
	"github.com/secours/secours/store/redis"
	"github.com/secours/secours/store/redis/redistest"
)

// harness is an adapter polling a fake Bot API, with the real engine.
type harness struct {
	t     *testing.T
	srv   *telegramtest.Server
	a     *telegram.Adapter
	store flows.SessionStore
	logs  *channeltest.Buffer

	mu    sync.Mutex              // guards done and slept
	done  map[int64]chan struct{} // per update, closed once it was handled
	slept []time.Duration

	stop func() // stops polling and waits for Poll to return
}

type harnessOpts struct {
	srv   *telegramtest.Server // nil: a new one
	store flows.SessionStore   // nil: memory
	conv  bot.Conversation     // nil: a Runner on the real engine
	cfg   telegram.Config      // Token, APIURL, Log and Done are set here
	poll  bool                 // run Poll in the background
	// now, if set, is the Runner's clock: a transcript that shows
	// opening hours must not depend on when the test runs.
	now func() time.Time
}

func newHarness(t *testing.T, o harnessOpts) *harness {
	t.Helper()
	h := &harness{t: t, srv: o.srv, store: o.store, logs: &channeltest.Buffer{}, done: map[int64]chan struct{}{}}
	if h.srv == nil {
		h.srv = telegramtest.New(telegramtest.Options{})
		t.Cleanup(h.srv.Close)
	}
	if h.store == nil {
		h.store = memory.New(time.Hour, nil)
	}
	log := h.logs.Logger(slog.LevelDebug)
	conv := o.conv
	if conv == nil {
		e, _ := channeltest.Engine(t)
		conv = &bot.Runner{Engine: e, Store: h.store, Log: log, Now: o.now}
	}
	cfg := o.cfg
	cfg.Token, cfg.APIURL, cfg.Log = h.srv.Token, h.srv.URL, log
	if cfg.PollTimeout == 0 {
		cfg.PollTimeout = 2 * time.Second
	}
	cfg.Done = func(id, _ int64, _ time.Time) {
		c := h.doneChan(id)
		h.mu.Lock()
		defer h.mu.Unlock()
		select {
		case <-c: // a redelivery: already handled once
		default:
			close(c)
		}
	}
	cfg.Texts = configs.FS
	a, err := telegram.New(cfg, conv)
	if err != nil {
		t.Fatal(err)
	}
	telegram.SetSleep(a, func(ctx context.Context, d time.Duration) error {
		if d > 0 {
			h.mu.Lock()
			h.slept = append(h.slept, d)
			h.mu.Unlock()
		}
		return ctx.Err()
	})
	h.a = a
	if err := a.Setup(t.Context()); err != nil {
		t.Fatal(err)
	}
	h.stop = func() {}
	if o.poll {
		ctx, cancel := context.WithCancel(context.Background())
		errc := make(chan error, 1)
		go func() { errc <- a.Poll(ctx) }()
		var once sync.Once
		h.stop = func() {
			once.Do(func() {
				cancel()
				if err := <-errc; err != nil {
					t.Errorf("Poll: %v", err)
				}
			})
		}
		t.Cleanup(h.stop)
	}
	return h
}

// doneChan is closed once update id was handled; either the test or the
// adapter makes it, whichever comes first.
func (h *harness) doneChan(id int64) chan struct{} {
	h.mu.Lock()
	defer h.mu.Unlock()
	c := h.done[id]
	if c == nil {
		c = make(chan struct{})
		h.done[id] = c
	}
	return c
}

// wait returns once the update was handled and answered.
func (h *harness) wait(id int64) {
	h.t.Helper()
	select {
	case <-h.doneChan(id):
	case <-time.After(10 * time.Second):
		h.t.Fatalf("update %d not handled within 10 s", id)
	}
}

func (h *harness) text(chat int64, lang, text string) {
	h.t.Helper()
	h.wait(h.srv.Text(chat, lang, text))
}

// press taps the button with callback data key on the newest keyboard.
func (h *harness) press(chat int64, lang, key string) {
	h.t.Helper()
	m, ok := h.srv.Keyboard(chat)
	if !ok {
		h.t.Fatalf("press %s: no keyboard shown", key)
	}
	if _, ok := telegramtest.Button(m, key); !ok {
		h.t.Fatalf("press %s: not on the keyboard of %q", key, m.Text)
	}
	h.wait(h.srv.Press(chat, lang, m, key))
}

// post posts u to the webhook with the secret, and returns once it was
// handled and answered.
func (h *harness) post(secret string, u models.Update) {
	h.t.Helper()
	body, _ := json.Marshal(u)
	r := httptest.NewRequest(http.MethodPost, "/", bytes.NewReader(body))
	r.Header.Set("X-Telegram-Bot-Api-Secret-Token", secret)
	w := httptest.NewRecorder()
	h.a.WebhookHandler().ServeHTTP(w, r)
	if w.Code != http.StatusOK {
		h.t.Fatalf("webhook status %d", w.Code)
	}
}

func (h *harness) session(chat int64) flows.Session {
	h.t.Helper()
	s, err := h.store.Load(context.Background(), flows.ChatID("tg:"+strconv.FormatInt(chat, 10)))
	if err != nil {
		h.t.Fatalf("load session: %v", err)
	}
	return s
}

// texts returns the texts sent to a chat.
func (h *harness) texts(chat int64) []string {
	var out []string
	for _, c := range h.srv.Sent(chat) {
		if c.Method == "sendMessage" {
			out = append(out, c.Params["text"])
		}
	}
	return out
}

// profileScript is one whole conversation: the buttons pressed in order,
// then the place asked for.
type profileScript struct {
	name     string
	lang     string // Telegram language_code
	answers  []string
	postcode string    // typed; empty: the location is shared
	at       geo.Point // the shared location
	profile  string
	// consent is the press after the place list: the consent answer, or
	// "done:card" where the place cannot receive a referral (no e-mail,
	// no linked chat: the Flemish OCMWs) and the end screen follows.
	consent string
	// fallbackOK accepts the engine's "no place near you yet": the
	// directory holds only administrative-help places so far, and the
	// profiles that need a digital-skills workshop match none of them.
	fallbackOK bool
}

func profileScripts() []profileScript {
	return []profileScript{
		{name: "autonome_fr", lang: "fr", answers: []string{"lang:fr", "country:FR", "who:self", "need:banking", "device:computer",
			"internet:home", "skills:web", "online_done:alone", "feeling:ease", "reading:text", "barrier:none"},
			postcode: "75011", profile: "autonome", consent: "consent:yes"},
		{name: "grand_debutant_fr", lang: "fr-FR", answers: []string{"lang:fr", "country:FR", "who:self", "need:procedure", "device:basic_phone",
			"internet:rarely", "skills:calls", "online_done:never", "feeling:lost", "reading:text", "barrier:none"},
			postcode: "59000", profile: "grand_debutant", consent: "consent:no", fallbackOK: true},
		{name: "proche_autonomie_fr", lang: "", answers: []string{"lang:fr", "country:FR", "who:self", "need:procedure", "device:smartphone",
			"internet:mobile", "skills:apps", "online_done:with_help", "feeling:fear", "reading:text", "barrier:none"},
			postcode: "75011", profile: "proche_autonomie", consent: "consent:what"},
		{name: "besoin_assistance_fr_aidant", lang: "fr", answers: []string{"lang:fr", "country:FR", "who:pro", "need:procedure", "device:none",
			"internet:rarely", "skills:calls", "online_done:other_does", "feeling:lost", "reading:text", "barrier:none"},
			postcode: "59000", profile: "besoin_assistance", consent: "consent:aidant"},
		{name: "autonome_nl", lang: "nl", answers: []string{"lang:nl", "who:self", "need:procedure", "device:computer",
			"internet:home", "skills:web", "online_done:alone", "feeling:ease", "reading:text", "barrier:none"},
			postcode: "2000", profile: "autonome", consent: "done:card"},
		{name: "grand_debutant_nl", lang: "nl-BE", answers: []string{"lang:nl", "who:self", "need:banking", "device:basic_phone",
			"internet:rarely", "skills:calls", "online_done:never", "feeling:lost", "reading:text", "barrier:none"},
			postcode: "2000", profile: "grand_debutant", consent: "done:card"},
		{name: "proche_autonomie_nl", lang: "nl", answers: []string{"lang:nl", "who:self", "need:procedure", "device:smartphone",
			"internet:mobile", "skills:apps", "online_done:with_help", "feeling:fear", "reading:text", "barrier:none"},
			at: geo.Point{Lat: 51.2199, Lon: 4.4035}, profile: "proche_autonomie", consent: "done:card"},
		{name: "besoin_assistance_nl_aidant", lang: "nl", answers: []string{"lang:nl", "who:relative", "need:banking", "device:none",
			"internet:rarely", "skills:calls", "online_done:other_does", "feeling:lost", "reading:voice", "barrier:memory"},
			postcode: "2000", profile: "besoin_assistance", consent: "done:card"},
	}
}

// TestConversations runs a whole conversation per profile in French and
// Dutch through the fake Bot API: /start, every answer as a button press,
// the place typed or shared, the place list, the consent.
func TestConversations(t *testing.T) {
	for i, sc := range profileScripts() {
		t.Run(sc.name, func(t *testing.T) {
			t.Parallel()
			// A Tuesday at 10:00 in Brussels: the places' hours in the
			// golden transcripts stay the same.
			tuesday := time.Date(2026, 11, 24, 9, 0, 0, 0, time.UTC)
			h := newHarness(t, harnessOpts{poll: true, now: func() time.Time { return tuesday }})
			_, cats := channeltest.Engine(t)
			lang := flows.NL
			if strings.HasPrefix(sc.answers[0], "lang:fr") {
				lang = flows.FR
			}
			chat := int64(731000001 + i)
			h.text(chat, sc.lang, "/start")
			texts := h.texts(chat)
			// The welcome heads the first message, the language question
			// after it (render merges plain texts into the next message).
			if len(texts) == 0 || !strings.HasPrefix(texts[0], cats[flows.ParseLang(sc.lang)]["welcome"]+"\n\n") {
				t.Fatalf("first message %q, want the welcome in the person's language", texts)
			}
			for _, key := range sc.answers {
				h.press(chat, sc.lang, key)
			}
			// The location step: a reply keyboard with the location button.
			loc := h.srv.Sent(chat)
			lastLoc := loc[len(loc)-1]
			if kb := lastLoc.Markup().Keyboard; len(kb) != 1 || !kb[0][0].RequestLocation || kb[0][0].Text != cats[lang]["location.button"] {
				t.Fatalf("location step: last message %q with keyboard %+v, want the location button", lastLoc.Params["text"], kb)
			}
			before := len(h.srv.Sent(chat))
			if sc.postcode != "" {
				h.text(chat, sc.lang, sc.postcode)
			} else {
				h.wait(h.srv.ShareLocation(chat, sc.lang, sc.at.Lat, sc.at.Lon))
			}
			after := h.srv.Sent(chat)[before:]
			if !after[0].Markup().RemoveKeyboard {
				t.Errorf("the reply to the location does not remove the location keyboard")
			}
			presses := len(sc.answers)
			if h.srv.Venues(chat) == 0 {
				// The directory has no place for this profile here yet: the
				// engine's honest fallback ends the conversation.
				if !sc.fallbackOK {
					t.Fatalf("no place shown after the location; sent: %q", h.texts(chat)[before:])
				}
				country := map[flows.Lang]string{flows.FR: "FR", flows.NL: "BE"}[lang]
				if got := after[0].Params["text"]; got != cats[lang]["fallback."+country] {
					t.Fatalf("no place and no fallback: %q", got)
				}
				t.Logf("no place for %s: fallback shown", sc.profile)
			} else {
				if !strings.Contains(after[0].Params["text"], "🏢 ") || after[1].Method != "sendVenue" {
					t.Errorf("want a place card then a venue, got %s %q, %s", after[0].Method, after[0].Params["text"], after[1].Method)
				}
				if m, ok := h.srv.Keyboard(chat); ok {
					if _, pick := telegramtest.Button(m, "pick:1"); pick {
						// Several places: the person picks one before the consent.
						h.press(chat, sc.lang, "pick:1")
						presses++
					}
				}
				h.press(chat, sc.lang, sc.consent)
				presses++
			}

			s := h.session(chat)
			if s.Answers["profile"] != sc.profile {
				t.Errorf("profile %q, want %q", s.Answers["profile"], sc.profile)
			}
			if s.Lang != lang {
				t.Errorf("session language %q, want %q", s.Lang, lang)
			}
			if n := len(h.srv.CallsTo("answerCallbackQuery")); n != presses {
				t.Errorf("%d answerCallbackQuery, want one per press (%d)", n, presses)
			}
			wantEdits := presses
			if sc.consent == "consent:what" || sc.consent == "done:card" {
				wantEdits-- // the engine explains (or gives the card) and asks again: the question stays open
			}
			edits := h.srv.CallsTo("editMessageText")
			if len(edits) != wantEdits {
				t.Fatalf("%d questions edited, want %d", len(edits), wantEdits)
			}
			who := sc.answers[slices.IndexFunc(sc.answers, func(a string) bool { return strings.HasPrefix(a, "who:") })]
			want := cats[lang]["q.who"] + "\n→ " + cats[lang]["a.who."+strings.TrimPrefix(who, "who:")]
			if !slices.ContainsFunc(edits, func(c telegramtest.Call) bool { return c.Params["text"] == want }) {
				t.Errorf("no question edited to %q", want)
			}
			for _, c := range h.srv.Calls() {
				if c.Status != http.StatusOK {
					t.Errorf("%s answered %d", c.Method, c.Status)
				}
			}
			checkGolden(t, sc.name, transcript(h.srv.Sent(chat)))
		})
	}
}

// TestCommandsMenu checks the menu set at start-up: FR, NL and default.
func TestCommandsMenu(t *testing.T) {
	h := newHarness(t, harnessOpts{})
	calls := h.srv.CallsTo("setMyCommands")
	got := map[string]string{}
	for _, c := range calls {
		got[c.Params["language_code"]] = c.Params["commands"]
	}
	for _, lc := range []string{"", "fr", "nl"} {
		var cmds []models.BotCommand
		if err := json.Unmarshal([]byte(got[lc]), &cmds); err != nil {
			t.Fatalf("language %q: commands %q: %v", lc, got[lc], err)
		}
		var names []string
		for _, c := range cmds {
			names = append(names, c.Command)
		}
		if want := []string{"start", "aide", "oubli", "langue"}; !slices.Equal(names, want) {
			t.Errorf("language %q: commands %v, want %v", lc, names, want)
		}
	}
	if got["fr"] == got["nl"] || got[""] != got["fr"] {
		t.Errorf("want Dutch descriptions for nl and French by default: %v", got)
	}
	if n := len(h.srv.CallsTo("deleteWebhook")); n != 1 {
		t.Errorf("polling mode: %d deleteWebhook, want 1", n)
	}
}

func TestDeepLink(t *testing.T) {
	h := newHarness(t, harnessOpts{poll: true})
	tests := []struct {
		chat int64
		text string
		want string
	}{
		{731100001, "/start abc123", "abc123"},
		{731100002, "/start@SecoursTestBot campagne_2025-epn", "campagne_2025-epn"},
		{731100003, "/start", ""},
		{731100004, "/start <script>", ""}, // not a payload Telegram makes: ignored
	}
	for _, tt := range tests {
		h.text(tt.chat, "fr", tt.text)
		if got := h.session(tt.chat).Payload; got != tt.want {
			t.Errorf("%q: session payload %q, want %q", tt.text, got, tt.want)
		}
	}
}

// TestNonText sends what the bot cannot read: the engine's kind message
// for media, silence for edits and channel posts, a log line when blocked.
func TestNonText(t *testing.T) {
	h := newHarness(t, harnessOpts{poll: true})
	_, cats := channeltest.Engine(t)
	const chat = 731200001
	h.text(chat, "fr", "/start")
	media := map[string]func(m *models.Message){
		"sticker":  func(m *models.Message) { m.Sticker = &models.Sticker{FileID: "s1", Type: "regular"} },
		"photo":    func(m *models.Message) { m.Photo = []models.PhotoSize{{FileID: "p1", Width: 10, Height: 10}} },
		"voice":    func(m *models.Message) { m.Voice = &models.Voice{FileID: "v1", Duration: 3} },
		"document": func(m *models.Message) { m.Document = &models.Document{FileID: "d1"} },
		"caption":  func(m *models.Message) { m.Photo, m.Caption = []models.PhotoSize{{FileID: "p2"}}, "75011" },
		"contact":  func(m *models.Message) { m.Contact = &models.Contact{PhoneNumber: "+32470000000", FirstName: "X"} },
	}
	for name, add := range media {
		before := len(h.texts(chat))
		m := h.srv.Message(chat, "fr")
		add(m)
		h.wait(h.srv.Push(models.Update{Message: m}))
		got := h.texts(chat)[before:]
		if len(got) == 0 || !strings.HasPrefix(got[0], cats[flows.FR]["media.unsupported"]+"\n\n") {
			t.Errorf("%s: replies %q, want the engine's media message first", name, got)
		}
	}
	before := len(h.srv.Sent(chat))
	edited := h.srv.Message(chat, "fr")
	edited.Text, edited.EditDate = "2", int(time.Now().Unix())
	post := h.srv.Message(-1001234, "fr")
	post.Chat.Type, post.Text = models.ChatTypeChannel, "annonce"
	ids := []int64{
		h.srv.Push(models.Update{EditedMessage: edited}),
		h.srv.Push(models.Update{ChannelPost: post}),
		h.srv.Push(models.Update{MyChatMember: &models.ChatMemberUpdated{
			Chat: models.Chat{ID: chat, Type: models.ChatTypePrivate}, From: models.User{ID: chat}, Date: 1,
			OldChatMember: models.ChatMember{Type: models.ChatMemberTypeMember, Member: &models.ChatMemberMember{User: &models.User{ID: 1}}},
			NewChatMember: models.ChatMember{Type: models.ChatMemberTypeBanned, Banned: &models.ChatMemberBanned{User: &models.User{ID: 1}}},
		}}),
		h.srv.Push(models.Update{InlineQuery: &models.InlineQuery{ID: "q1", From: &models.User{ID: chat}, Query: "x"}}),
	}
	for _, id := range ids {
		h.wait(id)
	}
	if got := h.srv.Sent(chat)[before:]; len(got) != 0 {
		t.Errorf("edits, channel posts, blocks and inline queries got %d replies, want none", len(got))
	}
	if !strings.Contains(h.logs.String(), `"msg":"bot blocked"`) {
		t.Errorf("no log line for the block")
	}
}

func TestGroupChat(t *testing.T) {
	h := newHarness(t, harnessOpts{poll: true})
	tests := []struct {
		chat     int64
		typ      models.ChatType
		lang     string
		contains string
	}{
		{-731300001, models.ChatTypeGroup, "fr", "conversation privée"},
		{-1001731300002, models.ChatTypeSupergroup, "nl-BE", "privégesprek"},
		{-731300003, models.ChatTypeGroup, "", "conversation privée"},
	}
	for _, tt := range tests {
		m := h.srv.Message(tt.chat, tt.lang)
		m.Chat.Type, m.Text = tt.typ, "/start@SecoursTestBot"
		h.wait(h.srv.Push(models.Update{Message: m}))
		got := h.texts(tt.chat)
		if len(got) != 1 || !strings.Contains(got[0], tt.contains) {
			t.Errorf("%s %s: replies %q, want one line about private chat", tt.typ, tt.lang, got)
		}
		if _, err := h.store.Load(t.Context(), flows.ChatID("tg:"+strconv.FormatInt(tt.chat, 10))); !errors.Is(err, flows.ErrNoSession) {
			t.Errorf("%s: the conversation was reached (%v)", tt.typ, err)
		}
	}

	// The rest of a group's talk is not for the bot: no answer.
	const talk = -731300004
	m := h.srv.Message(talk, "fr")
	m.Text = "bonjour à tous"
	h.wait(h.srv.Push(models.Update{Message: m}))
	if got := h.texts(talk); len(got) != 0 {
		t.Errorf("plain group message: replies %q, want none", got)
	}
	// Added to a group, the bot says once that it talks in private.
	const added = -731300005
	h.wait(h.srv.Push(models.Update{MyChatMember: &models.ChatMemberUpdated{
		Chat: models.Chat{ID: added, Type: models.ChatTypeGroup}, From: models.User{ID: 42, LanguageCode: "nl"}, Date: 1,
		OldChatMember: models.ChatMember{Type: models.ChatMemberTypeLeft, Left: &models.ChatMemberLeft{User: &models.User{ID: 1}}},
		NewChatMember: models.ChatMember{Type: models.ChatMemberTypeMember, Member: &models.ChatMemberMember{User: &models.User{ID: 1}}},
	}}))
	if got := h.texts(added); len(got) != 1 || !strings.Contains(got[0], "privégesprek") {
		t.Errorf("added to a group: replies %q, want the one line in Dutch", got)
	}
}

func TestBlockedChatIsDropped(t *testing.T) {
	h := newHarness(t, harnessOpts{poll: true})
	const chat = 731400001
	h.srv.Block(chat)
	h.text(chat, "fr", "/start") // two messages due: welcome and the language question
	calls := h.srv.CallsTo("sendMessage")
	if len(calls) != 1 || calls[0].Status != http.StatusForbidden {
		t.Errorf("sendMessage calls %d (first status %v), want one refused call, not retried", len(calls), calls)
	}
	logs := h.logs.String()
	if !strings.Contains(logs, `"msg":"send refused, dropped"`) {
		t.Errorf("the refusal is not logged:\n%s", logs)
	}
	if strings.Contains(logs, "731400001") {
		t.Errorf("the log holds the raw chat id")
	}
}

func TestTooManyRequests(t *testing.T) {
	h := newHarness(t, harnessOpts{poll: true})
	_, cats := channeltest.Engine(t)
	const chat = 731500001
	h.srv.Fail("sendMessage", telegramtest.Failure{Code: http.StatusTooManyRequests, RetryAfter: 7})
	h.text(chat, "fr", "/start")
	calls := h.srv.CallsTo("sendMessage")
	if len(calls) != 2 || calls[0].Status != http.StatusTooManyRequests {
		t.Fatalf("%d sendMessage calls, want 429 then the welcome with its question", len(calls))
	}
	if calls[0].Params["text"] != calls[1].Params["text"] {
		t.Errorf("the refused message was not the one sent again")
	}
	welcome := 0
	for _, s := range h.texts(chat) {
		if strings.HasPrefix(s, cats[flows.FR]["welcome"]) {
			welcome++
		}
	}
	if welcome != 1 {
		t.Errorf("welcome delivered %d times, want once", welcome)
	}
	h.mu.Lock()
	slept := slices.Clone(h.slept)
	h.mu.Unlock()
	if !slices.Contains(slept, 7*time.Second) {
		t.Errorf("waits %v, want retry_after (7 s) honoured", slept)
	}
}

// countingConv is a conversation that counts its calls and echoes.
type countingConv struct {
	mu   sync.Mutex
	msgs []flows.Msg
	hold chan struct{} // if not nil, each Handle waits for it
	in   chan struct{} // if not nil, told when a Handle starts
}

func (c *countingConv) Handle(ctx context.Context, m flows.Msg) []flows.Reply {
	if c.in != nil {
		c.in <- struct{}{}
	}
	if c.hold != nil {
		<-c.hold
	}
	c.mu.Lock()
	c.msgs = append(c.msgs, m)
	c.mu.Unlock()
	return []flows.Reply{{Text: "echo " + m.Text}}
}

func (c *countingConv) count() int {
	c.mu.Lock()
	defer c.mu.Unlock()
	return len(c.msgs)
}

func TestWebhook(t *testing.T) {
	conv := &countingConv{}
	const secret = "s3cr3t-Token_42"
	h := newHarness(t, harnessOpts{conv: conv, cfg: telegram.Config{WebhookURL: "https://bot.example.test/tg/hook", WebhookSecret: secret}})
	set := h.srv.CallsTo("setWebhook")
	if len(set) != 1 || set[0].Params["url"] != "https://bot.example.test/tg/hook" || set[0].Params["secret_token"] != secret {
		t.Fatalf("setWebhook calls %+v, want the URL and the secret", set)
	}
	handler := h.a.WebhookHandler()
	m := h.srv.Message(731600001, "fr")
	m.Text = "bonjour"
	body, _ := json.Marshal(models.Update{ID: 5001, Message: m})
	tests := []struct {
		name   string
		method string
		header []string
		want   int
		calls  int
	}{
		{"no secret", http.MethodPost, nil, http.StatusUnauthorized, 0},
		{"wrong secret", http.MethodPost, []string{"s3cr3t-Token_43"}, http.StatusUnauthorized, 0},
		{"secret prefix", http.MethodPost, []string{"s3cr3t"}, http.StatusUnauthorized, 0},
		{"empty secret", http.MethodPost, []string{""}, http.StatusUnauthorized, 0},
		{"right secret, GET", http.MethodGet, []string{secret}, http.StatusMethodNotAllowed, 0},
		{"right secret", http.MethodPost, []string{secret}, http.StatusOK, 1},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			r := httptest.NewRequest(tt.method, "/tg/hook", bytes.NewReader(body))
			for _, v := range tt.header {
				r.Header.Set("X-Telegram-Bot-Api-Secret-Token", v)
			}
			w := httptest.NewRecorder()
			handler.ServeHTTP(w, r)
			if w.Code != tt.want {
				t.Errorf("status %d, want %d", w.Code, tt.want)
			}
			if n := conv.count(); n != tt.calls {
				t.Errorf("conversation reached %d times, want %d", n, tt.calls)
			}
		})
	}
	// The 200 comes after the reply was sent.
	if got := h.texts(731600001); !slices.Equal(got, []string{"echo bonjour"}) {
		t.Errorf("replies %q, want the echo", got)
	}
	// Garbage is refused without reaching the conversation.
	r := httptest.NewRequest(http.MethodPost, "/tg/hook", strings.NewReader("{not json"))
	r.Header.Set("X-Telegram-Bot-Api-Secret-Token", secret)
	w := httptest.NewRecorder()
	handler.ServeHTTP(w, r)
	if w.Code != http.StatusBadRequest || conv.count() != 1 {
		t.Errorf("bad body: status %d, %d conversations, want 400 and still 1", w.Code, conv.count())
	}
}

func TestConfigCheck(t *testing.T) {
	tests := []struct {
		name string
		cfg  telegram.Config
		bad  []string
	}{
		{"polling", telegram.Config{Token: "1:a"}, nil},
		{"no token", telegram.Config{}, []string{"TELEGRAM_BOT_TOKEN"}},
		{"bad API URL", telegram.Config{Token: "1:a", APIURL: "ftp://x"}, []string{"TELEGRAM_API_URL"}},
		{"webhook", telegram.Config{Token: "1:a", WebhookURL: "https://x.test/h", WebhookSecret: "abc_DEF-1"}, nil},
		{"webhook without secret", telegram.Config{Token: "1:a", WebhookURL: "https://x.test/h"}, []string{"TELEGRAM_WEBHOOK_SECRET"}},
		{"webhook over http", telegram.Config{Token: "1:a", WebhookURL: "http://x.test/h", WebhookSecret: "s"}, []string{"TELEGRAM_WEBHOOK_URL"}},
		{"secret with a space", telegram.Config{Token: "1:a", WebhookURL: "https://x.test/h", WebhookSecret: "a b"}, []string{"TELEGRAM_WEBHOOK_SECRET"}},
	}
	for _, tt := range tests {
		got := tt.cfg.Check()
		if len(got) != len(tt.bad) {
			t.Errorf("%s: problems %q, want %d", tt.name, got, len(tt.bad))
			continue
		}
		for i, p := range got {
			if !strings.HasPrefix(p, tt.bad[i]) {
				t.Errorf("%s: problem %q, want it to name %s", tt.name, p, tt.bad[i])
			}
		}
	}
	var b bytes.Buffer
	slog.New(slog.NewTextHandler(&b, nil)).Info("x", slog.Any("cfg", telegram.Config{Token: "999:SECRET", WebhookSecret: "HOOKSECRET",
		WebhookURL: "https://x.test/bot999:SECRET"}))
	if strings.Contains(b.String(), "SECRET") {
		t.Errorf("the config logs a secret: %s", b.String())
	}
}

// TestOrderAndShutdown pushes several updates of one chat while the
// conversation is slow, stops polling while one is in flight, and checks
// that every update was answered in order and the offset confirmed.
func TestOrderAndShutdown(t *testing.T) {
	conv := &countingConv{hold: make(chan struct{}), in: make(chan struct{}, 16)}
	h := newHarness(t, harnessOpts{conv: conv, poll: true})
	const chat = 731700001
	var ids []int64
	for i := range 5 {
		ids = append(ids, h.srv.Text(chat, "fr", "m"+strconv.Itoa(i)))
	}
	other := h.srv.Text(731700002, "fr", "other")
	<-conv.in // the first update is in flight
	<-conv.in // and the other chat's runs in parallel
	stopped := make(chan struct{})
	go func() { h.stop(); close(stopped) }()
	// Nothing signals that Poll is rightly still waiting: give it a moment
	// to return wrongly.
	select {
	case <-stopped:
		t.Fatal("Poll returned with updates in flight")
	case <-time.After(50 * time.Millisecond):
	}
	for range 6 {
		conv.hold <- struct{}{}
	}
	<-stopped
	for _, id := range append(ids, other) {
		h.wait(id)
	}
	want := []string{"echo m0", "echo m1", "echo m2", "echo m3", "echo m4"}
	if got := h.texts(chat); !slices.Equal(got, want) {
		t.Errorf("replies %q, want %q in order", got, want)
	}
	if got, want := h.srv.Offset(), other+1; got != want {
		t.Errorf("confirmed offset %d, want %d", got, want)
	}
	if n := h.srv.Pending(); n != 0 {
		t.Errorf("%d updates left unconfirmed", n)
	}
	last := h.srv.CallsTo("getUpdates")
	if p := last[len(last)-1].Params; p["timeout"] != "0" {
		t.Errorf("the last getUpdates waits (%v): want a quick confirmation", p)
	}
}

// TestRedeliveryIsHandledOnce posts the same update twice to the webhook,
// as Telegram does when the process stopped before answering 200.
func TestRedeliveryIsHandledOnce(t *testing.T) {
	const secret = "hook"
	h := newHarness(t, harnessOpts{cfg: telegram.Config{WebhookURL: "https://bot.example.test/", WebhookSecret: secret}})
	const chat = 731800001
	post := func(u models.Update) { h.post(secret, u) }
	start := h.srv.Message(chat, "fr")
	start.Text = "/start"
	post(models.Update{ID: 99000, Message: start})
	m := h.srv.Message(chat, "fr")
	m.Text = "1"
	u := models.Update{ID: 99001, Message: m}
	post(u)
	n := len(h.srv.Sent(chat))
	post(u)
	if got := len(h.srv.Sent(chat)); got != n {
		t.Errorf("the redelivered update was answered again (%d messages, then %d)", n, got)
	}
	if s := h.session(chat); s.Lang != flows.FR || s.State == flows.StateLang {
		t.Errorf("session %s/%s: the first delivery was not applied", s.Lang, s.State)
	}
}

// TestLogsHoldNoPersonalData runs a conversation with errors along the way
// and checks that no log line holds the raw chat id, the typed text, the
// payload or the token.
func TestLogsHoldNoPersonalData(t *testing.T) {
	h := newHarness(t, harnessOpts{poll: true})
	const chat = 731900001
	h.text(chat, "fr", "/start Payload42")
	h.text(chat, "fr", "Bonjour je m'appelle Marie")
	sc := profileScripts()[0]
	for _, key := range sc.answers {
		h.press(chat, "fr", key)
	}
	h.srv.Fail("sendMessage", telegramtest.Failure{Code: http.StatusTooManyRequests, RetryAfter: 1})
	h.srv.Fail("sendMessage", telegramtest.Failure{Code: http.StatusBadRequest})
	h.text(chat, "fr", "75011")
	h.srv.Block(chat)
	h.text(chat, "fr", "0470 12 34 56")
	logs := h.logs.String()
	for _, secret := range []string{"731900001", "Marie", "75011", "Payload42", "0470", h.srv.Token, "123456:"} {
		if containsWord(logs, secret) {
			t.Errorf("log contains %q", secret)
		}
	}
	for _, want := range []string{`"msg":"update handled"`, `"msg":"send throttled, waiting"`, `"msg":"send failed"`, `"msg":"send refused, dropped"`} {
		if !strings.Contains(logs, want) {
			t.Errorf("log lacks %s", want)
		}
	}
}

// containsWord reports s in logs, not inside a longer number: a duration
// in nanoseconds ("dur":10470123) may hold "0470" by chance.
func containsWord(logs, s string) bool {
	digit := func(i int) bool { return i >= 0 && i < len(logs) && logs[i] >= '0' && logs[i] <= '9' }
	for i := 0; ; {
		j := strings.Index(logs[i:], s)
		if j < 0 {
			return false
		}
		j += i
		if !digit(j-1) && !digit(j+len(s)) {
			return true
		}
		i = j + 1
	}
}

// TestRestartWithRedis stops the adapter halfway through a conversation
// and starts a new one, with a new Redis client on the same REDIS_URL: the
// conversation goes on where it was.
func TestRestartWithRedis(t *testing.T) {
	u, prefix := redistest.New(t)
	open := func() *redis.Store {
		s, err := redis.Open(t.Context(), u, redis.Options{Prefix: prefix, TTL: time.Hour})
		if err != nil {
			t.Fatal(err)
		}
		return s
	}
	const chat = 732000001
	srv := telegramtest.New(telegramtest.Options{})
	defer srv.Close()
	sc := profileScripts()[4] // Dutch, autonome

	st1 := open()
	h1 := newHarness(t, harnessOpts{srv: srv, store: st1, poll: true})
	h1.text(chat, sc.lang, "/start")
	for _, key := range sc.answers[:5] {
		h1.press(chat, sc.lang, key)
	}
	h1.stop()
	if err := st1.Close(); err != nil {
		t.Fatal(err)
	}
	if n := srv.Pending(); n != 0 {
		t.Fatalf("%d updates unconfirmed after the stop", n)
	}

	st2 := open()
	defer func() {
		ctx, cancel := context.WithTimeout(context.Background(), 5*time.Second)
		defer cancel()
		_ = st2.Delete(ctx, flows.ChatID("tg:"+strconv.FormatInt(chat, 10)))
		st2.Close()
	}()
	h2 := newHarness(t, harnessOpts{srv: srv, store: st2, poll: true})
	for _, key := range sc.answers[5:] {
		h2.press(chat, sc.lang, key)
	}
	h2.text(chat, sc.lang, sc.postcode)
	if srv.Venues(chat) == 0 {
		t.Fatalf("no place after the restart")
	}
	if s := h2.session(chat); s.Answers["profile"] != sc.profile || s.Answers["device"] != "computer" {
		t.Errorf("after the restart: profile %q, device %q; want %q and the answer given before", s.Answers["profile"], s.Answers["device"], sc.profile)
	}
}

// longConv answers every message with one long question.
type longConv struct{ text string }

func (c longConv) Handle(context.Context, flows.Msg) []flows.Reply {
	return []flows.Reply{{Text: c.text, Choices: []flows.Choice{{Key: "q:a", Label: "A"}}}}
}

// TestLongReplyIsSplit sends a reply over Telegram's limit through the
// fake, which refuses any text over 4096 characters.
func TestLongReplyIsSplit(t *testing.T) {
	var b strings.Builder
	for i := 0; b.Len() < 12000; i++ {
		fmt.Fprintf(&b, "Ligne %d : démarches, santé 🩺, banque 🏦.\n", i)
	}
	text := strings.TrimSuffix(b.String(), "\n")
	h := newHarness(t, harnessOpts{conv: longConv{text}, poll: true})
	const chat = 732100001
	h.text(chat, "fr", "bonjour")
	sent := h.srv.Sent(chat)
	if len(sent) < 3 {
		t.Fatalf("%d messages, want the text in at least 3 pieces", len(sent))
	}
	var got []string
	for i, c := range sent {
		got = append(got, c.Params["text"])
		if kb := c.Markup().InlineKeyboard; (len(kb) > 0) != (i == len(sent)-1) {
			t.Errorf("piece %d: keyboard %v, want it on the last piece only", i, kb)
		}
	}
	if strings.Join(got, "\n") != text {
		t.Errorf("the pieces do not give the text back, line by line")
	}
	for _, c := range h.srv.Calls() {
		if c.Status != http.StatusOK {
			t.Errorf("%s answered %d", c.Method, c.Status)
		}
	}
}

// editsOf returns the edits of one message.
func (h *harness) editsOf(chat int64, msgID int) []telegramtest.Call {
	var out []telegramtest.Call
	for _, c := range h.srv.Calls() {
		if strings.HasPrefix(c.Method, "editMessage") && c.ChatID() == chat && c.Params["message_id"] == strconv.Itoa(msgID) {
			out = append(out, c)
		}
	}
	return out
}

// toCountry starts a French conversation and returns the country
// question, the second one.
func (h *harness) toCountry(chat int64) *models.Message {
	h.t.Helper()
	h.text(chat, "fr", "/start")
	h.press(chat, "fr", "lang:fr")
	m, ok := h.srv.Keyboard(chat)
	if !ok {
		h.t.Fatal("no country question shown")
	}
	return m
}

// TestStaleButton presses a button of a question answered by typing: the
// engine re-asks the open question, and the old message is left as it is,
// not marked with an answer that was not taken.
func TestStaleButton(t *testing.T) {
	h := newHarness(t, harnessOpts{poll: true})
	const chat = 732200001
	old := h.toCountry(chat)
	h.text(chat, "fr", "1") // the first country, typed
	typed := h.session(chat)
	other := map[string]string{"BE": "FR", "FR": "BE"}[typed.Answers["country"]]
	if other == "" {
		t.Fatalf("typed answer not taken: state %s, country %q", typed.State, typed.Answers["country"])
	}
	h.wait(h.srv.Press(chat, "fr", old, "country:"+other))
	if got := h.editsOf(chat, old.ID); len(got) != 0 {
		t.Errorf("the stale question was edited: %s %q", got[0].Method, got[0].Params["text"])
	}
	if s := h.session(chat); s.State != typed.State || s.Answers["country"] != typed.Answers["country"] {
		t.Errorf("the stale press changed the session: state %s, country %s", s.State, s.Answers["country"])
	}
	// The newest question still takes its button, and shows the answer.
	cur, _ := h.srv.Keyboard(chat)
	h.press(chat, "fr", "who:self")
	if got := h.editsOf(chat, cur.ID); len(got) != 1 || got[0].Method != "editMessageText" {
		t.Errorf("the answered question: edits %v, want one editMessageText", got)
	}
}

// TestBackFromLocation presses "Retour" at the location step: the reply is
// a question only, and it must still take the location keyboard away.
func TestBackFromLocation(t *testing.T) {
	h := newHarness(t, harnessOpts{poll: true})
	const chat = 732300001
	sc := profileScripts()[0]
	h.text(chat, sc.lang, "/start")
	for _, key := range sc.answers {
		h.press(chat, sc.lang, key)
	}
	sent := h.srv.Sent(chat)
	if kb := sent[len(sent)-1].Markup().Keyboard; len(kb) == 0 || !kb[0][0].RequestLocation {
		t.Fatalf("not at the location step")
	}
	before := len(sent)
	h.press(chat, sc.lang, "nav:back")
	after := h.srv.Sent(chat)[before:]
	if len(after) == 0 || !after[0].Markup().RemoveKeyboard {
		t.Fatalf("after Retour: %d messages, first markup %s; want the location keyboard removed", len(after), after[0].Params["reply_markup"])
	}
	for _, c := range after {
		if len(c.Markup().Keyboard) > 0 {
			t.Errorf("a location keyboard came back: %q", c.Params["text"])
		}
	}
	// The question got its buttons by an edit, and they work.
	last := sc.answers[len(sc.answers)-1]
	m, ok := h.srv.Keyboard(chat)
	if _, found := telegramtest.Button(m, last); !ok || !found {
		t.Fatalf("the previous question has no %s button", last)
	}
	h.press(chat, sc.lang, last)
	sent = h.srv.Sent(chat)
	if kb := sent[len(sent)-1].Markup().Keyboard; len(kb) == 0 || !kb[0][0].RequestLocation {
		t.Errorf("answering again does not come back to the location step")
	}
}

// TestOddCallbacks sends button presses the bot never offered or cannot
// place: each is answered, none panics, and only the one from a private
// chat reaches the conversation.
func TestOddCallbacks(t *testing.T) {
	conv := &countingConv{}
	h := newHarness(t, harnessOpts{conv: conv, poll: true})
	const chat = 732400001
	private := models.Chat{ID: chat, Type: models.ChatTypePrivate}
	group := models.Chat{ID: -732400002, Type: models.ChatTypeGroup}
	from := models.User{ID: chat, LanguageCode: "fr"}
	tests := []struct {
		name  string
		q     models.CallbackQuery
		convs int
	}{
		{"inaccessible message, private", models.CallbackQuery{ID: "c1", From: from, Data: "who:self",
			Message: models.MaybeInaccessibleMessage{Type: models.MaybeInaccessibleMessageTypeInaccessibleMessage,
				InaccessibleMessage: &models.InaccessibleMessage{Chat: private, MessageID: 3}}}, 1},
		{"inaccessible message, group", models.CallbackQuery{ID: "c2", From: from, Data: "who:self",
			Message: models.MaybeInaccessibleMessage{Type: models.MaybeInaccessibleMessageTypeInaccessibleMessage,
				InaccessibleMessage: &models.InaccessibleMessage{Chat: group, MessageID: 3}}}, 0},
		{"empty data", models.CallbackQuery{ID: "c3", From: from, GameShortName: "g",
			Message: models.MaybeInaccessibleMessage{Type: models.MaybeInaccessibleMessageTypeMessage,
				Message: &models.Message{ID: 4, Chat: private}}}, 0},
		{"inline mode", models.CallbackQuery{ID: "c4", From: from, InlineMessageID: "im1", Data: "who:self"}, 0},
	}
	for _, tt := range tests {
		before := conv.count()
		h.wait(h.srv.Push(models.Update{CallbackQuery: &tt.q}))
		if got := conv.count() - before; got != tt.convs {
			t.Errorf("%s: conversation reached %d times, want %d", tt.name, got, tt.convs)
		}
	}
	if n := len(h.srv.CallsTo("answerCallbackQuery")); n != len(tests) {
		t.Errorf("%d callbacks answered, want all %d", n, len(tests))
	}
	if n := len(h.srv.CallsTo("editMessageText")) + len(h.srv.CallsTo("editMessageReplyMarkup")); n != 0 {
		t.Errorf("%d edits of messages the bot does not know, want none", n)
	}
	if strings.Contains(h.logs.String(), `"msg":"update panicked"`) {
		t.Errorf("an odd callback panicked:\n%s", h.logs.String())
	}
}

// TestOlderCopyOfOpenQuestion answers with a button of an earlier copy of
// the question still open (asked again after "aide"): the engine takes it,
// so that copy shows the answer.
func TestOlderCopyOfOpenQuestion(t *testing.T) {
	h := newHarness(t, harnessOpts{poll: true})
	const chat = 732500001
	first := h.toCountry(chat)
	h.text(chat, "fr", "aide")
	if again, _ := h.srv.Keyboard(chat); again == nil || again.ID == first.ID {
		t.Fatalf("the question was not asked again after aide")
	}
	h.wait(h.srv.Press(chat, "fr", first, "country:FR"))
	if s := h.session(chat); s.Answers["country"] != "FR" {
		t.Fatalf("the press on the earlier copy was not taken: state %s", s.State)
	}
	label := ""
	for _, row := range first.ReplyMarkup.InlineKeyboard {
		for _, b := range row {
			if b.CallbackData == "country:FR" {
				label = b.Text
			}
		}
	}
	if got := h.editsOf(chat, first.ID); len(got) != 1 || got[0].Params["text"] != first.Text+"\n→ "+label {
		t.Errorf("the earlier copy: edits %v, want it to show %q", got, label)
	}
}
