package observatory

import (
	"errors"
	"html/template"
	"net/url"
	"slices"
	"strconv"
	"strings"

	"github.com/secours/secours/flows"
)

// pageData is what the page template shows. Every text is rendered in Go
// or by T; the template only lays it out.
type pageData struct {
	Lang      flows.Lang
	LangField string // ?lang= to keep in the form, if chosen
	CSS       template.CSS
	Switch    []langLink

	// The filter form, as typed (after a 400, what to correct).
	From, To string
	Areas    []option
	Error    string

	Report  bool // a report follows; false on a 400
	Period  string
	Scope   string
	Empty   string // no count at all: this instead of the tables
	CSV     string // the export's link, relative to the page
	Figures []figure
	Charts  []chart
	Started started
	Tables  []table
}

type langLink struct {
	Code, Label, Href string
	Current           bool
}

type option struct {
	Value, Label string
	Selected     bool
}

// figure is a key figure of the whole selection.
type figure struct {
	Label, Value string
	Hidden       bool
}

// chart is a horizontal bar chart, drawn in an SVG chartW units wide that
// scales to the screen: about one unit a pixel on a phone.
type chart struct {
	ID, Title     string
	Width, Height int
	Bars          []bar
}

// bar is one bar of a chart: its label above it, its value after it. A
// hidden count draws no bar, only its "< 5".
type bar struct {
	Label, Value, Title  string
	Hidden               bool
	LabelY, BarY, ValueY int
	W, ValueX            int
}

// Geometry of the charts, in SVG units.
const (
	chartW  = 280
	barMax  = 190 // the longest bar; the rest of the width holds its value
	barH    = 14
	barStep = 40
)

// started is the line of conversations started per month.
type started struct {
	Cols  []string
	Cells []tcell
}

// table is one of the page's tables: a row per area or per month.
type table struct {
	ID, Title, Head string
	Groups          []group
	Cols            []string
	Rows            []trow
	Total           trow
}

type group struct {
	Label string
	Span  int
}

type trow struct {
	Label string
	Cells []tcell
}

type tcell struct {
	Text   string
	Hidden bool
}

// view builds the page of rq; rep is nil on a 400.
func (p *Page) view(rq request, rep *Report) pageData {
	w := p.words[rq.lang]
	d := pageData{Lang: rq.lang, CSS: p.css, From: rq.from, To: rq.to}
	if rq.from == "" && rq.to == "" && rq.err == nil {
		d.From, d.To = rq.filter.From, rq.filter.To // the default range, shown
	}
	if rq.chosen {
		d.LangField = string(rq.lang)
	}
	query := func(lang string) url.Values {
		q := url.Values{}
		for k, v := range map[string]string{"from": rq.from, "to": rq.to, "area": rq.area, "lang": lang} {
			if v != "" {
				q.Set(k, v)
			}
		}
		return q
	}
	for _, l := range flows.Langs {
		// Relative: the token stays out of these links.
		d.Switch = append(d.Switch, langLink{Code: string(l), Label: w.s("switch." + string(l)),
			Href: "?" + query(string(l)).Encode(), Current: l == rq.lang})
	}
	if rq.err != nil {
		d.Error = p.problem(w, rq.err)
	}
	var listed []string
	if rep != nil {
		listed = rep.AreaList
	}
	if rq.area != "" && len(rq.area) <= maxArea && !slices.Contains(listed, rq.area) {
		listed = append([]string{rq.area}, listed...)
	}
	for _, a := range listed {
		d.Areas = append(d.Areas, option{Value: a, Label: w.Area(a), Selected: a == rq.area})
	}
	if rep == nil {
		return d
	}

	d.Report = true
	d.Period = w.s("period", "from", w.Month(rep.Filter.From), "to", w.Month(rep.Filter.To))
	d.Scope = w.s("filter.all")
	if rep.Filter.Area != "" {
		d.Scope = w.Area(rep.Filter.Area)
	}
	// Relative to /obs/<token>, the token's segment is replaced: it must
	// be written again.
	d.CSV = url.PathEscape(rq.token) + "/export.csv"
	if q := query(d.LangField).Encode(); q != "" {
		d.CSV += "?" + q
	}
	if rep.Empty() {
		d.Empty = w.s("empty")
		if rep.Filter.Area != "" {
			d.Empty = w.s("empty.area")
		}
		return d
	}
	d.Figures = figures(w, rep)
	d.Charts = []chart{
		barChart(w, rep, "profiles", w.s("chart.profiles"), flows.MetricProfile),
		barChart(w, rep, "needs", w.s("chart.needs"), flows.MetricNeed),
	}
	for i, m := range rep.Months {
		d.Started.Cols = append(d.Started.Cols, w.Month(m.Label))
		d.Started.Cells = append(d.Started.Cells, tcellOf(w, rep.Started[i]))
	}
	d.Started.Cols = append(d.Started.Cols, w.s("total"))
	d.Started.Cells = append(d.Started.Cells, tcellOf(w, rep.StartedTotal))
	byArea := tableOf(w, rep, "areas", w.s("table.areas"), w.s("head.area"), rep.Areas, w.Area)
	byMonth := tableOf(w, rep, "months", w.s("table.months"), w.s("head.month"), rep.Months, w.Month)
	d.Tables = []table{byArea, byMonth}
	return d
}

