package testkit

import (
	"bytes"
	"log/slog"
	"sync"
	"testing"
	"time"
)

// SyncBuffer is a bytes.Buffer that goroutines may share: the log sink of
// a server under test, read by the test while the server writes.
type SyncBuffer struct {
	mu sync.Mutex // guards b
	b  bytes.Buffer
}

// Write appends p.
func (s *SyncBuffer) Write(p []byte) (int, error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.b.Write(p)
}

// String returns what was written so far.
func (s *SyncBuffer) String() string {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.b.String()
}

// Logger writes JSON lines to s from level on, without the time: a test
// that looks for a digit string (a phone number) in the logs must not
// find it in a timestamp.
func (s *SyncBuffer) Logger(level slog.Level) *slog.Logger {
	return slog.New(slog.NewJSONHandler(s, &slog.HandlerOptions{Level: level,
		ReplaceAttr: func(groups []string, a slog.Attr) slog.Attr {
			if len(groups) == 0 && a.Key == slog.TimeKey {
				return slog.Attr{}
			}
			return a
		}}))
}

// WaitFor polls cond for up to 10 s, for what has no signal of its own (a
// call a fake holds, a line in a log), and fails the test, naming what,
// if it never holds.
func WaitFor(tb testing.TB, what string, cond func() bool) {
	tb.Helper()
	for deadline := time.Now().Add(10 * time.Second); time.Now().Before(deadline); time.Sleep(10 * time.Millisecond) {
		if cond() {
			return
		}
	}
	tb.Fatalf("timed out waiting for %s", what)
}

// Returns runs f and fails the test with msg unless f returns within d:
// for a Close or a stop that must not hang.
func Returns(tb testing.TB, d time.Duration, f func(), msg string) {
	tb.Helper()
	done := make(chan struct{})
	go func() { f(); close(done) }()
	select {
	case <-done:
	case <-time.After(d):
		tb.Fatal(msg)
	}
}
