package configs_test

import (
	"testing"

	"github.com/secours/secours/configs"
	"github.com/secours/secours/text"
)

func TestEngineBuildsOnEmbeddedData(t *testing.T) {
	if _, err := configs.Engine(); err != nil {
		t.Fatal(err)
	}
}

// TestCatalogues: every embedded catalogue is in the one shape, French and
// Dutch with the same keys and placeholders; an unknown catalogue is an
// error, which the adapters and pages refuse.
func TestCatalogues(t *testing.T) {
	for _, name := range []string{"", "observatory", "share", "structure", "telegram", "wacloud", "whatsapp"} {
		cats, err := text.Load(configs.FS, name, text.Spec{})
		if err != nil {
			t.Errorf("%q: %v", name, err)
			continue
		}
		if len(cats) != 2 || len(cats[text.FR]) == 0 || len(cats[text.NL]) == 0 {
			t.Errorf("%q: languages %d, want fr and nl", name, len(cats))
		}
	}
	if _, err := text.Load(configs.FS, "fax", text.Spec{}); err == nil {
		t.Error("an unknown catalogue loads")
	}
}
