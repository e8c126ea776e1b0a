package text_test

import (
	"fmt"
	"slices"
	"strings"
	"testing"

	"github.com/secours/secours/text"
)

// TestWordFuncs: Fold and Bare, the two ways a text is compared or
// listed without what people do not read.
func TestWordFuncs(t *testing.T) {
	for _, fn := range []struct {
		name  string
		f     func(string) string
		cases []struct{ in, want string }
	}{
		{"Fold", text.Fold, []struct{ in, want string }{
			{"Santé", "sante"},
			{"SANTE", "sante"},
			{"🩺 santé !", "sante"},
			{"  Saint-Gilles  ", "saint gilles"},
			{"Écaussinnes", "ecaussinnes"},
			{"l'Île", "l ile"},
			{"4000 Liège", "4000 liege"},
			{"", ""},
		}},
		{"Bare", text.Bare, []struct{ in, want string }{
			{"🏦 Banque, argent", "Banque, argent"},
			{"▶️ Continuer", "Continuer"},
			{"Santé", "Santé"},
			{"3 lieux", "3 lieux"},
			{"🩺", "🩺"},
		}},
	} {
		for _, tt := range fn.cases {
			if got := fn.f(tt.in); got != tt.want {
				t.Errorf("%s(%q) = %q, want %q", fn.name, tt.in, got, tt.want)
			}
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

func TestParseMonth(t *testing.T) {
	for _, tt := range []struct {
		in   string
		want text.Month
		ok   bool
	}{
		{"2026-03", 2026*12 + 2, true},
		{"0000-01", 0, true},
		{"2026-12", 2026*12 + 11, true},
		{"2026-13", 0, false},
		{"2026-00", 0, false},
		{"2026-3", 0, false},
		{"2026/03", 0, false},
		{"20a6-03", 0, false},
		{"", 0, false},
	} {
		got, ok := text.ParseMonth(tt.in)
		if got != tt.want || ok != tt.ok {
			t.Errorf("ParseMonth(%q) = %d, %v, want %d, %v", tt.in, got, ok, tt.want, tt.ok)
		}
		if ok && got.String() != tt.in {
			t.Errorf("ParseMonth(%q).String() = %q", tt.in, got.String())
		}
	}
	if got := text.Month(-5).String(); got != "0000-01" {
		t.Errorf("Month(-5) = %q, want year 0", got)
	}
}

func TestMonthRange(t *testing.T) {
	got, err := text.MonthRange("2025-11", "2026-02", 120)
	if want := []string{"2025-11", "2025-12", "2026-01", "2026-02"}; err != nil || !slices.Equal(got, want) {
		t.Errorf("MonthRange = %v, %v, want %v", got, err, want)
	}
	for _, tt := range []struct{ from, to, want string }{
		{"2026-02", "2026-01", "after"},
		{"2026-1", "2026-02", "YYYY-MM"},
		{"2000-01", "2026-01", "at most 120"},
	} {
		if _, err := text.MonthRange(tt.from, tt.to, 120); err == nil || !strings.Contains(err.Error(), tt.want) {
			t.Errorf("MonthRange(%s, %s) = %v, want %q", tt.from, tt.to, err, tt.want)
		}
	}
}

func TestHoursWordsLines(t *testing.T) {
	days := []string{"lun", "mar", "mer", "jeu", "ven", "sam", "dim"}
	w := text.HoursWords{
		Day:   func(d int) string { return days[d] },
		Days:  func(a, b string) string { return a + "–" + b },
		Clock: func(m int) string { return fmt.Sprintf("%dh%02d", m/60, m%60) },
		Span:  func(a, b string) string { return a + "-" + b },
		Line:  func(d, ts string) string { return d + " " + ts },
		Sep:   ", ",
	}
	runs := []text.DayRun{
		{First: 0, Last: 4, Spans: []text.Span{{From: 540, To: 720}, {From: 810, To: 1020}}},
		{First: 5, Last: 5, Spans: []text.Span{{From: 600, To: 720}}},
	}
	want := []string{"lun–ven 9h00-12h00, 13h30-17h00", "sam 10h00-12h00"}
	if got := w.Lines(runs); !slices.Equal(got, want) {
		t.Errorf("Lines = %q, want %q", got, want)
	}
	if got := w.Lines(nil); got != nil {
		t.Errorf("Lines(nil) = %q, want none", got)
	}
}

// TestPlaceLang holds the cases of the structure page's language test
// (web/structure TestLang), the rule's first user.
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

// TestPlainMeasures: how the wording check counts sentences, words and a
// button's width.
func TestPlainMeasures(t *testing.T) {
	for _, tt := range []struct {
		in    string
		sents []string
		words []int
	}{
		{"Bonjour. Ça va ?", []string{"Bonjour.", "Ça va ?"}, []int{1, 2}},
		{"Allez sur impots.gouv.fr ou appelez le 06 12 34 56 78.", []string{"Allez sur impots.gouv.fr ou appelez le 06 12 34 56 78."}, []int{7}},
		{"Appli (ex. Smartschool) : demandez.\nMerci…", []string{"Appli (ex. Smartschool) : demandez.", "Merci…"}, []int{4, 1}},
		{"👉 {kind} · 2,4 km", []string{"👉 {kind} · 2,4 km"}, []int{3}},
		{"Vouliez-vous dire… ? Touchez un nom.", []string{"Vouliez-vous dire… ?", "Touchez un nom."}, []int{2, 3}},
		{"🔒", nil, nil},
	} {
		got := text.Sentences(tt.in)
		if !slices.Equal(got, tt.sents) {
			t.Errorf("Sentences(%q) = %q, want %q", tt.in, got, tt.sents)
			continue
		}
		for i, s := range got {
			if n := text.Words(s); n != tt.words[i] {
				t.Errorf("Words(%q) = %d, want %d", s, n, tt.words[i])
			}
		}
	}
	for in, want := range map[string]int{"🙋 Une personne": 14, "ℹ️ À propos": 10, "✍️ Leur écrire": 13, "👨‍👩‍👧 Famille": 9, "Moi": 3} {
		if got := text.Width(in); got != want {
			t.Errorf("Width(%q) = %d, want %d", in, got, want)
		}
	}
}
