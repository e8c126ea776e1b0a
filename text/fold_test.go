package text_test

import (
	"testing"

	"github.com/secours/secours/text"
)

func TestFold(t *testing.T) {
	for _, tt := range []struct{ in, want string }{
		{"Santé", "sante"},
		{"SANTE", "sante"},
		{"🩺 santé !", "sante"},
		{"  Saint-Gilles  ", "saint gilles"},
		{"Écaussinnes", "ecaussinnes"},
		{"l'Île", "l ile"},
		{"4000 Liège", "4000 liege"},
		{"", ""},
	} {
		if got := text.Fold(tt.in); got != tt.want {
			t.Errorf("Fold(%q) = %q, want %q", tt.in, got, tt.want)
		}
	}
}

func FuzzFold(f *testing.F) {
	f.Add("Écaussinnes 🩺")
	f.Fuzz(func(t *testing.T, s string) {
		if got := text.Fold(s); text.Fold(got) != got {
			t.Errorf("Fold(%q) = %q, which folds again to %q", s, got, text.Fold(got))
		}
	})
}
