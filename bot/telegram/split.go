package telegram

import (
	"strings"
	"unicode/utf8"
)

// maxText is the longest message text the Bot API accepts, in UTF-16 code
// units: Telegram counts characters the way JavaScript does, so an emoji
// outside the Basic Multilingual Plane counts twice.
const maxText = 4096

// utf16Len is the length of s as Telegram counts it.
func utf16Len(s string) int {
	n := 0
	for _, r := range s {
		if r >= 0x10000 {
			n += 2
		} else {
			n++
		}
	}
	return n
}

// split cuts text into pieces of at most limit UTF-16 units: at line
// breaks where it can, in a line that is too long at its last space, and
// between two runes when a word is too long. The pieces put end to end
// give text back; a rune is never cut.
func split(text string, limit int) []string {
	if utf16Len(text) <= limit {
		return []string{text}
	}
	var (
		out []string
		cur strings.Builder
		n   int // utf16Len of cur
	)
	flush := func() {
		if cur.Len() > 0 {
			out = append(out, cur.String())
			cur.Reset()
			n = 0
		}
	}
	for _, line := range strings.SplitAfter(text, "\n") {
		l := utf16Len(line)
		if n+l <= limit {
			cur.WriteString(line)
			n += l
			continue
		}
		flush()
		for l > limit {
			head, rest := cutLine(line, limit)
			out = append(out, head)
			line, l = rest, utf16Len(rest)
		}
		cur.WriteString(line)
		n = l
	}
	flush()
	return out
}

// cutLine cuts a line longer than limit after its last space within limit,
// or at the last rune that fits when the space would leave less than half.
func cutLine(line string, limit int) (head, rest string) {
	n, cut, space := 0, 0, -1
	for i, r := range line {
		w := 1
		if r >= 0x10000 {
			w = 2
		}
		if n+w > limit {
			break
		}
		n += w
		_, size := utf8.DecodeRuneInString(line[i:]) // 1 for an invalid byte
		cut = i + size
		if r == ' ' {
			space = cut
		}
	}
	if space > cut/2 {
		cut = space
	}
	if cut == 0 { // limit below one rune: still make progress
		_, cut = utf8.DecodeRuneInString(line)
	}
	return line[:cut], line[cut:]
}
