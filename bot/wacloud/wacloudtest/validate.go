package wacloudtest

import (
	"fmt"
	"regexp"
	"strconv"
	"strings"
	"unicode/utf8"
)

// Meta's limits, in characters (Cloud API reference: Messages).
const (
	maxText        = 4096
	maxBody        = 1024 // interactive body; Meta allows 4096 for lists, the fake asks 1024 of both
	maxButtons     = 3
	maxButtonTitle = 20
	maxButtonID    = 256
	maxRows        = 10
	maxSections    = 10
	maxRowTitle    = 24
	maxRowID       = 200
	maxRowDesc     = 72
	maxListButton  = 20
	maxSectionName = 24
	maxHeader      = 60
	maxFooter      = 60
)

// placeholder is a template variable, {{1}}.
var placeholder = regexp.MustCompile(`\{\{([0-9]+)\}\}`)

// invalid is a 400 answer with Graph code code and Meta's details.
func invalid(code int, details string) *graphError {
	e := graphError{Error: graphErrorBody{
		Message: fmt.Sprintf("(#%d) %s", code, errorTitle(code)), Type: "OAuthException", Code: code,
		ErrorData: &errorData{MessagingProduct: "whatsapp", Details: details},
		FBTraceID: "AfakeTrace" + strconv.Itoa(code),
	}}
	if code == 131009 {
		e.Error.Subcode = 2494010 // Meta's subcode for a value out of its limits
	}
	return &e
}

// decode checks a message as Meta does and returns what the person will
// see. s.mu is held (templates).
func (s *Server) decode(req request) (*Message, *graphError) {
	m := &Message{To: req.To, Type: req.Type}
	if req.Context != nil {
		m.Context = req.Context.MessageID
	}
	if m.Type == "" {
		m.Type = "text" // Meta's default
	}
	switch m.Type {
	case "text":
		return m, checkText(m, req.Text)
	case "interactive":
		return m, checkInteractive(m, req.Interactive)
	case "location":
		return m, checkLocation(m, req.Location)
	case "template":
		return m, s.checkTemplate(m, req.Template)
	}
	return nil, invalid(131051, "message type "+m.Type+" is not supported by the fake")
}

func checkText(m *Message, t *textBody) *graphError {
	switch {
	case t == nil || strings.TrimSpace(t.Body) == "":
		return invalid(100, "The parameter text['body'] is required.")
	case utf8.RuneCountInString(t.Body) > maxText:
		return invalid(100, fmt.Sprintf("Param text['body'] must be at most %d characters long.", maxText))
	}
	m.Text = t.Body
	return nil
}

// tooLong checks a required (or optional) field against its limit.
func tooLong(name, v string, limit int, required bool) *graphError {
	switch n := utf8.RuneCountInString(v); {
	case required && strings.TrimSpace(v) == "":
		return invalid(131008, "The parameter "+name+" is required.")
	case n > limit:
		return invalid(131009, fmt.Sprintf("%s length invalid. Min length: 1, Max length: %d", name, limit))
	}
	return nil
}

func checkInteractive(m *Message, in *interactive) *graphError {
	if in == nil || in.Action == nil {
		return invalid(100, "The parameter interactive['action'] is required.")
	}
	m.Interactive = in.Type
	if in.Body == nil {
		in.Body = &textPart{}
	}
	if err := tooLong("Body text", in.Body.Text, maxBody, true); err != nil {
		return err
	}
	m.Text = in.Body.Text
	if in.Header != nil {
		if in.Header.Type != "text" {
			return invalid(131009, "the fake supports text headers only")
		}
		if err := tooLong("Header text", in.Header.Text, maxHeader, true); err != nil {
			return err
		}
		m.Header = in.Header.Text
	}
	if in.Footer != nil {
		if err := tooLong("Footer text", in.Footer.Text, maxFooter, false); err != nil {
			return err
		}
		m.Footer = in.Footer.Text
	}
	switch in.Type {
	case "button":
		return checkButtons(m, in.Action.Buttons)
	case "list":
		return checkList(m, in.Action)
	case "location_request_message":
		if in.Action.Name != "send_location" {
			return invalid(100, "action name must be send_location")
		}
		m.LocationRequest = true
		return nil
	}
	return invalid(100, "interactive type "+in.Type+" is not supported by the fake")
}

func checkButtons(m *Message, bs []button) *graphError {
	if len(bs) == 0 || len(bs) > maxButtons {
		return invalid(131009, fmt.Sprintf("Buttons count invalid. Min: 1, Max: %d", maxButtons))
	}
	ids, titles := map[string]bool{}, map[string]bool{}
	for _, b := range bs {
		if b.Type != "reply" {
			return invalid(100, "button type must be reply")
		}
		if err := tooLong("Button title", b.Reply.Title, maxButtonTitle, true); err != nil {
			return err
		}
		if err := tooLong("Button id", b.Reply.ID, maxButtonID, true); err != nil {
			return err
		}
		if ids[b.Reply.ID] || titles[b.Reply.Title] {
			return invalid(131009, "Button title and id must be unique")
		}
		ids[b.Reply.ID], titles[b.Reply.Title] = true, true
		m.Buttons = append(m.Buttons, Choice{ID: b.Reply.ID, Title: b.Reply.Title})
	}
	return nil
}

