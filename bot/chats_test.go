package bot

import (
	"bytes"
	"context"
	"errors"
	"runtime"
	"strconv"
	"sync"
	"testing"

	"github.com/secours/secours/internal/testkit"
)

// goroutineID reads the running goroutine's number off its stack trace:
// tests only, to see which worker ran a task.
func goroutineID() string {
	b := make([]byte, 64)
	b = b[:runtime.Stack(b, false)]
	b = bytes.TrimPrefix(b, []byte("goroutine "))
	return string(b[:bytes.IndexByte(b, ' ')])
}

// TestChatsReuseWorkers: chats that become busy one after the other are
// answered by the same worker, not by a new goroutine each (whose stack
// would grow again); Close ends the idle workers.
func TestChatsReuseWorkers(t *testing.T) {
	before := runtime.NumGoroutine()
	var c Chats[string]
	ids := map[string]bool{}
	for i := range 100 {
		done := make(chan string)
		c.Push("chat"+strconv.Itoa(i), func() { done <- goroutineID() })
		ids[<-done] = true
		c.Wait()
	}
	// A push that comes between a worker's last task and its wait for
	// the next chat starts another: a few, not a hundred.
	if len(ids) > 5 {
		t.Errorf("100 chats one after the other ran on %d goroutines, want a few", len(ids))
	}

	// Chats at once still run in parallel, each on its own worker.
	var wg sync.WaitGroup
	release := make(chan struct{})
	running := make(chan struct{}, 10)
	for i := range 10 {
		wg.Add(1)
		c.Push("p"+strconv.Itoa(i), func() {
			defer wg.Done()
			running <- struct{}{}
			<-release
		})
	}
	for range 10 {
		<-running // all ten started before any ended
	}
	close(release)
	wg.Wait()

	c.Close()
	testkit.WaitFor(t, "the idle workers to end after Close", func() bool { return runtime.NumGoroutine() <= before })
}

// BenchmarkChatsDeepTask: a task with a deep stack, as a step is, on a
// chat that just became busy: a reused worker has grown its stack
// already.
func BenchmarkChatsDeepTask(b *testing.B) {
	var c Chats[int]
	defer c.Close()
	done := make(chan struct{})
	task := func() {
		deep(64)
		done <- struct{}{}
	}
	n := 0
	for b.Loop() {
		n++
		c.Push(n, task)
		<-done
		c.Wait()
	}
}

//go:noinline
func deep(n int) byte {
	var pad [512]byte
	pad[n%512] = byte(n)
	if n == 0 {
		return pad[0]
	}
	return deep(n-1) + pad[n%512]
}

// TestChatsPushWait: a push's result comes back to its caller; a push
// whose caller gave up while the chat was busy does not run; once Stop
// was called the push is refused.
func TestChatsPushWait(t *testing.T) {
	var c Chats[string]
	defer c.Close()
	want := errors.New("sent")
	if err := c.PushWait(t.Context(), "a", "test", nil, func() error { return want }); !errors.Is(err, want) {
		t.Errorf("PushWait = %v, want the push's own result", err)
	}

	busy, release := make(chan struct{}), make(chan struct{})
	c.Push("a", func() { close(busy); <-release })
	<-busy
	ctx, cancel := context.WithCancel(t.Context())
	cancel()
	ran := false
	if err := c.PushWait(ctx, "a", "test", nil, func() error { ran = true; return nil }); !errors.Is(err, context.Canceled) || err.Error() != "test send: context canceled" {
		t.Errorf("PushWait with ctx done = %v, want test send: context canceled", err)
	}
	close(release)
	c.Wait()
	if ran {
		t.Error("a push whose caller gave up ran")
	}

	refused := errors.New("refused")
	c.Stop()
	if err := c.PushWait(t.Context(), "a", "test", refused, func() error { return nil }); !errors.Is(err, refused) {
		t.Errorf("PushWait after Stop = %v, want the refusal", err)
	}
}
