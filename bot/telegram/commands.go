package telegram

import (
	"fmt"
	"io/fs"
	"unicode/utf8"

	"github.com/secours/secours/flows"
	"github.com/secours/secours/text"
)

// commandNames lists the commands of the menu, in menu order. The engine
// knows them (and their Dutch and English synonyms).
func commandNames() []string { return []string{"start", "aide", "oubli", "langue"} }

// maxCommandDesc bounds a description, so that the menu stays on one line
// on a phone (the Bot API allows 256).
const maxCommandDesc = 30

// texts is the channel's own text in one language.
type texts struct {
	Commands  map[string]string // command → its description in the menu
	GroupOnly string
	// Flood asks a chat whose messages come too fast to wait for the
	// answers (the flood rule, maxWaiting).
	Flood string
}

// loadTexts reads the channel's own catalogue from fsys (configs.FS,
// configs/i18n/telegram.<lang>.json: the command menu's descriptions,
// "commands.<name>", the line for group chats and the one for a flooding
// chat; the conversation's wording is in the flows catalogues) with
// text.Load, and checks it: both languages, exactly these keys, every
// command described in at most maxCommandDesc characters.
func loadTexts(fsys fs.FS) (map[flows.Lang]texts, error) {
	keys := []string{"group_only", "flood"}
	for _, c := range commandNames() {
		keys = append(keys, "commands."+c)
	}
	cats, err := text.Load(fsys, "telegram", text.Spec{Keys: keys, Only: true})
	if err != nil {
		return nil, fmt.Errorf("telegram texts: %w", err)
	}
	all := make(map[flows.Lang]texts, len(cats))
	for l, c := range cats {
		t := texts{Commands: map[string]string{}, GroupOnly: c["group_only"], Flood: c["flood"]}
		for _, name := range commandNames() {
			d := c["commands."+name]
			if utf8.RuneCountInString(d) > maxCommandDesc {
				return nil, fmt.Errorf("telegram texts: %s: /%s needs a description of 1–%d characters", l, name, maxCommandDesc)
			}
			t.Commands[name] = d
		}
		all[l] = t
	}
	return all, nil
}
