package whatsapp

import (
	"flag"
	"path/filepath"
	"strconv"
	"strings"
	"testing"

	"github.com/secours/secours/internal/testkit"
)

var update = flag.Bool("update", false, "rewrite the WhatsApp golden transcripts in testdata/golden")

// transcript is what a chat was sent, as a person sees it on WhatsApp:
// each text and each location pin.
func (f *fakeClient) transcript() string {
	f.mu.Lock()
	defer f.mu.Unlock()
	var b strings.Builder
	for _, s := range f.sent {
		if l := s.msg.GetLocationMessage(); l != nil {
			b.WriteString("[pin] " + l.GetName() + " · " + l.GetAddress() + " (" +
				strconv.FormatFloat(l.GetDegreesLatitude(), 'f', -1, 64) + ", " +
				strconv.FormatFloat(l.GetDegreesLongitude(), 'f', -1, 64) + ")\n\n")
			continue
		}
		if t := s.msg.GetConversation(); t != "" {
			b.WriteString(t + "\n\n")
		}
	}
	return b.String()
}

// checkGolden compares a chat's transcript with testdata/golden/name.txt.
func checkGolden(t *testing.T, name, got string) {
	t.Helper()
	testkit.Golden(t, filepath.Join("testdata", "golden", name+".txt"), got, *update,
		"go test ./bot/whatsapp -run TestProfiles -update rewrites it")
}
