package telegramtest

import (
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"mime"
	"net/http"
	"strconv"
	"strings"
	"time"
	"unicode/utf16"

	"github.com/go-telegram/bot/models"
)

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
