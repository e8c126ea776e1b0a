package console_test

import (
	"context"
	"errors"
	"fmt"
	"io"
	"strings"
	"sync"
	"testing"
	"unicode/utf8"

	"github.com/secours/secours/bot/console"
	"github.com/secours/secours/flows"
	"github.com/secours/secours/geo"
)

func TestParse(t *testing.T) {
	for _, tc := range []struct {
		in   string
		want flows.Msg
	}{
		{"/start abc", flows.Msg{Kind: flows.KindCommand, Command: "start", Arg: "abc"}},
		{"/OUBLI", flows.Msg{Kind: flows.KindCommand, Command: "oubli"}},
		{"50.85, 4.35", flows.Msg{Kind: flows.KindLocation, Loc: geo.Point{Lat: 50.85, Lon: 4.35}}},
		{"1000", flows.Msg{Kind: flows.KindText, Text: "1000"}},
		{"4,5", flows.Msg{Kind: flows.KindText, Text: "4,5"}}, // no decimal point: not a position
		{"95.0,4.0", flows.Msg{Kind: flows.KindText, Text: "95.0,4.0"}},
		{"/", flows.Msg{Kind: flows.KindText, Text: "/"}},
		{"santé", flows.Msg{Kind: flows.KindText, Text: "santé"}},
	} {
		if got := console.Parse(tc.in); got != tc.want {
			t.Errorf("Parse(%q) = %+v, want %+v", tc.in, got, tc.want)
		}
	}
}

func TestRender(t *testing.T) {
	var b strings.Builder
	console.Render(&b, flows.Reply{
		Text:    "Question ?\nExemple",
		Choices: []flows.Choice{{Key: "q:a", Label: "Un"}, {Key: "q:b", Label: "Deux"}},
		Nav:     []flows.Choice{{Key: "nav:back", Label: "↩ Retour"}, {Key: "nav:help", Label: "❓ Aide"}},
		Places:  []flows.PlaceCard{{Name: "Lieu", Address: "Rue 1, 1000 Bruxelles", Distance: "1,2 km", Hours: "Ouvert", Phone: "02 000 00 00"}},
	})
	want := "< Question ?\n< Exemple\n<   🏢 Lieu\n<      📍 1,2 km · Rue 1, 1000 Bruxelles\n<      🕘 Ouvert\n<      📞 02 000 00 00\n<   1. Un\n<   2. Deux\n<   ↩ Retour · ❓ Aide\n"
	if b.String() != want {
		t.Errorf("Render =\n%s\nwant\n%s", b.String(), want)
	}
}

// echo answers every message with its kind and text.
type echo struct{ got []flows.Msg }

func (e *echo) Handle(_ context.Context, m flows.Msg) []flows.Reply {
	e.got = append(e.got, m)
	return []flows.Reply{{Text: "ok"}}
}

func TestRunStartsThenAnswersEachLine(t *testing.T) {
	conv := &echo{}
	var out strings.Builder
	a := &console.Adapter{Conv: conv, In: strings.NewReader("bonjour\n\n/aide\n"), Out: &out, Echo: true, Lang: flows.NL, Country: "BE"}
	if err := a.Run(t.Context()); err != nil {
		t.Fatal(err)
	}
	if len(conv.got) != 4 || conv.got[0].Command != "start" || conv.got[2].Text != "" || conv.got[3].Command != "aide" {
		t.Fatalf("messages = %+v", conv.got)
	}
	ids := map[string]bool{}
	for _, m := range conv.got {
		if m.Chat != "cli:local" || m.Lang != flows.NL || m.Country != "BE" || ids[m.ID] {
			t.Errorf("message %+v: wrong chat, hints or a repeated id", m)
		}
		ids[m.ID] = true
	}
	if want := "< ok\n> bonjour\n< ok\n> \n< ok\n> /aide\n< ok\n"; out.String() != want {
		t.Errorf("output %q, want %q", out.String(), want)
	}
}

type failWriter struct{}

func (failWriter) Write([]byte) (int, error) { return 0, errors.New("closed") }

// TestIDsDifferAcrossRuns: a second run on the same chat (the session kept
// in Redis) must not look like a redelivery of the first run's messages.
func TestIDsDifferAcrossRuns(t *testing.T) {
	ids := map[string]bool{}
	for _, run := range []string{"a", "b"} {
		conv := &echo{}
		a := &console.Adapter{Conv: conv, In: strings.NewReader("x\n"), Out: &strings.Builder{}, RunID: run}
		if err := a.Run(t.Context()); err != nil {
			t.Fatal(err)
		}
		for _, m := range conv.got {
			if ids[m.ID] {
				t.Errorf("id %q repeats across runs", m.ID)
			}
			ids[m.ID] = true
		}
	}
}

func TestRunReportsWriteError(t *testing.T) {
	a := &console.Adapter{Conv: &echo{}, In: strings.NewReader("x\n"), Out: failWriter{}}
	if err := a.Run(t.Context()); err == nil {
		t.Error("a closed output was not reported")
	}
}

