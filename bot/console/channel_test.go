package console_test

import (
	"fmt"
	"io"
	"strings"
	"testing"

	"github.com/secours/secours/bot"
	"github.com/secours/secours/bot/channeltest"
	"github.com/secours/secours/bot/console"
)

// TestIncoming runs the channels' table of incoming events against the
// console, a line typed at a time.
func TestIncoming(t *testing.T) {
	channeltest.Run(t, channeltest.Driver{Name: "console", Start: startConsole})
}

func startConsole(t *testing.T, conv bot.Conversation) channeltest.Deliver {
	in, typed := io.Pipe()
	out := &channeltest.Buffer{}
	a := &console.Adapter{Conv: conv, In: in, Out: out}
	done := make(chan error, 1)
	go func() { done <- a.Run(t.Context()) }()
	t.Cleanup(func() {
		typed.Close()
		if err := <-done; err != nil {
			t.Errorf("Run: %v", err)
		}
	})
	// answered waits for the n-th answer, and returns what was printed
	// from offset from on.
	answered := func(n, from int) string {
		channeltest.Eventually(t, fmt.Sprintf("answer %d", n), func() bool { return strings.Count(out.String(), channeltest.Answer) >= n })
		return out.String()[from:]
	}
	answered(1, 0) // the start
	answers := 1
	return func(e channeltest.Event) ([]string, bool) {
		var line string
		switch e.Kind {
		case channeltest.Text, channeltest.Command:
			line = e.Text
		case channeltest.Press:
			line = fmt.Sprint(e.Pick) // a numbered list: the person types the number
		case channeltest.Location:
			line = fmt.Sprintf("%.2f,%.2f", e.Loc.Lat, e.Loc.Lon)
		default:
			return nil, false // a terminal has no stickers, voice notes, edits or redeliveries
		}
		from := len(out.String())
		if _, err := io.WriteString(typed, line+"\n"); err != nil {
			t.Fatal(err)
		}
		answers++
		return strings.Split(answered(answers, from), "\n"), true
	}
}
