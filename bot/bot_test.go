package bot_test

import (
	"bytes"
	"context"
	"io"
	"log/slog"
	"strconv"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/secours/secours/bot"
	"github.com/secours/secours/configs"
	"github.com/secours/secours/flows"
	"github.com/secours/secours/store/memory"
)

// TestLogsHoldNoPersonalData runs a conversation and checks that the log
// never shows the raw chat id, the typed text or the postcode.
func TestLogsHoldNoPersonalData(t *testing.T) {
	e, err := configs.Engine()
	if err != nil {
		t.Fatal(err)
	}
	var logs bytes.Buffer
	r := &bot.Runner{Engine: e, Store: memory.New(time.Hour, nil), Log: slog.New(slog.NewJSONHandler(&logs, nil))}
	chat := flows.ChatID("wa:32470123456@s.whatsapp.net")
	for i, txt := range []string{"Bonjour Marie", "1", "1", "1", "1", "1", "1", "3", "1", "1", "1", "1", "1040", "85.07.30-033.28"} {
		r.Handle(t.Context(), flows.Msg{Chat: chat, ID: string(rune('a' + i)), Kind: flows.KindText, Text: txt})
	}
	for _, secret := range []string{"32470123456", "Marie", "1040", "85.07.30"} {
		if strings.Contains(logs.String(), secret) {
			t.Errorf("log contains %q:\n%s", secret, logs.String())
		}
	}
	if !strings.Contains(logs.String(), `"chat":"`) {
		t.Errorf("log does not follow the chat at all:\n%s", logs.String())
	}
}

// TestSerializerOrdersOneChat checks that one chat's functions never run
// at the same time while other chats run in parallel.
func TestSerializerOrdersOneChat(t *testing.T) {
	var s bot.Serializer
	var mu sync.Mutex
	inside := map[flows.ChatID]int{}
	var wg sync.WaitGroup
	for i := range 200 {
		id := flows.ChatID([]string{"a", "b", "c"}[i%3])
		wg.Go(func() {
			s.Do(id, func() {
				mu.Lock()
				inside[id]++
				if inside[id] > 1 {
					t.Errorf("chat %s runs twice at once", id)
				}
				mu.Unlock()
				time.Sleep(100 * time.Microsecond)
				mu.Lock()
				inside[id]--
				mu.Unlock()
			})
		})
	}
	wg.Wait()
}

// gateStore is a session store whose Load waits for the test's go-ahead,
// and counts the loads in progress.
type gateStore struct {
	flows.SessionStore
	gate chan struct{}

	mu        sync.Mutex
	now, most int
}

func (g *gateStore) Load(ctx context.Context, id flows.ChatID) (flows.Session, error) {
	g.mu.Lock()
	g.now++
	g.most = max(g.most, g.now)
	g.mu.Unlock()
	defer func() {
		g.mu.Lock()
		g.now--
		g.mu.Unlock()
	}()
	select {
	case <-g.gate:
	case <-ctx.Done():
		return flows.Session{}, ctx.Err()
	}
	return g.SessionStore.Load(ctx, id)
}

// TestStepsBounded runs 20 chats' updates at once through a Runner with
// Steps 3: at most three steps reach the store at a time, the others wait
// before their timeout starts, and all are answered.
func TestStepsBounded(t *testing.T) {
	e, err := configs.Engine()
	if err != nil {
		t.Fatal(err)
	}
	st := &gateStore{SessionStore: memory.New(time.Hour, nil), gate: make(chan struct{})}
	r := &bot.Runner{Engine: e, Store: st, Steps: 3, Timeout: time.Minute, Log: slog.New(slog.NewTextHandler(io.Discard, nil))}
	var wg sync.WaitGroup
	answered := make(chan bool, 20)
	for i := range 20 {
		wg.Go(func() {
			chat := flows.ChatID("tg:" + strconv.Itoa(900+i))
			answered <- len(r.Handle(t.Context(), flows.Msg{Chat: chat, ID: "1", Kind: flows.KindCommand, Command: "start"})) > 0
		})
	}
	for range 20 {
		st.gate <- struct{}{}
	}
	wg.Wait()
	close(answered)
	for ok := range answered {
		if !ok {
			t.Error("an update got no answer")
		}
	}
	if st.most > 3 {
		t.Errorf("%d steps reached the store at once, want at most 3", st.most)
	}
}
