// Package configs embeds the data the binary needs: the FR and NL message
// catalogues and the place directory, so that it runs anywhere with no file
// beside it. flows and geo never import it (they are passed an fs.FS);
// cmd, and tests that replay real conversations, do.
package configs

import (
	"embed"
	"fmt"

	"github.com/secours/secours/flows"
	"github.com/secours/secours/geo"
)

// FS holds i18n/*.json and places/*.
//
//go:embed i18n places
var FS embed.FS

// Engine builds the conversation engine on the embedded catalogues and
// place directory: what the binary runs, and what tests and the load tool
// replay conversations on.
func Engine() (*flows.Engine, error) {
	e, _, err := EngineAndPlaces()
	return e, err
}

// EngineAndPlaces is Engine, with the directory it was built on.
func EngineAndPlaces() (*flows.Engine, *geo.Directory, error) {
	dir, err := geo.Open(FS)
	if err != nil {
		return nil, nil, fmt.Errorf("load places: %w", err)
	}
	cats, err := flows.LoadCatalogs(FS)
	if err != nil {
		return nil, nil, err
	}
	e, err := flows.NewEngine(cats, dir)
	return e, dir, err
}

// ChannelTexts returns a channel adapter's own catalogue,
// i18n/<channel>.json ("telegram", "whatsapp"): the few lines a channel
// needs beyond the conversation. Unknown channels give nil, which the
// adapters refuse with a clear error.
func ChannelTexts(channel string) []byte {
	b, err := FS.ReadFile("i18n/" + channel + ".json")
	if err != nil {
		return nil
	}
	return b
}
