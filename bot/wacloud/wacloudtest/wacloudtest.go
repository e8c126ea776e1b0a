package wacloudtest

import (
	"net/http"
	"net/http/httptest"
	"sync"
	"time"
)

// Defaults of a Server made with a zero Options.
const (
	DefaultToken         = "EAAtest-token"
	DefaultPhoneNumberID = "106540352242922"
	DefaultDisplayNumber = "32470000000"
	DefaultAppSecret     = "test-app-secret"
	DefaultWABAID        = "102290129340398"
	// DefaultProfileName is the profile name the fake's people have.
	DefaultProfileName = "Test"
)

// Window is the customer service window: Meta delivers a free-form
// message only this long after the person's last message.
const Window = 24 * time.Hour

// Options configure a Server.
type Options struct {
	Token         string // "": DefaultToken
	PhoneNumberID string // "": DefaultPhoneNumberID
	DisplayNumber string // "": DefaultDisplayNumber
	AppSecret     string // "": DefaultAppSecret; signs the webhooks
	// Version is the Graph API version the path must name ("v21.0");
	// "": any "vN.N".
	Version string
	// Webhook is the app's callback URL; "" until SetWebhook.
	Webhook string
	// Now is the fake's clock, for the 24-hour window and timestamps; nil:
	// time.Now. Tests that jump a day pass the app's clock.
	Now func() time.Time
	// Templates are the approved templates; more with Server.Template.
	Templates []Approved
	// Statuses posts a "sent" then a "delivered" status webhook after each
	// delivered message. Off by default to keep tests quiet; "failed"
	// statuses are always posted.
	Statuses bool
	// Client posts the webhooks; nil: a client with a 10 s timeout.
	Client *http.Client
	// NoRecord keeps no log of calls, statuses or inbound webhooks
	// (Redeliver finds none), and of each person only the window and the
	// last message received (Sent, Last, Answer): the load tool drives
	// thousands of people and measures the app's memory, not the fake's.
	NoRecord bool
}

// Approved is an approved message template. Body holds Meta's
// placeholders {{1}}, {{2}}…, replaced by the parameters in order.
type Approved struct {
	Name string
	Lang string // language code, "fr", "nl", "en_US"
	Body string
}

// Server is a fake Cloud API. It is safe for concurrent use.
type Server struct {
	URL           string // base URL, for the transport's base URL setting
	Token         string
	PhoneNumberID string
	AppSecret     string

	o      Options
	srv    *httptest.Server
	client *http.Client
	wake   chan struct{}  // a status was queued
	stop   chan struct{}  // closed by Close once the server is stopped
	done   sync.WaitGroup // the goroutine posting statuses

	mu        sync.Mutex // guards everything below
	webhook   string
	templates map[string]string // name + "/" + lang → body
	chats     map[string]*chat
	calls     []Call
	statuses  []Status
	pending   []*status         // status webhooks queued, posted in order by one goroutine
	posting   int               // taken from pending, not yet posted
	inbound   map[string][]byte // wamid → the webhook body that carried it
	reads     []string
	failures  []Failure
	hold      chan struct{} // sends wait until it is closed; nil: no hold
	held      int
	next      int
	closed    bool
}

// chat is what one person received and wrote.
type chat struct {
	lastIn  time.Time // zero: never wrote
	blocked bool
	log     []entry
}

// entry is one message of a chat: the person's, or one sent to them.
type entry struct {
	in  string   // the person's message as a transcript shows it
	out *Message // a message sent to them
}

// Failure is a Graph error answered instead of the next sends.
type Failure struct {
	Code    int // Graph error code: 130429, 131056, 131026, 100…
	Subcode int // error_subcode; 0: none
	// HTTP is the status answered; 0: 429 for 130429 (throughput) and
	// 131056 (pair rate), 401 for 190, 400 for everything else, as Meta
	// answers most Graph errors with 400.
	HTTP  int
	Times int    // how many sends fail; 0: one
	To    string // only sends to this wa_id; "": any
	// Message is the error's text; "": Meta's wording for known codes.
	Message string
}

