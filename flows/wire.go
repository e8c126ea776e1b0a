package flows

import (
	"encoding/json"
	"errors"
	"math"
	"strconv"
	"unicode/utf8"
)

// The session is decoded and encoded once a step; with encoding/json's
// reflection that was most of an in-memory step (decoding 40 %, encoding
// 17 %). appendWire and parseWire do the same for the one flat wire
// struct by hand. They change nothing of the stored form: appendWire
// writes json.Marshal's bytes exactly, and parseWire reads only the
// plain form appendWire writes, handing anything else (an escape, a null,
// an unknown or repeated key, odd spacing in numbers) to json.Unmarshal,
// so that every stored value still decodes as encoding/json decodes it.
// FuzzWireEncode and FuzzWireDecode hold both to that.

var errWireNaN = errors.New("encode session: coordinates are not finite")

// appendWire appends w as json.Marshal(w) would.
func appendWire(b []byte, w *wire) ([]byte, error) {
	b = append(b, `{"v":`...)
	b = strconv.AppendInt(b, int64(w.V), 10)
	b = appendKeyString(b, `,"c":`, w.Chat)
	b = append(b, `,"r":`...)
	b = strconv.AppendInt(b, w.Rev, 10)
	b = appendKeyString(b, `,"s":`, w.State)
	b = appendOmitString(b, `,"l":`, w.Lang)
	b = appendOmitString(b, `,"a":`, w.Answers)
	b = appendOmitString(b, `,"t":`, w.Trail)
	b = appendOmitString(b, `,"p":`, w.Paused)
	b = appendOmitString(b, `,"pc":`, w.Postcode)
	var err error
	if b, err = appendOmitFloat(b, `,"la":`, w.Lat); err != nil {
		return nil, err
	}
	if b, err = appendOmitFloat(b, `,"lo":`, w.Lon); err != nil {
		return nil, err
	}
	if len(w.Places) > 0 {
		b = append(b, `,"pl":[`...)
		for i, p := range w.Places {
			if i > 0 {
				b = append(b, ',')
			}
			b = appendJSONString(b, p)
		}
		b = append(b, ']')
	}
	b = appendOmitString(b, `,"d":`, w.Payload)
	b = appendOmitInt(b, `,"rt":`, int64(w.Retries))
	b = appendOmitString(b, `,"seen":`, w.Seen)
	b = append(b, `,"ct":`...)
	b = strconv.AppendInt(b, w.Created, 10)
	b = append(b, `,"ut":`...)
	b = strconv.AppendInt(b, w.Updated, 10)
	b = appendOmitInt(b, `,"cat":`, w.ConsentAt)
	b = appendOmitString(b, `,"cby":`, w.ConsentBy)
	b = appendOmitInt(b, `,"pk":`, int64(w.Pick))
	if w.CAidant {
		b = append(b, `,"ca":true`...)
	}
	b = appendOmitString(b, `,"ref":`, w.Ref)
	b = appendOmitString(b, `,"rpl":`, w.RefPlace)
	b = appendOmitString(b, `,"sb":`, w.SharedBy)
	b = appendOmitString(b, `,"ar":`, w.Area)
	return append(b, '}'), nil
}

func appendKeyString(b []byte, key, s string) []byte {
	return appendJSONString(append(b, key...), s)
}

func appendOmitString(b []byte, key, s string) []byte {
	if s == "" {
		return b
	}
	return appendKeyString(b, key, s)
}

func appendOmitInt(b []byte, key string, n int64) []byte {
	if n == 0 {
		return b
	}
	return strconv.AppendInt(append(b, key...), n, 10)
}

// appendOmitFloat writes f as encoding/json does: %f-like between 1e-6
// and 1e21, else exponent form without a leading zero in the exponent.
func appendOmitFloat(b []byte, key string, f float64) ([]byte, error) {
	if f == 0 {
		return b, nil
	}
	if math.IsNaN(f) || math.IsInf(f, 0) {
		return nil, errWireNaN
	}
	b = append(b, key...)
	format := byte('f')
	if abs := math.Abs(f); abs < 1e-6 || abs >= 1e21 {
		format = 'e'
	}
	b = strconv.AppendFloat(b, f, format, -1, 64)
	if format == 'e' {
		n := len(b)
		if n >= 4 && b[n-4] == 'e' && b[n-3] == '-' && b[n-2] == '0' {
			b[n-2] = b[n-1]
			b = b[:n-1]
		}
	}
	return b, nil
}

const hexDigits = "0123456789abcdef"

