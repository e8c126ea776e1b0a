package telegram_test

import (
	"flag"
	"path/filepath"
	"strings"
	"testing"

	"github.com/secours/secours/internal/testkit"

	"github.com/secours/secours/bot/telegram/telegramtest"
)

var update = flag.Bool("update", false, "rewrite the Telegram golden transcripts in testdata/golden")

// transcript is what a chat was sent, as a person sees it on Telegram:
// each message, each map pin (sendVenue) and each edit, with its buttons.
// Message ids and times are left out, so that it is the same every run.
func transcript(calls []telegramtest.Call) string {
	var b strings.Builder
	for _, c := range calls {
		switch c.Method {
		case "sendVenue":
			b.WriteString("[pin] " + c.Params["title"] + " · " + c.Params["address"] +
				" (" + c.Params["latitude"] + ", " + c.Params["longitude"] + ")\n")
		case "sendMessage", "editMessageText":
			prefix := ""
			if c.Method == "editMessageText" {
				prefix = "[edit] "
			}
			b.WriteString(prefix + c.Params["text"] + "\n")
		case "editMessageReplyMarkup":
			b.WriteString("[buttons removed]\n")
			continue
		default:
			continue
		}
		m := c.Markup()
		for _, row := range m.InlineKeyboard {
			var labels []string
			for _, btn := range row {
				label := btn.Text
				if btn.URL != "" {
					label += " ↗"
				}
				labels = append(labels, "["+label+"]")
			}
			b.WriteString("  " + strings.Join(labels, " ") + "\n")
		}
		for _, row := range m.Keyboard {
			for _, btn := range row {
				b.WriteString("  {" + btn.Text + "}\n")
			}
		}
		b.WriteString("\n")
	}
	return b.String()
}

// checkGolden compares a chat's transcript with testdata/golden/name.txt.
func checkGolden(t *testing.T, name, got string) {
	t.Helper()
	testkit.Golden(t, filepath.Join("testdata", "golden", name+".txt"), got, *update,
		"go test ./bot/telegram -run TestConversations -update rewrites it")
}
