package wacloudtest

import (
	"fmt"
	"io"
	"net/url"
	"strconv"
	"strings"
)

// The control API plays the person. Each call posts one signed webhook
// to the app, opens waID's 24-hour window on the fake's clock, and
// returns the message's wamid and the HTTP status the app answered (0 if
// it could not be reached, or no webhook is set).

// Text posts a typed message.
func (s *Server) Text(waID, text string) (string, int) {
	return s.send(waID, text, map[string]any{"type": "text", "text": map[string]string{"body": text}})
}

// Press posts a press on the reply button id, titled title, of the last
// message to waID that shows it.
func (s *Server) Press(waID, id, title string) (string, int) {
	return s.send(waID, "["+title+"]", map[string]any{
		"context": s.context(waID, func(m *Message) bool { return has(m.Buttons, id) }),
		"type":    "interactive",
		"interactive": map[string]any{"type": "button_reply",
			"button_reply": map[string]string{"id": id, "title": title}},
	})
}

// Pick posts the choice of the list row id, titled title, of the last
// message to waID that lists it.
func (s *Server) Pick(waID, id, title string) (string, int) {
	desc := ""
	s.mu.Lock()
	if c := s.chats[waID]; c != nil {
		for _, e := range c.log {
			if e.out != nil {
				for _, r := range e.out.Rows {
					if r.ID == id {
						desc = r.Description
					}
				}
			}
		}
	}
	s.mu.Unlock()
	reply := map[string]string{"id": id, "title": title}
	if desc != "" {
		reply["description"] = desc
	}
	return s.send(waID, "["+title+"]", map[string]any{
		"context":     s.context(waID, func(m *Message) bool { return has(m.Rows, id) }),
		"type":        "interactive",
		"interactive": map[string]any{"type": "list_reply", "list_reply": reply},
	})
}

// Location posts a shared location.
func (s *Server) Location(waID string, lat, lon float64) (string, int) {
	return s.send(waID, fmt.Sprintf("📍 %.6g, %.6g", lat, lon), map[string]any{
		"type": "location", "location": map[string]float64{"latitude": lat, "longitude": lon},
	})
}

// Media posts a message the app cannot read as text: kind is image,
// audio (a voice note, voice: true), sticker, video, document, or
// unsupported (Meta's type for what it cannot pass on, with error
// 131051).
func (s *Server) Media(waID, kind string) (string, int) {
	s.mu.Lock()
	s.next++
	media := map[string]any{"id": "MEDIA" + strconv.Itoa(s.next), "sha256": "c2hhMjU2"}
	s.mu.Unlock()
	msg := map[string]any{"type": kind}
	switch kind {
	case "image":
		media["mime_type"] = "image/jpeg"
	case "audio":
		media["mime_type"], media["voice"] = "audio/ogg; codecs=opus", true
	case "sticker":
		media["mime_type"], media["animated"] = "image/webp", false
	case "video":
		media["mime_type"] = "video/mp4"
	case "document":
		media["mime_type"], media["filename"] = "application/pdf", "document.pdf"
	case "unsupported":
		media = nil
		msg["errors"] = []map[string]any{{"code": 131051, "title": "Message type unknown",
			"message": "Message type unknown", "error_data": map[string]string{"details": "Message type is currently not supported."}}}
	default:
		panic("wacloudtest: unknown media kind " + kind)
	}
	if media != nil {
		msg[kind] = media
	}
	return s.send(waID, "("+kind+")", msg)
}

// Reaction posts an emoji reaction to the message wamid.
func (s *Server) Reaction(waID, wamid, emoji string) (string, int) {
	return s.send(waID, "("+emoji+")", map[string]any{
		"type": "reaction", "reaction": map[string]string{"message_id": wamid, "emoji": emoji},
	})
}

