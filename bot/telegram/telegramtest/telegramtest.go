package telegramtest

import (
	"net/http"
	"net/http/httptest"
	"sync"

	"github.com/go-telegram/bot/models"
)

// DefaultToken is the token of a Server made with a zero Options.
const DefaultToken = "123456:TEST-token"

// Options configure a Server.
type Options struct {
	Token string // "": DefaultToken
	// NoRecord keeps no call log, only each chat's state: the load tool
	// drives thousands of chats and measures the process's memory.
	NoRecord bool
}

// Server is a fake Bot API. It is safe for concurrent use.
type Server struct {
	URL   string // base URL, for the bot's API URL setting
	Token string

	srv    *httptest.Server
	record bool

	mu       sync.Mutex // guards everything below
	calls    []Call
	pending  []models.Update // pushed, not yet confirmed by an offset
	nextUpd  int64
	nextCB   int
	offset   int64 // the highest offset a getUpdates sent
	chats    map[int64]*chatState
	failures map[string][]Failure
	holds    map[string]chan struct{} // methods whose calls wait, until the channel is closed
	held     map[string]int           // calls waiting on a hold now
	wake     chan struct{}            // closed when an update is pushed
	closed   bool
}

// chatState is what a chat shows: the messages still carrying an inline
// keyboard, the newest message without one (the bot may give it buttons
// by an edit), and counters. Older plain messages are not kept: the load
// tool drives thousands of chats.
type chatState struct {
	nextMsg int
	open    map[int]*models.Message // messages with an inline keyboard, by id
	last    *models.Message         // the newest of them
	plain   *models.Message         // the newest message sent without one
	venues  int
	blocked bool
}

// Failure is an error answered instead of the next call of a method.
type Failure struct {
	Code       int // 429, 403, 400…
	RetryAfter int // seconds, for 429
	// Description is the error's text, as the real API words it
	// ("Forbidden: user is deactivated", "Bad Request: chat not found"):
	// bots tell some errors apart by it alone. "": the status text.
	Description string
}

// New starts a fake on a loopback port. Close it when done.
func New(o Options) *Server {
	if o.Token == "" {
		o.Token = DefaultToken
	}
	s := &Server{
		Token:    o.Token,
		record:   !o.NoRecord,
		chats:    map[int64]*chatState{},
		failures: map[string][]Failure{},
		holds:    map[string]chan struct{}{},
		held:     map[string]int{},
		wake:     make(chan struct{}),
		nextUpd:  1000,
	}
	s.srv = httptest.NewServer(http.HandlerFunc(s.serve))
	s.URL = s.srv.URL
	return s
}

// Close stops the server; pending long polls return at once.
func (s *Server) Close() {
	s.mu.Lock()
	if !s.closed {
		s.closed = true
		close(s.wake)
	}
	for m, c := range s.holds {
		close(c) // held calls end with the server
		delete(s.holds, m)
	}
	s.mu.Unlock()
	s.srv.CloseClientConnections()
	s.srv.Close()
}

// Fail makes the next call of method fail with f; failures queue up.
func (s *Server) Fail(method string, f Failure) {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.failures[method] = append(s.failures[method], f)
}

// Hold makes the calls of method wait, from now until release is called
// (once is enough; it may be called more than once). A call whose request
// ends while it waits (the bot gave up, or its process died) is not
// carried out and is recorded with status 499: the bot got no answer.
func (s *Server) Hold(method string) (release func()) {
	s.mu.Lock()
	defer s.mu.Unlock()
	c := s.holds[method]
	if c == nil {
		c = make(chan struct{})
		s.holds[method] = c
	}
	var once sync.Once
	return func() {
		once.Do(func() {
			s.mu.Lock()
			defer s.mu.Unlock()
			if s.holds[method] == c {
				close(c)
				delete(s.holds, method)
			}
		})
	}
}

// Held counts the calls of method waiting on a Hold now.
func (s *Server) Held(method string) int {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.held[method]
}

// statusGone records a call whose request ended before it was answered.
const statusGone = 499

// wait holds a call while its method is held; false if the request ended
// first.
func (s *Server) wait(r *http.Request, method string) bool {
	s.mu.Lock()
	c := s.holds[method]
	if c == nil {
		s.mu.Unlock()
		return true
	}
	s.held[method]++
	s.mu.Unlock()
	defer func() {
		s.mu.Lock()
		s.held[method]--
		s.mu.Unlock()
	}()
	select {
	case <-c:
		return true
	case <-r.Context().Done():
		return false
	}
}

// Block makes every send to chat fail with 403, as when the person
// blocked the bot.
func (s *Server) Block(chat int64) {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.chat(chat).blocked = true
}
