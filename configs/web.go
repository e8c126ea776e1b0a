package configs

import "embed"

// Web holds web/*.tmpl: the structure's page, its style sheet and the
// mails to structures (web/structure parses them). It sits apart from FS
// so that the conversation's data and the page's markup change apart.
//
//go:embed web
var Web embed.FS
