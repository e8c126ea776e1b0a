package mail_test

import (
	"bytes"
	"errors"
	"io"
	"mime"
	"mime/multipart"
	"mime/quotedprintable"
	"net/mail"
	"strings"
	"testing"
	"time"

	secmail "github.com/secours/secours/referral/mail"
)

// sample is a referral with what tends to break mail: accents, a line
// that is a lone dot, one starting with a dot, trailing spaces, "=", a
// long line, and an address name with non-ASCII.
func sample() secmail.Message {
	return secmail.Message{
		From:    "Secours – Orientation <secours@example.org>",
		To:      "Accueil Été <accueil@structure.example>",
		Subject: "Orientation : une personne à accueillir à Liège",
		Text: "Bonjour,\n\nUne personne a été orientée vers votre structure.\n.\n.caché\nfin de ligne   \n" +
			"a=b et 100 % = ok\n" + strings.Repeat("très long ", 30) + "\nMerci — L'équipe",
		HTML:    "<p>Bonjour,</p>\n<p>Une personne a été orientée vers <b>votre structure</b>.</p>\n<p>Équipe</p>",
		ID:      "referral-42",
		Date:    time.Date(2025, 3, 14, 9, 26, 53, 0, time.FixedZone("CET", 3600)),
		ReplyTo: "equipe@example.org",
	}
}

// lf normalizes the line endings that quoted-printable decoding gives
// back (CRLF) to the input's.
func lf(b []byte) string { return strings.ReplaceAll(string(b), "\r\n", "\n") }

// read parses raw as a mail reader does, failing the test if it cannot.
func read(t *testing.T, raw []byte) *mail.Message {
	t.Helper()
	msg, err := mail.ReadMessage(bytes.NewReader(raw))
	if err != nil {
		t.Fatalf("ReadMessage: %v", err)
	}
	return msg
}

func TestBytesRoundTrip(t *testing.T) {
	in := sample()
	raw, err := in.Bytes()
	if err != nil {
		t.Fatalf("Bytes() error: %v", err)
	}
	checkLines(t, raw)
	msg := read(t, raw)
	h := msg.Header
	dec := new(mime.WordDecoder)
	if got, err := dec.DecodeHeader(h.Get("Subject")); err != nil || got != in.Subject {
		t.Errorf("Subject = %q (%v), want %q", got, err, in.Subject)
	}
	if got := h.Get("Subject"); got == in.Subject {
		t.Errorf("Subject sent unencoded: %q", got)
	}
	for _, c := range []struct{ header, name, addr string }{
		{"From", "Secours – Orientation", "secours@example.org"},
		{"To", "Accueil Été", "accueil@structure.example"},
		{"Reply-To", "", "equipe@example.org"},
	} {
		a, err := h.AddressList(c.header)
		if err != nil || len(a) != 1 || a[0].Name != c.name || a[0].Address != c.addr {
			t.Errorf("%s = %v (%v), want %q <%s>", c.header, a, err, c.name, c.addr)
		}
	}
	if d, err := h.Date(); err != nil || !d.Equal(in.Date) {
		t.Errorf("Date = %v (%v), want %v", d, err, in.Date)
	}
	for k, want := range map[string]string{
		"Message-Id":     "<referral-42@example.org>",
		"Mime-Version":   "1.0",
		"Auto-Submitted": "auto-generated",
	} {
		if got := h.Get(k); got != want {
			t.Errorf("%s = %q, want %q", k, got, want)
		}
	}

	mt, params, err := mime.ParseMediaType(h.Get("Content-Type"))
	if err != nil || mt != "multipart/alternative" {
		t.Fatalf("Content-Type = %q (%v), want multipart/alternative", h.Get("Content-Type"), err)
	}
	mr := multipart.NewReader(msg.Body, params["boundary"])
	for _, want := range []struct{ ctype, body string }{{"text/plain", in.Text}, {"text/html", in.HTML}} {
		// NextRawPart: NextPart would decode quoted-printable itself and
		// hide the Content-Transfer-Encoding this test checks.
		p, err := mr.NextRawPart()
		if err != nil {
			t.Fatalf("part %s: %v", want.ctype, err)
		}
		if ct, cp, _ := mime.ParseMediaType(p.Header.Get("Content-Type")); ct != want.ctype || cp["charset"] != "utf-8" {
			t.Errorf("part Content-Type = %q, want %s; charset=utf-8", p.Header.Get("Content-Type"), want.ctype)
		}
		if cte := p.Header.Get("Content-Transfer-Encoding"); cte != "quoted-printable" {
			t.Errorf("part %s Content-Transfer-Encoding = %q, want quoted-printable", want.ctype, cte)
		}
		body, err := io.ReadAll(quotedprintable.NewReader(p))
		if err != nil {
			t.Fatalf("part %s: decode: %v", want.ctype, err)
		}
		if got := lf(body); got != want.body {
			t.Errorf("part %s = %q, want %q", want.ctype, got, want.body)
		}
	}
	if _, err := mr.NextRawPart(); err != io.EOF {
		t.Errorf("after two parts: %v, want io.EOF", err)
	}
}

