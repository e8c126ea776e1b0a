package telegram_test

import (
	"context"
	"encoding/json"
	"errors"
	"maps"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/go-telegram/bot/models"

	"github.com/secours/secours/bot/channeltest"
	"github.com/secours/secours/bot/telegram"
)

// memInbox is an Inbox in memory; fail makes every call fail, as a store
// that is down.
type memInbox struct {
	mu    sync.Mutex
	m     map[string]map[int64][]byte
	fail  atomic.Bool
	keeps atomic.Int64
	slow  chan struct{} // if set, InboxKeep waits for it to close
}

func newMemInbox() *memInbox { return &memInbox{m: map[string]map[int64][]byte{}} }

var errDown = errors.New("store down")

func (b *memInbox) InboxKeep(_ context.Context, name string, ups map[int64][]byte) error {
	if b.slow != nil {
		<-b.slow
	}
	if b.fail.Load() {
		return errDown
	}
	b.keeps.Add(1)
	b.mu.Lock()
	defer b.mu.Unlock()
	if b.m[name] == nil {
		b.m[name] = map[int64][]byte{}
	}
	maps.Copy(b.m[name], ups)
	return nil
}

func (b *memInbox) InboxDone(_ context.Context, name string, ids []int64) error {
	if b.fail.Load() {
		return errDown
	}
	b.mu.Lock()
	defer b.mu.Unlock()
	for _, id := range ids {
		delete(b.m[name], id)
	}
	return nil
}

func (b *memInbox) InboxKept(_ context.Context, name string) (map[int64][]byte, error) {
	if b.fail.Load() {
		return nil, errDown
	}
	b.mu.Lock()
	defer b.mu.Unlock()
	return maps.Clone(b.m[name]), nil
}

func (b *memInbox) has(token string, id int64) bool {
	b.mu.Lock()
	defer b.mu.Unlock()
	_, ok := b.m[telegram.InboxName(token)][id]
	return ok
}

func (b *memInbox) size(token string) int {
	b.mu.Lock()
	defer b.mu.Unlock()
	return len(b.m[telegram.InboxName(token)])
}

// TestInboxConfirmsAtOnce: with an inbox, an update is confirmed to
// Telegram as soon as it is kept, before its answer (held at the fake),
// so that polling goes on waiting for new messages; it leaves the inbox
// once answered.
func TestInboxConfirmsAtOnce(t *testing.T) {
	in := newMemInbox()
	h := newHarness(t, harnessOpts{poll: true, cfg: telegram.Config{Inbox: in}})
	const chat = 733400001
	release := h.srv.Hold("sendMessage")
	id := h.srv.Text(chat, "fr", "/start")
	channeltest.Eventually(t, "the reply to be held", func() bool { return h.srv.Held("sendMessage") == 1 })
	if !in.has(h.srv.Token, id) {
		t.Fatal("the update being answered is not in the inbox")
	}
	channeltest.Eventually(t, "the offset to pass the kept update before its answer", func() bool { return h.srv.Offset() > id })
	// A new message is received while the first one's answer is held.
	other := h.srv.Text(chat+1, "fr", "/start")
	channeltest.Eventually(t, "the second update kept", func() bool { return in.has(h.srv.Token, other) })
	release()
	h.wait(id)
	h.wait(other)
	channeltest.Eventually(t, "the answered updates to leave the inbox", func() bool { return in.size(h.srv.Token) == 0 })
	if n := h.srv.Pending(); n != 0 {
		t.Errorf("%d updates unconfirmed", n)
	}
}

// TestInboxKeptWhileAnswered: an update is handled while its batch is
// being kept, not after; the offset passes it only once it is kept, and an
// update answered before its keep ended still leaves the inbox.
func TestInboxKeptWhileAnswered(t *testing.T) {
	in := newMemInbox()
	in.slow = make(chan struct{})
	h := newHarness(t, harnessOpts{poll: true, cfg: telegram.Config{Inbox: in}})
	const chat = 733400031
	id := h.srv.Text(chat, "fr", "/start")
	h.wait(id) // answered, the inbox still being written
	if got := h.srv.Offset(); got > id {
		t.Errorf("offset %d confirmed update %d before it was kept", got, id)
	}
	close(in.slow)
	channeltest.Eventually(t, "the offset to pass the kept update", func() bool { return h.srv.Offset() > id })
	channeltest.Eventually(t, "the update answered during its keep to leave the inbox", func() bool {
		return in.keeps.Load() == 1 && in.size(h.srv.Token) == 0
	})
}

