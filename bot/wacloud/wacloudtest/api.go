package wacloudtest

import (
	"encoding/json"
	"fmt"
	"io"
	"net/http"
	"regexp"
	"strings"
	"time"
)

// Call is one request the app made to the fake.
type Call struct {
	Method string
	Path   string
	Body   json.RawMessage // as sent
	To     string          // the recipient's wa_id; "" for a read receipt
	Status int             // HTTP status answered; 499 if the request ended while held
	Code   int             // Graph error code answered; 0 on success
	ID     string          // the wamid given; "" unless a message was accepted
	At     time.Time       // on the fake's clock
}

// statusGone records a request that ended before it was answered.
const statusGone = 499

// versionPath is a Graph API version as the path names it.
var versionPath = regexp.MustCompile(`^v[0-9]+\.[0-9]+$`)

func (s *Server) serve(w http.ResponseWriter, r *http.Request) {
	body, _ := io.ReadAll(io.LimitReader(r.Body, 4<<20))
	call := Call{Method: r.Method, Path: r.URL.Path, Body: body, At: s.Now()}
	status, res, queued := s.answer(r, body, &call)
	call.Status = status
	if e, ok := res.(graphError); ok {
		call.Code = e.Error.Code
	}
	if !s.o.NoRecord {
		s.mu.Lock()
		s.calls = append(s.calls, call)
		s.mu.Unlock()
	}
	w.Header().Set("Content-Type", "application/json")
	w.WriteHeader(status)
	_ = json.NewEncoder(w).Encode(res)
	// Statuses go out once the app has its answer, so it knows the wamid
	// they name.
	s.enqueue(queued)
}

// answer checks and carries out one request: the HTTP status, the body to
// answer and the status webhooks to post after.
func (s *Server) answer(r *http.Request, body []byte, call *Call) (int, any, []*status) {
	if r.Header.Get("Authorization") != "Bearer "+s.Token {
		return gerr(http.StatusUnauthorized, 190, 0, "Invalid OAuth access token - Cannot parse access token", "")
	}
	parts := strings.Split(strings.Trim(r.URL.Path, "/"), "/")
	if len(parts) != 3 || !versionPath.MatchString(parts[0]) || (s.o.Version != "" && parts[0] != s.o.Version) {
		return gerr(http.StatusBadRequest, 100, 0, "Unknown path components: "+r.URL.Path, "")
	}
	if parts[1] != s.PhoneNumberID || parts[2] != "messages" || r.Method != http.MethodPost {
		return gerr(http.StatusBadRequest, 100, 33, fmt.Sprintf("Unsupported %s request. Object with ID '%s' does not exist, cannot be loaded due to missing permissions, or does not support this operation.", strings.ToLower(r.Method), parts[1]), "")
	}
	var req request
	if err := json.Unmarshal(body, &req); err != nil {
		return gerr(http.StatusBadRequest, 100, 0, "(#100) Invalid parameter", "the body is not a JSON object")
	}
	call.To = req.To
	if req.MessagingProduct != "whatsapp" {
		return gerr(http.StatusBadRequest, 100, 0, "(#100) The parameter messaging_product is required.", "")
	}
	if !s.wait(r) {
		return statusGone, graphError{}, nil
	}
	if req.Status != "" {
		return s.read(req)
	}
	if req.To == "" {
		return gerr(http.StatusBadRequest, 100, 0, "(#100) The parameter to is required.", "")
	}
	if req.RecipientType != "" && req.RecipientType != "individual" {
		return gerr(http.StatusBadRequest, 100, 0, "(#100) Invalid parameter", "recipient_type must be individual")
	}
	s.mu.Lock()
	defer s.mu.Unlock()
	if f, ok := s.takeFailure(req.To); ok {
		return failure(f)
	}
	m, bad := s.decode(req)
	if bad != nil {
		return http.StatusBadRequest, *bad, nil
	}
	return s.accept(m, body, call)
}

// read answers a read receipt.
func (s *Server) read(req request) (int, any, []*status) {
	if req.Status != "read" || !strings.HasPrefix(req.MessageID, "wamid.") {
		return gerr(http.StatusBadRequest, 100, 0, "(#100) Invalid parameter", "status must be read, with the message_id of a received message")
	}
	s.mu.Lock()
	defer s.mu.Unlock()
	s.reads = append(s.reads, req.MessageID)
	return http.StatusOK, map[string]bool{"success": true}, nil
}

