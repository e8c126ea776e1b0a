package bot

import (
	"strings"
	"unicode/utf8"
)

// Split cuts s into parts of at most limit bytes, at a blank line if it
// can, else at a line end, a space, or a character boundary: the long
// texts of the WhatsApp channels (whatsmeow and the Cloud API), which
// count bytes. Telegram counts UTF-16 units and has its own.
func Split(s string, limit int) []string {
	if len(s) <= limit {
		return []string{s}
	}
	var parts []string
	for len(s) > limit {
		cut := -1
		for _, sep := range []string{"\n\n", "\n", " "} {
			if i := strings.LastIndex(s[:limit], sep); i > 0 {
				cut = i
				break
			}
		}
		if cut <= 0 {
			cut = limit
			for cut > 0 && !utf8.RuneStart(s[cut]) {
				cut--
			}
			if cut == 0 {
				cut = limit // not UTF-8: cut anywhere rather than loop
			}
		}
		if part := strings.TrimRight(s[:cut], " \n"); part != "" {
			parts = append(parts, part)
		}
		s = strings.TrimLeft(s[cut:], " \n")
	}
	if s != "" {
		parts = append(parts, s)
	}
	return parts
}
