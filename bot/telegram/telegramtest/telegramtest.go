package telegramtest

import (
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"mime"
	"net/http"
	"net/http/httptest"
	"strconv"
	"strings"
	"sync"
	"time"
	"unicode/utf16"

	"github.com/go-telegram/bot/models"
)

// DefaultToken is the token of a Server made with a zero Options.
const DefaultToken = "123456:TEST-token"

// Options configure a Server.
type Options struct {
	Token string // "": DefaultToken
	// NoRecord keeps no call log, only each chat's state: the load tool
	// drives thousands of chats and measures the process's memory.
	NoRecord bool
}

// Server is a fake Bot API. It is safe for concurrent use.
type Server struct {
	URL   string // base URL, for the bot's API URL setting
	Token string

	srv    *httptest.Server
	record bool

	mu       sync.Mutex // guards everything below
	calls    []Call
	pending  []models.Update // pushed, not yet confirmed by an offset
	nextUpd  int64
	nextCB   int
	offset   int64 // the highest offset a getUpdates sent
	chats    map[int64]*chatState
	failures map[string][]Failure
	holds    map[string]chan struct{} // methods whose calls wait, until the channel is closed
	held     map[string]int           // calls waiting on a hold now
	wake     chan struct{}            // closed when an update is pushed
	closed   bool
}

// chatState is what a chat shows: the messages still carrying an inline
// keyboard, the newest message without one (the bot may give it buttons
// by an edit), and counters. Older plain messages are not kept: the load
// tool drives thousands of chats.
type chatState struct {
	nextMsg int
	open    map[int]*models.Message // messages with an inline keyboard, by id
	last    *models.Message         // the newest of them
	plain   *models.Message         // the newest message sent without one
	venues  int
	blocked bool
}

// Call is one request the bot made.
type Call struct {
	Method string
	// Params holds each parameter as sent: strings as they are, objects
	// (reply_markup…) as their JSON text.
	Params map[string]string
	Status int // 200, or the error code answered
	At     time.Time
}

// ChatID is the call's chat_id, 0 if none.
func (c Call) ChatID() int64 {
	id, _ := strconv.ParseInt(c.Params["chat_id"], 10, 64)
	return id
}

// Markup decodes the call's reply_markup: an inline keyboard, a reply
// keyboard, or a removal; nil fields for what it is not.
func (c Call) Markup() Markup {
	var m Markup
	if s := c.Params["reply_markup"]; s != "" {
		_ = json.Unmarshal([]byte(s), &m)
	}
	return m
}

// Markup is a decoded reply_markup.
type Markup struct {
	InlineKeyboard [][]models.InlineKeyboardButton `json:"inline_keyboard"`
	Keyboard       [][]models.KeyboardButton       `json:"keyboard"`
	RemoveKeyboard bool                            `json:"remove_keyboard"`
}

// Failure is an error answered instead of the next call of a method.
type Failure struct {
	Code       int // 429, 403, 400…
	RetryAfter int // seconds, for 429
	// Description is the error's text, as the real API words it
	// ("Forbidden: user is deactivated", "Bad Request: chat not found"):
	// bots tell some errors apart by it alone. "": the status text.
	Description string
}

// New starts a fake on a loopback port. Close it when done.
func New(o Options) *Server {
	if o.Token == "" {
		o.Token = DefaultToken
	}
	s := &Server{
		Token:    o.Token,
		record:   !o.NoRecord,
		chats:    map[int64]*chatState{},
		failures: map[string][]Failure{},
		holds:    map[string]chan struct{}{},
		held:     map[string]int{},
		wake:     make(chan struct{}),
		nextUpd:  1000,
	}
	s.srv = httptest.NewServer(http.HandlerFunc(s.serve))
	s.URL = s.srv.URL
	return s
}

// Close stops the server; pending long polls return at once.
func (s *Server) Close() {
	s.mu.Lock()
	if !s.closed {
		s.closed = true
		close(s.wake)
	}
	for m, c := range s.holds {
		close(c) // held calls end with the server
		delete(s.holds, m)
	}
	s.mu.Unlock()
	s.srv.CloseClientConnections()
	s.srv.Close()
}

