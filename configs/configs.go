// Package configs embeds the data the binary needs: the FR and NL message
// catalogues (i18n/, one flat file per catalogue and language, read with
// text.Load) and the place directory, so that it runs anywhere with no file
// beside it. flows and geo never import it (they are passed an fs.FS);
// cmd, and tests that replay real conversations, do.
package configs

import (
	"embed"
	"fmt"

	"github.com/secours/secours/flows"
	"github.com/secours/secours/geo"
)

// FS holds i18n/*.json and places/*: the fs.FS that text.Load, flows
// and geo are given.
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

// EngineAndLive is EngineAndPlaces with the engine reading a live
// directory over the embedded one (geo.Live, named by share codes):
// networks' publishes and structures' card edits swap it at once
// (network.Service).
func EngineAndLive() (*flows.Engine, *geo.Directory, *geo.Live, error) {
	dir, err := geo.Open(FS)
	if err != nil {
		return nil, nil, nil, fmt.Errorf("load places: %w", err)
	}
	cats, err := flows.LoadCatalogs(FS)
	if err != nil {
		return nil, nil, nil, err
	}
	live := geo.NewLive(dir, flows.ShareCode)
	e, err := flows.NewEngine(cats, live)
	return e, dir, live, err
}
