package network

import (
	"bytes"
	"slices"
	"strconv"
	"strings"
	"unicode/utf16"
	"unicode/utf8"

	"github.com/secours/secours/geo"
	"github.com/secours/secours/geo/geoimport"
)

// MaxFileBytes bounds an uploaded file: 10 MB is ten times the largest
// list a network keeps (the 2,683 France services are 1 MB). The page
// bounds the request body to it too.
const MaxFileBytes = 10 << 20

// checked is what reading a file gave: its places and its problems.
type checked struct {
	places []*geo.Place
	probs  []problem
}

func (c *checked) add(line int, field, kind string, blocking bool, args ...string) {
	c.probs = append(c.probs, problem{line: line, field: field, kind: kind, args: args, blocking: blocking})
}

// check reads a network's file against the base directory's postcodes.
// Every row that cannot be published is a blocking problem: a file is
// published whole or not at all.
func check(base *geo.Directory, network, file string, data []byte) checked {
	var c checked
	if len(data) > MaxFileBytes {
		c.add(0, "", "too_big", true, "max", strconv.Itoa(MaxFileBytes>>20))
		return c
	}
	data, ok := c.decode(data)
	if !ok {
		return c
	}
	if len(bytes.TrimSpace(data)) == 0 {
		c.add(0, "", "empty", true)
		return c
	}
	var rows []geo.Row
	var issues []geo.Issue
	if t := bytes.TrimLeft(data, " \t\r\n"); t[0] == '[' || t[0] == '{' {
		rows, issues = geoimport.JSONRows(file, data)
		if len(rows) > 0 {
			var header []string
			for k := range rows[0].Values {
				header = append(header, k)
			}
			slices.Sort(header)
			if !c.header(header, rows[0].Line) {
				return c
			}
		}
	} else {
		comma, ok := c.separator(data)
		if !ok {
			return c
		}
		var header []string
		header, rows, issues = geo.ReadStandardCSV(file, data, comma)
		if !c.header(header, 1) {
			return c
		}
	}
	for _, is := range issues {
		c.probs = append(c.probs, fromIssue(is, nil))
	}
	// Ids: a network's own, written with or without its prefix; any
	// other prefix names another network's place or the embedded
	// directory's.
	known := geo.StandardColumns()
	own := make([]geo.Row, 0, len(rows))
	byLine := make(map[int]map[string]string, len(rows))
	for _, r := range rows {
		id := r.Values["id"]
		if rest, ok := strings.CutPrefix(id, network+"/"); ok {
			id = rest
		}
		if strings.Contains(id, "/") {
			c.add(r.Line, "id", "other_owner", true, "value", r.Values["id"])
			continue
		}
		r.Values["id"] = id
		for k := range r.Values {
			if !slices.Contains(known, k) {
				delete(r.Values, k) // named by header; our import's columns are not a network's
			}
		}
		own = append(own, r)
		byLine[r.Line] = r.Values
	}
	places, issues := base.StandardPlaces(network, own)
	for _, is := range issues {
		c.probs = append(c.probs, fromIssue(is, byLine[is.Line]))
	}
	for _, p := range places {
		if bp, ok := base.Place(p.ID); ok && bp.Source != network {
			c.add(0, "id", "other_owner", true, "value", p.ID)
		}
	}
	c.places = places
	return c
}

