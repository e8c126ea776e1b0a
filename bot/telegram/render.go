package telegram

import (
	"slices"
	"strings"

	"github.com/go-telegram/bot/models"

	"github.com/secours/secours/flows"
	"github.com/secours/secours/geo"
)

// out is one message of a reply: a text with its markup, or a venue (a
// pin on a map) when venue is set.
type out struct {
	text      string
	markup    models.ReplyMarkup // nil, *InlineKeyboardMarkup, *ReplyKeyboardMarkup or *ReplyKeyboardRemove
	question  string             // the Reply.Question its inline keyboard answers
	noPreview bool               // a place card: its links need no preview
	venue     *flows.PlaceCard
	// inline, if set, is put on the message by an edit once it is sent
	// with markup, a ReplyKeyboardRemove: a message carries one markup,
	// and a reply made of a question only must still take the location
	// keyboard away.
	inline *models.InlineKeyboardMarkup
}

// render turns one update's replies into messages, in order:
//
//   - the text, cut at Telegram's length limit, with the choices as an
//     inline keyboard on its last piece (one answer per row, the escape
//     row last);
//   - at the location step, a reply keyboard with the "share my location"
//     button; a message has one keyboard, so when it also has choices the
//     button comes on a second message, the button's own label, since the
//     adapter adds no wording;
//   - place cards in the text, and the first place of a reply as a venue
//     (a pin that opens the phone's maps app) with a directions button.
//
// A plain text (no buttons, no pin) goes at the head of the message that
// follows it when both fit in one, a blank line between: the person reads
// the same, and a turn costs one call fewer on the critical path.
//
// Replies that no longer ask for a location take that reply keyboard away
// (it would stay under the input field): the first plain message carries
// the removal, which costs nothing when no keyboard is up. When there is
// no plain message and locationUp says the keyboard is up, the first
// question carries it, and gets its buttons by an edit.
func render(replies []flows.Reply, locationUp bool) []out {
	var outs []out
	for _, r := range replies {
		text := r.Text
		for _, p := range r.Places {
			text = strings.TrimSpace(text + "\n\n" + card(p))
		}
		var markup models.ReplyMarkup
		if kb := inlineKeyboard(r); kb != nil {
			markup = kb
		}
		var location *models.ReplyKeyboardMarkup
		if r.AskLocation && r.LocationBtn != "" {
			location = &models.ReplyKeyboardMarkup{
				Keyboard:        [][]models.KeyboardButton{{{Text: r.LocationBtn, RequestLocation: true}}},
				ResizeKeyboard:  true,
				OneTimeKeyboard: true,
			}
			if markup == nil {
				markup, location = location, nil
			}
		}
		var pieces []string
		for _, p := range split(text, maxText) {
			if p = strings.TrimRight(p, " \n"); strings.TrimSpace(p) != "" {
				pieces = append(pieces, p)
			}
		}
		for i, p := range pieces {
			o := out{text: p, noPreview: len(r.Places) > 0}
			if i == len(pieces)-1 {
				o.markup, o.question = markup, r.Question
			}
			outs = append(outs, o)
		}
		if location != nil {
			outs = append(outs, out{text: r.LocationBtn, markup: location})
		}
		if len(r.Places) > 0 && r.Places[0].Loc != (geo.Point{}) && r.Places[0].MapURL != "" {
			outs = append(outs, out{venue: &r.Places[0]})
		}
	}
	outs = merge(outs)
	if slices.ContainsFunc(replies, func(r flows.Reply) bool { return r.AskLocation }) {
		return outs
	}
	remove := &models.ReplyKeyboardRemove{RemoveKeyboard: true}
	if i := slices.IndexFunc(outs, func(o out) bool { return o.venue == nil && o.markup == nil }); i >= 0 {
		outs[i].markup = remove
	} else if i := slices.IndexFunc(outs, func(o out) bool { return o.venue == nil }); i >= 0 && locationUp {
		if kb, ok := outs[i].markup.(*models.InlineKeyboardMarkup); ok {
			outs[i].markup, outs[i].inline = remove, kb
		}
	}
	return outs
}

// merge puts each plain text at the head of the next message, when that
// is a text with the same link-preview setting and both fit within
// maxText.
func merge(outs []out) []out {
	kept := outs[:0]
	for i := 0; i < len(outs); i++ {
		o := outs[i]
		for o.plain() && i+1 < len(outs) {
			next := outs[i+1]
			if next.venue != nil || next.noPreview != o.noPreview || utf16Len(o.text)+2+utf16Len(next.text) > maxText {
				break
			}
			next.text = o.text + "\n\n" + next.text
			o = next
			i++
		}
		kept = append(kept, o)
	}
	return kept
}

// plain reports a text with no markup of its own.
func (o out) plain() bool { return o.venue == nil && o.markup == nil && o.inline == nil }

// inlineKeyboard shows the choices one per row, then the escape row; nil
// if there are none. The callback data is the choice key itself,
// "<question>:<answer>", which the engine reads back.
func inlineKeyboard(r flows.Reply) *models.InlineKeyboardMarkup {
	var rows [][]models.InlineKeyboardButton
	for _, c := range r.Choices {
		if b, ok := button(c); ok {
			rows = append(rows, []models.InlineKeyboardButton{b})
		}
	}
	var nav []models.InlineKeyboardButton
	for _, c := range r.Nav {
		if b, ok := button(c); ok {
			nav = append(nav, b)
		}
	}
	if len(nav) > 0 {
		rows = append(rows, nav)
	}
	if len(rows) == 0 {
		return nil
	}
	return &models.InlineKeyboardMarkup{InlineKeyboard: rows}
}

// button is the inline button of a choice. A key longer than Telegram
// allows cannot be sent: the person can still type the answer.
func button(c flows.Choice) (models.InlineKeyboardButton, bool) {
	if c.Key == "" || len(c.Key) > maxCallbackData || c.Label == "" {
		return models.InlineKeyboardButton{}, false
	}
	return models.InlineKeyboardButton{Text: c.Label, CallbackData: c.Key}, true
}

// card is a place as text: the engine's lines, no link (the venue that
// follows carries the map).
func card(p flows.PlaceCard) string {
	return strings.Join(flows.CardLines(p), "\n")
}

// venueMarkup is the venue's directions button, nil without a link.
func venueMarkup(p *flows.PlaceCard) models.ReplyMarkup {
	if p.MapURL == "" || p.MapLabel == "" {
		return nil
	}
	return &models.InlineKeyboardMarkup{InlineKeyboard: [][]models.InlineKeyboardButton{{{Text: p.MapLabel, URL: p.MapURL}}}}
}
