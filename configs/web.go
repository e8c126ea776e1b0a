package configs

import "embed"

// Web holds web/*.tmpl: the structure's page, its style sheet and the
// mails to structures (web/structure parses them). It sits apart from FS
// so that the conversation's data and the page's markup change apart.
//
//go:embed web
var Web embed.FS

// WebTexts returns i18n/structure.json: every word of the structure's page
// and of the mails to structures, FR and NL in one file (the wording of a
// referral's need, profile and why stays in the bot catalogues).
func WebTexts() []byte {
	b, err := FS.ReadFile("i18n/structure.json")
	if err != nil {
		return nil // only if the file was dropped from the build; NewWeb refuses nil
	}
	return b
}