// decode returns data as UTF-8: a BOM is dropped, UTF-16 and Windows-1252
// (Latin-1's superset, as Excel saves) are converted with a warning. A
// file that is none of them is refused.
func (c *checked) decode(data []byte) ([]byte, bool) {
	switch {
	case bytes.HasPrefix(data, []byte{0xEF, 0xBB, 0xBF}):
		data = data[3:]
	case bytes.HasPrefix(data, []byte{0xFF, 0xFE}), bytes.HasPrefix(data, []byte{0xFE, 0xFF}):
		out, ok := fromUTF16(data[2:], data[0] == 0xFE)
		if !ok {
			c.add(0, "", "encoding", true)
			return nil, false
		}
		c.add(0, "", "utf16", false)
		return out, true
	case len(data) >= 4 && (data[0] == 0) != (data[1] == 0):
		// No BOM but every other byte zero: UTF-16 of ASCII text.
		out, ok := fromUTF16(data, data[0] == 0)
		if !ok || !utf8.Valid(out) {
			c.add(0, "", "encoding", true)
			return nil, false
		}
		c.add(0, "", "utf16", false)
		return out, true
	}
	if utf8.Valid(data) {
		return data, true
	}
	out, ok := fromWindows1252(data)
	if !ok {
		c.add(0, "", "encoding", true)
		return nil, false
	}
	c.add(0, "", "latin1", false)
	return out, true
}

func fromUTF16(b []byte, bigEndian bool) ([]byte, bool) {
	if len(b)%2 != 0 {
		return nil, false
	}
	u := make([]uint16, len(b)/2)
	for i := range u {
		if bigEndian {
			u[i] = uint16(b[2*i])<<8 | uint16(b[2*i+1])
		} else {
			u[i] = uint16(b[2*i+1])<<8 | uint16(b[2*i])
		}
	}
	rs := utf16.Decode(u)
	if slices.Contains(rs, utf8.RuneError) || slices.Contains(rs, 0) {
		return nil, false
	}
	s := string(rs)
	return []byte(strings.TrimPrefix(s, "\ufeff")), true
}

// cp1252 is Windows-1252 from 0x80 to 0x9F; 0 marks the five bytes it
// leaves undefined, which no text of that encoding holds.
var cp1252 = [32]rune{'€', 0, '‚', 'ƒ', '„', '…', '†', '‡', 'ˆ', '‰', 'Š', '‹', 'Œ', 0, 'Ž', 0,
	0, '‘', '’', '“', '”', '•', '–', '—', '˜', '™', 'š', '›', 'œ', 0, 'ž', 'Ÿ'}

func fromWindows1252(b []byte) ([]byte, bool) {
	var out strings.Builder
	out.Grow(len(b) + len(b)/8)
	for _, c := range b {
		switch {
		case c < 0x80:
			out.WriteByte(c)
		case c < 0xA0:
			r := cp1252[c-0x80]
			if r == 0 {
				return nil, false
			}
			out.WriteRune(r)
		default:
			out.WriteRune(rune(c))
		}
	}
	return []byte(out.String()), true
}

// separator tells the CSV separator from the header line: "," or ";".
// A header of tabs, or of one column, is a wrong separator.
func (c *checked) separator(data []byte) (rune, bool) {
	first, _, _ := bytes.Cut(data, []byte("\n"))
	n := map[byte]int{}
	quoted := false
	for _, b := range first {
		if b == '"' {
			quoted = !quoted
		} else if !quoted {
			n[b]++
		}
	}
	switch {
	case n[','] == 0 && n[';'] == 0 && n['\t'] > 0:
		c.add(1, "", "sep_tab", true)
		return 0, false
	case n[','] == 0 && n[';'] == 0:
		c.add(1, "", "sep_none", true)
		return 0, false
	case n[';'] > n[',']:
		return ';', true
	}
	return ',', true
}

// header checks the columns: every required one, and a warning naming
// those the standard does not know. line is where the header is.
func (c *checked) header(header []string, line int) bool {
	known := geo.StandardColumns()
	seen := map[string]bool{}
	var unknown []string
	for _, h := range header {
		if seen[h] {
			c.add(line, h, "dup_column", false)
			continue
		}
		seen[h] = true
		if !slices.Contains(known, h) {
			unknown = append(unknown, h)
		}
	}
	ok := true
	for _, r := range geo.RequiredColumns() {
		if !seen[r] {
			c.add(line, r, "missing_column", true)
			ok = false
		}
	}
	if len(unknown) > 0 {
		c.add(line, "", "unknown_columns", false, "names", strings.Join(unknown, ", "))
	}
	return ok
}
