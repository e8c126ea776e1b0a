package flows_test

import (
	"strings"
	"testing"

	"github.com/secours/secours/configs"
	"github.com/secours/secours/flows"
)

// TestConsoleLongLine: the terminal chat answered nothing and stopped,
// exit 0, after a line over 64 KiB (issue 17.5). Through the real engine
// it now answers as Telegram and WhatsApp do (the key too_long), then
// answers the next line.
func TestConsoleLongLine(t *testing.T) {
	cats, err := flows.LoadCatalogs(configs.FS)
	if err != nil {
		t.Fatal(err)
	}
	got := replay(t, []string{strings.Repeat("a", 100*1024), "1"})
	tooLong := cats[flows.FR]["too_long"]
	i := strings.Index(got, "< "+tooLong)
	if i < 0 {
		t.Fatalf("no %q answer to the 100 KiB line", tooLong)
	}
	// "1" at the language question is French: the country comes next.
	if !strings.Contains(got[i:], "> 1\n< "+cats[flows.FR]["q.country"]) {
		t.Errorf("the line after the long one was not answered:\n%s", got[i:])
	}
}
