// Package redact hides the passwords of URLs in text that is printed:
// usages (whose flag defaults come from the environment), errors, logs.
// The secours command and the load tool share it.
package redact

import (
	"io"
	"net/url"
	"strings"
)

// redacted stands for a password we never print; url.URL.Redacted writes
// the same.
const redacted = "xxxxx"

// URLs returns s with the password of every URL in it replaced by
// "xxxxx": "redis://u:secret@h/0" becomes "redis://u:xxxxx@h/0". s may be
// one URL or a whole line of text (a usage, an error, a log record).
//
// Flag defaults come from the environment (REDIS_URL, WHATSAPP_DB), so
// "-h" and the usage after a typo would print them; a driver's error may
// quote the URL it failed on. A URL that does not parse (the very one a
// typo produces) loses everything between "://" and its last "@": better
// a host too few than a password shown.
func URLs(s string) string {
	if !strings.Contains(s, "://") {
		return s
	}
	var b strings.Builder
	for {
		i := strings.Index(s, "://")
		if i < 0 {
			b.WriteString(s)
			return b.String()
		}
		start := i
		for start > 0 && isSchemeByte(s[start-1]) {
			start--
		}
		end := i + len("://")
		for end < len(s) && !isURLEnd(s[end]) {
			end++
		}
		b.WriteString(s[:start])
		b.WriteString(redactOne(s[start:i], s[start:end]))
		s = s[end:]
	}
}

// redactOne redacts one URL, scheme://rest, cut out of a text.
func redactOne(scheme, raw string) string {
	rest := raw[len(scheme)+len("://"):]
	at := strings.LastIndexByte(rest, '@')
	if at < 0 {
		return raw // no user information: nothing to hide
	}
	if u, err := url.Parse(raw); err == nil {
		if _, ok := u.User.Password(); !ok {
			return raw // no password: the "@" is the user's or the query's
		}
		// Only the password goes: the host and the query (an SMTP
		// URL's from=…@…) still help whoever reads the line.
		return u.Redacted()
	}
	return scheme + "://" + redacted + rest[at:]
}

// isSchemeByte reports whether c may be part of a URL scheme (RFC 3986).
func isSchemeByte(c byte) bool {
	return 'a' <= c && c <= 'z' || 'A' <= c && c <= 'Z' || '0' <= c && c <= '9' || c == '+' || c == '-' || c == '.'
}

// isURLEnd reports whether c ends a URL quoted in a text: a space, or a
// quote as fmt's %q and the JSON logs write them.
func isURLEnd(c byte) bool {
	return c <= ' ' || strings.IndexByte("\"'`<>\\", c) >= 0
}

// Writer returns a writer that redacts URLs' passwords from everything
// written to w. All that a command prints on stderr (usages with their
// defaults, errors, log records) goes through one; each of those is
// written in one call, so a URL is never cut between two writes.
func Writer(w io.Writer) io.Writer { return writer{w} }

type writer struct{ w io.Writer }

func (r writer) Write(p []byte) (int, error) {
	s := string(p)
	if !strings.Contains(s, "://") {
		return r.w.Write(p)
	}
	if _, err := io.WriteString(r.w, URLs(s)); err != nil {
		return 0, err
	}
	return len(p), nil
}
