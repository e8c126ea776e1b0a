package channeltest

import (
	"context"
	"sync"
	"testing"

	"github.com/secours/secours/flows"
)

// Recorder is a conversation that records the neutral messages a
// channel hands it and answers each with Out: what an adapter's own
// tests check, without the engine. It is safe for concurrent use; set Out
// before the channel runs, or with SetOut.
type Recorder struct {
	mu   sync.Mutex // guards msgs and Out
	msgs []flows.Msg
	Out  []flows.Reply
}

// Handle records m and answers Out.
func (r *Recorder) Handle(_ context.Context, m flows.Msg) []flows.Reply {
	r.mu.Lock()
	defer r.mu.Unlock()
	r.msgs = append(r.msgs, m)
	return r.Out
}

// SetOut changes the answer of the messages to come.
func (r *Recorder) SetOut(out []flows.Reply) {
	r.mu.Lock()
	defer r.mu.Unlock()
	r.Out = out
}

// Msgs is a copy of what reached the conversation, in order.
func (r *Recorder) Msgs() []flows.Msg {
	r.mu.Lock()
	defer r.mu.Unlock()
	return append([]flows.Msg(nil), r.msgs...)
}

// Count is how many messages reached the conversation.
func (r *Recorder) Count() int {
	r.mu.Lock()
	defer r.mu.Unlock()
	return len(r.msgs)
}

// Last is the newest message; the test fails if none came.
func (r *Recorder) Last(tb testing.TB) flows.Msg {
	tb.Helper()
	r.mu.Lock()
	defer r.mu.Unlock()
	if len(r.msgs) == 0 {
		tb.Fatal("nothing reached the conversation")
	}
	return r.msgs[len(r.msgs)-1]
}
