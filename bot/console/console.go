// Package console is the terminal channel: a chat on standard input and
// output, for trying Secours with no token, no Redis and no network, and
// for replaying scripted conversations (one answer per line).
//
// It imports flows and bot only.
package console

import (
	"bufio"
	"context"
	"errors"
	"fmt"
	"io"
	"strconv"
	"strings"
	"sync"
	"time"
	"unicode/utf8"

	"github.com/secours/secours/bot"
	"github.com/secours/secours/flows"
	"github.com/secours/secours/geo"
)

// maxLine bounds what is kept of one input line. A longer line is read
// to its end and cut: the engine answers it as too long, as it answers a
// long Telegram or WhatsApp message, and the chat goes on.
const maxLine = 64 * 1024

// Adapter runs a terminal chat. Send may be called while Run runs.
type Adapter struct {
	Conv    bot.Conversation
	In      io.Reader
	Out     io.Writer
	Chat    flows.ChatID // default "cli:local"
	Lang    flows.Lang   // language hint; empty: French
	Country string       // country hint ("BE", "FR"); empty: asked
	// Echo writes each input line as "> line", so that piped input gives a
	// readable transcript. Off for a terminal, which echoes by itself.
	Echo bool
	// Prompt is written before each read when not echoing.
	Prompt string
	// RunID makes message ids unique across runs; empty: the start time.
	RunID string

	mu sync.Mutex // guards writes to Out: Send writes from other goroutines
}

var _ bot.Sender = (*Adapter)(nil)

// chat is the console's one chat.
func (a *Adapter) chat() flows.ChatID {
	if a.Chat == "" {
		return "cli:local"
	}
	return a.Chat
}

// Send prints replies for the console's chat outside a turn, as a turn's
// replies are printed. The console has one chat: any other is an error.
func (a *Adapter) Send(ctx context.Context, chat flows.ChatID, replies []flows.Reply) error {
	if chat != a.chat() {
		return fmt.Errorf("console send: not this console's chat (channel %q)", chat.Channel())
	}
	if err := ctx.Err(); err != nil {
		return fmt.Errorf("console send: %w", err)
	}
	return a.write(replies)
}

// print writes s to Out, one write at a time.
func (a *Adapter) print(s string) error {
	a.mu.Lock()
	defer a.mu.Unlock()
	_, err := io.WriteString(a.Out, s)
	return err
}

// Run shows the first message, then answers each line until the end of
// input or ctx is done.
func (a *Adapter) Run(ctx context.Context) error {
	chat := a.chat()
	// Ids must not repeat across runs: with Redis the session outlives the
	// process, and a repeated id would be dropped as a redelivery.
	run := a.RunID
	if run == "" {
		run = strconv.FormatInt(time.Now().UnixNano(), 36)
	}
	n := 0
	msg := func() flows.Msg {
		n++
		return flows.Msg{Chat: chat, ID: "cli-" + run + "-" + strconv.Itoa(n), Lang: a.Lang, Country: a.Country}
	}
	first := msg()
	first.Kind, first.Command = flows.KindCommand, "start"
	if err := a.write(a.Conv.Handle(ctx, first)); err != nil {
		return err
	}
	in := bufio.NewReader(a.In)
	for {
		if !a.Echo && a.Prompt != "" {
			if err := a.print(a.Prompt); err != nil {
				return fmt.Errorf("console prompt: %w", err)
			}
		}
		line, cut, err := readLine(in)
		if errors.Is(err, io.EOF) {
			return nil
		}
		if err != nil {
			return fmt.Errorf("console read: %w", err)
		}
		if err := ctx.Err(); err != nil {
			return nil
		}
		if a.Echo {
			if err := a.print("> " + line + "\n"); err != nil {
				return fmt.Errorf("console echo: %w", err)
			}
		}
		m := Parse(line)
		if cut {
			// What was cut is neither a command nor a position: the
			// engine answers it as too long.
			m = flows.Msg{Kind: flows.KindText, Text: line}
		}
		base := msg()
		m.Chat, m.ID, m.Lang, m.Country = base.Chat, base.ID, base.Lang, base.Country
		if err := a.write(a.Conv.Handle(ctx, m)); err != nil {
			return err
		}
	}
}

