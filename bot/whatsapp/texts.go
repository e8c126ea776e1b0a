package whatsapp

import (
	"encoding/json"
	"errors"
	"fmt"
	"slices"
	"strconv"
	"strings"

	"github.com/secours/secours/flows"
)

// textKeys are the keys each language of configs/i18n/whatsapp.json must have, and no
// other.
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

// texts holds configs/i18n/whatsapp.json with the hint lines ready to copy.
type texts struct {
	raw   [2]map[string]string // slotFR, slotNL
	hints [slots][]string      // hints[slot][n]: the hint for n choices
	loc   [slots]string        // the location line
	group string               // both languages: a group has no session language
}

// loadTexts parses configs/i18n/whatsapp.json and checks that both languages have every
// key, non-empty, with the {list} placeholder in the hint.
func loadTexts(b []byte) (*texts, error) {
	var all map[string]map[string]string
	if err := json.Unmarshal(b, &all); err != nil {
		return nil, fmt.Errorf("whatsapp texts: %w", err)
	}
	t := &texts{}
	var problems []string
	for i, l := range []flows.Lang{flows.FR, flows.NL} {
		m := all[string(l)]
		for _, k := range textKeys {
			if strings.TrimSpace(m[k]) == "" {
				problems = append(problems, fmt.Sprintf("%s: missing %q", l, k))
			}
		}
		for k := range m {
			if !slices.Contains(textKeys, k) {
				problems = append(problems, fmt.Sprintf("%s: unknown key %q", l, k))
			}
		}
		if !strings.Contains(m["hint"], "{list}") {
			problems = append(problems, fmt.Sprintf("%s: hint has no {list}", l))
		}
		t.raw[i] = m
	}
	if len(all) != 2 {
		problems = append(problems, fmt.Sprintf("%d languages, want fr and nl", len(all)))
	}
	if len(problems) > 0 {
		return nil, errors.New("whatsapp texts: " + strings.Join(problems, "; "))
	}
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
	var b strings.Builder
	for i := 1; i <= n; i++ {
		switch {
		case i == 1:
		case i == n:
			b.WriteString(" " + m["or"] + " ")
		default:
			b.WriteString(", ")
		}
		b.WriteString(strconv.Itoa(i))
	}
	return strings.ReplaceAll(m["hint"], "{list}", b.String())
}