func checkList(m *Message, a *ixnAction) *graphError {
	if err := tooLong("Button text", a.Button, maxListButton, true); err != nil {
		return err
	}
	m.ListButton = a.Button
	if len(a.Sections) == 0 || len(a.Sections) > maxSections {
		return invalid(131009, fmt.Sprintf("Sections count invalid. Min: 1, Max: %d", maxSections))
	}
	ids := map[string]bool{}
	for _, sec := range a.Sections {
		// Meta wants a title on each section once there are several.
		if err := tooLong("Section title", sec.Title, maxSectionName, len(a.Sections) > 1); err != nil {
			return err
		}
		if len(sec.Rows) == 0 {
			return invalid(131009, "Section rows count invalid. Min: 1")
		}
		for _, r := range sec.Rows {
			if err := checkRow(r, ids); err != nil {
				return err
			}
			m.Rows = append(m.Rows, Choice{ID: r.ID, Title: r.Title, Description: r.Description, Section: sec.Title})
		}
	}
	if len(m.Rows) > maxRows {
		return invalid(131009, fmt.Sprintf("Total row count exceed max allowed count: %d", maxRows))
	}
	return nil
}

func checkRow(r row, ids map[string]bool) *graphError {
	if err := tooLong("Row title", r.Title, maxRowTitle, true); err != nil {
		return err
	}
	if err := tooLong("Row id", r.ID, maxRowID, true); err != nil {
		return err
	}
	if err := tooLong("Row description", r.Description, maxRowDesc, false); err != nil {
		return err
	}
	if ids[r.ID] {
		return invalid(131009, "Row id must be unique")
	}
	ids[r.ID] = true
	return nil
}

func checkLocation(m *Message, l *locationJSON) *graphError {
	if l == nil || l.Latitude == nil || l.Longitude == nil {
		return invalid(100, "The parameters location['latitude'] and location['longitude'] are required.")
	}
	lat, lon := float64(*l.Latitude), float64(*l.Longitude)
	if lat < -90 || lat > 90 || lon < -180 || lon > 180 {
		return invalid(131009, "latitude or longitude out of range")
	}
	m.Location = &Location{Lat: lat, Lon: lon, Name: l.Name, Address: l.Address}
	return nil
}

// checkTemplate checks a template against the approved ones and renders
// its body with the parameters. s.mu is held.
func (s *Server) checkTemplate(m *Message, t *template) *graphError {
	if t == nil || t.Name == "" || t.Language.Code == "" {
		return invalid(100, "The parameters template['name'] and template['language']['code'] are required.")
	}
	body, ok := s.templates[t.Name+"/"+t.Language.Code]
	if !ok {
		return invalid(132001, fmt.Sprintf("template name (%s) does not exist in %s", t.Name, t.Language.Code))
	}
	tp := &Template{Name: t.Name, Lang: t.Language.Code}
	for _, c := range t.Components {
		if c.Type != "body" {
			return invalid(131009, "the fake supports body components only")
		}
		for _, p := range c.Parameters {
			if p.Type != "text" {
				return invalid(131009, "the fake supports text parameters only")
			}
			if err := checkParam(p.Text); err != nil {
				return err
			}
			tp.Params = append(tp.Params, p.Text)
		}
	}
	want := 0
	for _, sub := range placeholder.FindAllStringSubmatch(body, -1) {
		n, _ := strconv.Atoi(sub[1])
		want = max(want, n)
	}
	if len(tp.Params) != want {
		return invalid(132000, fmt.Sprintf("body: number of localizable_params (%d) does not match the expected number of params (%d)", len(tp.Params), want))
	}
	m.Template = tp
	m.Text = placeholder.ReplaceAllStringFunc(body, func(ph string) string {
		n, _ := strconv.Atoi(placeholder.FindStringSubmatch(ph)[1])
		if n < 1 {
			return ph // {{0}} is no placeholder to Meta
		}
		return tp.Params[n-1]
	})
	return nil
}

// checkParam applies Meta's rule on a template parameter.
func checkParam(p string) *graphError {
	switch {
	case p == "":
		return invalid(131008, "Parameter text is required")
	case strings.ContainsAny(p, "\n\t") || strings.Contains(p, "     "):
		return invalid(131009, "Param text cannot have new-line/tab characters or more than 4 consecutive spaces")
	}
	return nil
}