// readLine reads one line of any length without its end ("\n" or
// "\r\n"), keeping its first maxLine bytes (cut at a character boundary);
// cut tells that the line was longer. A last line without an end counts;
// io.EOF means there is no line left.
func readLine(r *bufio.Reader) (line string, cut bool, err error) {
	var b []byte
	for {
		chunk, more, err := r.ReadLine()
		if err != nil {
			if errors.Is(err, io.EOF) && b != nil {
				break // the last line had no end, and ReadLine already gave it
			}
			return "", false, err
		}
		if room := maxLine - len(b); len(chunk) > room {
			chunk, cut = chunk[:room], true
		}
		if b == nil {
			b = make([]byte, 0, len(chunk))
		}
		b = append(b, chunk...)
		if !more {
			break
		}
	}
	for i := 0; cut && i < utf8.UTFMax-1 && len(b) > 0; i++ {
		if r, _ := utf8.DecodeLastRune(b); r != utf8.RuneError {
			break
		}
		b = b[:len(b)-1] // a character the cut split
	}
	return string(b), cut, nil
}

// Parse turns one typed line into a message: "/cmd arg" is a command,
// "lat,lon" a shared location, anything else text.
func Parse(line string) flows.Msg {
	t := strings.TrimSpace(line)
	if strings.HasPrefix(t, "/") && len(t) > 1 {
		cmd, arg, _ := strings.Cut(t[1:], " ")
		return flows.Msg{Kind: flows.KindCommand, Command: strings.ToLower(cmd), Arg: strings.TrimSpace(arg)}
	}
	if p, ok := parsePoint(t); ok {
		return flows.Msg{Kind: flows.KindLocation, Loc: p}
	}
	return flows.Msg{Kind: flows.KindText, Text: line}
}

// parsePoint reads "50.85,4.35" (a decimal point is required, so that a
// postcode or a number is never taken for a position).
func parsePoint(s string) (geo.Point, bool) {
	la, lo, ok := strings.Cut(s, ",")
	if !ok || !strings.Contains(la, ".") || !strings.Contains(lo, ".") {
		return geo.Point{}, false
	}
	lat, err1 := strconv.ParseFloat(strings.TrimSpace(la), 64)
	lon, err2 := strconv.ParseFloat(strings.TrimSpace(lo), 64)
	if err1 != nil || err2 != nil || lat < -90 || lat > 90 || lon < -180 || lon > 180 {
		return geo.Point{}, false
	}
	return geo.Point{Lat: lat, Lon: lon}, true
}

// write prints replies as "< " lines: text, numbered choices, the escape
// row and place cards.
func (a *Adapter) write(replies []flows.Reply) error {
	var b strings.Builder
	for _, r := range replies {
		Render(&b, r)
	}
	if err := a.print(b.String()); err != nil {
		return fmt.Errorf("console write: %w", err)
	}
	return nil
}

// Render writes one reply in the console's transcript form.
func Render(b *strings.Builder, r flows.Reply) {
	for _, line := range strings.Split(r.Text, "\n") {
		if r.Text == "" {
			break // a card alone
		}
		b.WriteString("< " + line + "\n")
	}
	for _, c := range r.Places {
		for i, line := range flows.CardLines(c) {
			if i == 0 {
				b.WriteString("<   " + line + "\n")
				continue
			}
			b.WriteString("<      " + line + "\n")
		}
		if c.MapURL != "" {
			// The console draws no map: the pin a channel sends, as text.
			b.WriteString("<   [📍 " + c.Name + " · " + c.MapLabel + "]\n")
		}
	}
	for i, c := range r.Choices {
		fmt.Fprintf(b, "<   %d. %s\n", i+1, c.Label)
	}
	if r.AskLocation && r.LocationBtn != "" {
		b.WriteString("<   [" + r.LocationBtn + ": lat,lon]\n")
	}
	if len(r.Nav) > 0 {
		labels := make([]string, len(r.Nav))
		for i, c := range r.Nav {
			labels[i] = c.Label
		}
		b.WriteString("<   " + strings.Join(labels, " · ") + "\n")
	}
}
