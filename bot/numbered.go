package bot

import (
	"strconv"
	"strings"

	"github.com/secours/secours/flows"
)

// WriteNumbered writes one reply as the text of the channels that show
// choices as a numbered list (WhatsApp, and the Cloud API where an
// interactive message does not fit): the text, the place cards (the name
// in bold, as WhatsApp shows *…*), the choices numbered from 1, the
// escape row as words, then location (when the reply asks for one) and
// hint (when it has choices), each after a blank line. The engine reads
// the typed answer.
func WriteNumbered(b *strings.Builder, r *flows.Reply, location, hint string) {
	start := b.Len()
	b.WriteString(r.Text)
	for i := range r.Places {
		for j, line := range flows.CardLines(r.Places[i]) {
			switch {
			case j > 0:
				b.WriteString("\n" + line)
				continue
			case b.Len() > start:
				b.WriteString("\n\n")
			}
			b.WriteString("*" + line + "*")
		}
	}
	if len(r.Choices) == 0 && len(r.Nav) == 0 && !r.AskLocation {
		return
	}
	b.WriteByte('\n')
	for i, c := range r.Choices {
		b.WriteString("\n" + strconv.Itoa(i+1) + ". " + c.Label)
	}
	for i, c := range r.Nav {
		if i == 0 {
			b.WriteByte('\n')
		} else {
			b.WriteString(" · ")
		}
		b.WriteString(c.Label)
	}
	if r.AskLocation || len(r.Choices) > 0 {
		b.WriteByte('\n')
	}
	if r.AskLocation {
		b.WriteString("\n" + location)
	}
	if len(r.Choices) > 0 {
		b.WriteString("\n" + hint)
	}
}

// NumberList is the numbers of n choices as a hint says them: "1, 2 or
// 3", or the catalogue's word for or.
func NumberList(n int, or string) string {
	var b strings.Builder
	for i := 1; i <= n; i++ {
		switch {
		case i == 1:
		case i == n:
			b.WriteString(" " + or + " ")
		default:
			b.WriteString(", ")
		}
		b.WriteString(strconv.Itoa(i))
	}
	return b.String()
}
