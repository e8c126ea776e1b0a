package whatsapp

import (
	"fmt"
	"io/fs"
	"strings"

	"github.com/secours/secours/bot"
	"github.com/secours/secours/flows"
	i18n "github.com/secours/secours/text" // kit_test.go has a func text
)

// textKeys are the keys each language of the WhatsApp catalogue
// (configs/i18n/whatsapp.<lang>.json) must have, and no other; the hint
// fills {list}.
var textKeys = []string{"hint", "or", "location", "group"}

// maxHint is the largest list whose hint line is prepared at start-up;
// longer lists (none today) build it when rendered.
const maxHint = 12

// Language slots of the prepared strings: the session language when the
// reply tells it, both otherwise (the bilingual language question).
const (
	slotFR = iota
	slotNL
	slotBoth
	slots
)

// texts holds the WhatsApp catalogue with the hint lines ready to copy.
type texts struct {
	raw   [2]map[string]string // slotFR, slotNL
	hints [slots][]string      // hints[slot][n]: the hint for n choices
	loc   [slots]string        // the location line
	group string               // both languages: a group has no session language
}

// loadTexts reads the WhatsApp catalogue from fsys (configs.FS) with
// i18n.Load (package text): both languages, every key, none unknown, none
// empty, the {list} placeholder in the hint.
func loadTexts(fsys fs.FS) (*texts, error) {
	all, err := i18n.Load(fsys, "whatsapp", i18n.Spec{Keys: textKeys, Only: true, Holes: map[string][]string{"hint": {"{list}"}}})
	if err != nil {
		return nil, fmt.Errorf("whatsapp texts: %w", err)
	}
	t := &texts{raw: [2]map[string]string{all[flows.FR], all[flows.NL]}}
	for n := range maxHint + 1 {
		for s := range slots {
			t.hints[s] = append(t.hints[s], t.hint(s, n))
		}
	}
	t.loc[slotFR], t.loc[slotNL] = t.raw[slotFR]["location"], t.raw[slotNL]["location"]
	t.loc[slotBoth] = t.loc[slotFR] + "\n" + t.loc[slotNL]
	t.group = t.raw[slotFR]["group"] + "\n" + t.raw[slotNL]["group"]
	return t, nil
}

// hintFor returns the hint line for n choices in a slot.
func (t *texts) hintFor(slot, n int) string {
	if n < len(t.hints[slot]) {
		return t.hints[slot][n]
	}
	return t.hint(slot, n)
}

// hint builds "Répondez 1, 2 ou 3"; for both languages, the two joined
// as the language question is ("… / …").
func (t *texts) hint(slot, n int) string {
	if n <= 0 {
		return ""
	}
	if slot == slotBoth {
		return t.hint(slotFR, n) + " / " + t.hint(slotNL, n)
	}
	m := t.raw[slot]
	return strings.ReplaceAll(m["hint"], "{list}", bot.NumberList(n, m["or"]))
}
