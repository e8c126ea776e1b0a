package text

import "strings"

// Span is an opening interval in minutes since midnight, From < To ≤ 1440.
type Span struct{ From, To int }

// DayRun is consecutive days with the same hours: First to Last, 0 is
// Monday.
type DayRun struct {
	First, Last int
	Spans       []Span
}

// HoursWords are how one surface writes a week's opening hours: the
// directory's OSM form ("Mo-Fr 09:00-12:00"), the bot's card ("lun–ven
// 9 h–12 h"), the poster ("Du lundi au vendredi : 9:00–12:00"). Lines
// puts them together the same way for all three.
type HoursWords struct {
	Day   func(d int) string              // a day's name, 0 is Monday
	Days  func(first, last string) string // a run of several days
	Clock func(min int) string            // minutes since midnight as a time of day
	Span  func(from, to string) string    // one opening interval
	Line  func(days, times string) string // one run: its days, then its times
	Sep   string                          // between the intervals of one run
}

// Lines writes one line per run of days with the same hours, in order.
func (w HoursWords) Lines(runs []DayRun) []string {
	var out []string
	for _, r := range runs {
		days := w.Day(r.First)
		if r.Last > r.First {
			days = w.Days(days, w.Day(r.Last))
		}
		times := make([]string, len(r.Spans))
		for i, sp := range r.Spans {
			times[i] = w.Span(w.Clock(sp.From), w.Clock(sp.To))
		}
		out = append(out, w.Line(days, strings.Join(times, w.Sep)))
	}
	return out
}
