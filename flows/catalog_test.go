package flows_test

import (
	"regexp"
	"slices"
	"strings"
	"testing"
	"unicode/utf8"

	"github.com/secours/secours/configs"
	"github.com/secours/secours/flows"
)

var placeholder = regexp.MustCompile(`\{[a-z_]+\}`)

// TestCatalogues: every key in both languages, no unused key, the same
// placeholders, and buttons of at most 20 characters (docs/diagnostic.md F.3).
func TestCatalogues(t *testing.T) {
	cats, err := flows.LoadCatalogs(configs.FS)
	if err != nil {
		t.Fatal(err)
	}
	all := flows.AllKeys()
	for _, lang := range flows.Langs {
		cat := cats[lang]
		for _, k := range all {
			if strings.TrimSpace(cat[k]) == "" {
				t.Errorf("%s: missing key %q", lang, k)
			}
		}
		for k, v := range cat {
			if !slices.Contains(all, k) {
				t.Errorf("%s: unused key %q", lang, k)
			}
			if strings.HasPrefix(k, "a.") || strings.HasPrefix(k, "nav.") {
				if n := utf8.RuneCountInString(strings.ReplaceAll(v, "\ufe0f", "")); n > 20 {
					t.Errorf("%s: button %q is %d characters, want ≤ 20: %q", lang, k, n, v)
				}
			}
		}
	}
	for k, fr := range cats[flows.FR] {
		got, want := placeholder.FindAllString(cats[flows.NL][k], -1), placeholder.FindAllString(fr, -1)
		slices.Sort(got)
		slices.Sort(want)
		if !slices.Equal(got, want) {
			t.Errorf("%s: placeholders nl %v, fr %v", k, got, want)
		}
	}
}
