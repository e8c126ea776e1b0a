package flows

import (
	"strings"
)

// Sensitive-number guard (docs/diagnostic.md F.6). Secours never asks for a
// national register number, a card number, an IBAN or a code. When a person
// types something shaped like one, the text is neither parsed nor stored and
// the person is told to keep it to themselves. Valid numbers (checksums
// pass) and mere look-alikes get the same reply; the kind is only counted.

// sensitiveKind names what the text looks like, for logs and metrics.
type sensitiveKind string

const (
	sensNone    sensitiveKind = ""
	sensPattern sensitiveKind = "pattern" // shaped like one, checksum fails
	sensValid   sensitiveKind = "valid"   // a real number: NISS, NIR, card, IBAN
)

// sensitive classifies text. postcodeOK tells that 4- and 5-digit numbers
// are expected (the location step), so they are not codes there.
func sensitive(text string, postcodeOK bool) sensitiveKind {
	if iban := compactAlnum(text); len(iban) >= 15 && len(iban) <= 34 && isLetter(iban[0]) && isLetter(iban[1]) && isDigit(iban[2]) && isDigit(iban[3]) {
		if ibanValid(iban) {
			return sensValid
		}
		if strings.HasPrefix(iban, "BE") || strings.HasPrefix(iban, "FR") {
			return sensPattern
		}
	}
	digits, others := 0, 0
	var d []byte
	for i := 0; i < len(text); i++ {
		c := text[i]
		switch {
		case isDigit(c):
			digits++
			d = append(d, c)
		case c == ' ' || c == '.' || c == '-' || c == '/':
		default:
			others++
		}
	}
	// French NIR carries 2A/2B for Corsica: let one letter in.
	if others > 1 || digits == 0 {
		return sensNone
	}
	switch {
	case digits >= 9:
		if nissValid(d) || nirValid(d) || luhnValid(d) {
			return sensValid
		}
		return sensPattern
	case digits >= 4 && others == 0:
		// A bare 4–8 digit number outside the postcode step looks like a
		// PIN or a one-time code.
		if postcodeOK && digits <= 5 {
			return sensNone
		}
		return sensPattern
	}
	return sensNone
}

func isDigit(c byte) bool  { return c >= '0' && c <= '9' }
func isLetter(c byte) bool { return c >= 'A' && c <= 'Z' }

func compactAlnum(s string) string {
	var b []byte
	for i := 0; i < len(s); i++ {
		c := s[i]
		switch {
		case c == ' ' || c == '-':
		case c >= 'a' && c <= 'z':
			b = append(b, c-'a'+'A')
		case isDigit(c) || isLetter(c):
			b = append(b, c)
		default:
			return ""
		}
	}
	return string(b)
}

// mod97 computes n mod 97 for a decimal string of any length.
func mod97(d []byte) int {
	r := 0
	for _, c := range d {
		r = (r*10 + int(c-'0')) % 97
	}
	return r
}

// nissValid checks a Belgian national register number: 97 − (first 9
// digits mod 97), or the same with a leading 2 for people born from 2000.
func nissValid(d []byte) bool {
	if len(d) != 11 {
		return false
	}
	check := int(d[9]-'0')*10 + int(d[10]-'0')
	if 97-mod97(d[:9]) == check {
		return true
	}
	return 97-mod97(append([]byte{'2'}, d[:9]...)) == check
}

// nirValid checks a French social-security number: 13 digits and a key of
// 97 − (number mod 97). Corsican 2A/2B is not handled: the letter already
// made it a look-alike.
func nirValid(d []byte) bool {
	if len(d) != 15 || (d[0] != '1' && d[0] != '2') {
		return false
	}
	return 97-mod97(d[:13]) == int(d[13]-'0')*10+int(d[14]-'0')
}

// luhnValid checks a payment card number (13–19 digits).
func luhnValid(d []byte) bool {
	if len(d) < 13 || len(d) > 19 {
		return false
	}
	sum := 0
	for i := range d {
		n := int(d[len(d)-1-i] - '0')
		if i%2 == 1 {
			n *= 2
			if n > 9 {
				n -= 9
			}
		}
		sum += n
	}
	return sum%10 == 0
}

// ibanValid checks the ISO 13616 mod-97 rule on a compact upper-case IBAN.
func ibanValid(s string) bool {
	rearranged := s[4:] + s[:4]
	var d []byte
	for i := 0; i < len(rearranged); i++ {
		c := rearranged[i]
		if isLetter(c) {
			n := int(c-'A') + 10
			d = append(d, byte('0'+n/10), byte('0'+n%10))
		} else {
			d = append(d, c)
		}
	}
	return mod97(d) == 1
}
