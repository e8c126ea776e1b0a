package memory

import (
	"context"
	"fmt"

	"github.com/secours/secours/flows"
	"github.com/secours/secours/store"
	"github.com/secours/secours/text"
)

// maxMonths bounds the range Counts reads, as in the Redis store (where
// each month is a key to fetch), so that both refuse the same ranges.
const maxMonths = 120

var _ flows.StatsStore = (*Store)(nil)

// statKey is one count of a month.
type statKey struct{ area, metric string }

// Record adds t's counts to its month and area. The tally is checked
// before anything is added, so a bad one adds nothing: a month other than
// "YYYY-MM", an empty metric or one holding "|" (the Redis store's field
// separator), a negative count. Zero counts are skipped.
func (s *Store) Record(ctx context.Context, t flows.Tally) error {
	if err := ctx.Err(); err != nil {
		return fmt.Errorf("memory record tally: %w", err)
	}
	if err := checkTally(t); err != nil {
		return fmt.Errorf("memory record tally: %w", err)
	}
	s.smu.Lock()
	defer s.smu.Unlock()
	m := s.stats[t.Month]
	if m == nil {
		m = make(map[statKey]int)
		s.stats[t.Month] = m
	}
	for metric, n := range t.Counts {
		if n != 0 {
			m[statKey{t.Area, metric}] += n
		}
	}
	return nil
}

// Counts returns every count of the months from through to, inclusive,
// sorted by month, area and metric. A month other than "YYYY-MM", from
// after to, or more than 120 months is an error.
func (s *Store) Counts(ctx context.Context, from, to string) ([]flows.Cell, error) {
	if err := ctx.Err(); err != nil {
		return nil, fmt.Errorf("memory counts: %w", err)
	}
	months, err := text.MonthRange(from, to, maxMonths)
	if err != nil {
		return nil, fmt.Errorf("memory counts: %w", err)
	}
	var cells []flows.Cell
	s.smu.Lock()
	for _, month := range months {
		for k, n := range s.stats[month] {
			cells = append(cells, flows.Cell{Month: month, Area: k.area, Metric: k.metric, N: n})
		}
	}
	s.smu.Unlock()
	store.SortCells(cells)
	return cells, nil
}

// checkTally refuses what the Redis store could not store or read back
// the same way.
func checkTally(t flows.Tally) error {
	if _, ok := text.ParseMonth(t.Month); !ok {
		return fmt.Errorf("month %q is not YYYY-MM", t.Month)
	}
	return store.CheckCounts(t.Counts)
}