// keptUpdate is an update as a killed poller left it in the inbox.
func keptUpdate(t *testing.T, h *harness, id, chat int64, text string, received time.Time) []byte {
	t.Helper()
	m := h.srv.Message(chat, "fr")
	m.Text = text
	raw, err := json.Marshal(models.Update{ID: id, Message: m})
	if err != nil {
		t.Fatal(err)
	}
	return telegram.EncodeKept(received, raw)
}

// TestInboxRedrive: the updates a killed poller kept and did not answer
// are answered by the next Receive, and leave the inbox; one older than
// Telegram's 24 hours is forgotten, not answered.
func TestInboxRedrive(t *testing.T) {
	in := newMemInbox()
	h := newHarness(t, harnessOpts{cfg: telegram.Config{Inbox: in}})
	const chat, old = 733400011, 733400012
	name := telegram.InboxName(h.srv.Token)
	in.m[name] = map[int64][]byte{
		900001: keptUpdate(t, h, 900001, chat, "/start", time.Now().Add(-time.Minute)),
		900002: keptUpdate(t, h, 900002, old, "/start", time.Now().Add(-25*time.Hour)),
		900003: []byte("not an update"),
	}
	ctx, cancel := context.WithCancel(context.Background())
	errc := make(chan error, 1)
	go func() { errc <- h.a.Poll(ctx) }()
	h.wait(900001)
	channeltest.Eventually(t, "the inbox to be emptied", func() bool { return in.size(h.srv.Token) == 0 })
	cancel()
	if err := <-errc; err != nil {
		t.Fatal(err)
	}
	if got := h.srv.Sent(chat); len(got) == 0 || !strings.Contains(got[0].Params["text"], "Bonjour") {
		t.Errorf("the kept /start got %v", got)
	}
	if got := h.srv.Sent(old); len(got) != 0 {
		t.Errorf("an update of 25 hours ago was answered: %v", got)
	}
	if !strings.Contains(h.logs.String(), "too old or unreadable") {
		t.Errorf("the forgotten updates were not logged:\n%s", h.logs.String())
	}
}

// TestInboxRedriveStillPending: the killed poller died after it kept an
// update and before its next poll confirmed it, so Telegram still shows
// it too. The next Receive answers it once, from the inbox, and confirms
// it: it does not come a third time.
func TestInboxRedriveStillPending(t *testing.T) {
	in := newMemInbox()
	h := newHarness(t, harnessOpts{cfg: telegram.Config{Inbox: in}})
	const chat = 733400041
	id := h.srv.Text(chat, "fr", "/start")
	in.m[telegram.InboxName(h.srv.Token)] = map[int64][]byte{id: keptUpdate(t, h, id, chat, "/start", time.Now())}
	ctx, cancel := context.WithCancel(context.Background())
	errc := make(chan error, 1)
	go func() { errc <- h.a.Poll(ctx) }()
	h.wait(id)
	channeltest.Eventually(t, "the inbox to be emptied", func() bool { return in.size(h.srv.Token) == 0 })
	channeltest.Eventually(t, "the copy Telegram shows to be confirmed", func() bool { return h.srv.Pending() == 0 })
	cancel()
	if err := <-errc; err != nil {
		t.Fatal(err)
	}
	welcomes := 0
	for _, m := range h.srv.Sent(chat) {
		if strings.Contains(m.Params["text"], "Bonjour") {
			welcomes++
		}
	}
	if welcomes != 1 {
		t.Errorf("%d welcomes, want one", welcomes)
	}
}

// TestInboxDown: while the inbox cannot be written (Redis down), the
// offset waits for the answer, as with no inbox: the update is not lost.
func TestInboxDown(t *testing.T) {
	in := newMemInbox()
	in.fail.Store(true)
	h := newHarness(t, harnessOpts{poll: true, cfg: telegram.Config{Inbox: in}})
	const chat = 733400021
	id, release := heldUnconfirmed(t, h, chat, "not kept, before its answer")
	// Back up: the next updates are kept again.
	in.fail.Store(false)
	release()
	h.wait(id)
	next := h.srv.Text(chat, "fr", "/start")
	h.wait(next)
	channeltest.Eventually(t, "the offset to pass both", func() bool { return h.srv.Offset() > next })
	if in.keeps.Load() == 0 {
		t.Error("nothing was kept once the inbox was back")
	}
	if !strings.Contains(h.logs.String(), "not kept in the inbox") {
		t.Errorf("the failed keep was not logged:\n%s", h.logs.String())
	}
}
