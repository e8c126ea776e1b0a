package telegram_test

import (
	"testing"

	"github.com/go-telegram/bot/models"

	"github.com/secours/secours/bot"
	"github.com/secours/secours/bot/channeltest"
	"github.com/secours/secours/bot/telegram"
)

// TestIncoming runs the channels' table of incoming events against
// Telegram, posted to its webhook (where a redelivery happens) of an
// adapter on the fake Bot API.
func TestIncoming(t *testing.T) {
	channeltest.Run(t, channeltest.Driver{Name: "telegram", Start: startTelegram})
}

func startTelegram(t *testing.T, conv bot.Conversation) channeltest.Deliver {
	const secret, chat = "hook", 731700001
	h := newHarness(t, harnessOpts{conv: conv, cfg: telegram.Config{WebhookURL: "https://bot.example.test/", WebhookSecret: secret}})
	var (
		nextID int64 = 5000
		last   models.Update
	)
	return func(e channeltest.Event) ([]string, bool) {
		t.Helper()
		nextID++
		m := h.srv.Message(chat, "fr")
		u := models.Update{ID: nextID, Message: m}
		switch e.Kind {
		case channeltest.Text, channeltest.Command:
			m.Text = e.Text
		case channeltest.Press:
			kb, ok := h.srv.Keyboard(chat)
			if !ok {
				t.Fatal("press: no keyboard shown")
			}
			var data []string
			for _, row := range kb.ReplyMarkup.InlineKeyboard {
				for _, b := range row {
					data = append(data, b.CallbackData)
				}
			}
			if e.Pick < 1 || e.Pick > len(data) {
				t.Fatalf("press %d: the keyboard has %d buttons", e.Pick, len(data))
			}
			u = h.srv.PressUpdate(chat, "fr", kb, data[e.Pick-1])
			u.ID = nextID
		case channeltest.Location:
			m.Location = &models.Location{Latitude: e.Loc.Lat, Longitude: e.Loc.Lon}
		case channeltest.Sticker:
			m.Sticker = &models.Sticker{FileID: "sticker", FileUniqueID: "sticker"}
		case channeltest.Voice:
			m.Voice = &models.Voice{FileID: "voice", FileUniqueID: "voice", Duration: 3}
		case channeltest.Edit:
			if last.Message == nil {
				t.Fatal("edit: no message to edit")
			}
			edited := *last.Message
			edited.Text = e.Text
			u = models.Update{ID: nextID, EditedMessage: &edited}
		case channeltest.Duplicate:
			u = last
		default:
			return nil, false
		}
		n := len(h.texts(chat))
		h.post(secret, u)
		last = u
		return h.texts(chat)[n:], true
	}
}
