package bot

import (
	"strings"
	"testing"
	"unicode/utf8"
)

func TestSplit(t *testing.T) {
	tests := []struct {
		in   string
		max  int
		want []string
	}{
		{"short", 10, []string{"short"}},
		{"aaaa\n\nbbbb\ncc", 9, []string{"aaaa", "bbbb\ncc"}},
		{"aaaa bbbb cccc", 9, []string{"aaaa", "bbbb cccc"}},
		{"éééééé", 5, []string{"éé", "éé", "éé"}},
	}
	for _, tt := range tests {
		got := Split(tt.in, tt.max)
		if strings.Join(got, "|") != strings.Join(tt.want, "|") {
			t.Errorf("Split(%q, %d) = %q, want %q", tt.in, tt.max, got, tt.want)
		}
	}
}

// FuzzSplit: no part over the limit, no character cut, nothing lost but
// the spaces and line ends at the cuts.
func FuzzSplit(f *testing.F) {
	f.Add("Bonjour\n\n1. Oui\n2. Non", 8)
	f.Add("éééé 2️⃣ 🙋", 3)
	f.Fuzz(func(t *testing.T, s string, max int) {
		if max < 4 || max > 1<<16 || !utf8.ValidString(s) {
			return // outside Split's contract
		}
		parts := Split(s, max)
		var all strings.Builder
		for _, p := range parts {
			if len(p) > max {
				t.Fatalf("part of %d bytes > %d", len(p), max)
			}
			if !utf8.ValidString(p) {
				t.Fatalf("part %q cuts a character", p)
			}
			all.WriteString(p)
		}
		strip := func(s string) string { return strings.NewReplacer(" ", "", "\n", "").Replace(s) }
		if strip(all.String()) != strip(s) {
			t.Fatalf("Split lost text: %q → %q", s, parts)
		}
	})
}
