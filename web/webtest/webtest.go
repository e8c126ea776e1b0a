// Package webtest holds what the web surfaces' tests share: the shipped
// catalogues and the engine with its places, loaded once per test.
package webtest

import (
	"testing"

	"github.com/secours/secours/configs"
	"github.com/secours/secours/flows"
	"github.com/secours/secours/geo"
)

// Catalogs loads the shipped catalogues, failing tb if they do not load.
func Catalogs(tb testing.TB) map[flows.Lang]flows.Catalog {
	tb.Helper()
	cats, err := flows.LoadCatalogs(configs.FS)
	if err != nil {
		tb.Fatal(err)
	}
	return cats
}

// EngineAndPlaces is configs.EngineAndPlaces, failing tb if it fails.
func EngineAndPlaces(tb testing.TB) (*flows.Engine, *geo.Directory) {
	tb.Helper()
	e, dir, err := configs.EngineAndPlaces()
	if err != nil {
		tb.Fatal(err)
	}
	return e, dir
}
