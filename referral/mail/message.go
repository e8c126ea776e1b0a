package mail

import (
	"bytes"
	"crypto/rand"
	"errors"
	"fmt"
	"io"
	"mime/multipart"
	"mime/quotedprintable"
	"net/mail"
	"net/textproto"
	"strings"
	"time"
	"unicode/utf8"
)

// ErrInvalidMessage is wrapped by every error about a Message itself (a
// line break in a header, a bad address, no text). Sending it again
// cannot help, so Permanent reports it as permanent.
var ErrInvalidMessage = errors.New("mail: invalid message")

// Message is one e-mail. From, To and Text are required; HTML is
// optional, since the plain text must stand alone for help structures
// that read mail as text.
type Message struct {
	From    string // "Secours <secours@example.org>" or a bare address
	To      string // one address
	Subject string
	Text    string // plain text, UTF-8
	HTML    string // "": a text/plain message only
	// ID is the Message-ID: a local part ("referral-42") completed with
	// the sender's domain, or a full "left@right". A caller that retries
	// should set it, so that the recipient's mail system can tell a
	// resend from a new mail. Empty: a random one.
	ID      string
	Date    time.Time // zero: now
	ReplyTo string    // "": none
}

// Bytes returns the message as sent over SMTP: RFC 5322 headers and body
// with CRLF line endings, multipart/alternative when HTML is set. Every
// part is quoted-printable, so the whole message is 7-bit and needs
// neither 8BITMIME nor SMTPUTF8 from the relay.
func (m Message) Bytes() ([]byte, error) {
	for _, h := range []struct{ name, v string }{
		{"From", m.From}, {"To", m.To}, {"Subject", m.Subject}, {"Reply-To", m.ReplyTo}, {"Message-ID", m.ID},
	} {
		// A line break in a header would let the text add headers (a Bcc)
		// or start the body early; NUL is refused by many relays.
		if strings.ContainsAny(h.v, "\r\n\x00") {
			return nil, fmt.Errorf("%w: line break in %s", ErrInvalidMessage, h.name)
		}
	}
	from, err := parseAddress("From", m.From)
	if err != nil {
		return nil, err
	}
	to, err := parseAddress("To", m.To)
	if err != nil {
		return nil, err
	}
	var replyTo *mail.Address
	if m.ReplyTo != "" {
		if replyTo, err = parseAddress("Reply-To", m.ReplyTo); err != nil {
			return nil, err
		}
	}
	if m.Text == "" {
		return nil, fmt.Errorf("%w: no text", ErrInvalidMessage)
	}
	id, err := messageID(m.ID, from.Address)
	if err != nil {
		return nil, err
	}
	date := m.Date
	if date.IsZero() {
		date = time.Now()
	}

	var b bytes.Buffer
	header := func(name, v string) { b.WriteString(name + ": " + v + "\r\n") }
	header("Date", date.Format(time.RFC1123Z))
	header("From", from.String())
	header("To", to.String())
	if replyTo != nil {
		header("Reply-To", replyTo.String())
	}
	header("Subject", encodeSubject(m.Subject))
	header("Message-ID", "<"+id+">")
	header("MIME-Version", "1.0")
	// RFC 3834: tells the recipient's system not to send vacation
	// replies back to an address nobody reads.
	header("Auto-Submitted", "auto-generated")

	if m.HTML == "" {
		header("Content-Type", "text/plain; charset=utf-8")
		header("Content-Transfer-Encoding", "quoted-printable")
		b.WriteString("\r\n")
		if err := writeQP(&b, m.Text); err != nil {
			return nil, err
		}
		return b.Bytes(), nil
	}

	var body bytes.Buffer
	mw := multipart.NewWriter(&body)
	// The text part first: RFC 2046 orders alternatives from the plainest
	// to the richest, and readers show the last one they understand.
	for _, p := range []struct{ ctype, s string }{{"text/plain", m.Text}, {"text/html", m.HTML}} {
		w, err := mw.CreatePart(textproto.MIMEHeader{
			"Content-Type":              {p.ctype + "; charset=utf-8"},
			"Content-Transfer-Encoding": {"quoted-printable"},
		})
		if err != nil {
			return nil, fmt.Errorf("mail: %w", err)
		}
		if err := writeQP(w, p.s); err != nil {
			return nil, err
		}
	}
	if err := mw.Close(); err != nil {
		return nil, fmt.Errorf("mail: %w", err)
	}
	// Folded: the boundary alone is 60 characters. It is hex, so it
	// needs no quotes.
	header("Content-Type", "multipart/alternative;\r\n boundary="+mw.Boundary())
	b.WriteString("\r\n")
	b.Write(body.Bytes())
	return b.Bytes(), nil
}

