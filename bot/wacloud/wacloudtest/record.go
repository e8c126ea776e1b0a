package wacloudtest

import (
	"encoding/json"
	"fmt"
	"strings"
	"time"
)

// Message is one message the app sent and the fake accepted, decoded.
type Message struct {
	ID   string // wamid
	To   string // wa_id
	Type string // text, interactive, location, template
	// Interactive is the interactive type: button, list,
	// location_request_message; "" for other types.
	Interactive string
	// Text is what the person reads: the text body, the interactive body,
	// or the template's body with its parameters filled in.
	Text            string
	Header, Footer  string // of an interactive message
	Buttons         []Choice
	Rows            []Choice // a list's rows, all sections in order
	ListButton      string   // the button that opens the list
	LocationRequest bool
	Location        *Location
	Template        *Template
	Context         string // the wamid this message replies to, if any
	// Delivered is false when Meta would not deliver it: outside the
	// window (Error 131047) or to a blocked number (131026).
	Delivered bool
	Error     int
	At        time.Time // on the fake's clock
	Raw       json.RawMessage
}

// Choice is a reply button or a list row.
type Choice struct {
	ID          string
	Title       string
	Description string // rows only
	Section     string // rows only: the section's title
}

// Location is a place: sent by the app, or shared by the person.
type Location struct {
	Lat     float64
	Lon     float64
	Name    string
	Address string
}

// Template is a template message as sent.
type Template struct {
	Name   string
	Lang   string
	Params []string // the body's parameters, in order
}

// Sent returns the messages accepted for waID, delivered or not, in
// order. The caller must not change them.
func (s *Server) Sent(waID string) []Message {
	s.mu.Lock()
	defer s.mu.Unlock()
	var out []Message
	if c := s.chats[waID]; c != nil {
		for _, e := range c.log {
			if e.out != nil {
				out = append(out, *e.out)
			}
		}
	}
	return out
}

// Delivered returns the messages waID received, in order.
func (s *Server) Delivered(waID string) []Message {
	var out []Message
	for _, m := range s.Sent(waID) {
		if m.Delivered {
			out = append(out, m)
		}
	}
	return out
}

// Last returns the last message waID received; false if none.
func (s *Server) Last(waID string) (Message, bool) {
	d := s.Delivered(waID)
	if len(d) == 0 {
		return Message{}, false
	}
	return d[len(d)-1], true
}

// Calls returns the requests so far, in order.
func (s *Server) Calls() []Call {
	s.mu.Lock()
	defer s.mu.Unlock()
	return append([]Call(nil), s.calls...)
}

// Reads returns the wamids the app marked as read, in order.
func (s *Server) Reads() []string {
	s.mu.Lock()
	defer s.mu.Unlock()
	return append([]string(nil), s.reads...)
}

// Transcript renders waID's conversation as the person sees it, one
// line each: "> " what they wrote or pressed, "< " what they received
// (messages Meta would not deliver are left out). Buttons show as
// "<   [Oui] [Non]", list rows as "<   • title — description" under the
// list's button "<   ≡ button", a location request as "<   [📍 …]", a
// location as "< 📍 name, address (lat, lon)".
func (s *Server) Transcript(waID string) string {
	s.mu.Lock()
	defer s.mu.Unlock()
	var b strings.Builder
	c := s.chats[waID]
	if c == nil {
		return ""
	}
	for _, e := range c.log {
		switch {
		case e.out == nil:
			b.WriteString(strings.TrimRight("> "+e.in, " ") + "\n")
		case e.out.Delivered:
			render(&b, e.out)
		}
	}
	return b.String()
}

// render writes one received message in Transcript's form.
func render(b *strings.Builder, m *Message) {
	line := func(prefix, s string) {
		for l := range strings.SplitSeq(s, "\n") {
			b.WriteString(strings.TrimRight(prefix+l, " ") + "\n")
		}
	}
	if m.Header != "" {
		line("< ", m.Header)
	}
	if m.Location != nil {
		l := m.Location
		var names []string
		for _, n := range []string{l.Name, l.Address} {
			if n != "" {
				names = append(names, n)
			}
		}
		label := strings.Join(names, ", ")
		if label != "" {
			label += " "
		}
		line("< ", fmt.Sprintf("📍 %s(%.6g, %.6g)", label, l.Lat, l.Lon))
	} else {
		line("< ", m.Text)
	}
	if m.Footer != "" {
		line("< ", m.Footer)
	}
	if len(m.Buttons) > 0 {
		var bs []string
		for _, c := range m.Buttons {
			bs = append(bs, "["+c.Title+"]")
		}
		line("<   ", strings.Join(bs, " "))
	}
	if m.ListButton != "" {
		line("<   ≡ ", m.ListButton)
		for _, r := range m.Rows {
			t := r.Title
			if r.Description != "" {
				t += " — " + r.Description
			}
			line("<   • ", t)
		}
	}
	if m.LocationRequest {
		line("<   ", "[📍 Send location]")
	}
}
