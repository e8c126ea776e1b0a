package text_test

import (
	"testing"

	"github.com/secours/secours/text"
)

// TestPlaceLang holds the cases of the structure page's language test
// (bot/structure TestLang), the rule's first user.
func TestPlaceLang(t *testing.T) {
	for _, tt := range []struct {
		country string
		langs   []string
		want    text.Lang
	}{
		{"FR", nil, text.FR},
		{"BE", []string{"nl"}, text.NL},
		{"BE", []string{"nl", "fr"}, text.NL},
		{"BE", []string{"fr", "nl"}, text.FR},
		{"BE", []string{"en", "nl"}, text.NL},
		{"FR", []string{"en", "nl"}, text.FR},
		{"BE", []string{"fr"}, text.FR},
		{"BE", []string{"de", "fr"}, text.FR},
	} {
		if got := text.PlaceLang(tt.country, tt.langs); got != tt.want {
			t.Errorf("PlaceLang(%s, %v) = %s, want %s", tt.country, tt.langs, got, tt.want)
		}
	}
}

func TestBilingual(t *testing.T) {
	for _, tt := range []struct {
		langs []string
		want  bool
	}{
		{[]string{"fr", "nl"}, true},
		{[]string{"nl", "de", "fr"}, true},
		{[]string{"fr"}, false},
		{[]string{"nl", "en"}, false},
		{nil, false},
	} {
		if got := text.Bilingual(tt.langs); got != tt.want {
			t.Errorf("Bilingual(%v) = %v, want %v", tt.langs, got, tt.want)
		}
	}
}
