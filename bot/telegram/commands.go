package telegram

import (
	"encoding/json"
	"fmt"
	"unicode/utf8"

	"github.com/secours/secours/flows"
)

// commandNames lists the commands of the menu, in menu order. The engine
// knows them (and their Dutch and English synonyms).
func commandNames() []string { return []string{"start", "aide", "oubli", "langue"} }

// maxCommandDesc bounds a description, so that the menu stays on one line
// on a phone (the Bot API allows 256).
const maxCommandDesc = 30

// texts is the channel's own text in one language.
type texts struct {
	Commands  map[string]string `json:"commands"`
	GroupOnly string            `json:"group_only"`
	// Flood asks a chat whose messages come too fast to wait for the
	// answers (the flood rule, maxWaiting).
	Flood string `json:"flood"`
}

// loadTexts reads the channel's own catalogue (configs/i18n/telegram.json:
// the command menu's descriptions, the line for group chats and the one
// for a flooding chat, FR and NL;
// the conversation's wording is in the flows catalogues) and checks it:
// both languages, every command described in at most maxCommandDesc
// characters, a group line, a flood line.
func loadTexts(b []byte) (map[flows.Lang]texts, error) {
	var all map[flows.Lang]texts
	if err := json.Unmarshal(b, &all); err != nil {
		return nil, fmt.Errorf("telegram.json: %w", err)
	}
	for _, l := range []flows.Lang{flows.FR, flows.NL} {
		t, ok := all[l]
		if !ok {
			return nil, fmt.Errorf("telegram.json: no %q", l)
		}
		for _, c := range commandNames() {
			d := t.Commands[c]
			if d == "" || utf8.RuneCountInString(d) > maxCommandDesc {
				return nil, fmt.Errorf("telegram.json: %s: /%s needs a description of 1–%d characters", l, c, maxCommandDesc)
			}
		}
		if len(t.Commands) != len(commandNames()) {
			return nil, fmt.Errorf("telegram.json: %s: %d commands, want %d", l, len(t.Commands), len(commandNames()))
		}
		if t.GroupOnly == "" || t.Flood == "" {
			return nil, fmt.Errorf("telegram.json: %s: no group_only or no flood", l)
		}
	}
	return all, nil
}
