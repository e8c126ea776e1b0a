package configs_test

import (
	"encoding/json"
	"testing"

	"github.com/secours/secours/configs"
)

func TestEngineBuildsOnEmbeddedData(t *testing.T) {
	if _, err := configs.Engine(); err != nil {
		t.Fatal(err)
	}
}

// TestChannelTexts: every channel catalogue is valid JSON with French and
// Dutch; an unknown channel gives nil, which the adapters refuse.
func TestChannelTexts(t *testing.T) {
	for _, ch := range []string{"telegram", "whatsapp"} {
		var all map[string]json.RawMessage
		if err := json.Unmarshal(configs.ChannelTexts(ch), &all); err != nil {
			t.Fatalf("%s: %v", ch, err)
		}
		if len(all) != 2 || all["fr"] == nil || all["nl"] == nil {
			t.Errorf("%s: languages %v, want fr and nl", ch, len(all))
		}
	}
	if configs.ChannelTexts("fax") != nil {
		t.Error("an unknown channel has texts")
	}
}
