package channeltest

import (
	"sync"
	"testing"

	"github.com/secours/secours/configs"
	"github.com/secours/secours/flows"
)

var (
	engOnce sync.Once
	eng     *flows.Engine
	cats    map[flows.Lang]flows.Catalog
	engErr  error
)

// Engine is the real engine on the embedded data, and its catalogues,
// loaded once for all of a package's tests.
func Engine(tb testing.TB) (*flows.Engine, map[flows.Lang]flows.Catalog) {
	tb.Helper()
	engOnce.Do(func() {
		if eng, engErr = configs.Engine(); engErr != nil {
			return
		}
		cats, engErr = flows.LoadCatalogs(configs.FS)
	})
	if engErr != nil {
		tb.Fatal(engErr)
	}
	return eng, cats
}