// checkLines checks what SMTP relays insist on: CRLF only, 7-bit, lines
// of at most 998 characters (78 for headers, as RFC 5322 asks).
func checkLines(t *testing.T, raw []byte) {
	t.Helper()
	if i := bytes.IndexFunc(raw, func(r rune) bool { return r >= 0x80 }); i >= 0 {
		t.Errorf("8-bit byte at %d", i)
	}
	head, _, _ := bytes.Cut(raw, []byte("\r\n\r\n"))
	for _, l := range bytes.Split(head, []byte("\r\n")) {
		if len(l) > 78 {
			t.Errorf("header line of %d characters: %q", len(l), l)
		}
	}
	for i, l := range bytes.Split(raw, []byte("\r\n")) {
		if bytes.ContainsAny(l, "\r\n") {
			t.Errorf("line %d has a bare CR or LF: %q", i, l)
		}
		if len(l) > 998 {
			t.Errorf("line %d has %d characters", i, len(l))
		}
	}
}

func TestBytesTextOnly(t *testing.T) {
	in := secmail.Message{From: "secours@example.org", To: "a@b.example", Subject: "Hello", Text: "Voilà\n"}
	raw, err := in.Bytes()
	if err != nil {
		t.Fatalf("Bytes() error: %v", err)
	}
	checkLines(t, raw)
	msg := read(t, raw)
	if got := msg.Header.Get("Content-Type"); got != "text/plain; charset=utf-8" {
		t.Errorf("Content-Type = %q, want text/plain; charset=utf-8", got)
	}
	if got := msg.Header.Get("Subject"); got != "Hello" {
		t.Errorf("ASCII Subject = %q, want it as is", got)
	}
	body, err := io.ReadAll(quotedprintable.NewReader(msg.Body))
	if err != nil || lf(body) != in.Text {
		t.Errorf("body = %q (%v), want %q", body, err, in.Text)
	}
	if d, err := msg.Header.Date(); err != nil || time.Since(d) > time.Minute {
		t.Errorf("zero Date gave %v (%v), want now", d, err)
	}
}

func TestBytesSubject(t *testing.T) {
	dec := new(mime.WordDecoder)
	for _, s := range []string{
		"plain ascii",
		"=?utf-8?q?not_really?=", // would be decoded by readers if sent raw
		"Déjà vu",
		strings.Repeat("Très longue orientation vers Molenbeek-Saint-Jean ", 6),
		"",
	} {
		raw, err := secmail.Message{From: "s@example.org", To: "a@b.example", Subject: s, Text: "x"}.Bytes()
		if err != nil {
			t.Fatalf("Subject %q: %v", s, err)
		}
		checkLines(t, raw)
		msg := read(t, raw)
		if got, err := dec.DecodeHeader(msg.Header.Get("Subject")); err != nil || got != s {
			t.Errorf("Subject %q decoded as %q (%v)", s, got, err)
		}
	}
}