// accept records a valid message to m.To and answers its wamid; the window
// and a block decide whether it is delivered, as Meta decides after
// answering 200. s.mu is held.
func (s *Server) accept(m *Message, body []byte, call *Call) (int, any, []*status) {
	now := s.Now()
	s.next++
	m.ID = fmt.Sprintf("wamid.HBgL%s%012X", "FAKE", s.next)
	m.At = now
	m.Raw = append(json.RawMessage(nil), body...)
	call.ID = m.ID
	c := s.chat(m.To)
	switch {
	case c.blocked:
		m.Error = 131026
	case m.Template == nil && (c.lastIn.IsZero() || now.Sub(c.lastIn) > Window):
		m.Error = 131047
	}
	m.Delivered = m.Error == 0
	if s.o.NoRecord {
		c.log = c.log[:0]
	}
	c.log = append(c.log, entry{out: m})
	var queued []*status
	switch {
	case !m.Delivered:
		queued = append(queued, s.status(m, "failed", m.Error))
	case s.o.Statuses:
		queued = append(queued, s.status(m, "sent", 0), s.status(m, "delivered", 0))
	}
	res := sendOK{MessagingProduct: "whatsapp"}
	res.Contacts = append(res.Contacts, struct {
		Input string `json:"input"`
		WaID  string `json:"wa_id"`
	}{m.To, m.To})
	res.Messages = append(res.Messages, struct {
		ID string `json:"id"`
	}{m.ID})
	return http.StatusOK, res, queued
}

// takeFailure takes the first queued failure that applies to a send to
// waID. s.mu is held.
func (s *Server) takeFailure(waID string) (Failure, bool) {
	for i, f := range s.failures {
		if f.To != "" && f.To != waID {
			continue
		}
		s.failures[i].Times--
		if s.failures[i].Times <= 0 {
			s.failures = append(s.failures[:i], s.failures[i+1:]...)
		}
		return f, true
	}
	return Failure{}, false
}

// failure is the answer of an injected failure.
func failure(f Failure) (int, any, []*status) {
	code := f.HTTP
	if code == 0 {
		code = HTTPStatus(f.Code)
	}
	msg := f.Message
	if msg == "" {
		msg = errorTitle(f.Code)
		if f.Code != 190 {
			msg = fmt.Sprintf("(#%d) %s", f.Code, msg)
		}
	}
	return gerr(code, f.Code, f.Subcode, msg, "")
}

// HTTPStatus is the status a Failure with Graph code code and no HTTP is
// answered with: 429 for throughput (130429) and pair rate (131056), 401
// for an invalid token (190), otherwise 400 as Meta answers most errors.
func HTTPStatus(code int) int {
	switch code {
	case 130429, 131056:
		return http.StatusTooManyRequests
	case 190:
		return http.StatusUnauthorized
	}
	return http.StatusBadRequest
}

// errorTitle is Meta's title of a Graph error code.
func errorTitle(code int) string {
	switch code {
	case 100:
		return "Invalid parameter"
	case 190:
		return "Invalid OAuth access token"
	case 130429:
		return "Rate limit hit"
	case 131000:
		return "Something went wrong"
	case 131008:
		return "Required parameter is missing"
	case 131009:
		return "Parameter value is not valid"
	case 131021:
		return "Recipient cannot be sender"
	case 131026:
		return "Message undeliverable"
	case 131047:
		return "Re-engagement message"
	case 131048:
		return "Spam rate limit hit"
	case 131051:
		return "Unsupported message type"
	case 131056:
		return "(Business Account, Consumer Account) pair rate limit hit"
	case 132000:
		return "Number of parameters does not match the expected number of params"
	case 132001:
		return "Template name does not exist in the translation"
	}
	return "Graph error"
}

// gerr is a Graph error answer.
func gerr(httpStatus, code, subcode int, msg, details string) (int, any, []*status) {
	e := graphError{Error: graphErrorBody{
		Message: msg, Type: "OAuthException", Code: code, Subcode: subcode,
		FBTraceID: "AfakeTrace" + fmt.Sprint(code),
	}}
	if details != "" {
		e.Error.ErrorData = &errorData{MessagingProduct: "whatsapp", Details: details}
	}
	return httpStatus, e, nil
}

// wait holds a request while the endpoint is held; false if the request
// ended first.
func (s *Server) wait(r *http.Request) bool {
	s.mu.Lock()
	c := s.hold
	if c == nil {
		s.mu.Unlock()
		return true
	}
	s.held++
	s.mu.Unlock()
	defer func() {
		s.mu.Lock()
		s.held--
		s.mu.Unlock()
	}()
	select {
	case <-c:
		s.mu.Lock()
		defer s.mu.Unlock()
		return !s.closed // Close released it: the server is gone
	case <-r.Context().Done():
		return false
	}
}
