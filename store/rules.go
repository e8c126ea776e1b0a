package store

import (
	"cmp"
	"context"
	"errors"
	"fmt"
	"slices"
	"strings"

	"github.com/secours/secours/flows"
	"github.com/secours/secours/text"
)

// The rules below are the backends' common contract, written once: both
// refuse the same referrals and tallies, and return cells in one order.

// CheckNew refuses a referral that could not be read back.
func CheckNew(r flows.Referral) error {
	if r.ID == "" {
		return errors.New("empty id")
	}
	if r.V != flows.ReferralVersion {
		return fmt.Errorf("version %d, want %d", r.V, flows.ReferralVersion)
	}
	return nil
}

// CheckAccess refuses a token hash or link code (kind names which) or
// place that is empty: no look-up could ever find it, or it would open no
// structure's page.
func CheckAccess(kind, key, place string) error {
	if key == "" || place == "" {
		return fmt.Errorf("empty place or %s", kind)
	}
	return nil
}

// MaxMonths bounds the range Counts reads: the Redis store fetches one key
// per month, all in one pipeline, and ten years is more than any page
// shows. Both backends refuse the same ranges.
const MaxMonths = 120

// CheckTally refuses a tally that the Redis store could not store or read
// back: the month names its key, and CheckCounts says what its counts may
// be.
func CheckTally(t flows.Tally) error {
	if _, ok := text.ParseMonth(t.Month); !ok {
		return fmt.Errorf("month %q is not YYYY-MM", t.Month)
	}
	return CheckCounts(t.Counts)
}

// CountMonths is the months Counts reads, from through to inclusive, once
// ctx is checked: a month other than "YYYY-MM", from after to, or more than
// MaxMonths is an error.
func CountMonths(ctx context.Context, from, to string) ([]string, error) {
	if err := ctx.Err(); err != nil {
		return nil, err
	}
	return text.MonthRange(from, to, MaxMonths)
}

// CheckCounts refuses the counts of a tally that the Redis store could not
// store or read back: its hash field splits at the metric's "|", so a
// metric may be neither empty nor hold one; and no count is negative.
func CheckCounts(counts map[string]int) error {
	for metric, n := range counts {
		if metric == "" || strings.Contains(metric, "|") {
			return fmt.Errorf("metric %q is empty or holds |", metric)
		}
		if n < 0 {
			return fmt.Errorf("negative count for %s", metric)
		}
	}
	return nil
}

// SortCells puts cells in the order Counts returns them: by month, area
// and metric.
func SortCells(cells []flows.Cell) {
	slices.SortFunc(cells, func(a, b flows.Cell) int {
		return cmp.Or(cmp.Compare(a.Month, b.Month), cmp.Compare(a.Area, b.Area), cmp.Compare(a.Metric, b.Metric))
	})
}