func TestBytesMessageID(t *testing.T) {
	id := func(m secmail.Message) string {
		t.Helper()
		raw, err := m.Bytes()
		if err != nil {
			t.Fatalf("Bytes(ID %q): %v", m.ID, err)
		}
		msg := read(t, raw)
		return msg.Header.Get("Message-ID")
	}
	m := secmail.Message{From: "Secours <s@example.org>", To: "a@b.example", Text: "x"}
	for in, want := range map[string]string{
		"ref-1":                "<ref-1@example.org>",
		"ref-1@secours.local":  "<ref-1@secours.local>",
		"<ref-1@secours.test>": "<ref-1@secours.test>",
	} {
		m.ID = in
		if got := id(m); got != want {
			t.Errorf("ID %q: Message-ID = %q, want %q", in, got, want)
		}
	}
	m.ID = ""
	a, b := id(m), id(m)
	if a == b || !strings.HasSuffix(a, "@example.org>") {
		t.Errorf("empty ID gave %q then %q, want two random ids at example.org", a, b)
	}
}

func TestBytesRejects(t *testing.T) {
	ok := secmail.Message{From: "s@example.org", To: "a@b.example", Subject: "x", Text: "x"}
	for name, edit := range map[string]func(*secmail.Message){
		"CRLF in Subject":   func(m *secmail.Message) { m.Subject = "Hi\r\nBcc: victim@example.org" },
		"LF in Subject":     func(m *secmail.Message) { m.Subject = "Hi\nBcc: victim@example.org" },
		"CR in Subject":     func(m *secmail.Message) { m.Subject = "Hi\rX: y" },
		"LF in To":          func(m *secmail.Message) { m.To = "a@b.example\nBcc: victim@example.org" },
		"CRLF in From":      func(m *secmail.Message) { m.From = "s@example.org\r\nBcc: victim@example.org" },
		"LF in ReplyTo":     func(m *secmail.Message) { m.ReplyTo = "r@example.org\nX: y" },
		"LF in name":        func(m *secmail.Message) { m.To = "\"Evil\nBcc: v@example.org\" <a@b.example>" },
		"LF in ID":          func(m *secmail.Message) { m.ID = "a\nb" },
		"no To":             func(m *secmail.Message) { m.To = "" },
		"no From":           func(m *secmail.Message) { m.From = "" },
		"bad To":            func(m *secmail.Message) { m.To = "not an address" },
		"two To":            func(m *secmail.Message) { m.To = "a@b.example, c@d.example" },
		"bad ReplyTo":       func(m *secmail.Message) { m.ReplyTo = "@@" },
		"non-ASCII address": func(m *secmail.Message) { m.To = "élodie@b.example" },
		"no Text":           func(m *secmail.Message) { m.Text = ""; m.HTML = "<p>x</p>" },
		"bad ID":            func(m *secmail.Message) { m.ID = "a b" },
		"bad ID right":      func(m *secmail.Message) { m.ID = "a@b@c" },
	} {
		m := ok
		edit(&m)
		raw, err := m.Bytes()
		if err == nil {
			t.Errorf("%s: Bytes() = %q, want an error", name, raw)
			continue
		}
		if !errors.Is(err, secmail.ErrInvalidMessage) || !secmail.Permanent(err) {
			t.Errorf("%s: error %v, want ErrInvalidMessage, permanent", name, err)
		}
	}
	if _, err := ok.Bytes(); err != nil {
		t.Errorf("base message: %v", err)
	}
}

func FuzzBytes(f *testing.F) {
	f.Add("Orientation à Liège", "Bonjour\n.\nfin", "<p>é</p>")
	f.Add("=?utf-8?q?x?=", "", "")
	f.Add("a\r\nBcc: x@y", "x", "")
	f.Fuzz(func(t *testing.T, subject, text, html string) {
		in := secmail.Message{From: "s@example.org", To: "a@b.example", Subject: subject, Text: text, HTML: html}
		raw, err := in.Bytes()
		if err != nil {
			return
		}
		if strings.ContainsAny(subject, "\r\n") {
			t.Fatalf("Subject %q with a line break accepted", subject)
		}
		msg := read(t, raw)
		if len(msg.Header["Bcc"]) != 0 {
			t.Fatalf("injected Bcc")
		}
	})
}
