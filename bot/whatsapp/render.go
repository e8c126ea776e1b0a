package whatsapp

import (
	"strings"

	"github.com/secours/secours/bot"
	"github.com/secours/secours/flows"
	"github.com/secours/secours/geo"
)

// outgoing is one WhatsApp message to send: text, or a place's pin.
type outgoing struct {
	text  string
	place *flows.PlaceCard
}

// messages turns one turn's replies into the messages to send, in order.
// Replies are joined by a blank line into as few messages as fit under
// maxLen (fewer messages, fewer notifications, less risk of rate limits);
// each place card is followed by its location message (a pin that opens
// the phone's maps app), and the hand-over card stays a message of its
// own, to forward.
func (a *Adapter) messages(replies []flows.Reply) []outgoing {
	var (
		out []outgoing
		cur strings.Builder
		one strings.Builder
	)
	flush := func() {
		if cur.Len() > 0 {
			for _, part := range bot.Split(cur.String(), maxLen) {
				out = append(out, outgoing{text: part})
			}
			cur.Reset()
		}
	}
	for i := range replies {
		r := &replies[i]
		one.Reset()
		a.Render(&one, *r)
		if one.Len() == 0 {
			continue
		}
		if r.HandOver || cur.Len() > 0 && cur.Len()+2+one.Len() > maxLen {
			flush()
		}
		if cur.Len() > 0 {
			cur.WriteString("\n\n")
		}
		cur.WriteString(one.String())
		if r.HandOver {
			flush()
		}
		for j := range r.Places {
			if r.Places[j].Loc != (geo.Point{}) && r.Places[j].MapURL != "" {
				flush()
				out = append(out, outgoing{place: &r.Places[j]})
			}
		}
	}
	flush()
	return out
}

// Render writes one reply as WhatsApp text (bot.WriteNumbered): the
// text, the place cards, then the choices as a numbered list, the escape
// row as words, and the line that says how to answer. WhatsApp has no
// "share my location" button to offer: a line says where it is.
func (a *Adapter) Render(b *strings.Builder, r flows.Reply) {
	slot := a.slotOf(&r)
	bot.WriteNumbered(b, &r, a.texts.loc[slot], a.texts.hintFor(slot, len(r.Choices)))
}
