package flows

import (
	"strings"
	"unicode/utf8"

	"github.com/secours/secours/text"
)

// fold is text.Fold: the conversation compares what people type with
// its choices whatever the accents, case and emoji.
func fold(s string) string { return text.Fold(s) }

// maxText bounds what the parser looks at: a 10 kB paste is answered
// kindly, not parsed.
const maxText = 500

// numberWords maps the spelled numbers people type to an index (1-based).
var numberWords = map[string]int{
	"un": 1, "une": 1, "deux": 2, "trois": 3, "quatre": 4, "cinq": 5,
	"een": 1, "één": 1, "twee": 2, "drie": 3, "vier": 4, "vijf": 5,
	"one": 1, "two": 2, "three": 3, "four": 4, "five": 5,
}

// choiceNumber reads "2", "2.", "deux", "twee" or the keycap emoji "2️⃣"
// as an index; 0 if the text is not a number.
func choiceNumber(raw, folded string) int {
	// Keycap emoji: a digit, optional VS16, then U+20E3.
	if r, size := utf8.DecodeRuneInString(strings.TrimSpace(raw)); r >= '1' && r <= '9' {
		rest := strings.TrimSpace(raw)[size:]
		rest = strings.TrimPrefix(rest, "\ufe0f")
		if rest == "\u20e3" {
			return int(r - '0')
		}
	}
	if len(folded) == 1 && folded[0] >= '1' && folded[0] <= '9' {
		return int(folded[0] - '0')
	}
	if n, ok := numberWords[folded]; ok {
		return n
	}
	return 0
}

// form is one way of naming a choice: its folded label or key.
type form struct {
	text  string
	words []string
}

func newForm(s string) form {
	f := fold(s)
	return form{text: f, words: strings.Fields(f)}
}

// matchForms returns the index of the only choice whose forms match the
// folded text: equal to a form, or naming a word (3 letters or more) of
// exactly one choice. -1 if none or ambiguous.
func matchForms(folded string, choices [][]form) int {
	if folded == "" {
		return -1
	}
	for i, forms := range choices {
		for _, f := range forms {
			if f.text == folded {
				return i
			}
		}
	}
	if utf8.RuneCountInString(folded) < 3 {
		return -1
	}
	found := -1
	for i, forms := range choices {
		if formsContain(forms, folded) {
			if found >= 0 && found != i {
				return -1
			}
			found = i
		}
	}
	return found
}

// formsContain reports whether the folded text is a run of whole words of
// one of the forms ("maison" in "oui a la maison").
func formsContain(forms []form, folded string) bool {
	for _, f := range forms {
		if strings.Contains(" "+f.text+" ", " "+folded+" ") {
			return true
		}
	}
	return false
}
