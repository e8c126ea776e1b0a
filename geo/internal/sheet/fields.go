package sheet

import (
	"slices"
	"strings"
)

// SplitList splits a "|" list, trimmed, without empty or repeated values.
func SplitList(s string) []string {
	var out []string
	for part := range strings.SplitSeq(s, "|") {
		if part = strings.TrimSpace(part); part != "" && !slices.Contains(out, part) {
			out = append(out, part)
		}
	}
	return out
}

// Required is v[col], an error when it is empty.
func Required(rc *Check, v map[string]string, col string) string {
	s := v[col]
	if s == "" {
		rc.Errf(col, "required")
	}
	return s
}

// JoinNonEmpty joins the parts that are not blank.
func JoinNonEmpty(sep string, parts ...string) string {
	var out []string
	for _, p := range parts {
		if p = strings.TrimSpace(p); p != "" {
			out = append(out, p)
		}
	}
	return strings.Join(out, sep)
}

// Phone validates a number and returns its usual spaced display form
// (docs/diagnostic.md F.9): "04 50 56 87 49", "02 555 12 34", "0470 12 34 56".
// The standard wants "+33…" without spaces; we also accept national forms
// because the France services list and Belgian networks use them. country
// is "BE" or "FR".
func Phone(rc *Check, col, s, country string) string {
	if s == "" {
		return ""
	}
	var b strings.Builder
	for i, r := range s {
		switch {
		case r >= '0' && r <= '9':
			b.WriteRune(r)
		case r == '+' && i == 0:
			b.WriteRune(r)
		case r == ' ' || r == '.' || r == '/' || r == '-' || r == '(' || r == ')':
		default:
			rc.Warnf(col, "%q is not a phone number; dropped", s)
			return ""
		}
	}
	n, c := b.String(), country
	if strings.HasPrefix(n, "00") {
		n = "+" + n[2:]
	}
	switch {
	case strings.HasPrefix(n, "+33") && len(n) == 12:
		n, c = "0"+n[3:], "FR"
	case strings.HasPrefix(n, "+32") && (len(n) == 11 || len(n) == 12):
		n, c = "0"+n[3:], "BE"
	case strings.HasPrefix(n, "+") && len(n) >= 9 && len(n) <= 13:
		return n // overseas France prefixes (+590, +262…): keep as given
	}
	switch {
	case c == "FR" && len(n) == 10 && n[0] == '0':
		return n[0:2] + " " + n[2:4] + " " + n[4:6] + " " + n[6:8] + " " + n[8:10]
	case c == "BE" && len(n) == 10 && n[0] == '0' && n[1] == '4':
		return n[0:4] + " " + n[4:6] + " " + n[6:8] + " " + n[8:10]
	case c == "BE" && len(n) == 9 && n[0] == '0':
		if strings.ContainsRune("2349", rune(n[1])) {
			return n[0:2] + " " + n[2:5] + " " + n[5:7] + " " + n[7:9]
		}
		return n[0:3] + " " + n[3:5] + " " + n[5:7] + " " + n[7:9]
	}
	rc.Warnf(col, "%q is not a %s phone number; dropped", s, c)
	return ""
}

func validEmail(s string) bool {
	local, domain, ok := strings.Cut(s, "@")
	return ok && local != "" && strings.Contains(domain, ".") && !strings.ContainsAny(s, " ,;<>\"") &&
		!strings.Contains(domain, "@") && !strings.HasPrefix(domain, ".") && !strings.HasSuffix(domain, ".")
}

// FirstEmail keeps the first valid address of a list; the France services
// list separates them with " - ", the standard with "|".
func FirstEmail(rc *Check, col, s string) string {
	if s == "" {
		return ""
	}
	for _, part := range strings.FieldsFunc(s, func(r rune) bool { return r == '|' || r == ';' || r == ',' }) {
		for _, e := range strings.Split(part, " - ") {
			if e = strings.TrimSpace(e); validEmail(e) {
				return e
			}
		}
	}
	rc.Warnf(col, "%q is not an e-mail address; dropped", s)
	return ""
}

// FirstURL keeps the first http(s) URL of a list.
func FirstURL(rc *Check, col, s string) string {
	for _, u := range SplitList(s) {
		if (strings.HasPrefix(u, "https://") || strings.HasPrefix(u, "http://")) && !strings.ContainsAny(u, " \t") {
			return u
		}
		rc.Warnf(col, "%q is not an http(s) URL; dropped", u)
	}
	return ""
}
