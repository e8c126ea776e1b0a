package observatory

import (
	"cmp"
	"slices"
	"strconv"
	"strings"

	"github.com/secours/secours/flows"
	"github.com/secours/secours/text"
)

// MinCount is the smallest count a report shows; smaller ones, zero
// included, are hidden and shown as "< 5".
const MinCount = 5

// Count is one number of a report.
type Count struct {
	N      int  // the count, kept even when hidden, so that totals add up
	Hidden bool // not to be shown: under MinCount, or hidden so that it cannot be worked out
}

// String is the count as shown: the number, or "<5" when hidden.
func (c Count) String() string {
	if c.Hidden {
		return "<" + strconv.Itoa(MinCount)
	}
	return strconv.Itoa(c.N)
}

// Median is a row's median time from a referral's sending to its
// acceptance, as the bucket of flows.AcceptBuckets that holds it.
type Median struct {
	Hours  int  // the bucket's upper bound, in hours; 0 with More set
	More   bool // beyond the last bucket
	N      int  // acceptances with a time
	Hidden bool // N is under MinCount: no median shown
}

// Row is one line of a report's tables.
type Row struct {
	// Label is the area ("BE:Antwerpen"; "" before the person said
	// where) in Report.Areas, the month ("2026-03") in Report.Months,
	// and "" in Report.Total.
	Label  string
	Cells  []Count // one per Report.Columns
	Median Median
}

// Report is what the page, the CSV and the CLI show for one filter, with
// the small counts hidden (Build).
type Report struct {
	Filter  Filter
	Columns []string // the metric of each Row.Cells entry
	Areas   []Row    // one per area with counts, by commune name; the area "" last
	Months  []Row    // one per month of the range, oldest first
	Total   Row      // the whole selection: each cell the sum of Areas' and of Months'
	// Started is the conversations started in each month of Months, in
	// all areas: a conversation is counted when it starts, before the
	// person says where, so the area filter does not apply to it.
	Started      []Count
	StartedTotal Count
	// AreaList names every area ("" left out) with counts in the range,
	// whatever the filter's area: the page's choice of communes.
	AreaList []string
}

// Col returns the index of metric in r.Columns, or -1.
func (r *Report) Col(metric string) int { return slices.Index(r.Columns, metric) }

// Empty reports whether the selection has no count at all: none in the
// area asked, or none at all when no area is.
func (r *Report) Empty() bool {
	return len(r.Areas) == 0 && (r.Filter.Area != "" || r.StartedTotal.N == 0)
}

// Columns lists the metrics a report has a column for, in the order of
// the tables: the conversations, their profiles and needs, the referrals.
func Columns() []string {
	cols := []string{flows.MetricFinished, flows.MetricAidant, flows.MetricShared}
	for _, p := range flows.Profiles {
		cols = append(cols, flows.MetricProfile+p)
	}
	for _, n := range flows.Needs {
		cols = append(cols, flows.MetricNeed+n)
	}
	return append(cols, flows.MetricRefSent, flows.MetricRefAccepted, flows.MetricRefClosed)
}

// acc adds up one row before suppression.
type acc struct {
	n    []int
	hist map[string]int // accept bucket suffix ("24", "more") → count
}

func newAcc(cols int) *acc { return &acc{n: make([]int, cols), hist: map[string]int{}} }

func (a *acc) add(b *acc) {
	for i, n := range b.n {
		a.n[i] += n
	}
	for k, n := range b.hist {
		a.hist[k] += n
	}
}

func (a *acc) row(label string) Row {
	r := Row{Label: label, Cells: make([]Count, len(a.n)), Median: median(a.hist)}
	for i, n := range a.n {
		r.Cells[i] = Count{N: n}
	}
	return r
}

// median finds the bucket that holds the middle acceptance (the lower one
// of an even count).
func median(hist map[string]int) Median {
	var m Median
	for _, n := range hist {
		m.N += n
	}
	m.Hidden = m.N < MinCount
	if m.N == 0 {
		return m
	}
	half, seen := (m.N+1)/2, 0
	for _, b := range flows.AcceptBuckets {
		if seen += hist[strconv.Itoa(b)]; seen >= half {
			m.Hours = b
			return m
		}
	}
	m.More = true
	return m
}

