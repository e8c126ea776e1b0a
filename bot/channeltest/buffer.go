package channeltest

import (
	"bytes"
	"log/slog"
	"sync"
	"testing"
	"time"
)

// Buffer is a sink (logs, a console's output, a child process's stderr)
// that several goroutines, a channel's chat workers, may write at once.
type Buffer struct {
	mu sync.Mutex
	b  bytes.Buffer
}

func (l *Buffer) Write(p []byte) (int, error) {
	l.mu.Lock()
	defer l.mu.Unlock()
	return l.b.Write(p)
}

// String is all that was written so far.
func (l *Buffer) String() string {
	l.mu.Lock()
	defer l.mu.Unlock()
	return l.b.String()
}

// Logger writes JSON lines to l from level on, without the time: a test
// that looks for a digit string (a phone number) in the logs must not
// find it in a timestamp.
func (l *Buffer) Logger(level slog.Level) *slog.Logger {
	return slog.New(slog.NewJSONHandler(l, &slog.HandlerOptions{Level: level,
		ReplaceAttr: func(groups []string, a slog.Attr) slog.Attr {
			if len(groups) == 0 && a.Key == slog.TimeKey {
				return slog.Attr{}
			}
			return a
		}}))
}

// Eventually polls cond for up to 10 s, and fails the test if it never
// holds: what a channel's test waits for often has no signal of its own
// (a call the fake holds, a poll made, a line a process printed).
func Eventually(t testing.TB, what string, cond func() bool) {
	t.Helper()
	for deadline := time.Now().Add(10 * time.Second); time.Now().Before(deadline); time.Sleep(5 * time.Millisecond) {
		if cond() {
			return
		}
	}
	t.Fatalf("timed out waiting for %s", what)
}
