package text

import (
	"strings"
	"unicode"
	"unicode/utf8"
)

// The measures of docs/diagnostic.md F (plain language), written once for
// the wording check over the catalogues (configs) and the screens of the
// golden transcripts (flows).
//
// How they count, so that a check fails for a reason a writer can see:
//
//   - A sentence ends at ".", "!", "?" or "…" followed by a space, a line
//     end or the end of the text, and at every line end. "impots.gouv" and
//     "3,5" do not end one; "ex." / "bv." / "bijv." (for example) do not
//     either. ":" and ";" do not end a sentence: a label and its value
//     ("Horaires : lun–ven") are one.
//   - A word is a run of characters between spaces that holds a letter or
//     a digit; an emoji, "·" or "–" alone is not a word. A placeholder
//     ({place}) is one word. Digit groups that follow one another ("06 12
//     34 56 78") are one word: a phone number is read as one thing.
//   - A label's width is what a person sees: characters, with an emoji
//     and its variation selector or joined parts counted as 1 (F.5: "🙋 Une personne"
//     is 14).

// abbrevs end with a dot but not a sentence: "for example" in French and
// Dutch.
var abbrevs = []string{"ex.", "bv.", "bijv.", "p.ex.", "o.a.", "nr."}

// Sentences splits s into its sentences, trimmed, without empty ones.
func Sentences(s string) []string {
	var out []string
	for _, line := range strings.Split(s, "\n") {
		start := 0
		for i, r := range line {
			if r != '.' && r != '!' && r != '?' && r != '…' {
				continue
			}
			end := i + utf8.RuneLen(r)
			if end+1 < len(line) && line[end] == ' ' && (line[end+1] == '?' || line[end+1] == '!') {
				continue // French "dire… ?": the "?" ends it
			}
			if end < len(line) && line[end] != ' ' {
				continue // "impots.gouv", "?!" is one end
			}
			if r == '.' && isAbbrev(line[start:end]) {
				continue
			}
			if p := strings.TrimSpace(line[start:end]); hasWord(p) {
				out = append(out, p)
			}
			start = end
		}
		if p := strings.TrimSpace(line[start:]); hasWord(p) {
			out = append(out, p)
		}
	}
	return out
}

func isAbbrev(upTo string) bool {
	f := strings.Fields(upTo)
	if len(f) == 0 {
		return false
	}
	last := strings.ToLower(strings.TrimLeft(f[len(f)-1], "(«\"'"))
	for _, a := range abbrevs {
		if last == a {
			return true
		}
	}
	return false
}

// Words counts the words of s (see the rules above).
func Words(s string) int {
	n, digits := 0, false
	for _, f := range strings.Fields(s) {
		if !hasWord(f) {
			continue
		}
		d := strings.TrimFunc(f, func(r rune) bool { return !unicode.IsDigit(r) })
		allDigits := d != "" && strings.IndexFunc(d, func(r rune) bool { return !unicode.IsDigit(r) }) < 0 &&
			len(strings.Trim(f, "0123456789.,:;()")) == 0
		if allDigits && digits {
			continue // "12 34 56": the same number
		}
		digits = allDigits
		n++
	}
	return n
}

func hasWord(s string) bool {
	return strings.IndexFunc(s, func(r rune) bool { return unicode.IsLetter(r) || unicode.IsDigit(r) }) >= 0
}

// Width is how many characters a person sees in a button label: an emoji
// with its variation selector, skin tone or joined parts counts as 1.
func Width(label string) int {
	n, join := 0, false
	for _, r := range label {
		switch {
		case r == '\u200d':
			join = true
			continue
		case r == '\ufe0f' || r == '\ufe0e' || r >= 0x1f3fb && r <= 0x1f3ff:
			continue
		case join:
			join = false
			continue
		}
		n++
	}
	return n
}
