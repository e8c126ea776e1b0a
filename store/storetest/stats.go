package storetest

import (
	"context"
	"errors"
	"maps"
	"slices"
	"strconv"
	"sync"
	"testing"

	"github.com/secours/secours/flows"
)

// RunStats runs the contract of flows.StatsStore against the stores
// newStore returns. newStore is called once per subtest and returns an
// empty store of its own (for Redis: its own key prefix, cleaned up by
// t.Cleanup).
//
// Beyond the interface's doc comment, the suite fixes these choices, which
// both stores make:
//   - Counts returns its cells sorted by month, area, then metric.
//   - A count of zero stores nothing: Counts never returns a cell of 0.
//   - Record refuses, adding nothing of the tally, a month other than
//     "YYYY-MM", an empty metric, a metric holding "|" (the Redis field
//     separator) and a negative count. An area may hold anything.
//   - Counts refuses a month other than "YYYY-MM", from after to, and a
//     range of more than 120 months.
func RunStats(t *testing.T, newStore func(t *testing.T) flows.StatsStore) {
	runCases(t, newStore, []contractCase[flows.StatsStore]{
		{"RecordSum", testStatsRecordSum},
		{"TalliesAddUp", testStatsAddUp},
		{"Concurrent", testStatsConcurrent},
		{"RangeInclusive", testStatsRange},
		{"EmptyRange", testStatsEmpty},
		{"OddAreas", testStatsOddAreas},
		{"BadInput", testStatsBadInput},
		{"Canceled", testStatsCanceled},
	})
}

// counts reads the cells of a range, failing the test on error.
func counts(t *testing.T, st flows.StatsStore, from, to string) []flows.Cell {
	t.Helper()
	cells, err := st.Counts(t.Context(), from, to)
	if err != nil {
		t.Fatalf("Counts(%s, %s) error = %v", from, to, err)
	}
	return cells
}

func record(t *testing.T, st flows.StatsStore, tl flows.Tally) {
	t.Helper()
	if err := st.Record(t.Context(), tl); err != nil {
		t.Fatalf("Record(%+v) error = %v", tl, err)
	}
}

func testStatsRecordSum(t *testing.T, st flows.StatsStore) {
	record(t, st, flows.Tally{Month: "2026-03", Area: "BE:Antwerpen", Counts: map[string]int{
		flows.MetricFinished: 1, flows.MetricProfile + "autonome": 1, flows.MetricNeed + "health": 1,
		flows.MetricAidant: 0, // skipped
	}})
	got := counts(t, st, "2026-03", "2026-03")
	want := []flows.Cell{
		{Month: "2026-03", Area: "BE:Antwerpen", Metric: flows.MetricFinished, N: 1},
		{Month: "2026-03", Area: "BE:Antwerpen", Metric: flows.MetricNeed + "health", N: 1},
		{Month: "2026-03", Area: "BE:Antwerpen", Metric: flows.MetricProfile + "autonome", N: 1},
	}
	if !slices.Equal(got, want) {
		t.Errorf("Counts = %+v\nwant %+v", got, want)
	}
	// A tally with no count is not an error.
	record(t, st, flows.Tally{Month: "2026-03", Area: "BE:Gent"})
	record(t, st, flows.Tally{Month: "2026-03", Area: "BE:Gent", Counts: map[string]int{flows.MetricStarted: 0}})
	if got := counts(t, st, "2026-03", "2026-03"); len(got) != len(want) {
		t.Errorf("after empty tallies, %d cells, want %d", len(got), len(want))
	}
}

func testStatsAddUp(t *testing.T, st flows.StatsStore) {
	want := map[flows.Cell]int{} // N zero in the key
	add := func(tl flows.Tally) {
		record(t, st, tl)
		for m, n := range tl.Counts {
			want[flows.Cell{Month: tl.Month, Area: tl.Area, Metric: m}] += n
		}
	}
	areas := []string{"", "BE:Antwerpen", "BE:Bruxelles", "FR:Lille"}
	for i := range 40 {
		tl := flows.Tally{Month: "2026-0" + strconv.Itoa(1+i%3), Area: areas[i%len(areas)], Counts: map[string]int{}}
		if tl.Area == "" {
			tl.Counts[flows.MetricStarted] = 1
		} else {
			tl.Counts[flows.MetricFinished] = 1
			tl.Counts[flows.MetricProfile+flows.Profiles[i%len(flows.Profiles)]] = 1
			tl.Counts[flows.MetricNeed+flows.Needs[i%len(flows.Needs)]] = 1
			if i%5 == 0 {
				tl.Counts[flows.MetricAcceptAfter+"24"] = 2
			}
		}
		add(tl)
	}
	got := map[flows.Cell]int{}
	for _, c := range counts(t, st, "2026-01", "2026-03") {
		n := c.N
		c.N = 0
		if _, dup := got[c]; dup {
			t.Errorf("cell %+v returned twice", c)
		}
		got[c] = n
	}
	if !maps.Equal(got, want) {
		t.Errorf("Counts after 40 tallies = %v\nwant %v", got, want)
	}
}

func testStatsConcurrent(t *testing.T, st flows.StatsStore) {
	const writers, each = 20, 25
	ctx := t.Context()
	var wg sync.WaitGroup
	errs := make(chan error, writers)
	for w := range writers {
		wg.Go(func() {
			for i := range each {
				area := "BE:Gent"
				if (w+i)%2 == 0 {
					area = "BE:Liège"
				}
				err := st.Record(ctx, flows.Tally{Month: "2026-05", Area: area, Counts: map[string]int{
					flows.MetricFinished: 1, flows.MetricRefSent: 2}})
				if err != nil {
					errs <- err
					return
				}
			}
		})
	}
	wg.Wait()
	close(errs)
	for err := range errs {
		t.Fatalf("concurrent Record error = %v", err)
	}
	sum := map[string]int{}
	for _, c := range counts(t, st, "2026-05", "2026-05") {
		sum[c.Metric] += c.N
	}
	if sum[flows.MetricFinished] != writers*each || sum[flows.MetricRefSent] != 2*writers*each {
		t.Errorf("after %d concurrent tallies: %v, want finished %d and ref.sent %d", writers*each, sum, writers*each, 2*writers*each)
	}
}

