package bot_test

import (
	"context"
	"slices"
	"sync"
	"testing"

	"github.com/secours/secours/bot"
)

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
