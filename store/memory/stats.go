package memory

import (
	"context"
	"fmt"

	"github.com/secours/secours/flows"
	"github.com/secours/secours/store"
)

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
	if err := store.CheckTally(t); err != nil {
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
	months, err := store.CountMonths(ctx, from, to)
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