// Build adds up cells (a store's Counts for f's months) into the report
// of f, then hides counts:
//
//  1. Every count under MinCount, zero included, is hidden: a small
//     number in a small commune could point at a person, and a shown 0
//     beside a hidden count would narrow it down.
//  2. Every sum the page shows is checked: each column's total against
//     the areas' cells and against the months' cells, each row's
//     finished conversations against its profiles and against its
//     needs (each finished conversation has one of each), and the
//     started total against its months. If exactly one number of such a
//     sum is hidden, it could be worked out by subtraction, so the
//     smallest shown number of that sum is hidden too; this repeats
//     until no sum has exactly one hidden number.
//  3. That is not enough (issue 16): a total minus its shown parts that
//     leaves 0 says every hidden part is 0, those zeros then count as
//     known in the next subtraction, and several sums taken together
//     (a row, the columns it crosses, another row) can fix a number that
//     no single sum gives. So the report is attacked as a reader would
//     (system.exposed): subtractions repeated with what they give, zeros
//     included, and the sums solved together as linear equations. While
//     that works out a hidden count from 1 to MinCount−1, the shown
//     number nearest to it through the sums (the smallest, a part
//     before a total) is hidden too, and rule 2 runs again. A count
//     hidden by rule 2 or 3 is shown as "< 5" like the others: it may be
//     larger, which the page's note says.
//
// Hidden counts keep their value in the Report, so every total is still
// the sum of its parts; only what is shown changes. The rule protects one
// report: two reports of overlapping ranges or of one area and of all can
// still be subtracted from each other, which is why the page is for
// network coordinators only. A median time to acceptance is hidden when
// fewer than MinCount acceptances make it, or when the row's accepted
// referrals are hidden: a median shown would tell there were at least
// MinCount.
//
// Cells outside f's months, and metrics without a column, are left out.
// If f is not valid (Filter.Check), the months are those of the cells.
func Build(cells []flows.Cell, f Filter) Report {
	cols := Columns()
	col := make(map[string]int, len(cols))
	for i, c := range cols {
		col[c] = i
	}
	months := f.Months()
	if months == nil {
		for _, c := range cells {
			months = append(months, c.Month)
		}
		slices.Sort(months)
		months = slices.Compact(months)
	}
	at := make(map[string]int, len(months))
	for i, m := range months {
		at[m] = i
	}

	byArea := map[string]*acc{}
	byMonth := make([]*acc, len(months))
	for i := range byMonth {
		byMonth[i] = newAcc(len(cols))
	}
	started := make([]int, len(months))
	listed := map[string]bool{}
	for _, c := range cells {
		mi, ok := at[c.Month]
		if !ok {
			continue
		}
		if c.Metric == flows.MetricStarted {
			started[mi] += c.N
			continue
		}
		j, isCol := col[c.Metric]
		bucket, isHist := strings.CutPrefix(c.Metric, flows.MetricAcceptAfter)
		if !isCol && !isHist {
			continue
		}
		if c.Area != "" {
			listed[c.Area] = true
		}
		if f.Area != "" && c.Area != f.Area {
			continue
		}
		a := byArea[c.Area]
		if a == nil {
			a = newAcc(len(cols))
			byArea[c.Area] = a
		}
		if isCol {
			a.n[j] += c.N
			byMonth[mi].n[j] += c.N
		} else {
			a.hist[bucket] += c.N
			byMonth[mi].hist[bucket] += c.N
		}
	}

	r := Report{Filter: f, Columns: cols}
	areas := make([]string, 0, len(byArea))
	for a := range byArea {
		areas = append(areas, a)
	}
	sortAreas(areas)
	total := newAcc(len(cols))
	for _, a := range areas {
		r.Areas = append(r.Areas, byArea[a].row(a))
		total.add(byArea[a])
	}
	for i, m := range months {
		r.Months = append(r.Months, byMonth[i].row(m))
	}
	r.Total = total.row("")
	for _, n := range started {
		r.Started = append(r.Started, Count{N: n})
		r.StartedTotal.N += n
	}
	for a := range listed {
		r.AreaList = append(r.AreaList, a)
	}
	sortAreas(r.AreaList)
	suppress(r.sums())
	acc := r.Col(flows.MetricRefAccepted)
	for _, row := range slices.Concat([]*Row{&r.Total}, pointers(r.Areas), pointers(r.Months)) {
		row.Median.Hidden = row.Median.Hidden || row.Cells[acc].Hidden
	}
	return r
}

