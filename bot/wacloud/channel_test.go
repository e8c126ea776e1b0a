package wacloud

import (
	"testing"

	"github.com/secours/secours/bot"
	"github.com/secours/secours/bot/channeltest"
)

// TestIncoming runs the channels' table of incoming events against the
// Cloud API channel, posted by the fake to its signed webhook (where Meta
// redelivers).
func TestIncoming(t *testing.T) {
	channeltest.Run(t, channeltest.Driver{Name: "wacloud", Start: startCloud})
}

func startCloud(t *testing.T, conv bot.Conversation) channeltest.Deliver {
	h := newHarness(t, conv, nil)
	var last string // the wamid of the person's last message
	return func(e channeltest.Event) ([]string, bool) {
		t.Helper()
		n := len(h.fake.Delivered(beID))
		var id string
		switch e.Kind {
		case channeltest.Text, channeltest.Command:
			id, _ = h.fake.Text(beID, e.Text)
		case channeltest.Press:
			m, ok := h.fake.Last(beID)
			if !ok || e.Pick < 1 || e.Pick > len(m.Buttons) {
				t.Fatalf("press %d: the last message has buttons %+v", e.Pick, m.Buttons)
			}
			b := m.Buttons[e.Pick-1]
			id, _ = h.fake.Press(beID, b.ID, b.Title)
		case channeltest.Location:
			id, _ = h.fake.Location(beID, e.Loc.Lat, e.Loc.Lon)
		case channeltest.Sticker:
			id, _ = h.fake.Media(beID, "sticker")
		case channeltest.Voice:
			id, _ = h.fake.Media(beID, "audio")
		case channeltest.Edit:
			// As Meta posts an edit: a message of type edit naming the
			// original.
			body := []byte(`{"object":"whatsapp_business_account","entry":[{"id":"1","changes":[{"field":"messages","value":{
				"messaging_product":"whatsapp","metadata":{"phone_number_id":"` + h.fake.PhoneNumberID + `"},
				"messages":[{"from":"` + beID + `","id":"wamid.EDIT1","timestamp":"1741078800","type":"edit",
				"edit":{"original_message_id":"` + last + `","message":{"type":"text","text":{"body":"` + e.Text + `"}}}}]}}]}]}`)
			if code := h.fake.Post(body, h.fake.Sign(body)); code != 200 {
				t.Fatalf("edit: webhook answered %d", code)
			}
			id = last
		case channeltest.Duplicate:
			if _, ok := h.fake.Redeliver(last); !ok {
				t.Fatal("duplicate: nothing to redeliver")
			}
			id = last
		default:
			return nil, false
		}
		last = id
		var seen []string
		for _, m := range h.fake.Delivered(beID)[n:] {
			seen = append(seen, m.Text)
		}
		return seen, true
	}
}
