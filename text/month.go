package text

import (
	"errors"
	"fmt"
	"strconv"
)

// Month is a calendar month counted from January of year 0, so that a
// range of months is a range of integers: "2026-03" is 2026*12 + 2.
type Month int

// ParseMonth reads "YYYY-MM"; ok is false for anything else.
func ParseMonth(s string) (m Month, ok bool) {
	if len(s) != 7 || s[4] != '-' {
		return 0, false
	}
	for i, c := range []byte(s) {
		if i != 4 && (c < '0' || c > '9') {
			return 0, false
		}
	}
	y, _ := strconv.Atoi(s[:4])
	mm, _ := strconv.Atoi(s[5:])
	if mm < 1 || mm > 12 {
		return 0, false
	}
	return Month(y*12 + mm - 1), true
}

// String writes "YYYY-MM". Before year 0 it says year 0, which a range
// check then finds out of the range a person can mean.
func (m Month) String() string {
	m = max(m, 0)
	return fmt.Sprintf("%04d-%02d", int(m)/12, int(m)%12+1)
}

// MonthRange lists the months from through to ("YYYY-MM"), at most most
// of them: the stores' statistics are kept per month, and a range is
// refused rather than cut.
func MonthRange(from, to string, most int) ([]string, error) {
	a, okA := ParseMonth(from)
	b, okB := ParseMonth(to)
	switch {
	case !okA || !okB:
		return nil, fmt.Errorf("range %q to %q: months must be YYYY-MM", from, to)
	case a > b:
		return nil, errors.New("range: from is after to")
	case int(b-a)+1 > most:
		return nil, fmt.Errorf("range: %d months, at most %d", b-a+1, most)
	}
	months := make([]string, 0, b-a+1)
	for i := a; i <= b; i++ {
		months = append(months, i.String())
	}
	return months, nil
}