// TestLongLineIsAnsweredAndTheChatGoesOn: a line over 64 KiB used to end
// the chat silently (bufio.ErrTooLong, exit 0). It is now cut and passed
// on as text, even when it starts like a command or a position, so that
// the engine answers it as too long; the next line is answered too.
func TestLongLineIsAnsweredAndTheChatGoesOn(t *testing.T) {
	const kib100 = 100 * 1024
	for _, tc := range []struct{ name, line string }{
		{"letters", strings.Repeat("x", kib100)},
		{"a command", "/start " + strings.Repeat("x", kib100)},
		{"accents at the cut", strings.Repeat("é", kib100/2)},
		{"windows line end", strings.Repeat("x", kib100) + "\r"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			conv := &echo{}
			var out strings.Builder
			a := &console.Adapter{Conv: conv, In: strings.NewReader(tc.line + "\nbonjour\r\nfin"), Out: &out}
			if err := a.Run(t.Context()); err != nil {
				t.Fatalf("Run: %v", err)
			}
			if len(conv.got) != 4 {
				t.Fatalf("%d messages, want the start, the long line, bonjour and fin", len(conv.got))
			}
			long := conv.got[1]
			if long.Kind != flows.KindText || len(long.Text) < 60*1024 || len(long.Text) > 64*1024 || !utf8.ValidString(long.Text) {
				t.Errorf("long line passed as kind %d, %d bytes, valid UTF-8 %v: want text of at most 64 KiB",
					long.Kind, len(long.Text), utf8.ValidString(long.Text))
			}
			if conv.got[2].Text != "bonjour" || conv.got[3].Text != "fin" {
				t.Errorf("next lines = %q, %q", conv.got[2].Text, conv.got[3].Text)
			}
			if n := strings.Count(out.String(), "< ok\n"); n != 4 {
				t.Errorf("%d answers, want 4", n)
			}
		})
	}
}

func TestSend(t *testing.T) {
	reply := flows.Reply{Text: "Réponse du CPAS", Choices: []flows.Choice{{Key: "r:ok", Label: "Merci"}}}
	var want strings.Builder
	console.Render(&want, reply)
	cancelled, cancel := context.WithCancel(t.Context())
	cancel()
	tests := []struct {
		name  string
		chat  flows.ChatID // of the console: "cli:me"
		ctx   context.Context
		want  string
		fails bool
	}{
		{"printed as a turn's reply", "cli:me", t.Context(), want.String(), false},
		{"another console's chat", "cli:other", t.Context(), "", true},
		{"another channel", "tg:42", t.Context(), "", true},
		{"cancelled", "cli:me", cancelled, "", true},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			var out strings.Builder
			a := &console.Adapter{Conv: &echo{}, Out: &out, Chat: "cli:me"}
			err := a.Send(tt.ctx, tt.chat, []flows.Reply{reply})
			if (err != nil) != tt.fails {
				t.Fatalf("Send(%s) = %v, want failure %v", tt.chat, err, tt.fails)
			}
			if out.String() != tt.want {
				t.Errorf("Send(%s) printed %q, want %q", tt.chat, out.String(), tt.want)
			}
		})
	}
	var out strings.Builder
	if err := (&console.Adapter{Out: &out}).Send(t.Context(), "cli:local", []flows.Reply{reply}); err != nil || out.String() != want.String() {
		t.Errorf("Send to the default chat = %v, printed %q", err, out.String())
	}
	if err := (&console.Adapter{Out: failWriter{}}).Send(t.Context(), "cli:local", []flows.Reply{reply}); err == nil {
		t.Error("a closed output was not reported")
	}
}

// TestSendDuringRun pushes from several goroutines while Run answers
// lines: under -race, an unguarded Out (a strings.Builder) would be
// reported, and each push must come out whole.
func TestSendDuringRun(t *testing.T) {
	in, feed := io.Pipe()
	var out strings.Builder
	a := &console.Adapter{Conv: &echo{}, In: in, Out: &out, Echo: true}
	errc := make(chan error, 1)
	go func() { errc <- a.Run(t.Context()) }()
	const pushes = 20
	var wg sync.WaitGroup
	for i := range pushes {
		wg.Go(func() {
			r := flows.Reply{Text: fmt.Sprintf("push %d\nsecond line", i)}
			if err := a.Send(t.Context(), "cli:local", []flows.Reply{r}); err != nil {
				t.Errorf("Send: %v", err)
			}
		})
	}
	for range 10 {
		if _, err := io.WriteString(feed, "bonjour\n"); err != nil {
			t.Fatal(err)
		}
	}
	wg.Wait()
	feed.Close()
	if err := <-errc; err != nil {
		t.Fatalf("Run: %v", err)
	}
	got := out.String()
	for i := range pushes {
		if block := fmt.Sprintf("< push %d\n< second line\n", i); !strings.Contains(got, block) {
			t.Errorf("push %d not printed whole:\n%s", i, got)
		}
	}
	if n := strings.Count(got, "> bonjour\n"); n != 10 {
		t.Errorf("%d lines echoed, want 10", n)
	}
}
