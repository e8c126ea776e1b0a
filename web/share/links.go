package share

import (
	"errors"
	"net/url"
	"regexp"
	"strings"

	"github.com/secours/secours/flows"
)

// Errors of the settings a structure's links are built from. They name
// what is wrong, never the value: the caller knows which flag it read.
var (
	ErrUsername = errors.New("share: a Telegram bot username is 5 to 32 letters, digits or _")
	ErrNumber   = errors.New("share: a WhatsApp number is + and the country code, then 8 to 15 digits in all")
)

// Lang is a poster's language: French, Dutch, or both side by side (a
// Brussels counter serves both).
type Lang string

// The poster languages.
const (
	FR   Lang = "fr"
	NL   Lang = "nl"
	Both Lang = "both"
)

// ParseLang reads "fr", "nl" or "both", as -lang and ?lang= give them.
func ParseLang(s string) (Lang, bool) {
	switch l := Lang(strings.ToLower(strings.TrimSpace(s))); l {
	case FR, NL, Both:
		return l, true
	}
	return "", false
}

// langs lists the catalogue languages a poster shows, in column order.
func (l Lang) langs() []Lang {
	switch l {
	case NL:
		return []Lang{NL}
	case Both:
		return []Lang{FR, NL}
	}
	return []Lang{FR}
}

// Links are a structure's share links. A link is empty when its channel
// is not configured.
type Links struct {
	// Code is flows.ShareCode of the place: what the bot reads back.
	Code string
	// Telegram is https://t.me/<bot>?start=<code>: Telegram sends the
	// code to the bot as "/start <code>" when the person taps Start.
	Telegram string
	// WhatsApp is https://wa.me/<number>?text=<greeting with the code>:
	// WhatsApp has no start parameter, so the link fills in a first
	// message, and the bot finds the code anywhere in it.
	WhatsApp string
}

var usernameRE = regexp.MustCompile(`^[A-Za-z0-9_]{5,32}$`)

// Username checks a Telegram bot username as people write it
// ("@secours_bot" or "secours_bot") and returns it without the "@".
func Username(s string) (string, error) {
	u := strings.TrimPrefix(strings.TrimSpace(s), "@")
	if !usernameRE.MatchString(u) {
		return "", ErrUsername
	}
	return u, nil
}

// Number checks a WhatsApp number in international form ("+32 470 12 34
// 56", "0032 470/12.34.56", "32470123456") and returns its digits, as
// wa.me wants them ("32470123456"). A national form ("0470…") is refused:
// the country code cannot be guessed, and a wrong one opens a chat with a
// stranger.
func Number(s string) (string, error) {
	s = strings.TrimSpace(s)
	switch {
	case strings.HasPrefix(s, "+"):
		s = s[1:]
	case strings.HasPrefix(s, "00"):
		s = s[2:]
	}
	var b strings.Builder
	for _, r := range s {
		switch {
		case r >= '0' && r <= '9':
			b.WriteRune(r)
		case r == ' ' || r == '.' || r == '-' || r == '/' || r == '(' || r == ')' || r == '\u00a0':
		default:
			return "", ErrNumber
		}
	}
	d := b.String()
	// E.164: at most 15 digits, and no country code starts with 0.
	if len(d) < 8 || len(d) > 15 || d[0] == '0' {
		return "", ErrNumber
	}
	return d, nil
}

// For returns the share links of a place for the bot's Telegram username
// and WhatsApp number (either may be empty; an invalid one gives no link:
// check them once at start-up with Username and Number). lang picks the
// words of the WhatsApp greeting; Both takes the French one, which Dutch
// speakers in Brussels read as easily.
func (k *Kit) For(placeID, telegramUsername, whatsappNumber string, lang Lang) Links {
	l := Links{Code: flows.ShareCode(placeID)}
	if u, err := Username(telegramUsername); err == nil {
		l.Telegram = "https://t.me/" + u + "?start=" + l.Code
	}
	if n, err := Number(whatsappNumber); err == nil {
		text := k.text(lang.langs()[0], "whatsapp.text", "code", l.Code)
		// QueryEscape writes a space as "+", which wa.me shows as is.
		l.WhatsApp = "https://wa.me/" + n + "?text=" + strings.ReplaceAll(url.QueryEscape(text), "+", "%20")
	}
	return l
}
