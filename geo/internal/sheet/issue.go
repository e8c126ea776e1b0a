// Package sheet reads the rows of place, postcode and commune files and
// checks their fields: what the runtime directory (geo, reading its
// shipped files) and the importer (geo/geoimport, reading every source
// format) share.
package sheet

import (
	"fmt"
	"strings"
)

// Issue is one problem found in a source file: a rejected row (an error)
// or a doubtful value that was dropped or kept as is (a warning).
type Issue struct {
	File    string
	Line    int    // 1-based; 0 for the whole file
	Field   string // column, or "" for the whole row
	Msg     string
	Warning bool // the row was kept
	// Key is the format the message was made from and Args its values as
	// text: what a reader translating the issue (the network pages'
	// catalogue) tells the kinds apart by, without parsing Msg.
	Key  string
	Args []string
}

// String is "file:line: field: message (row skipped)", the form editors
// and grep understand.
func (i Issue) String() string {
	var b strings.Builder
	b.WriteString(i.File)
	if i.Line > 0 {
		fmt.Fprintf(&b, ":%d", i.Line)
	}
	b.WriteString(": ")
	if i.Field != "" {
		b.WriteString(i.Field + ": ")
	}
	b.WriteString(i.Msg)
	if i.Warning {
		b.WriteString(" (warning)")
	} else if i.Line > 1 {
		b.WriteString(" (row skipped)")
	}
	return b.String()
}

// Check collects the issues of one row.
type Check struct {
	File     string
	Line     int
	Issues   *[]Issue
	Rejected bool
}

// Errf records an error: the row is rejected.
func (r *Check) Errf(field, format string, a ...any) {
	r.Rejected = true
	*r.Issues = append(*r.Issues, Issue{File: r.File, Line: r.Line, Field: field, Msg: fmt.Sprintf(format, a...),
		Key: format, Args: argStrings(a)})
}

func argStrings(a []any) []string {
	out := make([]string, len(a))
	for i, v := range a {
		out[i] = fmt.Sprint(v)
	}
	return out
}

// Warnf records a warning: the row is kept.
func (r *Check) Warnf(field, format string, a ...any) {
	*r.Issues = append(*r.Issues, Issue{File: r.File, Line: r.Line, Field: field, Msg: fmt.Sprintf(format, a...), Warning: true,
		Key: format, Args: argStrings(a)})
}

// ID checks that the row's id (in column col) is given and not already
// in ids, the ids of the file so far with their lines, and records it.
func (r *Check) ID(col, id string, ids map[string]int) {
	if id == "" {
		r.Errf(col, "required")
	} else if first, dup := ids[id]; dup {
		r.Errf(col, "duplicated id %q (first on line %d)", id, first)
	} else {
		ids[id] = r.Line
	}
}
