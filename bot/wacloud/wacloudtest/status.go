package wacloudtest

import (
	"bytes"
	"crypto/hmac"
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"net/http"
	"strconv"
	"time"
)

// Status is one status webhook the fake posted.
type Status struct {
	ID     string // the message's wamid
	To     string // its recipient
	Status string // sent, delivered, failed
	Code   int    // the error of a failed status: 131047, 131026
	// Answer is the HTTP status the app answered; 0 if it could not be
	// reached (or no webhook is set).
	Answer int
	At     time.Time // on the fake's clock
}

// status is a status webhook waiting to be posted.
type status struct {
	rec  Status
	body []byte
}

// status builds the status webhook of m. s.mu is held.
func (s *Server) status(m *Message, st string, code int) *status {
	now := s.Now()
	j := statusJSON{ID: m.ID, Status: st, Timestamp: strconv.FormatInt(now.Unix(), 10), RecipientID: m.To}
	if code != 0 {
		e := statusError{Code: code, Title: errorTitle(code), Message: errorTitle(code),
			Href: "https://developers.facebook.com/docs/whatsapp/cloud-api/support/error-codes/"}
		e.ErrorData.Details = statusDetails(code)
		j.Errors = []statusError{e}
	} else {
		j.Conversation = json.RawMessage(`{"id":"CONVERSATION_ID","origin":{"type":"service"}}`)
		j.Pricing = json.RawMessage(`{"billable":false,"pricing_model":"PMP","category":"service"}`)
	}
	v := s.value()
	v.Statuses = []statusJSON{j}
	return &status{rec: Status{ID: m.ID, To: m.To, Status: st, Code: code, At: now}, body: s.envelope(v)}
}

func statusDetails(code int) string {
	switch code {
	case 131047:
		return "Message failed to send because more than 24 hours have passed since the customer last replied to this number."
	case 131026:
		return "Message Undeliverable."
	}
	return ""
}

// value is an empty webhook value of the fake's number.
func (s *Server) value() value {
	v := value{MessagingProduct: "whatsapp"}
	v.Metadata.DisplayPhoneNumber = s.o.DisplayNumber
	v.Metadata.PhoneNumberID = s.PhoneNumberID
	return v
}

// envelope wraps a value in Meta's webhook body.
func (s *Server) envelope(v value) []byte {
	b, err := json.Marshal(envelope{Object: "whatsapp_business_account", Entry: []entryJSON{{
		ID: DefaultWABAID, Changes: []change{{Field: "messages", Value: v}},
	}}})
	if err != nil {
		panic("wacloudtest: marshal webhook: " + err.Error()) // only our own types: cannot happen
	}
	return b
}

// enqueue queues status webhooks; one goroutine posts them in order, so a
// send never waits on the app's webhook handler (which may wait on the
// send's chat).
func (s *Server) enqueue(st []*status) {
	if len(st) == 0 {
		return
	}
	s.mu.Lock()
	defer s.mu.Unlock()
	s.pending = append(s.pending, st...)
	select {
	case s.wake <- struct{}{}:
	default:
	}
}

// postStatuses posts the queued status webhooks until Close.
func (s *Server) postStatuses() {
	for {
		s.mu.Lock()
		batch := s.pending
		s.pending = nil
		s.posting = len(batch)
		s.mu.Unlock()
		for _, st := range batch {
			st.rec.Answer = s.post(st.body, s.Sign(st.body))
			s.mu.Lock()
			if !s.o.NoRecord {
				s.statuses = append(s.statuses, st.rec)
			}
			s.posting--
			s.mu.Unlock()
		}
		if len(batch) > 0 {
			continue
		}
		select {
		case <-s.wake:
		case <-s.stop:
			// Close stops the server first: no send can queue any more,
			// and a last look finds what the final sends queued.
			s.mu.Lock()
			n := len(s.pending)
			s.mu.Unlock()
			if n == 0 {
				return
			}
		}
	}
}

// Flush waits until every status webhook queued so far has been posted.
func (s *Server) Flush() {
	for {
		s.mu.Lock()
		n := len(s.pending) + s.posting
		s.mu.Unlock()
		if n == 0 {
			return
		}
		time.Sleep(time.Millisecond)
	}
}

// Statuses returns the status webhooks posted so far, in order; Flush
// first to see those of the last sends.
func (s *Server) Statuses() []Status {
	s.mu.Lock()
	defer s.mu.Unlock()
	return append([]Status(nil), s.statuses...)
}

// Sign is the X-Hub-Signature-256 header of body: "sha256=" and the hex
// HMAC-SHA256 of body with the app secret.
func (s *Server) Sign(body []byte) string {
	mac := hmac.New(sha256.New, []byte(s.AppSecret))
	mac.Write(body)
	return "sha256=" + hex.EncodeToString(mac.Sum(nil))
}

// post posts a webhook body with a signature header ("" sends none) and
// returns the app's status; 0 if it could not be reached.
func (s *Server) post(body []byte, signature string) int {
	s.mu.Lock()
	url := s.webhook
	s.mu.Unlock()
	if url == "" {
		return 0
	}
	req, err := http.NewRequest(http.MethodPost, url, bytes.NewReader(body))
	if err != nil {
		return 0
	}
	req.Header.Set("Content-Type", "application/json")
	if signature != "" {
		req.Header.Set("X-Hub-Signature-256", signature)
	}
	res, err := s.client.Do(req)
	if err != nil {
		return 0
	}
	res.Body.Close()
	return res.StatusCode
}