// Fail makes the next call of method fail with f; failures queue up.
func (s *Server) Fail(method string, f Failure) {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.failures[method] = append(s.failures[method], f)
}

// Hold makes the calls of method wait, from now until release is called
// (once is enough; it may be called more than once). A call whose request
// ends while it waits (the bot gave up, or its process died) is not
// carried out and is recorded with status 499: the bot got no answer.
func (s *Server) Hold(method string) (release func()) {
	s.mu.Lock()
	defer s.mu.Unlock()
	c := s.holds[method]
	if c == nil {
		c = make(chan struct{})
		s.holds[method] = c
	}
	var once sync.Once
	return func() {
		once.Do(func() {
			s.mu.Lock()
			defer s.mu.Unlock()
			if s.holds[method] == c {
				close(c)
				delete(s.holds, method)
			}
		})
	}
}

// Held counts the calls of method waiting on a Hold now.
func (s *Server) Held(method string) int {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.held[method]
}

// statusGone records a call whose request ended before it was answered.
const statusGone = 499

// wait holds a call while its method is held; false if the request ended
// first.
func (s *Server) wait(r *http.Request, method string) bool {
	s.mu.Lock()
	c := s.holds[method]
	if c == nil {
		s.mu.Unlock()
		return true
	}
	s.held[method]++
	s.mu.Unlock()
	defer func() {
		s.mu.Lock()
		s.held[method]--
		s.mu.Unlock()
	}()
	select {
	case <-c:
		return true
	case <-r.Context().Done():
		return false
	}
}

// Block makes every send to chat fail with 403, as when the person
// blocked the bot.
func (s *Server) Block(chat int64) {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.chat(chat).blocked = true
}

// Calls returns the calls so far, in order (none with NoRecord).
func (s *Server) Calls() []Call {
	s.mu.Lock()
	defer s.mu.Unlock()
	return append([]Call(nil), s.calls...)
}

// CallsTo returns the calls of one method, in order.
func (s *Server) CallsTo(method string) []Call {
	var out []Call
	for _, c := range s.Calls() {
		if c.Method == method {
			out = append(out, c)
		}
	}
	return out
}

// Sent returns the successful sendMessage and sendVenue calls to a chat,
// in order.
func (s *Server) Sent(chat int64) []Call {
	var out []Call
	for _, c := range s.Calls() {
		if (c.Method == "sendMessage" || c.Method == "sendVenue") && c.Status == http.StatusOK && c.ChatID() == chat {
			out = append(out, c)
		}
	}
	return out
}

// Keyboard returns the newest message of the chat that still shows an
// inline keyboard, as the person sees it. The caller must not change it.
func (s *Server) Keyboard(chat int64) (*models.Message, bool) {
	s.mu.Lock()
	defer s.mu.Unlock()
	c := s.chats[chat]
	if c == nil || c.last == nil {
		return nil, false
	}
	return c.last, true
}

// Venues counts the venues sent to a chat.
func (s *Server) Venues(chat int64) int {
	s.mu.Lock()
	defer s.mu.Unlock()
	if c := s.chats[chat]; c != nil {
		return c.venues
	}
	return 0
}

// Offset is the highest offset a getUpdates asked for: every update below
// it is confirmed.
func (s *Server) Offset() int64 {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.offset
}

// Pending counts the updates not yet confirmed.
func (s *Server) Pending() int {
	s.mu.Lock()
	defer s.mu.Unlock()
	return len(s.pending)
}

// Push queues an update for getUpdates and returns its update_id (given
// one if it has none).
func (s *Server) Push(u models.Update) int64 {
	s.mu.Lock()
	defer s.mu.Unlock()
	if u.ID == 0 {
		s.nextUpd++
		u.ID = s.nextUpd
	}
	s.pending = append(s.pending, u)
	if !s.closed {
		close(s.wake)
		s.wake = make(chan struct{})
	}
	return u.ID
}

