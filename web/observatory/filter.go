package observatory

import (
	"errors"
	"fmt"
	"strconv"
	"time"

	"github.com/secours/secours/flows"
)

// MaxMonths is the longest range a report covers: ten years, as the
// stores read one key per month.
const MaxMonths = 120

// DefaultMonths is the range the page shows when none is asked: a year.
const DefaultMonths = 12

// maxArea bounds the area of a filter: commune names are short, and the
// page echoes the value.
const maxArea = 200

// ErrBadRange is wrapped by every error about a filter's range.
var ErrBadRange = errors.New("observatory: bad range")

// Problems a RangeError names.
const (
	ProblemMonth    = "month"    // a month is not YYYY-MM
	ProblemReversed = "reversed" // From is after To
	ProblemLong     = "long"     // more than MaxMonths
	ProblemArea     = "area"     // the area is too long to be a commune
)

// RangeError says what is wrong with a filter, for a message the page and
// the CLI can word. It wraps ErrBadRange.
type RangeError struct {
	Problem string // ProblemMonth, …
	Value   string // the month at fault, for ProblemMonth
}

// Error says what is wrong in English, for logs and the CLI; the page
// words it from observatory.json.
func (e *RangeError) Error() string {
	switch e.Problem {
	case ProblemMonth:
		return fmt.Sprintf("observatory: month %q is not YYYY-MM", e.Value)
	case ProblemReversed:
		return "observatory: the first month is after the last"
	case ProblemLong:
		return fmt.Sprintf("observatory: more than %d months", MaxMonths)
	case ProblemArea:
		return "observatory: area too long"
	}
	return "observatory: bad range"
}

// Unwrap returns ErrBadRange.
func (e *RangeError) Unwrap() error { return ErrBadRange }

// Filter selects what a report covers: the months From through To
// ("2026-01"), inclusive, and one area ("BE:Antwerpen") or all ("").
type Filter struct {
	From, To string
	Area     string
}

// DefaultFilter is the last DefaultMonths months up to now's, all areas.
func DefaultFilter(now time.Time) Filter {
	to := flows.MonthOf(now)
	i, _ := monthIndex(to)
	return Filter{From: monthAt(i - DefaultMonths + 1), To: to}
}

// ParseFilter reads a filter as the page and the CLI get it: an empty
// from or to takes its value from the default range (to: now's month;
// from: DefaultMonths months up to to). The error is a *RangeError.
func ParseFilter(from, to, area string, now time.Time) (Filter, error) {
	f := Filter{From: from, To: to, Area: area}
	if f.To == "" {
		f.To = flows.MonthOf(now)
	}
	if f.From == "" {
		if i, ok := monthIndex(f.To); ok {
			f.From = monthAt(i - DefaultMonths + 1)
		}
	}
	return f, f.Check()
}

// Check returns a *RangeError if f is not a range a store can read.
func (f Filter) Check() error {
	a, ok := monthIndex(f.From)
	if !ok {
		return &RangeError{Problem: ProblemMonth, Value: f.From}
	}
	b, ok := monthIndex(f.To)
	if !ok {
		return &RangeError{Problem: ProblemMonth, Value: f.To}
	}
	switch {
	case a > b:
		return &RangeError{Problem: ProblemReversed}
	case b-a+1 > MaxMonths:
		return &RangeError{Problem: ProblemLong}
	case len(f.Area) > maxArea:
		return &RangeError{Problem: ProblemArea}
	}
	return nil
}

// Months lists the months of f, oldest first; none if f is not valid.
func (f Filter) Months() []string {
	if f.Check() != nil {
		return nil
	}
	a, _ := monthIndex(f.From)
	b, _ := monthIndex(f.To)
	out := make([]string, 0, b-a+1)
	for i := a; i <= b; i++ {
		out = append(out, monthAt(i))
	}
	return out
}

// monthIndex counts the months since year 0 of "YYYY-MM".
func monthIndex(s string) (int, bool) {
	if len(s) != 7 || s[4] != '-' {
		return 0, false
	}
	for i, c := range []byte(s) {
		if i != 4 && (c < '0' || c > '9') {
			return 0, false
		}
	}
	y, _ := strconv.Atoi(s[:4])
	m, _ := strconv.Atoi(s[5:])
	if m < 1 || m > 12 {
		return 0, false
	}
	return y*12 + m - 1, true
}

// monthAt is the inverse of monthIndex; before year 0 it says year 0,
// which Check then finds out of the range a person can mean.
func monthAt(i int) string {
	i = max(i, 0)
	return fmt.Sprintf("%04d-%02d", i/12, i%12+1)
}