// appendJSONString quotes s as encoding/json does by default: HTML
// characters and U+2028/U+2029 escaped, invalid UTF-8 as U+FFFD.
func appendJSONString(b []byte, s string) []byte {
	b = append(b, '"')
	start := 0
	for i := 0; i < len(s); {
		c := s[i]
		if c < utf8.RuneSelf {
			if c >= 0x20 && c != '"' && c != '\\' && c != '<' && c != '>' && c != '&' {
				i++
				continue
			}
			b = append(b, s[start:i]...)
			switch c {
			case '"', '\\':
				b = append(b, '\\', c)
			case '\b':
				b = append(b, '\\', 'b')
			case '\f':
				b = append(b, '\\', 'f')
			case '\n':
				b = append(b, '\\', 'n')
			case '\r':
				b = append(b, '\\', 'r')
			case '\t':
				b = append(b, '\\', 't')
			default:
				b = append(b, '\\', 'u', '0', '0', hexDigits[c>>4], hexDigits[c&0xF])
			}
			i++
			start = i
			continue
		}
		r, size := utf8.DecodeRuneInString(s[i:])
		if r == utf8.RuneError && size == 1 {
			b = append(b, s[start:i]...)
			b = append(b, `\ufffd`...)
			i += size
			start = i
			continue
		}
		if r == '\u2028' || r == '\u2029' {
			b = append(b, s[start:i]...)
			b = append(b, '\\', 'u', '2', '0', '2', hexDigits[r&0xF])
			i += size
			start = i
			continue
		}
		i += size
	}
	b = append(b, s[start:]...)
	return append(b, '"')
}

// decodeWire fills w from data: the plain form by hand, anything else by
// encoding/json.
func decodeWire(data []byte, w *wire) error {
	if parseWire(data, w) {
		return nil
	}
	*w = wire{}
	return json.Unmarshal(data, w)
}

// wireParser reads the plain form of a wire value. Any byte it does not
// expect makes it give up (ok false): decodeWire then asks encoding/json.
type wireParser struct {
	data []byte
	str  string // data as one string: every field is a slice of it, one allocation in all
	i    int
	seen uint32 // keys read, to give up on a repeated one
}

// parseWire reports whether data was in the plain form, and then w holds
// it as json.Unmarshal would have filled a zero wire.
func parseWire(data []byte, w *wire) bool {
	p := wireParser{data: data, str: string(data)}
	p.space()
	if !p.byte('{') {
		return false
	}
	p.space()
	if p.byte('}') {
		return p.end()
	}
	for {
		key, ok := p.plainString()
		if !ok {
			return false
		}
		p.space()
		if !p.byte(':') {
			return false
		}
		p.space()
		if !p.field(key, w) {
			return false
		}
		p.space()
		if p.byte(',') {
			p.space()
			continue
		}
		if p.byte('}') {
			return p.end()
		}
		return false
	}
}

// wireKeys numbers the keys, for wireParser.seen.
var wireKeys = map[string]uint32{"v": 0, "c": 1, "r": 2, "s": 3, "l": 4, "a": 5, "t": 6, "p": 7, "pc": 8,
	"la": 9, "lo": 10, "pl": 11, "d": 12, "rt": 13, "seen": 14, "ct": 15, "ut": 16, "cat": 17, "cby": 18,
	"pk": 19, "ca": 20, "ref": 21, "rpl": 22, "sb": 23, "ar": 24}

func (p *wireParser) field(key string, w *wire) bool {
	n, known := wireKeys[key]
	if !known || p.seen&(1<<n) != 0 {
		return false // an unknown key (encoding/json skips it) or a repeated one
	}
	p.seen |= 1 << n
	var ok bool
	switch key {
	case "v":
		w.V, ok = p.int()
	case "c":
		w.Chat, ok = p.plainString()
	case "r":
		w.Rev, ok = p.int64()
	case "s":
		w.State, ok = p.plainString()
	case "l":
		w.Lang, ok = p.plainString()
	case "a":
		w.Answers, ok = p.plainString()
	case "t":
		w.Trail, ok = p.plainString()
	case "p":
		w.Paused, ok = p.plainString()
	case "pc":
		w.Postcode, ok = p.plainString()
	case "la":
		w.Lat, ok = p.float()
	case "lo":
		w.Lon, ok = p.float()
	case "pl":
		w.Places, ok = p.strings()
	case "d":
		w.Payload, ok = p.plainString()
	case "rt":
		w.Retries, ok = p.int()
	case "seen":
		w.Seen, ok = p.plainString()
	case "ct":
		w.Created, ok = p.int64()
	case "ut":
		w.Updated, ok = p.int64()
	case "cat":
		w.ConsentAt, ok = p.int64()
	case "cby":
		w.ConsentBy, ok = p.plainString()
	case "pk":
		w.Pick, ok = p.int()
	case "ca":
		w.CAidant, ok = p.bool()
	case "ref":
		w.Ref, ok = p.plainString()
	case "rpl":
		w.RefPlace, ok = p.plainString()
	case "sb":
		w.SharedBy, ok = p.plainString()
	case "ar":
		w.Area, ok = p.plainString()
	}
	return ok
}

