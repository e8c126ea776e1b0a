package sheet

import (
	"bytes"
	"encoding/csv"
	"errors"
	"fmt"
	"io"
	"strings"
	"unicode/utf8"
)

// Record is one CSV row and the line it starts on.
type Record struct {
	Line   int
	Fields []string
}

// ReadCSV reads every row it can; malformed rows become issues and the
// reading goes on.
func ReadCSV(file string, data []byte, comma rune, issues *[]Issue) (header []string, recs []Record) {
	data = bytes.TrimPrefix(data, []byte("\xef\xbb\xbf"))
	r := csv.NewReader(bytes.NewReader(data))
	r.Comma = comma
	r.FieldsPerRecord = -1
	first := true
	for {
		rec, err := r.Read()
		if err == io.EOF {
			break
		}
		if err != nil {
			var pe *csv.ParseError
			if errors.As(err, &pe) {
				*issues = append(*issues, Issue{File: file, Line: pe.Line, Msg: "malformed CSV: " + pe.Err.Error(), Key: "malformed CSV"})
				continue
			}
			*issues = append(*issues, Issue{File: file, Msg: "read: " + err.Error()})
			break
		}
		line, _ := r.FieldPos(0)
		if first {
			first = false
			header = make([]string, len(rec))
			for i, h := range rec {
				header[i] = strings.ToLower(strings.TrimSpace(h))
			}
			continue
		}
		if len(rec) == 1 && strings.TrimSpace(rec[0]) == "" {
			continue // blank line
		}
		recs = append(recs, Record{line, rec})
	}
	return header, recs
}

// Columns maps header names to positions and reports missing required
// ones on line 1. ok is false when a required column is missing.
func Columns(file string, header, required []string, issues *[]Issue) (map[string]int, bool) {
	cols := make(map[string]int, len(header))
	for i, h := range header {
		if _, dup := cols[h]; dup {
			*issues = append(*issues, Issue{File: file, Line: 1, Field: h, Msg: "duplicated column; the first one is used", Warning: true})
			continue
		}
		cols[h] = i
	}
	ok := true
	for _, c := range required {
		if _, has := cols[c]; !has {
			*issues = append(*issues, Issue{File: file, Line: 1, Field: c, Msg: "missing required column; no row of this file can be read"})
			ok = false
		}
	}
	return cols, ok
}

// RowValues turns a record into column → value, checking width and
// encoding. nil means the row is rejected (the issue is recorded).
func RowValues(rc *Check, header []string, rec Record) map[string]string {
	if len(rec.Fields) != len(header) {
		rc.Errf("", "has %d fields, the header has %d (a missing or extra column, or a stray comma)", len(rec.Fields), len(header))
		return nil
	}
	v := make(map[string]string, len(header))
	for i, h := range header {
		f := rec.Fields[i]
		if !utf8.ValidString(f) {
			rc.Errf(h, "not valid UTF-8: save the file as UTF-8 (it looks like Latin-1 or Windows-1252)")
			return nil
		}
		if _, dup := v[h]; !dup {
			v[h] = strings.TrimSpace(f)
		}
	}
	return v
}

// Lines yields the 1-based number and text of each non-empty line.
func Lines(data []byte) func(yield func(int, string) bool) {
	return func(yield func(int, string) bool) {
		text := strings.TrimPrefix(string(data), "\xef\xbb\xbf")
		n := 0
		for len(text) > 0 {
			var l string
			l, text, _ = strings.Cut(text, "\n")
			n++
			l = strings.TrimSuffix(l, "\r")
			if l == "" {
				continue
			}
			if !yield(n, l) {
				return
			}
		}
	}
}

// Body checks that the first line of data is header and yields the
// lines after it, as Lines does; the error names file and line 1.
func Body(file string, data []byte, header string) (func(yield func(int, string) bool), error) {
	for line, l := range Lines(data) {
		if line == 1 && l != header {
			return nil, fmt.Errorf("%s:1: header %q, want %q", file, l, header)
		}
		break
	}
	return func(yield func(int, string) bool) {
		for line, l := range Lines(data) {
			if line != 1 && !yield(line, l) {
				return
			}
		}
	}, nil
}

// Rows checks data's header as Body does, then calls row with each line
// after it, in order, split at its tabs, and stops at the first error: a
// line of other than n fields is one, naming file and line.
func Rows(file string, data []byte, header string, n int, row func(line int, f []string) error) error {
	body, err := Body(file, data, header)
	if err != nil {
		return err
	}
	for line, l := range body {
		f := strings.Split(l, "\t")
		if len(f) != n {
			return fmt.Errorf("%s:%d: %d fields, want %d", file, line, len(f), n)
		}
		if err := row(line, f); err != nil {
			return err
		}
	}
	return nil
}
