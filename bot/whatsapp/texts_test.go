package whatsapp

import (
	"encoding/json"
	"regexp"
	"slices"
	"strings"
	"testing"

	"github.com/secours/secours/configs"
)

// TestTextsComplete: configs/i18n/whatsapp.json has every key in French and Dutch, no
// other key, no empty text, and the same placeholders in both.
func TestTextsComplete(t *testing.T) {
	var all map[string]map[string]string
	if err := json.Unmarshal(configs.ChannelTexts("whatsapp"), &all); err != nil {
		t.Fatal(err)
	}
	if len(all) != 2 || all["fr"] == nil || all["nl"] == nil {
		t.Fatalf("languages %v, want fr and nl", slices.Sorted(func(yield func(string) bool) {
			for k := range all {
				if !yield(k) {
					return
				}
			}
		}))
	}
	ph := regexp.MustCompile(`\{[a-z_]+\}`)
	for _, lang := range []string{"fr", "nl"} {
		for _, k := range textKeys {
			if strings.TrimSpace(all[lang][k]) == "" {
				t.Errorf("%s: missing key %q", lang, k)
			}
		}
		for k := range all[lang] {
			if !slices.Contains(textKeys, k) {
				t.Errorf("%s: unknown key %q", lang, k)
			}
		}
	}
	for _, k := range textKeys {
		fr, nl := ph.FindAllString(all["fr"][k], -1), ph.FindAllString(all["nl"][k], -1)
		if !slices.Equal(fr, nl) {
			t.Errorf("%s: placeholders fr %v, nl %v", k, fr, nl)
		}
	}
	if _, err := loadTexts(configs.ChannelTexts("whatsapp")); err != nil {
		t.Error(err)
	}
}

func TestLoadTextsRejects(t *testing.T) {
	for _, in := range []string{
		`{`,
		`{"fr": {"hint": "Répondez {list}", "or": "ou", "location": "x", "group": "g"}}`,
		`{"fr": {"hint": "Répondez", "or": "ou", "location": "x", "group": "g"}, "nl": {"hint": "Antwoord {list}", "or": "of", "location": "x", "group": "g"}}`,
		`{"fr": {"hint": "R {list}", "or": "ou", "location": "x", "group": "g", "extra": "e"}, "nl": {"hint": "A {list}", "or": "of", "location": "x", "group": "g"}}`,
	} {
		if _, err := loadTexts([]byte(in)); err == nil {
			t.Errorf("loadTexts(%s) = nil error", in)
		}
	}
}

func TestHint(t *testing.T) {
	tx, err := loadTexts(configs.ChannelTexts("whatsapp"))
	if err != nil {
		t.Fatal(err)
	}
	tests := []struct {
		slot, n int
		want    string
	}{
		{slotFR, 1, "Répondez 1"},
		{slotFR, 2, "Répondez 1 ou 2"},
		{slotFR, 3, "Répondez 1, 2 ou 3"},
		{slotNL, 3, "Antwoord 1, 2 of 3"},
		{slotNL, 14, "Antwoord 1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 12, 13 of 14"},
		{slotBoth, 2, "Répondez 1 ou 2 / Antwoord 1 of 2"},
	}
	for _, tt := range tests {
		if got := tx.hintFor(tt.slot, tt.n); got != tt.want {
			t.Errorf("hintFor(%d, %d) = %q, want %q", tt.slot, tt.n, got, tt.want)
		}
	}
}