// parseAddress checks one address header. Only ASCII addresses pass: we
// send neither SMTPUTF8 nor IDNA, and a relay would refuse them late.
func parseAddress(name, s string) (*mail.Address, error) {
	if s == "" {
		return nil, fmt.Errorf("%w: no %s address", ErrInvalidMessage, name)
	}
	a, err := mail.ParseAddress(s)
	if err != nil {
		// net/mail's error can quote the address, and errors get logged.
		return nil, fmt.Errorf("%w: %s address is malformed", ErrInvalidMessage, name)
	}
	if !isASCII(a.Address) {
		return nil, fmt.Errorf("%w: %s address is not ASCII", ErrInvalidMessage, name)
	}
	return a, nil
}

// messageID returns the Message-ID without its angle brackets: id as
// given when it is full, completed with the sender's domain when it is a
// local part, random when empty.
func messageID(id, from string) (string, error) {
	id = strings.TrimSuffix(strings.TrimPrefix(id, "<"), ">")
	if id == "" {
		id = newID()
	}
	left, right, full := strings.Cut(id, "@")
	if !full {
		right = from[strings.LastIndexByte(from, '@')+1:]
		if !isDotAtom(right) {
			// A domain literal ("[192.0.2.1]") is a valid address but not a
			// valid id-right in dot-atom form.
			right = "localhost"
		}
	}
	if !isDotAtom(left) || !isDotAtom(right) {
		return "", fmt.Errorf("%w: malformed Message-ID", ErrInvalidMessage)
	}
	return left + "@" + right, nil
}

// newID is a random Message-ID local part, also used for Outbox file
// names: base32, so safe in both.
func newID() string { return strings.ToLower(rand.Text()) }

// encodeSubject returns s as RFC 2047 Q-encoded words when it is not
// plain ASCII. mime.QEncoding would do, but its words run to 75
// characters, which passes the 78 columns RFC 5322 asks for once
// "Subject: " precedes the first; so the words are cut shorter here, at
// rune boundaries, one to a line. Decoders drop the folding between
// encoded words. ASCII that looks like an encoded word is encoded too, or
// a reader would decode text that was never encoded.
func encodeSubject(s string) string {
	if isASCII(s) && !strings.Contains(s, "=?") {
		return s
	}
	const (
		open = "=?utf-8?q?"
		end  = "?="
		max  = 78 - len("Subject: ")
	)
	var out, word strings.Builder
	word.WriteString(open)
	var buf [utf8.UTFMax]byte
	for _, r := range s { // invalid UTF-8 becomes U+FFFD
		var enc strings.Builder
		for _, c := range utf8.AppendRune(buf[:0], r) {
			switch {
			case c == ' ':
				enc.WriteByte('_')
			case c > ' ' && c <= '~' && c != '=' && c != '?' && c != '_':
				enc.WriteByte(c)
			default:
				fmt.Fprintf(&enc, "=%02X", c)
			}
		}
		if word.Len()+enc.Len()+len(end) > max {
			out.WriteString(word.String() + end + "\r\n ")
			word.Reset()
			word.WriteString(open)
		}
		word.WriteString(enc.String())
	}
	out.WriteString(word.String() + end)
	return out.String()
}

// writeQP writes s quoted-printable. In text mode the encoder turns every
// line ending into CRLF, which is what the SMTP DATA wants.
func writeQP(w io.Writer, s string) error {
	qp := quotedprintable.NewWriter(w)
	if _, err := qp.Write([]byte(s)); err != nil {
		return fmt.Errorf("mail: %w", err)
	}
	if err := qp.Close(); err != nil {
		return fmt.Errorf("mail: %w", err)
	}
	return nil
}

func isASCII(s string) bool {
	for i := 0; i < len(s); i++ {
		if s[i] >= 0x80 {
			return false
		}
	}
	return true
}

// isDotAtom reports whether s is an RFC 5322 dot-atom-text: the form of
// both sides of a Message-ID.
func isDotAtom(s string) bool {
	if s == "" || s[0] == '.' || s[len(s)-1] == '.' || strings.Contains(s, "..") {
		return false
	}
	for i := 0; i < len(s); i++ {
		c := s[i]
		switch {
		case 'a' <= c && c <= 'z', 'A' <= c && c <= 'Z', '0' <= c && c <= '9':
		case strings.IndexByte("!#$%&'*+-/=?^_`{|}~.", c) >= 0:
		default:
			return false
		}
	}
	return true
}
