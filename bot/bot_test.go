package bot_test

import (
	"bytes"
	"context"
	"io"
	"log/slog"
	"slices"
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

// TestChatsFloodRule holds a chat's worker and checks the bounds: updates
// past them are dropped, the chat is told once per backlog, right after
// the task running, pushes are never dropped, and the zero key is never
// bounded.
func TestChatsFloodRule(t *testing.T) {
	for _, tt := range []struct {
		name                 string
		maxUpdates, maxTasks int
		pushes               int // queued before the updates
		wantQueued           int // updates queued behind the one running
	}{
		{name: "updates", maxUpdates: 2, pushes: 3, wantQueued: 2},
		{name: "tasks", maxTasks: 4, pushes: 3, wantQueued: 1},
	} {
		t.Run(tt.name, func(t *testing.T) {
			c := &bot.Chats[string]{MaxUpdates: tt.maxUpdates, MaxTasks: tt.maxTasks}
			var (
				mu  sync.Mutex
				ran []string
			)
			record := func(s string) func() {
				return func() { mu.Lock(); ran = append(ran, s); mu.Unlock() }
			}
			hold := make(chan struct{})
			if got := c.Update(t.Context(), "a", func() { <-hold }, nil); got != bot.Admitted {
				t.Fatalf("first update = %v, want Admitted", got)
			}
			for range tt.pushes {
				if !c.Push("a", record("push")) {
					t.Fatal("Push refused")
				}
			}
			var got []bot.Admission
			for range tt.wantQueued + 2 {
				got = append(got, c.Update(t.Context(), "a", record("update"), record("notice")))
			}
			want := slices.Repeat([]bot.Admission{bot.Admitted}, tt.wantQueued)
			want = append(want, bot.Flood, bot.Flooding)
			if !slices.Equal(got, want) {
				t.Errorf("admissions = %v, want %v", got, want)
			}
			for range 10 {
				if a := c.Update(t.Context(), "", record("none"), nil); a != bot.Admitted {
					t.Fatalf("update without a chat = %v, want Admitted", a)
				}
			}
			close(hold)
			c.Wait()
			wantRan := []string{"notice"}
			wantRan = append(wantRan, slices.Repeat([]string{"push"}, tt.pushes)...)
			wantRan = append(wantRan, slices.Repeat([]string{"update"}, tt.wantQueued)...)
			var chatA []string
			for _, s := range ran {
				if s != "none" {
					chatA = append(chatA, s)
				}
			}
			if !slices.Equal(chatA, wantRan) {
				t.Errorf("ran %q, want %q", chatA, wantRan)
			}
			if n := len(ran) - len(chatA); n != 10 {
				t.Errorf("%d updates without a chat ran, want 10", n)
			}
			// The backlog answered, a new flood gets a new notice.
			hold = make(chan struct{})
			c.Update(t.Context(), "a", func() { <-hold }, nil)
			for range tt.maxUpdates + tt.maxTasks {
				c.Update(t.Context(), "a", func() {}, nil)
			}
			if a := c.Update(t.Context(), "a", func() {}, nil); a != bot.Flood {
				t.Errorf("flood after the backlog = %v, want Flood", a)
			}
			close(hold)
			c.Wait()
		})
	}
}

// TestChatsStopAndClose: Stop refuses pushes only, Close everything, and
// an update whose context ended before its turn is dropped and counted.
func TestChatsStopAndClose(t *testing.T) {
	dropped := map[string]int{}
	c := &bot.Chats[string]{Dropped: func(chat string, n int) { dropped[chat] += n }}
	hold := make(chan struct{})
	c.Update(t.Context(), "a", func() { <-hold }, nil)
	ctx, cancel := context.WithCancel(t.Context())
	ran := 0
	for range 3 {
		c.Update(ctx, "a", func() { ran++ }, nil)
	}
	cancel()
	c.Stop()
	if c.Push("a", func() {}) {
		t.Error("Push after Stop = true")
	}
	if a := c.Update(t.Context(), "a", func() { ran++ }, nil); a != bot.Admitted {
		t.Errorf("Update after Stop = %v, want Admitted", a)
	}
	if n := c.Waiting("a"); n != 4 {
		t.Errorf("Waiting = %d, want 4", n)
	}
	close(hold)
	c.Close()
	if ran != 1 || dropped["a"] != 3 {
		t.Errorf("ran %d, dropped %v; want 1 ran and 3 dropped", ran, dropped)
	}
	if a := c.Update(t.Context(), "a", func() {}, nil); a != bot.Closed {
		t.Errorf("Update after Close = %v, want Closed", a)
	}
	if c.Busy() != 0 {
		t.Errorf("%d chats busy after Close", c.Busy())
	}
}
