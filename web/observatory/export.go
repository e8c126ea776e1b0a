package observatory

import (
	"bufio"
	"encoding/csv"
	"fmt"
	"io"
	"strings"
	"unicode/utf8"
)

// WriteCSV writes r as a CSV file for a spreadsheet, in words' language:
// one line per area, per month, the total, then the conversations started
// per month and in all. Hidden counts are written "<5", as on the page.
//
// It is made for Excel as Belgian and French offices have it: UTF-8 with
// a byte order mark (or accents come out garbled), ";" between fields
// (the list separator of fr-BE, nl-BE and fr-FR, where "," is the decimal
// comma) and CRLF line ends. encoding/csv reads it back with Comma ';'.
func WriteCSV(w io.Writer, r Report, words Words) error {
	bw := bufio.NewWriter(w)
	bw.WriteString("\uFEFF")
	cw := csv.NewWriter(bw)
	cw.Comma = ';'
	cw.UseCRLF = true

	head := []string{words.s("csv.section"), words.s("csv.area"), words.s("csv.month"), words.s("csv.started")}
	for _, c := range r.Columns {
		head = append(head, words.Column(c))
	}
	head = append(head, words.s("csv.median"))
	cw.Write(head)

	period := r.Filter.From + "/" + r.Filter.To
	scope := words.s("filter.all")
	if r.Filter.Area != "" {
		scope = words.Area(r.Filter.Area)
	}
	row := func(section, area, month string, x Row) {
		rec := []string{section, cell(area), month, ""}
		for _, c := range x.Cells {
			rec = append(rec, c.String())
		}
		cw.Write(append(rec, exportMedian(x.Median, words)))
	}
	for _, a := range r.Areas {
		row(words.s("csv.section.area"), words.Area(a.Label), period, a)
	}
	for _, m := range r.Months {
		row(words.s("csv.section.month"), scope, m.Label, m)
	}
	row(words.s("csv.section.total"), scope, period, r.Total)
	started := func(month string, c Count) {
		rec := []string{words.s("csv.section.started"), cell(words.s("filter.all")), month, c.String()}
		cw.Write(append(rec, make([]string, len(r.Columns)+1)...))
	}
	for i, m := range r.Months {
		started(m.Label, r.Started[i])
	}
	started(period, r.StartedTotal)
	cw.Flush()
	if err := cw.Error(); err != nil {
		return fmt.Errorf("observatory csv: %w", err)
	}
	if err := bw.Flush(); err != nil {
		return fmt.Errorf("observatory csv: %w", err)
	}
	return nil
}

// exportMedian is a median as the exports write it: a hidden one is "<5",
// like the hidden counts beside it.
func exportMedian(m Median, words Words) string {
	if m.Hidden {
		return Count{Hidden: true}.String()
	}
	return words.Median(m)
}

// cell keeps a spreadsheet from reading a name as a formula ("=…",
// "+…", "-…", "@…"): area names come from a directory, not from users,
// but a file opened in Excel must not run anything.
func cell(s string) string {
	if s != "" && strings.ContainsRune("=+-@\t\r", rune(s[0])) {
		return "'" + s
	}
	return s
}

// WriteText writes r as aligned plain-text tables, in words' language:
// what "secours stats" prints. Hidden counts are written "<5".
func WriteText(w io.Writer, r Report, words Words) error {
	bw := bufio.NewWriter(w)
	scope := words.s("filter.all")
	if r.Filter.Area != "" {
		scope = words.Area(r.Filter.Area)
	}
	fmt.Fprintf(bw, "%s: %s\n%s\n", words.s("page.title"),
		words.s("period", "from", words.Month(r.Filter.From), "to", words.Month(r.Filter.To)), scope)

	if r.Empty() {
		msg := words.s("empty")
		if r.Filter.Area != "" {
			msg = words.s("empty.area")
		}
		fmt.Fprintf(bw, "\n%s\n", msg)
		return flush(bw)
	}
	fmt.Fprintf(bw, "\n%s\n", words.s("started.title"))
	var started [][]string
	for i, m := range r.Months {
		started = append(started, []string{words.Month(m.Label), r.Started[i].String()})
	}
	started = append(started, []string{words.s("total"), r.StartedTotal.String()})
	align(bw, started)

	head := func(first string) []string {
		h := []string{first}
		for _, c := range r.Columns {
			h = append(h, words.Column(c))
		}
		return append(h, words.s("col.median"))
	}
	line := func(label string, x Row) []string {
		l := []string{label}
		for _, c := range x.Cells {
			l = append(l, c.String())
		}
		return append(l, exportMedian(x.Median, words))
	}
	fmt.Fprintf(bw, "\n%s\n", words.s("table.areas"))
	rows := [][]string{head(words.s("head.area"))}
	for _, a := range r.Areas {
		rows = append(rows, line(words.Area(a.Label), a))
	}
	align(bw, append(rows, line(words.s("total"), r.Total)))

	fmt.Fprintf(bw, "\n%s\n", words.s("table.months"))
	rows = [][]string{head(words.s("head.month"))}
	for _, m := range r.Months {
		rows = append(rows, line(words.Month(m.Label), m))
	}
	align(bw, append(rows, line(words.s("total"), r.Total)))
	fmt.Fprintf(bw, "\n%s\n", words.s("note.suppression"))
	return flush(bw)
}

func flush(bw *bufio.Writer) error {
	if err := bw.Flush(); err != nil {
		return fmt.Errorf("observatory text: %w", err)
	}
	return nil
}

// align writes rows aligned: the first column to the left, the numbers
// to the right, two spaces apart.
func align(w io.Writer, rows [][]string) {
	var width []int
	for _, r := range rows {
		for i, c := range r {
			if i == len(width) {
				width = append(width, 0)
			}
			width[i] = max(width[i], utf8.RuneCountInString(c))
		}
	}
	var b strings.Builder
	for _, r := range rows {
		b.Reset()
		for i, c := range r {
			pad := strings.Repeat(" ", width[i]-utf8.RuneCountInString(c))
			if i == 0 {
				b.WriteString(c + pad)
			} else {
				b.WriteString("  " + pad + c)
			}
		}
		fmt.Fprintln(w, strings.TrimRight(b.String(), " "))
	}
}
