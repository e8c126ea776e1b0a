package observatory

import (
	"errors"
	"fmt"
	"math/rand/v2"
	"slices"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/secours/secours/flows"
	"github.com/secours/secours/text"
)

// finished returns the cells of n finished conversations in one area and
// month, spread over profiles and needs as the engine counts them: each
// with one profile and one need.
func finished(month, area string, n int, rnd *rand.Rand) []flows.Cell {
	cells := []flows.Cell{{Month: month, Area: area, Metric: flows.MetricFinished, N: n}}
	prof := map[string]int{}
	need := map[string]int{}
	for range n {
		prof[flows.Profiles[rnd.IntN(len(flows.Profiles))]]++
		need[flows.Needs[rnd.IntN(len(flows.Needs))]]++
	}
	for k, v := range prof {
		cells = append(cells, flows.Cell{Month: month, Area: area, Metric: flows.MetricProfile + k, N: v})
	}
	for k, v := range need {
		cells = append(cells, flows.Cell{Month: month, Area: area, Metric: flows.MetricNeed + k, N: v})
	}
	return cells
}

// randomCells is a store's answer for a random range: areas × months of
// counts, mostly small, sometimes large, with started counts in area "".
func randomCells(rnd *rand.Rand, areas []string, months []string) []flows.Cell {
	var cells []flows.Cell
	size := func() int {
		if rnd.IntN(4) == 0 {
			return rnd.IntN(60)
		}
		return rnd.IntN(8)
	}
	for _, m := range months {
		cells = append(cells, flows.Cell{Month: m, Metric: flows.MetricStarted, N: size() * 3})
		for _, a := range areas {
			if rnd.IntN(5) == 0 {
				continue // no conversation there that month
			}
			n := size()
			if n == 0 {
				continue
			}
			cells = append(cells, finished(m, a, n, rnd)...)
			for _, metric := range []string{flows.MetricAidant, flows.MetricShared, flows.MetricRefSent, flows.MetricRefAccepted, flows.MetricRefClosed} {
				if k := rnd.IntN(n + 1); k > 0 {
					cells = append(cells, flows.Cell{Month: m, Area: a, Metric: metric, N: k})
				}
			}
			for range rnd.IntN(3) {
				b := flows.AcceptBucket(time.Duration(rnd.IntN(400)) * time.Hour)
				cells = append(cells, flows.Cell{Month: m, Area: a, Metric: b, N: 1 + rnd.IntN(3)})
			}
		}
	}
	return cells
}

// testSums lists the sums a report shows, derived here again rather than
// taken from Report.sums: the total first, then its parts, and a name.
func testSums(r *Report) map[string][]*Count {
	sums := map[string][]*Count{}
	for j, c := range r.Columns {
		s := []*Count{&r.Total.Cells[j]}
		for i := range r.Areas {
			s = append(s, &r.Areas[i].Cells[j])
		}
		sums["areas/"+c] = s
		s = []*Count{&r.Total.Cells[j]}
		for i := range r.Months {
			s = append(s, &r.Months[i].Cells[j])
		}
		sums["months/"+c] = s
	}
	rows := []*Row{&r.Total}
	for i := range r.Areas {
		rows = append(rows, &r.Areas[i])
	}
	for i := range r.Months {
		rows = append(rows, &r.Months[i])
	}
	for _, row := range rows {
		for _, prefix := range []string{flows.MetricProfile, flows.MetricNeed} {
			s := []*Count{&row.Cells[r.Col(flows.MetricFinished)]}
			for j, c := range r.Columns {
				if strings.HasPrefix(c, prefix) {
					s = append(s, &row.Cells[j])
				}
			}
			sums["row "+row.Label+"/"+prefix] = s
		}
	}
	s := []*Count{&r.StartedTotal}
	for i := range r.Started {
		s = append(s, &r.Started[i])
	}
	sums["started"] = s
	return sums
}

// TestSuppressionProperties builds reports of random cells and checks the
// rule of Build on each: nothing under MinCount shown, every column's
// parts (shown and hidden) add up to its total, and no sum the page shows
// has exactly one hidden number, which subtraction would give away.
// randomTable draws the shape of a random report: 1 to 12 areas, 1 to 14
// months, and one time in four a filter on one area.
func randomTable(rnd *rand.Rand) ([]string, Filter) {
	nAreas, nMonths := 1+rnd.IntN(12), 1+rnd.IntN(14)
	var areas []string
	for i := range nAreas {
		areas = append(areas, fmt.Sprintf("BE:Commune %c%d", 'A'+rune(i), i))
	}
	f := Filter{From: "2025-06", To: text.Month(2025*12 + 5 + nMonths - 1).String()}
	if rnd.IntN(4) == 0 {
		f.Area = areas[rnd.IntN(nAreas)]
	}
	return areas, f
}

