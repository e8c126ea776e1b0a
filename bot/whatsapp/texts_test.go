package whatsapp

import (
	"slices"
	"strings"
	"testing"

	"github.com/secours/secours/configs"
	i18n "github.com/secours/secours/text"
	"github.com/secours/secours/text/texttest"
)

// TestTextsComplete: configs/i18n/whatsapp.<lang>.json has every key in
// French and Dutch, no other key, no empty text, and the same
// placeholders in both (i18n.Load checks the last three).
func TestTextsComplete(t *testing.T) {
	all, err := i18n.Load(configs.FS, "whatsapp", i18n.Spec{})
	if err != nil {
		t.Fatal(err)
	}
	for _, lang := range i18n.Langs {
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
	if _, err := loadTexts(configs.FS); err != nil {
		t.Error(err)
	}
}

func TestLoadTextsRejects(t *testing.T) {
	good := func(hint string) i18n.Catalog {
		return i18n.Catalog{"hint": hint, "or": "ou", "location": "x", "group": "g"}
	}
	extra := good("R {list}")
	extra["extra"] = "e"
	for name, in := range map[string]i18n.Catalogs{
		"no nl":          {i18n.FR: good("Répondez {list}")},
		"hint no {list}": {i18n.FR: good("Répondez"), i18n.NL: good("Antwoord {list}")},
		"extra key":      {i18n.FR: extra, i18n.NL: good("A {list}")},
	} {
		if _, err := loadTexts(texttest.FS(t, "whatsapp", in)); err == nil {
			t.Errorf("loadTexts(%s) = nil error", name)
		}
	}
	notJSON := texttest.Raw("whatsapp", "{", "{}")
	if _, err := loadTexts(notJSON); err == nil {
		t.Error("loadTexts({) = nil error")
	}
}

func TestHint(t *testing.T) {
	tx, err := loadTexts(configs.FS)
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