// Message returns a new message from the person of a private chat (whose
// user id is the chat id), with its id, date, chat and sender set; the
// caller adds the content (Text, Sticker, Location…).
func (s *Server) Message(chat int64, lang string) *models.Message {
	s.mu.Lock()
	defer s.mu.Unlock()
	return &models.Message{
		ID:   s.msgID(chat),
		Date: int(time.Now().Unix()),
		Chat: models.Chat{ID: chat, Type: chatType(chat), FirstName: "Test"},
		From: person(chat, lang),
	}
}

// Text pushes a typed message.
func (s *Server) Text(chat int64, lang, text string) int64 {
	m := s.Message(chat, lang)
	m.Text = text
	return s.Push(models.Update{Message: m})
}

// ShareLocation pushes a shared location.
func (s *Server) ShareLocation(chat int64, lang string, lat, lon float64) int64 {
	m := s.Message(chat, lang)
	m.Location = &models.Location{Latitude: lat, Longitude: lon}
	return s.Push(models.Update{Message: m})
}

// Press pushes a press on a button of m (from Keyboard) with the given
// callback data.
func (s *Server) Press(chat int64, lang string, m *models.Message, data string) int64 {
	s.mu.Lock()
	s.nextCB++
	id := "cb" + strconv.Itoa(s.nextCB)
	s.mu.Unlock()
	cp := *m
	return s.Push(models.Update{CallbackQuery: &models.CallbackQuery{
		ID: id, From: *person(chat, lang), ChatInstance: "ci" + strconv.FormatInt(chat, 10), Data: data,
		Message: models.MaybeInaccessibleMessage{Type: models.MaybeInaccessibleMessageTypeMessage, Message: &cp},
	}})
}

// Button finds the callback data of the button labelled label (or whose
// data is label) in m's keyboard.
func Button(m *models.Message, label string) (string, bool) {
	if m == nil || m.ReplyMarkup == nil {
		return "", false
	}
	for _, row := range m.ReplyMarkup.InlineKeyboard {
		for _, b := range row {
			if b.Text == label || b.CallbackData == label {
				return b.CallbackData, true
			}
		}
	}
	return "", false
}

func person(id int64, lang string) *models.User {
	if id < 0 {
		id = -id // a group: the sender is some person
	}
	return &models.User{ID: id, FirstName: "Test", LanguageCode: lang}
}

// chatType follows Telegram: groups have negative ids.
func chatType(chat int64) models.ChatType {
	if chat < 0 {
		return models.ChatTypeGroup
	}
	return models.ChatTypePrivate
}

// chat returns the state of a chat, made on first use. s.mu must be held.
func (s *Server) chat(id int64) *chatState {
	c := s.chats[id]
	if c == nil {
		c = &chatState{open: map[int]*models.Message{}}
		s.chats[id] = c
	}
	return c
}

// msgID numbers the messages of a chat, both sides together. s.mu must be
// held.
func (s *Server) msgID(chat int64) int {
	c := s.chat(chat)
	c.nextMsg++
	return c.nextMsg
}

// reply is a Bot API answer.
type reply struct {
	OK          bool   `json:"ok"`
	Result      any    `json:"result,omitempty"`
	ErrorCode   int    `json:"error_code,omitempty"`
	Description string `json:"description,omitempty"`
	Parameters  *struct {
		RetryAfter int `json:"retry_after"`
	} `json:"parameters,omitempty"`
}

