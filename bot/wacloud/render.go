package wacloud

import (
	"strings"
	"unicode/utf8"

	"github.com/secours/secours/bot"
	"github.com/secours/secours/flows"
	"github.com/secours/secours/geo"
)

// The Cloud API's limits on interactive messages
// (https://developers.facebook.com/docs/whatsapp/cloud-api/messages/interactive-reply-buttons-messages).
const (
	maxButtons     = 3
	maxButtonTitle = 20
	maxRows        = 10
	maxRowTitle    = 24
	maxBody        = 1024 // an interactive message's body
	maxLen         = 4096 // a text message's body
)

// outgoing is one message to send, without its recipient.
type outgoing struct {
	msg message
	// list is the choices the message shows: a push remembers them, so
	// that a typed number or label answers them (bot.Pushed).
	list []flows.Choice
	// fallback is the numbered text to send instead when the API refuses
	// the interactive message (131051, a type this recipient cannot get).
	fallback string
}

func textMsg(s string) outgoing {
	return outgoing{msg: message{Type: "text", Text: &textBody{Body: s}}}
}

// messages turns one turn's replies into the messages to send, in order.
// Text replies are joined by a blank line into as few messages as fit
// under maxLen; a reply with choices becomes reply buttons or a list,
// with the text before it as its body when it fits; each place card is
// followed by its location message, and the hand-over card stays a
// message of its own, to forward.
func (a *Adapter) messages(replies []flows.Reply) []outgoing {
	var (
		out  []outgoing
		cur  strings.Builder
		list []flows.Choice // of the numbered text in cur
	)
	flush := func() {
		if cur.Len() == 0 {
			return
		}
		parts := bot.Split(cur.String(), maxLen)
		for i, p := range parts {
			o := textMsg(p)
			if i == len(parts)-1 {
				o.list = list
			}
			out = append(out, o)
		}
		cur.Reset()
		list = nil
	}
	join := func(s string) {
		if cur.Len() > 0 && cur.Len()+2+len(s) > maxLen {
			flush()
		}
		if cur.Len() > 0 {
			cur.WriteString("\n\n")
		}
		cur.WriteString(s)
	}
	for i := range replies {
		r := &replies[i]
		lang := a.langs.Of(r)
		if r.HandOver {
			flush()
		}
		if ia, ok := a.interactive(r, lang); ok {
			// The text before it becomes its body when both fit.
			if body := &ia[0].msg.Interactive.Body.Text; cur.Len() > 0 && utf8.RuneCountInString(cur.String())+2+utf8.RuneCountInString(*body) <= maxBody {
				*body = cur.String() + "\n\n" + *body
				ia[0].fallback = cur.String() + "\n\n" + ia[0].fallback
				cur.Reset()
				list = nil
			}
			flush()
			out = append(out, ia...)
			continue
		}
		var one strings.Builder
		a.numbered(&one, r, lang)
		if one.Len() > 0 {
			join(one.String())
			if len(r.Choices) > 0 {
				list = r.Choices
			}
		}
		if r.HandOver {
			flush()
		}
		for j := range r.Places {
			if p := &r.Places[j]; p.Loc != (geo.Point{}) && p.MapURL != "" {
				// A pin only where the point is the place's (MapURL says
				// so): elsewhere it would send the person to a commune's
				// centre.
				flush()
				out = append(out, outgoing{msg: message{Type: "location", Location: &location{
					Latitude: p.Loc.Lat, Longitude: p.Loc.Lon, Name: p.Name, Address: p.Address}}})
			}
		}
	}
	flush()
	return out
}

