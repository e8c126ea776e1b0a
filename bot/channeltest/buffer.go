package channeltest

import (
	"testing"

	"github.com/secours/secours/internal/testkit"
)

// Buffer is a sink (logs, a console's output, a child process's stderr)
// that several goroutines, a channel's chat workers, may write at once:
// testkit's, with its Logger that drops the time.
type Buffer = testkit.SyncBuffer

// Eventually polls cond for up to 10 s, and fails the test if it never
// holds: what a channel's test waits for often has no signal of its own
// (a call the fake holds, a poll made, a line a process printed).
func Eventually(t testing.TB, what string, cond func() bool) {
	t.Helper()
	testkit.WaitFor(t, what, cond)
}
