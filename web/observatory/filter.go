package observatory

import (
	"errors"
	"fmt"
	"time"

	"github.com/secours/secours/flows"
	"github.com/secours/secours/text"
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
// words it from observatory.<lang>.json.
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
	i, _ := text.ParseMonth(to)
	return Filter{From: (i - DefaultMonths + 1).String(), To: to}
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
		if i, ok := text.ParseMonth(f.To); ok {
			f.From = (i - DefaultMonths + 1).String()
		}
	}
	return f, f.Check()
}

// Check returns a *RangeError if f is not a range a store can read.
func (f Filter) Check() error {
	a, ok := text.ParseMonth(f.From)
	if !ok {
		return &RangeError{Problem: ProblemMonth, Value: f.From}
	}
	b, ok := text.ParseMonth(f.To)
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
	a, _ := text.ParseMonth(f.From)
	b, _ := text.ParseMonth(f.To)
	out := make([]string, 0, b-a+1)
	for i := a; i <= b; i++ {
		out = append(out, i.String())
	}
	return out
}
