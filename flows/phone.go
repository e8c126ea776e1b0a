package flows

import "strings"

// NormalizePhone reads a Belgian or French phone number as people type it
// ("0470 12 34 56", "+32 470/12.34.56", "06 12 34 56 78", "0033 6…") and
// returns it in E.164 form ("+32470123456"). country ("BE", "FR") decides
// the national forms that both countries use: "04 xx xx xx xx" is a Belgian
// mobile and a French landline. Numbers a person cannot be called back on
// (free, premium and shared-cost lines) are refused.
func NormalizePhone(input, country string) (string, bool) {
	if len(input) > 40 {
		return "", false
	}
	var b strings.Builder
	for i, r := range input {
		switch {
		case r >= '0' && r <= '9':
			b.WriteRune(r)
		case r == '+' && b.Len() == 0 && strings.TrimSpace(input[:i]) == "":
			b.WriteRune(r)
		case r == ' ' || r == '.' || r == '-' || r == '/' || r == '(' || r == ')' || r == '\u00a0':
		default:
			return "", false
		}
	}
	d := b.String()
	switch {
	case strings.HasPrefix(d, "+32"):
		return belgian(d[3:])
	case strings.HasPrefix(d, "0032"):
		return belgian(d[4:])
	case strings.HasPrefix(d, "+33"):
		return french(d[3:])
	case strings.HasPrefix(d, "0033"):
		return french(d[4:])
	case strings.HasPrefix(d, "0") && !strings.HasPrefix(d, "00"):
		national := d[1:]
		be, beOK := belgian(national)
		fr, frOK := french(national)
		switch {
		case beOK && frOK:
			if country == "FR" {
				return fr, true
			}
			return be, true
		case beOK:
			return be, true
		case frOK:
			return fr, true
		}
	}
	return "", false
}

// belgian checks a number after the country code: 8 digits for a fixed
// line, 9 for a mobile (46–49).
func belgian(n string) (string, bool) {
	n = strings.TrimPrefix(n, "0") // "+32 (0)470…"
	switch {
	case len(n) == 9 && n[0] == '4' && n[1] >= '6':
	case len(n) == 8 && n[0] != '0' && n[0] != '4' &&
		!strings.HasPrefix(n, "800") && !strings.HasPrefix(n, "90") &&
		!strings.HasPrefix(n, "70") && !strings.HasPrefix(n, "78"):
	default:
		return "", false
	}
	return "+32" + n, true
}

// french checks a number after the country code: 9 digits, not 0 and not 8
// (special-rate numbers).
func french(n string) (string, bool) {
	n = strings.TrimPrefix(n, "0")
	if len(n) != 9 || n[0] == '0' || n[0] == '8' {
		return "", false
	}
	return "+33" + n, true
}

// FormatPhone writes an E.164 number from NormalizePhone in the national
// form people read and dial at home (docs/diagnostic.md F.9): "0470 12 34
// 56" (a Belgian mobile), "02 123 45 67" (Brussels, Antwerp, Liège, Ghent:
// one-digit zones), "081 23 45 67", "06 12 34 56 78". Anything else is
// returned as given: nothing is guessed.
func FormatPhone(e164 string) string {
	var n string
	switch {
	case strings.HasPrefix(e164, "+32"), strings.HasPrefix(e164, "+33"):
		n = "0" + e164[3:]
	default:
		return e164
	}
	for i := 1; i < len(n); i++ {
		if n[i] < '0' || n[i] > '9' {
			return e164
		}
	}
	var groups []int // the lengths of the spaced groups
	switch {
	case e164[:3] == "+33" && len(n) == 10:
		groups = []int{2, 2, 2, 2, 2}
	case e164[:3] == "+32" && len(n) == 10 && n[1] == '4':
		groups = []int{4, 2, 2, 2}
	case e164[:3] == "+32" && len(n) == 9 && strings.IndexByte("2349", n[1]) >= 0:
		groups = []int{2, 3, 2, 2}
	case e164[:3] == "+32" && len(n) == 9:
		groups = []int{3, 2, 2, 2}
	default:
		return e164
	}
	parts := make([]string, 0, len(groups))
	for _, g := range groups {
		parts = append(parts, n[:g])
		n = n[g:]
	}
	return strings.Join(parts, " ")
}
