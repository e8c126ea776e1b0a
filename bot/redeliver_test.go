package bot_test

import (
	"context"
	"io"
	"log/slog"
	"sync"
	"testing"
	"time"

	"github.com/secours/secours/bot"
	"github.com/secours/secours/configs"
	"github.com/secours/secours/flows"
	"github.com/secours/secours/store/memory"
)

// slowStore holds the first Save of a chat for a while: the step of an
// update that takes long, with a copy of it waiting behind.
type slowStore struct {
	flows.SessionStore
	hold  time.Duration
	once  sync.Once
	saved chan struct{} // closed when the first Save starts
}

func (s *slowStore) Save(ctx context.Context, sess flows.Session) error {
	held := false
	s.once.Do(func() {
		held = true
		close(s.saved)
	})
	if held {
		time.Sleep(s.hold)
	}
	return s.SessionStore.Save(ctx, sess)
}

// TestCopyWaitingItsTurnIsNoRedelivery: two copies of one update arrive at
// once (a channel delivering it twice); the first one's step takes longer
// than the redelivery window (5 s, a machine short of CPU). The second
// waits for the chat's turn and must stay silent: it arrived while the
// first was being answered, so the person would get the question twice.
// Before the runner counted the wait (issue 17) it was answered again.
func TestCopyWaitingItsTurnIsNoRedelivery(t *testing.T) {
	e, err := configs.Engine()
	if err != nil {
		t.Fatal(err)
	}
	st := &slowStore{SessionStore: memory.New(time.Hour, nil), hold: 5500 * time.Millisecond, saved: make(chan struct{})}
	r := &bot.Runner{Engine: e, Store: st, Timeout: time.Minute, Log: slog.New(slog.NewTextHandler(io.Discard, nil))}
	m := flows.Msg{Chat: "tg:1", ID: "u1", Kind: flows.KindCommand, Command: "start", Lang: flows.FR}

	first := make(chan []flows.Reply, 1)
	go func() { first <- r.Handle(t.Context(), m) }()
	<-st.saved // the first step runs; the copy arrives now
	second := r.Handle(t.Context(), m)
	if got := <-first; len(got) == 0 {
		t.Fatal("the first copy got no answer")
	}
	if len(second) != 0 {
		t.Errorf("the copy that waited its turn was answered again: %d replies", len(second))
	}
}