// interactive renders a reply with choices, or a location request, as
// interactive messages: a location request (its body the reply's text),
// then the choices as reply buttons when at most three fit, or a list of
// at most ten rows (answers, then the escape row as a second section).
// false: the reply has none, or does not fit (a long body, too many
// rows, a long title, place cards): it goes as numbered text.
func (a *Adapter) interactive(r *flows.Reply, lang flows.Lang) ([]outgoing, bool) {
	opts := len(r.Choices) + len(r.Nav)
	body := r.Text
	if opts == 0 && !r.AskLocation || len(r.Places) > 0 || body == "" || utf8.RuneCountInString(body) > maxBody {
		return nil, false
	}
	var fb strings.Builder
	a.numbered(&fb, r, lang)
	var out []outgoing
	if r.AskLocation {
		out = append(out, outgoing{msg: message{Type: "interactive", Interactive: &interactive{
			Type: "location_request_message", Body: textArg{body}, Action: action{Name: "send_location"}}}})
		if opts == 0 {
			out[0].fallback = fb.String()
			return out, true
		}
		body = a.texts.get(lang, "pick", " / ")
	}
	listButton := a.texts.get(lang, "list", " / ")
	if utf8.RuneCountInString(listButton) > maxButtonTitle {
		listButton = a.texts.get(flows.FR, "list", "")
	}
	ia := choicesMsg(r, body, listButton, a.texts.get(lang, "answers", " / "), a.texts.get(lang, "more", " / "))
	if ia == nil {
		return nil, false
	}
	// Its list too: a person may type an answer rather than press it.
	out = append(out, outgoing{msg: message{Type: "interactive", Interactive: ia}, list: r.Choices})
	out[0].fallback = fb.String()
	if len(out) == 2 {
		out[1].fallback = "" // the first one's text holds everything
	}
	return out, true
}

// choicesMsg is the reply buttons or the list of r's choices and escape
// row, or nil if they fit neither.
func choicesMsg(r *flows.Reply, body, listButton, answers, more string) *interactive {
	all := append(append([]flows.Choice(nil), r.Choices...), r.Nav...)
	longest := 0
	for _, c := range all {
		longest = max(longest, utf8.RuneCountInString(c.Label))
	}
	if len(all) <= maxButtons && longest <= maxButtonTitle {
		return buttonsMsg(body, all)
	}
	// Three answers or fewer with an escape row: the answers as buttons,
	// one tap each under the question, and the escape row as words under
	// the text, which the engine reads typed (as on the linked-device
	// channel). A list would hide the answers behind a "Choisir" button:
	// two taps, and a sheet to read, for every question (issue 21's
	// small screens and low literacy).
	if len(r.Choices) > 0 && len(r.Choices) <= maxButtons && fitTitles(r.Choices, maxButtonTitle) {
		nav := make([]string, len(r.Nav))
		for i, c := range r.Nav {
			nav[i] = c.Label
		}
		withNav := body + "\n\n" + strings.Join(nav, " · ")
		if utf8.RuneCountInString(withNav) <= maxBody {
			return buttonsMsg(withNav, r.Choices)
		}
	}
	if len(all) > maxRows || longest > maxRowTitle {
		return nil
	}
	ia := &interactive{Type: "list", Body: textArg{body}, Action: action{Button: listButton}}
	for _, s := range []struct {
		title string
		cs    []flows.Choice
	}{{answers, r.Choices}, {more, r.Nav}} {
		if len(s.cs) == 0 {
			continue
		}
		sec := section{Title: s.title}
		for _, c := range s.cs {
			sec.Rows = append(sec.Rows, row{ID: c.Key, Title: c.Label})
		}
		ia.Action.Sections = append(ia.Action.Sections, sec)
	}
	switch {
	case len(ia.Action.Sections) == 1:
		ia.Action.Sections[0].Title = "" // a title is for telling sections apart
	case utf8.RuneCountInString(answers) > maxRowTitle || utf8.RuneCountInString(more) > maxRowTitle:
		// Both languages' titles (the language question) may not fit: one
		// section, untitled, the escape row last.
		ia.Action.Sections = []section{{Rows: append(ia.Action.Sections[0].Rows, ia.Action.Sections[1].Rows...)}}
	}
	return ia
}

// buttonsMsg is reply buttons for cs under body.
func buttonsMsg(body string, cs []flows.Choice) *interactive {
	ia := &interactive{Type: "button", Body: textArg{body}}
	for _, c := range cs {
		ia.Action.Buttons = append(ia.Action.Buttons, button{Type: "reply", Reply: row{ID: c.Key, Title: c.Label}})
	}
	return ia
}

// fitTitles reports whether every label is at most n characters.
func fitTitles(cs []flows.Choice, n int) bool {
	for _, c := range cs {
		if utf8.RuneCountInString(c.Label) > n {
			return false
		}
	}
	return true
}

// numbered writes one reply as numbered text (bot.WriteNumbered, as
// bot/whatsapp does), with the channel's location line and hint.
func (a *Adapter) numbered(b *strings.Builder, r *flows.Reply, lang flows.Lang) {
	bot.WriteNumbered(b, r, a.texts.get(lang, "location", "\n"), a.texts.hint(lang, len(r.Choices)))
}
