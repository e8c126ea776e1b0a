package telegram

import (
	"testing"
	"time"

	"github.com/secours/secours/internal/testkit"
)

func TestPacer(t *testing.T) {
	clk := testkit.NewClock(time.Date(2025, 3, 4, 10, 0, 0, 0, time.UTC))
	p := newPacer(Limits{Global: 30, GlobalBurst: 30, Chat: 1, ChatBurst: 2}, clk.Now)

	// One chat: a burst of 2, then one a second.
	for i, want := range []time.Duration{0, 0, time.Second, 2 * time.Second} {
		if got := p.reserve(1); got != want {
			t.Errorf("chat 1, message %d: wait %v, want %v", i, got, want)
		}
	}
	// Many chats: the global 30 a second binds. 4 tokens went to chat 1.
	var waits []time.Duration
	for chat := int64(2); chat < 40; chat++ {
		waits = append(waits, p.reserve(chat))
	}
	for i, w := range waits {
		sent := 4 + i // global tokens spent before this one
		var want time.Duration
		if sent >= 30 {
			want = time.Duration(float64(sent-29) / 30 * float64(time.Second))
		}
		if d := w - want; d > time.Microsecond || d < -time.Microsecond {
			t.Errorf("chat %d: wait %v, want %v", i+2, w, want)
		}
	}
	// A minute later the idle chats are forgotten, and the next message
	// sweeps them.
	clk.Add(2 * time.Minute)
	p.reserve(1)
	if n := len(p.chats); n != 1 {
		t.Errorf("%d chat buckets kept after a quiet minute, want 1", n)
	}
}

func TestLimitsDefaultsAndOff(t *testing.T) {
	if got := (Limits{}).withDefaults(); got != (Limits{Global: 30, GlobalBurst: 30, Chat: 1, ChatBurst: 5}) {
		t.Errorf("zero Limits = %+v, want Telegram's", got)
	}
	clk := testkit.NewClock(time.Date(2025, 3, 4, 10, 0, 0, 0, time.UTC))
	p := newPacer(Limits{Global: -1, Chat: -1}, clk.Now)
	for i := range 1000 {
		if w := p.reserve(1); w != 0 {
			t.Fatalf("message %d with no limits: wait %v", i, w)
		}
	}
}
