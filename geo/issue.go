package geo

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

// rowCheck collects the issues of one row.
type rowCheck struct {
	file     string
	line     int
	issues   *[]Issue
	rejected bool
}

func (r *rowCheck) errf(field, format string, a ...any) {
	r.rejected = true
	*r.issues = append(*r.issues, Issue{File: r.file, Line: r.line, Field: field, Msg: fmt.Sprintf(format, a...)})
}

func (r *rowCheck) warnf(field, format string, a ...any) {
	*r.issues = append(*r.issues, Issue{File: r.file, Line: r.line, Field: field, Msg: fmt.Sprintf(format, a...), Warning: true})
}