func (s *Server) serve(w http.ResponseWriter, r *http.Request) {
	token, method, ok := strings.Cut(strings.TrimPrefix(r.URL.Path, "/bot"), "/")
	params, err := decodeParams(r)
	call := Call{Method: method, Params: params, At: time.Now()}
	var res reply
	switch {
	case !ok || token != s.Token:
		res = fail(http.StatusUnauthorized, "Unauthorized")
	case err != nil:
		res = fail(http.StatusBadRequest, "Bad Request: "+err.Error())
	case method == "getUpdates":
		res = s.getUpdates(r, params)
	case !s.wait(r, method):
		res = fail(statusGone, "request ended while held")
	default:
		s.mu.Lock()
		if q := s.failures[method]; len(q) > 0 {
			f := q[0]
			s.failures[method] = q[1:]
			res = fail(f.Code, http.StatusText(f.Code))
			if f.Description != "" {
				res.Description = f.Description
			}
			if f.Code == http.StatusTooManyRequests {
				res.Description = "Too Many Requests: retry after " + strconv.Itoa(f.RetryAfter)
				res.Parameters = &struct {
					RetryAfter int `json:"retry_after"`
				}{f.RetryAfter}
			}
		} else {
			res = s.method(method, params)
		}
		s.mu.Unlock()
	}
	call.Status = http.StatusOK
	if !res.OK {
		call.Status = res.ErrorCode
	}
	if s.record {
		s.mu.Lock()
		s.calls = append(s.calls, call)
		s.mu.Unlock()
	}
	w.Header().Set("Content-Type", "application/json")
	if !res.OK {
		w.WriteHeader(res.ErrorCode)
	}
	_ = json.NewEncoder(w).Encode(res)
}

func fail(code int, desc string) reply {
	return reply{ErrorCode: code, Description: desc}
}

// getUpdates confirms the updates below offset, then answers those from
// offset on, waiting up to timeout seconds for one.
func (s *Server) getUpdates(r *http.Request, p map[string]string) reply {
	offset, _ := strconv.ParseInt(p["offset"], 10, 64)
	limit, _ := strconv.Atoi(p["limit"])
	if limit <= 0 || limit > 100 {
		limit = 100
	}
	timeout, _ := strconv.Atoi(p["timeout"])
	deadline := time.NewTimer(time.Duration(timeout) * time.Second)
	defer deadline.Stop()
	for {
		s.mu.Lock()
		if offset > s.offset {
			s.offset = offset
		}
		keep := s.pending[:0]
		for _, u := range s.pending {
			if u.ID >= s.offset {
				keep = append(keep, u)
			}
		}
		clear(s.pending[len(keep):])
		s.pending = keep
		if len(keep) > 0 || timeout == 0 || s.closed {
			out := append([]models.Update(nil), keep[:min(limit, len(keep))]...)
			s.mu.Unlock()
			return reply{OK: true, Result: out}
		}
		wake := s.wake
		s.mu.Unlock()
		select {
		case <-wake:
		case <-deadline.C:
			timeout = 0
		case <-r.Context().Done():
			return fail(http.StatusConflict, "Conflict: request cancelled")
		}
	}
}