func TestSuppressionProperties(t *testing.T) {
	for seed := range uint64(400) {
		rnd := rand.New(rand.NewPCG(seed, 9))
		areas, f := randomTable(rnd)
		nAreas, nMonths := len(areas), len(f.Months())
		cells := randomCells(rnd, areas, f.Months())
		r := Build(cells, f)
		name := fmt.Sprintf("seed %d (%d areas × %d months, area %q)", seed, nAreas, nMonths, f.Area)

		// The raw totals, from the cells.
		want := map[string]int{}
		started := 0
		for _, c := range cells {
			if c.Metric == flows.MetricStarted {
				started += c.N
			} else if f.Area == "" || c.Area == f.Area {
				want[c.Metric] += c.N
			}
		}
		for j, c := range r.Columns {
			if r.Total.Cells[j].N != want[c] {
				t.Fatalf("%s: total %s = %d, want %d", name, c, r.Total.Cells[j].N, want[c])
			}
		}
		if r.StartedTotal.N != started {
			t.Fatalf("%s: started total %d, want %d", name, r.StartedTotal.N, started)
		}
		for key, s := range testSums(&r) {
			if len(s) < 2 {
				continue // a total without parts (no area): nothing to subtract
			}
			hidden, sum := 0, 0
			for i, c := range s {
				if c.N < MinCount && !c.Hidden {
					t.Fatalf("%s: %s shows %d", name, key, c.N)
				}
				if c.Hidden {
					hidden++
				}
				if i > 0 {
					sum += c.N
				}
			}
			if hidden == 1 {
				t.Fatalf("%s: %s has exactly one hidden number: %v", name, key, s)
			}
			// Columns add up exactly; a row's profiles and needs add up
			// to its finished conversations here, as the engine counts.
			if sum != s[0].N {
				t.Fatalf("%s: %s: parts add up to %d, total %d", name, key, sum, s[0].N)
			}
		}
		for _, row := range slices.Concat(r.Areas, r.Months, []Row{r.Total}) {
			if m := row.Median; m.N < MinCount && !m.Hidden {
				t.Fatalf("%s: median of %d acceptances shown", name, m.N)
			}
			if row.Cells[r.Col(flows.MetricRefAccepted)].Hidden && !row.Median.Hidden {
				t.Fatalf("%s: median shown beside hidden acceptances", name)
			}
		}
	}
}

func TestSuppressionSecondary(t *testing.T) {
	cells := []flows.Cell{
		{Month: "2026-01", Area: "BE:Antwerpen", Metric: flows.MetricRefSent, N: 40},
		{Month: "2026-01", Area: "BE:Gent", Metric: flows.MetricRefSent, N: 12},
		{Month: "2026-01", Area: "BE:Aalst", Metric: flows.MetricRefSent, N: 3},
	}
	r := Build(cells, Filter{From: "2026-01", To: "2026-01"})
	j := r.Col(flows.MetricRefSent)
	got := map[string]Count{}
	for _, a := range r.Areas {
		got[a.Label] = a.Cells[j]
	}
	// Aalst is under 5; the total (55) is shown, so Gent, the next
	// smallest, goes too, or 55 − 40 would give Aalst away.
	want := map[string]Count{
		"BE:Aalst":     {N: 3, Hidden: true},
		"BE:Gent":      {N: 12, Hidden: true},
		"BE:Antwerpen": {N: 40},
	}
	for a, w := range want {
		if got[a] != w {
			t.Errorf("%s: %+v, want %+v", a, got[a], w)
		}
	}
	if tot := r.Total.Cells[j]; tot != (Count{N: 55}) {
		t.Errorf("total %+v, want 55 shown", tot)
	}
	// One month: its row is the total, shown.
	if m := r.Months[0].Cells[j]; m != (Count{N: 55}) {
		t.Errorf("month %+v, want 55 shown", m)
	}
}

