package text_test

import (
	"slices"
	"strings"
	"testing"

	"github.com/secours/secours/text"
)

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
