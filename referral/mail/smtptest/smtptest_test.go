package smtptest_test

import (
	"crypto/tls"
	"encoding/base64"
	"net"
	"net/smtp"
	"net/textproto"
	"net/url"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/secours/secours/internal/testkit"
	"github.com/secours/secours/referral/mail/smtptest"
)

// dial opens a raw dialogue and reads the greeting.
func dial(t *testing.T, s *smtptest.Server) *textproto.Conn {
	t.Helper()
	c, err := textproto.Dial("tcp", s.Addr())
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { c.Close() })
	expect(t, c, "", 220)
	return c
}

// expect sends cmd (none if "") and checks the reply code.
func expect(t *testing.T, c *textproto.Conn, cmd string, code int) string {
	t.Helper()
	if cmd != "" {
		if err := c.PrintfLine("%s", cmd); err != nil {
			t.Fatalf("%s: %v", cmd, err)
		}
	}
	got, msg, err := c.ReadResponse(0)
	if err != nil || got != code {
		t.Fatalf("%q: %d %s (%v), want %d", cmd, got, msg, err, code)
	}
	return msg
}

func TestDialogue(t *testing.T) {
	s := smtptest.NewServer(t, smtptest.Auth("bot", "pw"))
	c := dial(t, s)
	expect(t, c, "MAIL FROM:<a@b.example>", 503) // before EHLO
	expect(t, c, "HELO client.example", 250)
	expect(t, c, "MAIL FROM:<a@b.example>", 530) // before AUTH
	expect(t, c, "AUTH LOGIN", 504)
	expect(t, c, "AUTH PLAIN", 334) // no initial response
	expect(t, c, base64.StdEncoding.EncodeToString([]byte("\x00bot\x00wrong")), 535)
	expect(t, c, "AUTH PLAIN "+base64.StdEncoding.EncodeToString([]byte("\x00bot\x00pw")), 235)
	expect(t, c, "NOOP", 250)
	expect(t, c, "RCPT TO:<x@y.example>", 503) // before MAIL
	expect(t, c, "MAIL FROM:<first@b.example>", 250)
	expect(t, c, "RSET", 250)
	expect(t, c, "DATA", 503) // RSET dropped the transaction
	expect(t, c, "mail from:<a@b.example> BODY=8BITMIME", 250)
	expect(t, c, "RCPT TO:<x@y.example>", 250)
	expect(t, c, "RCPT TO:<z@y.example>", 250)
	expect(t, c, "DATA", 354)
	// Dot-stuffed as a client sends it: ".." stands for ".".
	if _, err := c.W.WriteString("Subject: hi\r\n\r\n..\r\n...leading\r\nend\r\n.\r\n"); err != nil {
		t.Fatal(err)
	}
	if err := c.W.Flush(); err != nil {
		t.Fatal(err)
	}
	expect(t, c, "", 250)
	expect(t, c, "FROB", 502)
	expect(t, c, "QUIT", 221)

	got := s.Wait(t, 1, 5*time.Second)
	want := smtptest.Received{
		From: "a@b.example", To: []string{"x@y.example", "z@y.example"},
		Data: []byte("Subject: hi\r\n\r\n.\r\n..leading\r\nend\r\n"),
		Auth: "bot", Helo: "client.example",
	}
	if r := got[0]; r.From != want.From || !slices.Equal(r.To, want.To) || string(r.Data) != string(want.Data) ||
		r.Auth != want.Auth || r.Helo != want.Helo || r.TLS {
		t.Errorf("received %+v (data %q), want %+v (data %q)", r, r.Data, want, want.Data)
	}
	// Messages hands out copies.
	got[0].To[0] = "changed"
	if s.Messages()[0].To[0] != "x@y.example" {
		t.Error("Messages shares its slices with the caller")
	}
}

func TestRequireTLS(t *testing.T) {
	s := smtptest.NewServer(t, smtptest.RequireTLS(), smtptest.Auth("bot", "pw"))
	c := dial(t, s)
	ehlo := expect(t, c, "EHLO client.example", 250)
	if !strings.Contains(ehlo, "STARTTLS") || strings.Contains(ehlo, "AUTH") {
		t.Errorf("EHLO before TLS = %q, want STARTTLS and no AUTH", ehlo)
	}
	expect(t, c, "AUTH PLAIN "+base64.StdEncoding.EncodeToString([]byte("\x00bot\x00pw")), 530)
	expect(t, c, "MAIL FROM:<a@b.example>", 530)

	// The same server through net/smtp, trusting its certificate.
	cl, err := smtp.Dial(s.Addr())
	if err != nil {
		t.Fatal(err)
	}
	defer cl.Close()
	conf := s.TLSConfig()
	conf.ServerName = "127.0.0.1"
	if err := cl.StartTLS(conf); err != nil {
		t.Fatalf("StartTLS: %v", err)
	}
	if ok, _ := cl.Extension("AUTH"); !ok {
		t.Error("no AUTH after TLS")
	}
	if err := cl.Auth(smtp.PlainAuth("", "bot", "pw", "127.0.0.1")); err != nil {
		t.Fatalf("Auth: %v", err)
	}
	sendOne(t, cl)
	if r := s.Wait(t, 1, 5*time.Second)[0]; !r.TLS || r.Auth != "bot" {
		t.Errorf("TLS %v, Auth %q; want true, bot", r.TLS, r.Auth)
	}
}

