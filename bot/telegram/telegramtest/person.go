package telegramtest

import (
	"strconv"
	"time"

	"github.com/go-telegram/bot/models"
)

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
	return s.Push(s.PressUpdate(chat, lang, m, data))
}

// PressUpdate is the update of a press on a button of m, as Press pushes
// it, for a test that posts it to a webhook.
func (s *Server) PressUpdate(chat int64, lang string, m *models.Message, data string) models.Update {
	s.mu.Lock()
	s.nextCB++
	id := "cb" + strconv.Itoa(s.nextCB)
	s.mu.Unlock()
	cp := *m
	return models.Update{CallbackQuery: &models.CallbackQuery{
		ID: id, From: *person(chat, lang), ChatInstance: "ci" + strconv.FormatInt(chat, 10), Data: data,
		Message: models.MaybeInaccessibleMessage{Type: models.MaybeInaccessibleMessageTypeMessage, Message: &cp},
	}}
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
