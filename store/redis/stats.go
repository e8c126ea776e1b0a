package redis

import (
	"context"
	"fmt"
	"slices"
	"strconv"
	"strings"

	goredis "github.com/redis/go-redis/v9"

	"github.com/secours/secours/flows"
	"github.com/secours/secours/store"
)

// Observatory keys:
//
//	<prefix>:obs:{<month>}   hash "<area>|<metric>" → count, month "2026-03"
//
// One hash per month, so that a tally (one month, one area) is one key
// and Counts computes its keys from the range, without an index or a
// SCAN. The month is the hash tag: a Cluster spreads the months over its
// nodes, and a tally's commands never cross slots. The field splits at its
// last "|": metrics may not hold one (Record refuses them), areas may.
//
// The hashes have no TTL. They hold aggregates only, no per-person record
// and nothing the retention of referrals (docs/diagnostic.md G.3) covers, and
// the observatory's point is to compare years; about 20 metrics × the
// communes seen a month is a few hundred kilobytes a year. So, as for
// referrals, Redis must persist and never evict them.

var _ flows.StatsStore = (*Store)(nil)

func (s *Store) statsKey(month string) string { return s.prefix + ":obs:{" + month + "}" }

// Record adds t's counts to its month and area in one round trip:
// HINCRBYs in a MULTI/EXEC, so that a page never sees half a tally (a
// conversation counted as finished without its profile). The tally is
// checked first, so a bad one adds nothing: a month other than "YYYY-MM",
// an empty metric or one holding "|", a negative count. Zero counts are
// skipped; a tally with none makes no round trip.
func (s *Store) Record(ctx context.Context, t flows.Tally) error {
	if err := ctx.Err(); err != nil {
		return fmt.Errorf("redis record tally: %w", err)
	}
	if err := store.CheckTally(t); err != nil {
		return fmt.Errorf("redis record tally: %w", err)
	}
	metrics := make([]string, 0, len(t.Counts))
	for m, n := range t.Counts {
		if n != 0 {
			metrics = append(metrics, m)
		}
	}
	if len(metrics) == 0 {
		return nil
	}
	slices.Sort(metrics) // the same commands for the same tally: easier to read in MONITOR
	ctx, cancel := context.WithTimeout(ctx, s.timeout)
	defer cancel()
	key := s.statsKey(t.Month)
	_, err := s.c.TxPipelined(ctx, func(p goredis.Pipeliner) error {
		for _, m := range metrics {
			p.HIncrBy(ctx, key, t.Area+"|"+m, int64(t.Counts[m]))
		}
		return nil
	})
	if err != nil {
		return fmt.Errorf("redis record tally: %w", err)
	}
	return nil
}

// Counts returns every count of the months from through to, inclusive,
// sorted by month, area and metric, in one round trip (a pipeline of one
// HGETALL per month). A month other than "YYYY-MM", from after to, or
// more than 120 months is an error.
func (s *Store) Counts(ctx context.Context, from, to string) ([]flows.Cell, error) {
	months, err := store.CountMonths(ctx, from, to)
	if err != nil {
		return nil, fmt.Errorf("redis counts: %w", err)
	}
	ctx, cancel := context.WithTimeout(ctx, s.timeout)
	defer cancel()
	cmds := make([]*goredis.MapStringStringCmd, len(months))
	_, err = s.c.Pipelined(ctx, func(p goredis.Pipeliner) error {
		for i, m := range months {
			cmds[i] = p.HGetAll(ctx, s.statsKey(m))
		}
		return nil
	})
	if err != nil {
		return nil, fmt.Errorf("redis counts: %w", err)
	}
	var cells []flows.Cell
	for i, cmd := range cmds {
		for field, v := range cmd.Val() {
			j := strings.LastIndexByte(field, '|')
			n, err := strconv.Atoi(v)
			if j < 0 || err != nil {
				// Only HINCRBY writes here: someone else's key.
				return nil, fmt.Errorf("redis counts: unreadable field in %s", s.statsKey(months[i]))
			}
			cells = append(cells, flows.Cell{Month: months[i], Area: field[:j], Metric: field[j+1:], N: n})
		}
	}
	store.SortCells(cells)
	return cells, nil
}
