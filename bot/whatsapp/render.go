package whatsapp

import (
	"strconv"
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

// Render writes one reply as WhatsApp text: the text, the place cards,
// then the choices as a numbered list, the escape row as words, and the
// line that says how to answer. The engine reads the typed answer.
func (a *Adapter) Render(b *strings.Builder, r flows.Reply) {
	b.WriteString(r.Text)
	for i := range r.Places {
		writePlace(b, &r.Places[i])
	}
	if len(r.Choices) == 0 && len(r.Nav) == 0 && !r.AskLocation {
		return
	}
	slot := a.slotOf(&r)
	b.WriteByte('\n')
	for i, c := range r.Choices {
		b.WriteByte('\n')
		b.WriteString(strconv.Itoa(i + 1))
		b.WriteString(". ")
		b.WriteString(c.Label)
	}
	for i, c := range r.Nav {
		if i == 0 {
			b.WriteByte('\n')
		} else {
			b.WriteString(" · ")
		}
		b.WriteString(c.Label)
	}
	if r.AskLocation || len(r.Choices) > 0 {
		b.WriteByte('\n')
	}
	if r.AskLocation {
		// WhatsApp has no "share my location" button to offer: say where
		// it is.
		b.WriteByte('\n')
		b.WriteString(a.texts.loc[slot])
	}
	if len(r.Choices) > 0 {
		b.WriteByte('\n')
		b.WriteString(a.texts.hintFor(slot, len(r.Choices)))
	}
}

// writePlace writes one place card, its name in bold (WhatsApp shows
// *…* so); the location message that follows carries the map.
func writePlace(b *strings.Builder, c *flows.PlaceCard) {
	for i, line := range flows.CardLines(*c) {
		if i == 0 {
			b.WriteString("\n\n*" + line + "*")
			continue
		}
		b.WriteString("\n" + line)
	}
}