func sendOne(t *testing.T, cl *smtp.Client) {
	t.Helper()
	if err := cl.Mail("a@b.example"); err != nil {
		t.Fatalf("MAIL: %v", err)
	}
	if err := cl.Rcpt("x@y.example"); err != nil {
		t.Fatalf("RCPT: %v", err)
	}
	w, err := cl.Data()
	if err != nil {
		t.Fatalf("DATA: %v", err)
	}
	if _, err := w.Write([]byte("Subject: x\r\n\r\nbody\r\n")); err != nil {
		t.Fatal(err)
	}
	if err := w.Close(); err != nil {
		t.Fatalf("end of DATA: %v", err)
	}
	if err := cl.Quit(); err != nil {
		t.Fatalf("QUIT: %v", err)
	}
}

func TestImplicitTLS(t *testing.T) {
	s := smtptest.NewServer(t, smtptest.ImplicitTLS())
	conf := s.TLSConfig()
	conf.ServerName = "localhost"
	conn, err := tls.Dial("tcp", s.Addr(), conf)
	if err != nil {
		t.Fatalf("tls.Dial: %v", err)
	}
	cl, err := smtp.NewClient(conn, "localhost")
	if err != nil {
		t.Fatal(err)
	}
	defer cl.Close()
	sendOne(t, cl)
	if r := s.Wait(t, 1, 5*time.Second)[0]; !r.TLS {
		t.Error("TLS = false over implicit TLS")
	}
}

func TestFailuresAndRejects(t *testing.T) {
	s := smtptest.NewServer(t)
	s.SetFailures(1, 451)
	c := dial(t, s)
	expect(t, c, "EHLO c", 250)
	expect(t, c, "MAIL FROM:<>", 250) // a bounce: empty sender
	expect(t, c, "RCPT TO:<x@y.example>", 250)
	expect(t, c, "DATA", 354)
	_ = c.PrintfLine("x\r\n.")
	expect(t, c, "", 451)
	expect(t, c, "MAIL FROM:<>", 250)
	expect(t, c, "RCPT TO:<x@y.example>", 250)
	expect(t, c, "DATA", 354)
	_ = c.PrintfLine("x\r\n.")
	expect(t, c, "", 250)
	if got := s.Wait(t, 1, 5*time.Second); len(got) != 1 || got[0].From != "" {
		t.Errorf("received %+v, want one bounce", got)
	}

	r := smtptest.NewServer(t, smtptest.RejectRcpt(550, "5.1.1 No such user"))
	c = dial(t, r)
	expect(t, c, "EHLO c", 250)
	expect(t, c, "MAIL FROM:<a@b.example>", 250)
	if msg := expect(t, c, "RCPT TO:<x@y.example>", 550); msg != "5.1.1 No such user" {
		t.Errorf("RCPT refused with %q", msg)
	}
}

// TestCloseStalled checks that Close ends a stalled session and returns:
// NewServer's Cleanup would otherwise hang the test binary.
func TestCloseStalled(t *testing.T) {
	s := smtptest.NewServer(t, smtptest.Stall())
	c := dial(t, s)
	if err := c.PrintfLine("EHLO c"); err != nil {
		t.Fatal(err)
	}
	testkit.Returns(t, 5*time.Second, s.Close, "Close did not return")
	if _, _, err := c.ReadResponse(250); err == nil {
		t.Error("a stalled server answered")
	}
	if _, err := net.DialTimeout("tcp", s.Addr(), time.Second); err == nil {
		t.Error("dial after Close succeeded")
	}
	s.Close() // idempotent
}

func TestURL(t *testing.T) {
	for _, c := range []struct {
		opts []smtptest.Option
		want string // scheme, user, query
	}{
		{nil, "smtp  from=s%40example.org"},
		{[]smtptest.Option{smtptest.Auth("u", "p w")}, "smtp u:p w from=s%40example.org"},
		{[]smtptest.Option{smtptest.RequireTLS()}, "smtp  from=s%40example.org&tls=starttls"},
		{[]smtptest.Option{smtptest.ImplicitTLS()}, "smtps  from=s%40example.org"},
	} {
		s := smtptest.NewServer(t, c.opts...)
		u, err := url.Parse(s.URL("s@example.org"))
		if err != nil {
			t.Fatal(err)
		}
		pw, _ := u.User.Password()
		user := ""
		if u.User != nil {
			user = u.User.Username() + ":" + pw
		}
		if got := u.Scheme + " " + user + " " + u.RawQuery; got != c.want || u.Host != s.Addr() {
			t.Errorf("URL = %s, want %q at %s", u, c.want, s.Addr())
		}
	}
}
