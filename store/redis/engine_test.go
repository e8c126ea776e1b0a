package redis

import (
	"maps"
	"strconv"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/secours/secours/flows"
	"github.com/secours/secours/store/memory"
	"github.com/secours/secours/store/redis/redistest"
)

// script is a whole conversation as button presses, as Telegram sends them.
var script = []string{"lang:fr", "country:BE", "who:self", "need:health", "device:smartphone",
	"internet:mobile", "skills:apps", "online_done:with_help", "feeling:fear", "reading:text", "barrier:none"}

func press(chat flows.ChatID, id, choice string) flows.Msg {
	return flows.Msg{Chat: chat, ID: id, Kind: flows.KindChoice, Choice: choice}
}

// TestConcurrentTapsSameChat: 50 goroutines press buttons of one chat at
// once — each press five times (double taps with new ids, and the same
// update redelivered). The Redis-backed conversation must end exactly as
// the sequential run: every answer once, none lost, none applied twice.
func TestConcurrentTapsSameChat(t *testing.T) {
	e := benchEngine(t)
	now := time.Date(2026, 11, 24, 9, 0, 0, 0, time.UTC)
	const chat = flows.ChatID("tg:4242")

	seq := memory.New(time.Hour, nil)
	for i, c := range append([]string{"start"}, script...) {
		if _, err := e.Handle(t.Context(), flows.Stores{Sessions: seq}, press(chat, "s"+strconv.Itoa(i), c), now); err != nil {
			t.Fatal(err)
		}
	}
	want, err := seq.Load(t.Context(), chat)
	if err != nil {
		t.Fatal(err)
	}

	st := newStore(t, Options{})
	if _, err := e.Handle(t.Context(), flows.Stores{Sessions: st}, press(chat, "start", "start"), now); err != nil {
		t.Fatal(err)
	}
	goroutines := 0
	for step, c := range script {
		var wg sync.WaitGroup
		for k := range 5 {
			id := "u" + strconv.Itoa(step) + "-" + strconv.Itoa(k%3) // ids 0 and 1 come twice: redelivery
			goroutines++
			wg.Go(func() {
				if _, err := e.Handle(t.Context(), flows.Stores{Sessions: st}, press(chat, id, c), now); err != nil {
					t.Errorf("step %s: %v", c, err)
				}
			})
		}
		wg.Wait()
	}
	got, err := st.Load(t.Context(), chat)
	if err != nil {
		t.Fatal(err)
	}
	if goroutines < 50 {
		t.Fatalf("only %d goroutines", goroutines)
	}
	if got.State != want.State || !maps.Equal(got.Answers, want.Answers) {
		t.Errorf("concurrent run ended in %q %v, sequential in %q %v", got.State, got.Answers, want.State, want.Answers)
	}
}

// TestEngineSurvivesRedisRestart kills Redis in the middle of a
// conversation: the person gets the kind "try again in a minute", and
// once Redis is back (with its append-only file, as production requires)
// the conversation goes on where it was, with no answer lost.
func TestEngineSurvivesRedisRestart(t *testing.T) {
	e := benchEngine(t)
	now := time.Date(2026, 11, 24, 9, 0, 0, 0, time.UTC)
	srv := redistest.NewServer(t, "", "--appendonly", "yes", "--appendfsync", "always")
	st := openWith(t, srv.URL(), Options{Timeout: 500 * time.Millisecond})
	const chat = flows.ChatID("wa:32470000000@s.whatsapp.net")
	for i, c := range append([]string{"start"}, script[:5]...) {
		if _, err := e.Handle(t.Context(), flows.Stores{Sessions: st}, press(chat, "a"+strconv.Itoa(i), c), now); err != nil {
			t.Fatal(err)
		}
	}

	srv.Kill()
	out, err := e.Handle(t.Context(), flows.Stores{Sessions: st}, press(chat, "b1", script[5]), now)
	if err == nil {
		t.Fatal("no error with Redis down")
	}
	if len(out.Replies) != 1 || !strings.Contains(out.Replies[0].Text, "Petit souci technique") {
		t.Errorf("replies with Redis down: %+v", out.Replies)
	}

	srv.Start()
	// The channel redelivers the same update: it is applied once, now.
	out, err = e.Handle(t.Context(), flows.Stores{Sessions: st}, press(chat, "b1", script[5]), now)
	if err != nil {
		t.Fatalf("after restart: %v", err)
	}
	s, err := st.Load(t.Context(), chat)
	if err != nil {
		t.Fatal(err)
	}
	if s.State != "skills" || s.Answers["device"] != "smartphone" || s.Answers["internet"] != "mobile" {
		t.Errorf("after restart: state %q answers %v", s.State, s.Answers)
	}
}
