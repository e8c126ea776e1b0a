package whatsapp

import (
	"context"
	"strconv"
	"testing"

	"go.mau.fi/whatsmeow/proto/waE2E"
	"go.mau.fi/whatsmeow/types/events"
	"google.golang.org/protobuf/proto"

	"github.com/secours/secours/bot"
	"github.com/secours/secours/bot/channeltest"
)

// TestIncoming runs the channels' table of incoming events against
// WhatsApp, as whatsmeow's events handed to the adapter's handler, with a
// fake client.
func TestIncoming(t *testing.T) {
	channeltest.Run(t, channeltest.Driver{Name: "whatsapp", Start: startWhatsApp})
}

func startWhatsApp(t *testing.T, conv bot.Conversation) channeltest.Deliver {
	a, fc := newAdapter(t, conv, nil)
	t.Cleanup(a.Close)
	handle := a.Handler(context.WithoutCancel(t.Context()))
	var (
		n    int
		last *events.Message
	)
	return func(e channeltest.Event) ([]string, bool) {
		n++
		id := "in-" + strconv.Itoa(n)
		var evt *events.Message
		switch e.Kind {
		case channeltest.Text, channeltest.Command:
			evt = event(bePhone, id, text(e.Text))
		case channeltest.Press:
			// A numbered list: the person types the number.
			evt = event(bePhone, id, text(strconv.Itoa(e.Pick)))
		case channeltest.Location:
			evt = event(bePhone, id, &waE2E.Message{LocationMessage: &waE2E.LocationMessage{
				DegreesLatitude: proto.Float64(e.Loc.Lat), DegreesLongitude: proto.Float64(e.Loc.Lon)}})
		case channeltest.Sticker:
			evt = event(bePhone, id, &waE2E.Message{StickerMessage: &waE2E.StickerMessage{}})
		case channeltest.Voice:
			evt = event(bePhone, id, &waE2E.Message{AudioMessage: &waE2E.AudioMessage{PTT: proto.Bool(true)}})
		case channeltest.Edit:
			if last == nil {
				t.Fatal("edit: no message to edit")
			}
			evt = event(bePhone, last.Info.ID, text(e.Text))
			evt.IsEdit = true
		case channeltest.Duplicate:
			evt = last
		default:
			return nil, false
		}
		sent := fc.count()
		handle(evt)
		waitIdle(t, a)
		last = evt
		return fc.texts(sent), true
	}
}
