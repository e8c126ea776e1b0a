package flows_test

import (
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/secours/secours/bot/console"
	"github.com/secours/secours/flows"
	"github.com/secours/secours/text"
)

// The screens of the golden transcripts against the plain-language rules
// (issue 21, docs/diagnostic.md F; the catalogue side is configs'
// TestWording). A screen is one message as it arrives on a phone (one
// Reply); its lines are those the console writes for its text and place
// cards, buttons left out (their lengths are checked in the catalogue),
// and so is the console's line for the map pin, which the channels send
// as a message of its own. Sentences are counted with text.Sentences, in
// the text and in a card's prose (its kind and why it fits): its name,
// address, hours and phone are fields, not sentences.
const (
	maxScreenLines     = 12
	maxScreenSentences = 6
	maxLead            = 4 // lines before a question, in the same turn, place cards aside
	maxCardLines       = 6
)

// screenLines are the lines of a reply's text and cards, as the console
// shows them.
func screenLines(r flows.Reply) []string {
	bare := r
	bare.Choices, bare.Nav, bare.AskLocation = nil, nil, false
	var b strings.Builder
	console.Render(&b, bare)
	var out []string
	for _, l := range strings.Split(strings.TrimSuffix(b.String(), "\n"), "\n") {
		l = strings.TrimSpace(strings.TrimPrefix(l, "<"))
		if l != "" && !strings.HasPrefix(l, "[") {
			out = append(out, l)
		}
	}
	return out
}

func sentences(r flows.Reply) int {
	n := len(text.Sentences(r.Text))
	for _, c := range r.Places {
		n += len(text.Sentences(c.Kind)) + len(text.Sentences(c.Why))
	}
	return n
}

func goldenInput(t *testing.T, f string) []string {
	t.Helper()
	b, err := os.ReadFile(f)
	if err != nil {
		t.Fatal(err)
	}
	return userLines(string(b))
}

// TestScreens: no screen of a golden transcript is over 12 lines or 6
// sentences, no place card over 6 lines, and at most 4 lines come before
// a question.
func TestScreens(t *testing.T) {
	files, err := filepath.Glob("testdata/golden/*.txt")
	if err != nil || len(files) == 0 {
		t.Fatalf("no transcripts: %v", err)
	}
	var maxLines, maxSent, maxCard, maxLeadSeen int
	for _, f := range files {
		name := strings.TrimSuffix(filepath.Base(f), ".txt")
		_, turns := replayTurns(t, goldenInput(t, f))
		for i, turn := range turns {
			lead := 0
			for _, r := range turn {
				lines := screenLines(r)
				maxLines, maxSent = max(maxLines, len(lines)), max(maxSent, sentences(r))
				if len(lines) > maxScreenLines || sentences(r) > maxScreenSentences {
					t.Errorf("%s, answer %d: a screen of %d lines and %d sentences, want ≤ %d and ≤ %d:\n%s",
						name, i, len(lines), sentences(r), maxScreenLines, maxScreenSentences, strings.Join(lines, "\n"))
				}
				for _, c := range r.Places {
					n := len(screenLines(flows.Reply{Places: []flows.PlaceCard{c}}))
					maxCard = max(maxCard, n)
					if n > maxCardLines {
						t.Errorf("%s, answer %d: card of %s has %d lines, want ≤ %d", name, i, c.Name, n, maxCardLines)
					}
				}
				if r.Question != "" {
					maxLeadSeen = max(maxLeadSeen, lead)
					if lead > maxLead {
						t.Errorf("%s, answer %d: %d lines before the question %q, want ≤ %d", name, i, lead, r.Question, maxLead)
					}
					lead = 0
					continue
				}
				if len(r.Places) == 0 && !r.HandOver {
					// Place cards and the hand-over card are what the
					// question is about, not lines read before it.
					lead += len(lines)
				}
			}
		}
	}
	t.Logf("longest screen %d lines, most sentences %d, longest card %d lines, most lines before a question %d",
		maxLines, maxSent, maxCard, maxLeadSeen)
}