// method answers the other methods. s.mu is held.
func (s *Server) method(method string, p map[string]string) reply {
	chat, _ := strconv.ParseInt(p["chat_id"], 10, 64)
	switch method {
	case "getMe":
		return reply{OK: true, Result: models.User{ID: 123456, IsBot: true, FirstName: "Secours", Username: "SecoursTestBot"}}
	case "setMyCommands", "deleteMyCommands", "setWebhook", "deleteWebhook", "answerCallbackQuery", "close", "logOut":
		return reply{OK: true, Result: true}
	case "sendMessage", "sendVenue":
		c := s.chat(chat)
		if c.blocked {
			return fail(http.StatusForbidden, "Forbidden: bot was blocked by the user")
		}
		m := &models.Message{ID: s.msgID(chat), Date: int(time.Now().Unix()), Chat: models.Chat{ID: chat, Type: chatType(chat)}}
		if method == "sendVenue" {
			if p["title"] == "" || p["address"] == "" || p["latitude"] == "" || p["longitude"] == "" {
				return fail(http.StatusBadRequest, "Bad Request: venue needs title, address, latitude and longitude")
			}
			c.venues++
			return reply{OK: true, Result: m}
		}
		if err := checkText(p["text"]); err != "" {
			return fail(http.StatusBadRequest, err)
		}
		kb, err := inline(p["reply_markup"])
		if err != "" {
			return fail(http.StatusBadRequest, err)
		}
		m.Text, m.ReplyMarkup = p["text"], kb
		if kb != nil {
			c.open[m.ID] = m
			c.last = m
		} else {
			c.plain = m
		}
		return reply{OK: true, Result: m}
	case "editMessageText", "editMessageReplyMarkup":
		c := s.chat(chat)
		id, _ := strconv.Atoi(p["message_id"])
		old := c.open[id]
		if old == nil && c.plain != nil && c.plain.ID == id {
			old = c.plain
		}
		if old == nil {
			return fail(http.StatusBadRequest, "Bad Request: message is not modified")
		}
		m := *old
		if method == "editMessageText" {
			if err := checkText(p["text"]); err != "" {
				return fail(http.StatusBadRequest, err)
			}
			m.Text = p["text"]
		}
		kb, err := inline(p["reply_markup"])
		if err != "" {
			return fail(http.StatusBadRequest, err)
		}
		m.ReplyMarkup = kb
		delete(c.open, id)
		if c.plain == old {
			c.plain = nil
		}
		if kb != nil {
			c.open[id] = &m
			if c.last == nil || c.last == old || id > c.last.ID {
				c.last = &m
			}
		} else if c.last == old {
			c.last = nil
			for _, o := range c.open {
				if c.last == nil || o.ID > c.last.ID {
					c.last = o
				}
			}
		}
		return reply{OK: true, Result: &m}
	}
	return fail(http.StatusNotFound, "Not Found: method "+method)
}

// checkText applies the Bot API's rules on a message text.
func checkText(t string) string {
	switch n := len(utf16.Encode([]rune(t))); {
	case strings.TrimSpace(t) == "":
		return "Bad Request: message text is empty"
	case n > 4096:
		return "Bad Request: message is too long"
	}
	return ""
}

// inline decodes an inline keyboard and checks its buttons; nil if the
// markup is none or another kind.
func inline(markup string) (*models.InlineKeyboardMarkup, string) {
	if markup == "" {
		return nil, ""
	}
	var m Markup
	if err := json.Unmarshal([]byte(markup), &m); err != nil {
		return nil, "Bad Request: can't parse reply keyboard markup JSON object"
	}
	if m.InlineKeyboard == nil {
		return nil, ""
	}
	for _, row := range m.InlineKeyboard {
		for _, b := range row {
			if b.Text == "" {
				return nil, "Bad Request: text buttons are unallowed in the inline keyboard"
			}
			if len(b.CallbackData) == 0 || len(b.CallbackData) > 64 {
				return nil, "Bad Request: BUTTON_DATA_INVALID"
			}
		}
	}
	return &models.InlineKeyboardMarkup{InlineKeyboard: m.InlineKeyboard}, ""
}

// decodeParams reads the parameters of a call in any encoding the Bot API
// accepts: multipart form (the go-telegram/bot client), JSON, URL form.
func decodeParams(r *http.Request) (map[string]string, error) {
	out := map[string]string{}
	ct, _, _ := mime.ParseMediaType(r.Header.Get("Content-Type"))
	switch ct {
	case "multipart/form-data":
		if err := r.ParseMultipartForm(1 << 20); errors.Is(err, io.EOF) {
			return out, nil // no parameters: the client sends no part at all
		} else if err != nil {
			return nil, fmt.Errorf("multipart: %w", err)
		}
		for k, v := range r.MultipartForm.Value {
			out[k] = v[0]
		}
	case "application/json":
		var m map[string]json.RawMessage
		if err := json.NewDecoder(r.Body).Decode(&m); err != nil {
			return nil, fmt.Errorf("json: %w", err)
		}
		for k, v := range m {
			var s string
			if json.Unmarshal(v, &s) == nil {
				out[k] = s
			} else {
				out[k] = string(v)
			}
		}
	default:
		if err := r.ParseForm(); err != nil {
			return nil, fmt.Errorf("form: %w", err)
		}
		for k, v := range r.Form {
			out[k] = v[0]
		}
	}
	return out, nil
}
