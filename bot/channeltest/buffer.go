package channeltest

import (
	"bytes"
	"log/slog"
	"sync"
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