func TestBuild(t *testing.T) {
	cells := []flows.Cell{
		{Month: "2025-12", Area: "BE:Gent", Metric: flows.MetricFinished, N: 99}, // outside
		{Month: "2026-01", Area: "", Metric: flows.MetricStarted, N: 30},
		{Month: "2026-02", Area: "", Metric: flows.MetricStarted, N: 2},
		{Month: "2026-01", Area: "BE:Gent", Metric: flows.MetricRefAccepted, N: 7},
		{Month: "2026-01", Area: "BE:Gent", Metric: flows.MetricAcceptAfter + "1", N: 2},
		{Month: "2026-01", Area: "BE:Gent", Metric: flows.MetricAcceptAfter + "24", N: 2},
		{Month: "2026-02", Area: "BE:Gent", Metric: flows.MetricAcceptAfter + "72", N: 3},
		{Month: "2026-01", Area: "BE:Écaussinnes", Metric: flows.MetricRefSent, N: 8},
		{Month: "2026-01", Area: "FR:Lille", Metric: flows.MetricRefSent, N: 9},
		{Month: "2026-01", Area: "BE:Ath", Metric: "something.new", N: 9}, // no column
		{Month: "2026-02", Area: "", Metric: flows.MetricRefClosed, N: 6}, // a referral from before areas
	}
	r := Build(cells, Filter{From: "2026-01", To: "2026-03"})
	var labels []string
	for _, a := range r.Areas {
		labels = append(labels, a.Label)
	}
	if want := []string{"BE:Écaussinnes", "BE:Gent", "FR:Lille", ""}; !slices.Equal(labels, want) {
		t.Errorf("areas %q, want %q (by commune name, accents aside; none last)", labels, want)
	}
	if want := []string{"BE:Écaussinnes", "BE:Gent", "FR:Lille"}; !slices.Equal(r.AreaList, want) {
		t.Errorf("AreaList %q, want %q", r.AreaList, want)
	}
	if len(r.Months) != 3 || r.Months[2].Label != "2026-03" {
		t.Errorf("months %+v, want 2026-01 to 2026-03", r.Months)
	}
	if want := []Count{{N: 30}, {N: 2, Hidden: true}, {N: 0, Hidden: true}}; !slices.Equal(r.Started, want) {
		t.Errorf("started %+v, want %+v", r.Started, want)
	}
	// 7 acceptances: 2 within 1 h, 2 within 24 h, 3 within 72 h; the
	// 4th is the median.
	if m := r.Areas[1].Median; m != (Median{Hours: 24, N: 7}) {
		t.Errorf("Gent median %+v, want ≤ 24 h of 7", m)
	}
	if m := r.Months[1].Median; !m.Hidden || m.N != 3 {
		t.Errorf("February median %+v, want hidden (3 acceptances)", m)
	}

	// One area: the others are left out of the tables, not of the list;
	// started stays for all.
	r = Build(cells, Filter{From: "2026-01", To: "2026-03", Area: "BE:Gent"})
	if len(r.Areas) != 1 || r.Areas[0].Label != "BE:Gent" || len(r.AreaList) != 3 {
		t.Errorf("filtered: areas %+v, list %q", r.Areas, r.AreaList)
	}
	if r.StartedTotal.N != 32 {
		t.Errorf("filtered: started %d, want 32 (all areas)", r.StartedTotal.N)
	}
	if r := Build(nil, Filter{From: "2026-01", To: "2026-03"}); !r.Empty() || len(r.Months) != 3 {
		t.Errorf("no cells: Empty() = %v, %d months", r.Empty(), len(r.Months))
	}
}

func TestMedian(t *testing.T) {
	tests := []struct {
		hist map[string]int
		want Median
	}{
		{map[string]int{"1": 5}, Median{Hours: 1, N: 5}},
		{map[string]int{"1": 2, "4": 1, "more": 3}, Median{Hours: 4, N: 6}}, // 3rd of 6
		{map[string]int{"1": 2, "more": 4}, Median{More: true, N: 6}},
		{map[string]int{"336": 4}, Median{Hours: 336, N: 4, Hidden: true}},
		{nil, Median{Hidden: true}},
	}
	for _, tt := range tests {
		if got := median(tt.hist); got != tt.want {
			t.Errorf("median(%v) = %+v, want %+v", tt.hist, got, tt.want)
		}
	}
}