func (p *wireParser) space() {
	for p.i < len(p.data) {
		switch p.data[p.i] {
		case ' ', '\t', '\n', '\r':
			p.i++
		default:
			return
		}
	}
}

func (p *wireParser) byte(c byte) bool {
	if p.i < len(p.data) && p.data[p.i] == c {
		p.i++
		return true
	}
	return false
}

func (p *wireParser) end() bool {
	p.space()
	return p.i == len(p.data)
}

// plainString reads a string with no escape, no control character and
// valid UTF-8: what encoding/json reads as the same bytes.
func (p *wireParser) plainString() (string, bool) {
	if !p.byte('"') {
		return "", false
	}
	start := p.i
	for p.i < len(p.data) {
		c := p.data[p.i]
		switch {
		case c == '"':
			s := p.str[start:p.i]
			p.i++
			if !utf8.ValidString(s) {
				return "", false
			}
			return s, true
		case c == '\\' || c < 0x20:
			return "", false
		}
		p.i++
	}
	return "", false
}

func (p *wireParser) strings() ([]string, bool) {
	if !p.byte('[') {
		return nil, false
	}
	p.space()
	var out []string
	if p.byte(']') {
		return []string{}, true // encoding/json: an empty, non-nil slice
	}
	for {
		s, ok := p.plainString()
		if !ok {
			return nil, false
		}
		out = append(out, s)
		p.space()
		if p.byte(',') {
			p.space()
			continue
		}
		return out, p.byte(']')
	}
}

// number returns the next JSON number's text, strictly by the grammar
// (-?(0|[1-9][0-9]*)(\.[0-9]+)?([eE][+-]?[0-9]+)?); intOnly refuses a
// fraction or exponent, which encoding/json refuses for an int field.
func (p *wireParser) number(intOnly bool) (string, bool) {
	start := p.i
	p.byte('-')
	if p.byte('0') {
		// no more digits after a leading zero
	} else if !p.digits() {
		return "", false
	}
	if p.i < len(p.data) && (p.data[p.i] == '.' || p.data[p.i] == 'e' || p.data[p.i] == 'E') {
		if intOnly {
			return "", false
		}
		if p.byte('.') && !p.digits() {
			return "", false
		}
		if p.byte('e') || p.byte('E') {
			if !p.byte('+') {
				p.byte('-')
			}
			if !p.digits() {
				return "", false
			}
		}
	}
	if p.i < len(p.data) && p.data[p.i] >= '0' && p.data[p.i] <= '9' {
		return "", false // "01"
	}
	return string(p.data[start:p.i]), true
}

func (p *wireParser) digits() bool {
	start := p.i
	for p.i < len(p.data) && p.data[p.i] >= '0' && p.data[p.i] <= '9' {
		p.i++
	}
	return p.i > start
}

func (p *wireParser) int64() (int64, bool) {
	s, ok := p.number(true)
	if !ok {
		return 0, false
	}
	n, err := strconv.ParseInt(s, 10, 64)
	return n, err == nil
}

func (p *wireParser) int() (int, bool) {
	s, ok := p.number(true)
	if !ok {
		return 0, false
	}
	n, err := strconv.ParseInt(s, 10, strconv.IntSize)
	return int(n), err == nil
}

func (p *wireParser) float() (float64, bool) {
	s, ok := p.number(false)
	if !ok {
		return 0, false
	}
	f, err := strconv.ParseFloat(s, 64)
	return f, err == nil
}

func (p *wireParser) bool() (bool, bool) {
	switch {
	case len(p.data)-p.i >= 4 && string(p.data[p.i:p.i+4]) == "true":
		p.i += 4
		return true, true
	case len(p.data)-p.i >= 5 && string(p.data[p.i:p.i+5]) == "false":
		p.i += 5
		return false, true
	}
	return false, false
}
