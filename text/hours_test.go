package text_test

import (
	"fmt"
	"slices"
	"testing"

	"github.com/secours/secours/text"
)

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