// problem words a filter error.
func (p *Page) problem(w Words, err error) string {
	re, ok := errors.AsType[*RangeError](err)
	if !ok {
		return w.s("err.range." + ProblemMonth)
	}
	return w.s("err.range."+re.Problem, "value", re.Value, "max", strconv.Itoa(MaxMonths))
}

func tcellOf(w Words, c Count) tcell { return tcell{Text: w.Count(c), Hidden: c.Hidden} }

// figures are the key figures of the selection.
func figures(w Words, r *Report) []figure {
	cell := func(m string) Count { return r.Total.Cells[r.Col(m)] }
	fin, aid := cell(flows.MetricFinished), cell(flows.MetricAidant)
	share := figure{Label: w.s("key.aidant"), Value: w.s("hidden"), Hidden: true}
	if !fin.Hidden && !aid.Hidden && fin.N > 0 {
		share = figure{Label: share.Label, Value: w.s("pct", "pct", strconv.Itoa((aid.N*100+fin.N/2)/fin.N))}
	}
	count := func(label string, c Count) figure {
		return figure{Label: label, Value: w.Count(c), Hidden: c.Hidden}
	}
	return []figure{
		count(w.s("key.started"), r.StartedTotal),
		count(w.s("key.finished"), fin),
		share,
		count(w.s("key.shared"), cell(flows.MetricShared)),
		count(w.s("col.ref.sent"), cell(flows.MetricRefSent)),
		count(w.s("col.ref.accepted"), cell(flows.MetricRefAccepted)),
		count(w.s("col.ref.closed"), cell(flows.MetricRefClosed)),
		{Label: w.s("col.median"), Value: w.Median(r.Total.Median), Hidden: r.Total.Median.Hidden},
	}
}

// barChart draws the total's columns of one prefix (profiles, needs) as
// horizontal bars, scaled to the largest shown count.
func barChart(w Words, r *Report, id, title, prefix string) chart {
	c := chart{ID: "chart-" + id, Title: title, Width: chartW}
	fin := r.Total.Cells[r.Col(flows.MetricFinished)]
	largest := 0
	for j, m := range r.Columns {
		if strings.HasPrefix(m, prefix) && !r.Total.Cells[j].Hidden {
			largest = max(largest, r.Total.Cells[j].N)
		}
	}
	for j, m := range r.Columns {
		if !strings.HasPrefix(m, prefix) {
			continue
		}
		n := r.Total.Cells[j]
		y := len(c.Bars) * barStep
		b := bar{Label: w.Column(m), Hidden: n.Hidden, LabelY: y + 13, BarY: y + 18, ValueY: y + 30}
		b.Value = w.Count(n)
		if !n.Hidden {
			if !fin.Hidden && fin.N > 0 {
				b.Value = w.s("chart.value", "n", strconv.Itoa(n.N), "pct", strconv.Itoa((n.N*100+fin.N/2)/fin.N))
			}
			if largest > 0 {
				b.W = max(1, n.N*barMax/largest)
			}
			b.ValueX = b.W + 5
		}
		b.Title = w.s("chart.bar", "label", b.Label, "value", b.Value)
		c.Bars = append(c.Bars, b)
	}
	c.Height = len(c.Bars)*barStep - 4
	return c
}

// tableOf lays rows out under the column groups.
func tableOf(w Words, r *Report, id, title, head string, rows []Row, label func(string) string) table {
	t := table{ID: id, Title: title, Head: head}
	groupOf := func(m string) string {
		switch {
		case strings.HasPrefix(m, flows.MetricProfile):
			return "group.profiles"
		case strings.HasPrefix(m, flows.MetricNeed):
			return "group.needs"
		case strings.HasPrefix(m, "ref."):
			return "group.referrals"
		}
		return "group.conversations"
	}
	last := ""
	for _, m := range r.Columns {
		if g := groupOf(m); g != last {
			t.Groups = append(t.Groups, group{Label: w.s(g)})
			last = g
		}
		t.Groups[len(t.Groups)-1].Span++
		t.Cols = append(t.Cols, w.Column(m))
	}
	// The median closes the referrals' group.
	t.Groups[len(t.Groups)-1].Span++
	t.Cols = append(t.Cols, w.s("col.median"))
	line := func(lab string, x Row) trow {
		tr := trow{Label: lab, Cells: make([]tcell, 0, len(x.Cells)+1)}
		for _, c := range x.Cells {
			tr.Cells = append(tr.Cells, tcellOf(w, c))
		}
		tr.Cells = append(tr.Cells, tcell{Text: w.Median(x.Median), Hidden: x.Median.Hidden})
		return tr
	}
	for _, x := range rows {
		t.Rows = append(t.Rows, line(label(x.Label), x))
	}
	t.Total = line(w.s("total"), r.Total)
	return t
}
