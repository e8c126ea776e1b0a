package telegramtest

import (
	"encoding/json"
	"net/http"
	"strconv"
	"time"

	"github.com/go-telegram/bot/models"
)

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
