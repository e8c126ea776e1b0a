package flows_test

import (
	"context"
	"flag"
	"log/slog"
	"os"
	"path/filepath"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/secours/secours/bot"
	"github.com/secours/secours/bot/channeltest"
	"github.com/secours/secours/bot/console"
	"github.com/secours/secours/configs"
	"github.com/secours/secours/flows"
	"github.com/secours/secours/referral"
	"github.com/secours/secours/store/memory"
)

var update = flag.Bool("update", false, "rewrite the golden transcripts in testdata/golden")

// realEngine uses the embedded catalogues and place directory, loaded
// once (the channels' kit has that loader already).
func realEngine(t testing.TB) *flows.Engine {
	t.Helper()
	e, _ := channeltest.Engine(t)
	return e
}

// replay runs the "> " lines of a transcript through the console adapter,
// with the memory store and a clock that starts on a Tuesday at 10:00 in
// Brussels and moves 20 s per message.
func replay(t *testing.T, input []string) string {
	t.Helper()
	out, _ := replayTurns(t, input)
	return out
}

// userLines are what the person types in a transcript: its "> " lines,
// and a bare ">" for an empty message.
func userLines(transcript string) []string {
	var input []string
	for _, line := range strings.Split(transcript, "\n") {
		if in, ok := strings.CutPrefix(line, "> "); ok {
			input = append(input, in)
		} else if line == ">" {
			input = append(input, "")
		}
	}
	return input
}

// tap keeps the replies of each turn on their way to the console.
type tap struct {
	conv  bot.Conversation
	mu    sync.Mutex
	turns [][]flows.Reply
}

func (p *tap) Handle(ctx context.Context, m flows.Msg) []flows.Reply {
	out := p.conv.Handle(ctx, m)
	p.mu.Lock()
	defer p.mu.Unlock()
	p.turns = append(p.turns, out)
	return out
}

// replayTurns is replay, with the replies of each turn (the first is the
// welcome).
func replayTurns(t *testing.T, input []string) (string, [][]flows.Reply) {
	t.Helper()
	now := t0
	var mu sync.Mutex
	clock := func() time.Time {
		mu.Lock()
		defer mu.Unlock()
		now = now.Add(20 * time.Second)
		return now
	}
	st := memory.New(time.Hour, clock)
	e := realEngine(t)
	runner := &bot.Runner{Engine: e, Store: st, Referrals: referral.NewLedger(e, st), Structures: st, Now: clock, Log: slog.New(slog.DiscardHandler)}
	var out strings.Builder
	tp := &tap{conv: runner}
	a := &console.Adapter{Conv: tp, In: strings.NewReader(strings.Join(input, "\n") + "\n"), Out: &out, Echo: true}
	if err := a.Run(t.Context()); err != nil {
		t.Fatal(err)
	}
	return out.String(), tp.turns
}

// TestGoldenTranscripts replays whole conversations, one per profile in
// French and Dutch plus bad input and aidant mode. go test -run Golden
// -update rewrites them after a deliberate change; review the diff.
func TestGoldenTranscripts(t *testing.T) {
	files, err := filepath.Glob("testdata/golden/*.txt")
	if err != nil || len(files) == 0 {
		t.Fatalf("no transcripts: %v", err)
	}
	for _, f := range files {
		t.Run(strings.TrimSuffix(filepath.Base(f), ".txt"), func(t *testing.T) {
			b, err := os.ReadFile(f)
			if err != nil {
				t.Fatal(err)
			}
			got := replay(t, userLines(string(b)))
			if *update {
				if err := os.WriteFile(f, []byte(got), 0o644); err != nil {
					t.Fatal(err)
				}
				return
			}
			if got != string(b) {
				t.Errorf("transcript differs (go test ./flows -run Golden -update to accept):\n%s", diff(string(b), got))
			}
			if strings.HasPrefix(filepath.Base(f), "profile_") {
				// Count the answers up to the place list, or the honest
				// fallback where no place matches.
				cats, _ := flows.LoadCatalogs(configs.FS)
				var ends []string
				for _, l := range flows.Langs {
					ends = append(ends, cats[l]["fallback.BE"], cats[l]["fallback.FR"])
				}
				answers := 0
			count:
				for _, line := range strings.Split(got, "\n") {
					if strings.HasPrefix(line, "<   🏢") {
						break
					}
					for _, end := range ends {
						if line == "< "+end {
							break count
						}
					}
					if strings.HasPrefix(line, "> ") {
						answers++
					}
				}
				t.Logf("%d answers to the place list", answers)
				if answers > 12 {
					t.Errorf("%d user answers before the place list, want ≤ 12", answers)
				}
			}
		})
	}
}

// diff shows the first differing line with some context.
func diff(want, got string) string {
	w, g := strings.Split(want, "\n"), strings.Split(got, "\n")
	for i := 0; i < len(w) || i < len(g); i++ {
		var wl, gl string
		if i < len(w) {
			wl = w[i]
		}
		if i < len(g) {
			gl = g[i]
		}
		if wl != gl {
			return "line " + itoa(i+1) + ":\n want: " + wl + "\n  got: " + gl
		}
	}
	return ""
}

func itoa(i int) string {
	const digits = "0123456789"
	if i < 10 {
		return digits[i : i+1]
	}
	return itoa(i/10) + digits[i%10:i%10+1]
}