// New starts a fake on a loopback port. Close it when done.
func New(o Options) *Server {
	if o.Token == "" {
		o.Token = DefaultToken
	}
	if o.PhoneNumberID == "" {
		o.PhoneNumberID = DefaultPhoneNumberID
	}
	if o.DisplayNumber == "" {
		o.DisplayNumber = DefaultDisplayNumber
	}
	if o.AppSecret == "" {
		o.AppSecret = DefaultAppSecret
	}
	if o.Now == nil {
		o.Now = time.Now
	}
	s := &Server{
		Token:         o.Token,
		PhoneNumberID: o.PhoneNumberID,
		AppSecret:     o.AppSecret,
		o:             o,
		client:        o.Client,
		wake:          make(chan struct{}, 1),
		stop:          make(chan struct{}),
		webhook:       o.Webhook,
		templates:     map[string]string{},
		chats:         map[string]*chat{},
		inbound:       map[string][]byte{},
	}
	if s.client == nil {
		s.client = &http.Client{Timeout: 10 * time.Second}
	}
	for _, t := range o.Templates {
		s.templates[t.Name+"/"+t.Lang] = t.Body
	}
	s.srv = httptest.NewServer(http.HandlerFunc(s.serve))
	s.URL = s.srv.URL
	s.done.Go(s.postStatuses)
	return s
}

// Close stops the server: held sends end, queued status webhooks are
// posted first.
func (s *Server) Close() {
	s.mu.Lock()
	if s.closed {
		s.mu.Unlock()
		return
	}
	s.closed = true
	if s.hold != nil {
		close(s.hold) // held sends end with the server
		s.hold = nil
	}
	s.mu.Unlock()
	s.srv.CloseClientConnections()
	s.srv.Close()
	close(s.stop) // no send is served any more: nothing else is queued
	s.done.Wait()
}

// SetWebhook sets the app's callback URL.
func (s *Server) SetWebhook(url string) {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.webhook = url
}

// Template approves a template: body uses {{1}}, {{2}}… for its
// parameters.
func (s *Server) Template(name, lang, body string) {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.templates[name+"/"+lang] = body
}

// Now is the fake's clock.
func (s *Server) Now() time.Time { return s.o.Now() }

// Fail makes the next sends fail with f; failures queue up, and a send
// takes the first one that applies to its recipient.
func (s *Server) Fail(f Failure) {
	if f.Times <= 0 {
		f.Times = 1
	}
	s.mu.Lock()
	defer s.mu.Unlock()
	s.failures = append(s.failures, f)
}

// Block makes later sends to waID fail as when the person blocked the
// business: accepted, then a "failed" status with 131026, as Meta reports
// it (Meta never says "blocked" outright).
func (s *Server) Block(waID string) {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.chat(waID).blocked = true
}

// Hold makes the messages endpoint wait, from now until release is
// called (once is enough; more is harmless). A send whose request ends
// while it waits (the app gave up, or its process died) is not carried out
// and is recorded with status 499.
func (s *Server) Hold() (release func()) {
	s.mu.Lock()
	defer s.mu.Unlock()
	c := s.hold
	if c == nil {
		c = make(chan struct{})
		s.hold = c
	}
	var once sync.Once
	return func() {
		once.Do(func() {
			s.mu.Lock()
			defer s.mu.Unlock()
			if s.hold == c {
				close(c)
				s.hold = nil
			}
		})
	}
}

// Held counts the requests waiting on a Hold now.
func (s *Server) Held() int {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.held
}

// LastInbound is when waID last wrote, on the fake's clock; zero if never.
func (s *Server) LastInbound(waID string) time.Time {
	s.mu.Lock()
	defer s.mu.Unlock()
	if c := s.chats[waID]; c != nil {
		return c.lastIn
	}
	return time.Time{}
}

// chat returns the state of a person, made on first use. s.mu must be
// held.
func (s *Server) chat(waID string) *chat {
	c := s.chats[waID]
	if c == nil {
		c = &chat{}
		s.chats[waID] = c
	}
	return c
}