func TestParseFilter(t *testing.T) {
	now := time.Date(2026, 3, 31, 23, 30, 0, 0, time.UTC) // April in Brussels
	tests := []struct {
		from, to, area string
		want           Filter
		problem        string
	}{
		{"", "", "", Filter{From: "2025-05", To: "2026-04"}, ""},
		{"2026-01", "", "", Filter{From: "2026-01", To: "2026-04"}, ""},
		{"", "2025-12", "BE:Gent", Filter{From: "2025-01", To: "2025-12", Area: "BE:Gent"}, ""},
		{"2026-01", "2026-01", "", Filter{From: "2026-01", To: "2026-01"}, ""},
		{"2016-01", "2025-12", "", Filter{From: "2016-01", To: "2025-12"}, ""},
		{"2026-13", "", "", Filter{}, ProblemMonth},
		{"2026-1", "2026-02", "", Filter{}, ProblemMonth},
		{"2026-01", "26-02", "", Filter{}, ProblemMonth},
		{"", "0000-03", "", Filter{From: "0000-01", To: "0000-03"}, ""}, // clamped, not wrapped
		{"2026-03", "2026-02", "", Filter{}, ProblemReversed},
		{"2016-01", "2026-01", "", Filter{}, ProblemLong},
		{"", "", strings.Repeat("x", 201), Filter{}, ProblemArea},
	}
	for _, tt := range tests {
		got, err := ParseFilter(tt.from, tt.to, tt.area, now)
		if tt.problem == "" {
			if err != nil || got != tt.want {
				t.Errorf("ParseFilter(%q, %q, %q) = %+v, %v; want %+v", tt.from, tt.to, tt.area, got, err, tt.want)
			}
			continue
		}
		re, ok := errors.AsType[*RangeError](err)
		if !ok || re.Problem != tt.problem || !errors.Is(err, ErrBadRange) {
			t.Errorf("ParseFilter(%q, %q) error = %v, want a %s RangeError wrapping ErrBadRange", tt.from, tt.to, err, tt.problem)
		}
	}
	if got := DefaultFilter(now); got != (Filter{From: "2025-05", To: "2026-04"}) {
		t.Errorf("DefaultFilter = %+v", got)
	}
}

// FuzzParseFilter: no input panics, and an accepted range lists exactly
// its months.
func FuzzParseFilter(f *testing.F) {
	for _, s := range [][2]string{{"2026-01", "2026-12"}, {"", ""}, {"2026-13", "x"}, {"9999-12", "0000-01"}} {
		f.Add(s[0], s[1])
	}
	now := time.Date(2026, 6, 1, 0, 0, 0, 0, time.UTC)
	f.Fuzz(func(t *testing.T, from, to string) {
		fl, err := ParseFilter(from, to, "", now)
		if err != nil {
			return
		}
		ms := fl.Months()
		if len(ms) == 0 || len(ms) > MaxMonths || ms[0] != fl.From || ms[len(ms)-1] != fl.To {
			t.Fatalf("ParseFilter(%q, %q) = %+v with months %v", from, to, fl, ms)
		}
		for _, m := range ms {
			if _, ok := text.ParseMonth(m); !ok {
				t.Fatalf("month %q", m)
			}
		}
		if y, _ := strconv.Atoi(fl.From[:4]); y < 0 {
			t.Fatal("negative year")
		}
	})
}

// BenchmarkBuild builds reports of random tables, and of many small
// communes (one in ten larger), where most counts are hidden and the
// check of Build's rule 3 has the most to solve; the one-commune report
// is the baseline for the ratios.
func BenchmarkBuild(b *testing.B) {
	f := Filter{From: "2025-01", To: "2025-12"}
	small := func(rnd *rand.Rand, n int) []flows.Cell {
		var cells []flows.Cell
		for i := range n {
			k := 1 + rnd.IntN(4)
			if i%10 == 0 {
				k = 30
			}
			cells = append(cells, finished(f.Months()[rnd.IntN(12)], fmt.Sprintf("BE:Commune %d", i), k, rnd)...)
		}
		return cells
	}
	random := func(rnd *rand.Rand, n int) []flows.Cell {
		var areas []string
		for i := range n {
			areas = append(areas, fmt.Sprintf("BE:Commune %d", i))
		}
		return randomCells(rnd, areas, f.Months())
	}
	for _, bc := range []struct {
		name  string
		cells func(*rand.Rand, int) []flows.Cell
		areas int
	}{{"random", random, 1}, {"random", random, 100}, {"small", small, 50}, {"small", small, 300}} {
		b.Run(fmt.Sprintf("%s-%dx12", bc.name, bc.areas), func(b *testing.B) {
			cells := bc.cells(rand.New(rand.NewPCG(1, 2)), bc.areas)
			for b.Loop() {
				Build(cells, f)
			}
		})
	}
}