func pointers(rows []Row) []*Row {
	p := make([]*Row, len(rows))
	for i := range rows {
		p[i] = &rows[i]
	}
	return p
}

// sums lists every sum the report shows: the total first, then its
// parts.
func (r *Report) sums() [][]*Count {
	var sums [][]*Count
	for j := range r.Columns {
		for _, rows := range [][]Row{r.Areas, r.Months} {
			s := []*Count{&r.Total.Cells[j]}
			for i := range rows {
				s = append(s, &rows[i].Cells[j])
			}
			sums = append(sums, s)
		}
	}
	fin := r.Col(flows.MetricFinished)
	var prof, need []int
	for j, c := range r.Columns {
		switch {
		case strings.HasPrefix(c, flows.MetricProfile):
			prof = append(prof, j)
		case strings.HasPrefix(c, flows.MetricNeed):
			need = append(need, j)
		}
	}
	rowSums := func(row *Row) {
		for _, group := range [][]int{prof, need} {
			s := []*Count{&row.Cells[fin]}
			for _, j := range group {
				s = append(s, &row.Cells[j])
			}
			sums = append(sums, s)
		}
	}
	for i := range r.Areas {
		rowSums(&r.Areas[i])
	}
	for i := range r.Months {
		rowSums(&r.Months[i])
	}
	rowSums(&r.Total)
	s := []*Count{&r.StartedTotal}
	for i := range r.Started {
		s = append(s, &r.Started[i])
	}
	return append(sums, s)
}

// suppress applies Build's rule to sums, each a total then its parts; a
// count may be in several sums.
func suppress(sums [][]*Count) {
	for _, s := range sums {
		for _, c := range s {
			if c.N < MinCount {
				c.Hidden = true
			}
		}
	}
	sys := newSystem(sums)
	for {
		spread(sums)
		hid := false
		for _, c := range sys.exposed() {
			hid = sys.hideNear(c) || hid
		}
		if !hid {
			return // nothing exposed (or, never seen, nothing left to hide)
		}
	}
}

// spread hides a second number in every sum with exactly one hidden: the
// cheap rule that most tables need alone. Each pass hides at least one
// more count or ends, so this stops.
func spread(sums [][]*Count) {
	for changed := true; changed; {
		changed = false
		for _, s := range sums {
			hidden := 0
			for _, c := range s {
				if c.Hidden {
					hidden++
				}
			}
			if hidden != 1 || len(s) < 2 {
				continue
			}
			// The smallest shown part; the total only if no part is
			// shown (a sum with a single part, hidden).
			var pick *Count
			for _, c := range s[1:] {
				if !c.Hidden && (pick == nil || c.N < pick.N) {
					pick = c
				}
			}
			if pick == nil {
				pick = s[0]
			}
			pick.Hidden = true
			changed = true
		}
	}
}

// sortAreas sorts areas by commune name as people read it (accents and
// case, and punctuation, aside: text.Fold), then by country; the area "" goes last.
func sortAreas(areas []string) {
	type keyed struct{ key, area string }
	ks := make([]keyed, len(areas))
	for i, a := range areas {
		country, commune, _ := strings.Cut(a, ":")
		if commune == "" {
			commune, country = country, ""
		}
		ks[i] = keyed{text.Fold(commune) + "\x00" + country, a}
	}
	slices.SortFunc(ks, func(a, b keyed) int {
		if (a.area == "") != (b.area == "") {
			if a.area == "" {
				return 1
			}
			return -1
		}
		return cmp.Or(cmp.Compare(a.key, b.key), cmp.Compare(a.area, b.area))
	})
	for i, k := range ks {
		areas[i] = k.area
	}
}
