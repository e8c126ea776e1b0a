package whatsapp

import (
	"flag"
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"testing"
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

// checkGolden compares a transcript with testdata/golden/name.txt
// (-update rewrites it: read the diff before committing it).
func checkGolden(t *testing.T, name, got string) {
	t.Helper()
	path := filepath.Join("testdata", "golden", name+".txt")
	if *update {
		if err := os.MkdirAll(filepath.Dir(path), 0o755); err != nil {
			t.Fatal(err)
		}
		if err := os.WriteFile(path, []byte(got), 0o644); err != nil {
			t.Fatal(err)
		}
		return
	}
	want, err := os.ReadFile(path)
	if err != nil {
		t.Fatalf("%v (run go test ./bot/whatsapp -run TestProfiles -update)", err)
	}
	if got != string(want) {
		t.Errorf("WhatsApp transcript %s differs from %s:\n%s", name, path, got)
	}
}