func testStatsRange(t *testing.T, st flows.StatsStore) {
	// Across a year end, with months outside the range on both sides.
	for _, m := range []string{"2025-10", "2025-11", "2025-12", "2026-01", "2026-02", "2026-03"} {
		record(t, st, flows.Tally{Month: m, Area: "FR:Lille", Counts: map[string]int{flows.MetricFinished: 1}})
	}
	tests := []struct {
		from, to string
		want     []string
	}{
		{"2025-11", "2026-02", []string{"2025-11", "2025-12", "2026-01", "2026-02"}},
		{"2025-12", "2025-12", []string{"2025-12"}},
		{"2016-01", "2025-10", []string{"2025-10"}}, // 118 months
		{"2026-03", "2035-12", []string{"2026-03"}},
	}
	for _, tt := range tests {
		var got []string
		for _, c := range counts(t, st, tt.from, tt.to) {
			got = append(got, c.Month)
		}
		if !slices.Equal(got, tt.want) {
			t.Errorf("Counts(%s, %s) months = %v, want %v", tt.from, tt.to, got, tt.want)
		}
	}
}

func testStatsEmpty(t *testing.T, st flows.StatsStore) {
	if got := counts(t, st, "2026-01", "2026-12"); len(got) != 0 {
		t.Errorf("Counts of an empty store = %+v, want none", got)
	}
	record(t, st, flows.Tally{Month: "2026-06", Area: "BE:Namur", Counts: map[string]int{flows.MetricStarted: 3}})
	if got := counts(t, st, "2026-07", "2026-12"); len(got) != 0 {
		t.Errorf("Counts of months without tallies = %+v, want none", got)
	}
}

func testStatsOddAreas(t *testing.T, st flows.StatsStore) {
	areas := []string{
		"",
		"BE:Liège",
		"FR:Saint-Étienne-du-Rouvray",
		"BE:Sint-Pieters-Leeuw",
		"BE:Braine-l'Alleud",
		"FR:L'Haÿ-les-Roses",
		"BE:Ville de Bruxelles",
		"BE:a|b",      // the Redis field separator: the field splits at the last one
		"BE:{tag}",    // hash tag braces
		"BE:ünïcødé ", // trailing space kept
	}
	for i, a := range areas {
		record(t, st, flows.Tally{Month: "2026-04", Area: a, Counts: map[string]int{flows.MetricFinished: i + 1}})
	}
	got := map[string]int{}
	for _, c := range counts(t, st, "2026-04", "2026-04") {
		got[c.Area] = c.N
	}
	for i, a := range areas {
		if got[a] != i+1 {
			t.Errorf("area %q: %d, want %d", a, got[a], i+1)
		}
	}
	if len(got) != len(areas) {
		t.Errorf("Counts gave areas %q, want %q", slices.Sorted(maps.Keys(got)), areas)
	}
}

func testStatsBadInput(t *testing.T, st flows.StatsStore) {
	ctx := t.Context()
	bad := []flows.Tally{
		{Month: "2026-3", Counts: map[string]int{flows.MetricStarted: 1}},
		{Month: "2026-13", Counts: map[string]int{flows.MetricStarted: 1}},
		{Month: "", Counts: map[string]int{flows.MetricStarted: 1}},
		{Month: "2026-03", Counts: map[string]int{flows.MetricStarted: 1, "a|b": 1}},
		{Month: "2026-03", Counts: map[string]int{flows.MetricStarted: 1, "": 1}},
		{Month: "2026-03", Counts: map[string]int{flows.MetricStarted: 1, flows.MetricFinished: -1}},
	}
	for _, tl := range bad {
		if err := st.Record(ctx, tl); err == nil {
			t.Errorf("Record(%+v) = nil, want an error", tl)
		}
	}
	if got := counts(t, st, "2026-03", "2026-03"); len(got) != 0 {
		t.Errorf("refused tallies left %+v", got)
	}
	for _, r := range [][2]string{
		{"2026-03", "2026-02"}, // reversed
		{"2026-3", "2026-04"},
		{"2026-01", "2026-00"},
		{"", ""},
		{"2016-01", "2026-01"}, // 121 months
	} {
		if cells, err := st.Counts(ctx, r[0], r[1]); err == nil {
			t.Errorf("Counts(%q, %q) = %v, nil; want an error", r[0], r[1], cells)
		}
	}
	if _, err := st.Counts(ctx, "2016-02", "2026-01"); err != nil {
		t.Errorf("Counts over 120 months: %v", err)
	}
}

func testStatsCanceled(t *testing.T, st flows.StatsStore) {
	ctx, cancel := context.WithCancel(t.Context())
	cancel()
	err := st.Record(ctx, flows.Tally{Month: "2026-03", Area: "BE:Gent", Counts: map[string]int{flows.MetricStarted: 1}})
	if !errors.Is(err, context.Canceled) {
		t.Errorf("Record(canceled) error = %v, want context.Canceled", err)
	}
	if _, err := st.Counts(ctx, "2026-03", "2026-03"); !errors.Is(err, context.Canceled) {
		t.Errorf("Counts(canceled) error = %v, want context.Canceled", err)
	}
	if got := counts(t, st, "2026-03", "2026-03"); len(got) != 0 {
		t.Errorf("a canceled Record stored %+v", got)
	}
}