// Answer answers the last interactive message waID received as a
// person would by its label: it presses the button or picks the row
// with that title (or id), and types label if there is none.
func (s *Server) Answer(waID, label string) (string, int) {
	s.mu.Lock()
	var last *Message
	if c := s.chats[waID]; c != nil {
		for _, e := range c.log {
			if e.out != nil && e.out.Delivered && (len(e.out.Buttons) > 0 || len(e.out.Rows) > 0) {
				last = e.out
			}
		}
	}
	s.mu.Unlock()
	if last != nil {
		for _, b := range last.Buttons {
			if b.Title == label || b.ID == label {
				return s.Press(waID, b.ID, b.Title)
			}
		}
		for _, r := range last.Rows {
			if r.Title == label || r.ID == label {
				return s.Pick(waID, r.ID, r.Title)
			}
		}
	}
	return s.Text(waID, label)
}

// Post posts raw as a webhook with the given X-Hub-Signature-256 header
// ("" sends none), for forged and unsigned tests; it returns the app's
// status. Sign makes a valid header.
func (s *Server) Post(raw []byte, signature string) int {
	return s.post(raw, signature)
}

// Redeliver posts the webhook that carried the person's message wamid
// again, byte for byte and signed, as Meta retries one the app did not
// acknowledge; false if the fake posted no such message.
func (s *Server) Redeliver(wamid string) (int, bool) {
	s.mu.Lock()
	body, ok := s.inbound[wamid]
	s.mu.Unlock()
	if !ok {
		return 0, false
	}
	return s.post(body, s.Sign(body)), true
}

// Verify checks the app's webhook as Meta does when it is configured: a
// GET with hub.mode=subscribe, hub.verify_token=token and a challenge,
// which the app must echo. It returns the app's status and whether the
// body was the challenge.
func (s *Server) Verify(token string) (int, bool) {
	s.mu.Lock()
	hook := s.webhook
	s.next++
	challenge := strconv.Itoa(1_000_000_000 + s.next)
	s.mu.Unlock()
	if hook == "" {
		return 0, false
	}
	q := url.Values{"hub.mode": {"subscribe"}, "hub.verify_token": {token}, "hub.challenge": {challenge}}
	sep := "?"
	if strings.Contains(hook, "?") {
		sep = "&"
	}
	res, err := s.client.Get(hook + sep + q.Encode())
	if err != nil {
		return 0, false
	}
	defer res.Body.Close()
	b, _ := io.ReadAll(io.LimitReader(res.Body, 1024))
	return res.StatusCode, string(b) == challenge
}

// send posts msg from waID, shown as shown in the transcript.
func (s *Server) send(waID, shown string, msg map[string]any) (string, int) {
	s.mu.Lock()
	now := s.Now()
	s.next++
	id := fmt.Sprintf("wamid.HBgLIN%012X", s.next)
	msg["from"], msg["id"], msg["timestamp"] = waID, id, strconv.FormatInt(now.Unix(), 10)
	if c, ok := msg["context"].(map[string]string); ok && c == nil {
		delete(msg, "context") // a press on a message the fake never sent
	}
	v := s.value()
	ct := contact{WaID: waID}
	ct.Profile.Name = DefaultProfileName
	v.Contacts = []contact{ct}
	v.Messages = []map[string]any{msg}
	body := s.envelope(v)
	c := s.chat(waID)
	if now.After(c.lastIn) {
		c.lastIn = now
	}
	if !s.o.NoRecord {
		s.inbound[id] = body
		c.log = append(c.log, entry{in: shown})
	}
	s.mu.Unlock()
	return id, s.post(body, s.Sign(body))
}

// context is the reply context of a press: the last message to waID that
// match accepts; nil if none.
func (s *Server) context(waID string, match func(*Message) bool) map[string]string {
	s.mu.Lock()
	defer s.mu.Unlock()
	var id string
	if c := s.chats[waID]; c != nil {
		for _, e := range c.log {
			if e.out != nil && match(e.out) {
				id = e.out.ID
			}
		}
	}
	if id == "" {
		return nil
	}
	return map[string]string{"from": s.o.DisplayNumber, "id": id}
}

func has(cs []Choice, id string) bool {
	for _, c := range cs {
		if c.ID == id {
			return true
		}
	}
	return false
}
