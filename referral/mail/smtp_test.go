package mail_test

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"log/slog"
	"net"
	"net/textproto"
	"strings"
	"testing"
	"time"

	secmail "github.com/secours/secours/referral/mail"
	"github.com/secours/secours/referral/mail/smtptest"
)

func TestParseURL(t *testing.T) {
	for _, c := range []struct {
		in   string
		want secmail.Config
	}{
		{"smtp://user:s3cret@smtp.example.org:587?from=secours@example.org",
			secmail.Config{Host: "smtp.example.org", Port: "587", Username: "user", Password: "s3cret", From: "secours@example.org", TLS: secmail.TLSStartTLS}},
		{"smtp://user:s3cret@smtp.example.org?from=secours@example.org&tls=starttls&helo=bot.example.org",
			secmail.Config{Host: "smtp.example.org", Port: "587", Username: "user", Password: "s3cret", From: "secours@example.org", TLS: secmail.TLSStartTLS, HelloName: "bot.example.org"}},
		{"smtp://relay.internal?from=secours@example.org",
			secmail.Config{Host: "relay.internal", Port: "587", From: "secours@example.org", TLS: secmail.TLSOpportunistic}},
		{"smtps://us%40er:p%2Fa%3Fss@smtp.example.org?from=Secours%20%3Csecours@example.org%3E",
			secmail.Config{Host: "smtp.example.org", Port: "465", Username: "us@er", Password: "p/a?ss", From: "Secours <secours@example.org>", TLS: secmail.TLSImplicit}},
		{"SMTPS://smtp.example.org:2465/?from=s@example.org",
			secmail.Config{Host: "smtp.example.org", Port: "2465", From: "s@example.org", TLS: secmail.TLSImplicit}},
		{"smtp://127.0.0.1:25?tls=none&from=s@example.org",
			secmail.Config{Host: "127.0.0.1", Port: "25", From: "s@example.org", TLS: secmail.TLSNone}},
		// Credentials to loopback: cleartext never leaves the machine.
		{"smtp://u:p@localhost:25?tls=none&from=s@example.org",
			secmail.Config{Host: "localhost", Port: "25", Username: "u", Password: "p", From: "s@example.org", TLS: secmail.TLSNone}},
		{"smtp://u:p@[::1]:2525?from=s@example.org",
			secmail.Config{Host: "::1", Port: "2525", Username: "u", Password: "p", From: "s@example.org", TLS: secmail.TLSOpportunistic}},
	} {
		got, err := secmail.ParseURL(c.in)
		if err != nil || got != c.want {
			t.Errorf("ParseURL(%q) = %+v, %v; want %+v", c.in, got, err, c.want)
		}
	}
}

func TestParseURLErrors(t *testing.T) {
	for _, in := range []string{
		"",
		"smtp.example.org:587",
		"http://smtp.example.org?from=s@example.org",
		"smtp://smtp.example.org",                               // no from
		"smtp://smtp.example.org?from=",                         // empty from
		"smtp://smtp.example.org?from=not-an-address",           // bad from
		"smtp://smtp.example.org?from=s@example.org%0D%0ABcc:x", // injection
		"smtp://smtp.example.org?from=a@b.example&from=c@d.example",
		"smtp://smtp.example.org?form=s@example.org",         // typo
		"smtp://smtp.example.org?from=s@example.org&tls=yes", // unknown mode
		"smtp://user:s3cret@smtp.example.org?from=s@example.org&tls=none",
		"smtp://user:s3cret@10.0.0.1:25?from=s@example.org&tls=none",
		"smtps://smtp.example.org?from=s@example.org&tls=none",
		"smtp://user@smtp.example.org?from=s@example.org",    // no password
		"smtp://:s3cret@smtp.example.org?from=s@example.org", // no user
		"smtp://?from=s@example.org",                         // no host
		"smtp:///?from=s@example.org",
		"smtp://smtp.example.org/path?from=s@example.org",
		"smtp://smtp.example.org?from=s@example.org&helo=two%20words",
		"smtp://user:s3cret@smtp.example.org:bad?from=s@example.org",
		"smtp://user:s3cret@smtp example.org?from=s@example.org",
		"smtp://user:s3cret%zz@smtp.example.org?from=s@example.org",
	} {
		got, err := secmail.ParseURL(in)
		if err == nil {
			t.Errorf("ParseURL(%q) = %+v, want an error", in, got)
			continue
		}
		if strings.Contains(err.Error(), "s3cret") {
			t.Errorf("ParseURL(%q) error %q shows the password", in, err)
		}
	}
}

func TestConfigRedacts(t *testing.T) {
	cfg, err := secmail.ParseURL("smtp://user:s3cret@smtp.example.org?from=secours@example.org")
	if err != nil {
		t.Fatal(err)
	}
	var buf bytes.Buffer
	log := slog.New(slog.NewJSONHandler(&buf, nil))
	log.Info("config", "smtp", cfg)
	log.Info("sender", "smtp", secmail.NewSMTP(cfg))
	log.Info("pointer", "smtp", &cfg)
	for _, s := range []string{buf.String(), fmt.Sprint(cfg), fmt.Sprintf("%+v", cfg), cfg.String()} {
		if strings.Contains(s, "s3cret") {
			t.Errorf("password in %s", s)
		}
		if !strings.Contains(s, "smtp.example.org") {
			t.Errorf("host missing from %s", s)
		}
	}
	back, err := secmail.ParseURL(cfg.String())
	if err != nil || back.Host != cfg.Host || back.From != cfg.From || back.TLS != cfg.TLS || back.Username != cfg.Username {
		t.Errorf("ParseURL(%q) = %+v, %v; want %+v but the password", cfg.String(), back, err, cfg)
	}
}

// sender makes a sender for srv, from its URL as SMTP_URL would give it.
func sender(t *testing.T, srv *smtptest.Server, opts ...secmail.Option) *secmail.SMTP {
	t.Helper()
	cfg, err := secmail.ParseURL(srv.URL("Secours <secours@example.org>"))
	if err != nil {
		t.Fatalf("ParseURL: %v", err)
	}
	return secmail.NewSMTP(cfg, opts...)
}

func msg() secmail.Message {
	m := sample()
	m.From = "" // from the Config
	return m
}

// checkReceived checks the envelope and that the data parses back to msg.
func checkReceived(t *testing.T, r smtptest.Received) {
	t.Helper()
	if r.From != "secours@example.org" || len(r.To) != 1 || r.To[0] != "accueil@structure.example" {
		t.Errorf("envelope = %s → %v, want secours@example.org → [accueil@structure.example]", r.From, r.To)
	}
	if r.Helo != "localhost" {
		t.Errorf("EHLO %q, want localhost", r.Helo)
	}
	m, err := r.Read()
	if err != nil {
		t.Fatal(err)
	}
	if m.Subject != msg().Subject {
		t.Errorf("Subject = %q, want %q", m.Subject, msg().Subject)
	}
	if a, err := m.Header.AddressList("From"); err != nil || a[0].Address != "secours@example.org" || a[0].Name != "Secours" {
		t.Errorf("From = %v (%v), want Secours <secours@example.org>", a, err)
	}
	if got := m.Header.Get("Message-ID"); got != "<referral-42@example.org>" {
		t.Errorf("Message-ID = %q, want <referral-42@example.org>", got)
	}
	// The text has a lone "." line and one starting with ".": they only
	// survive if the client stuffs and the server unstuffs.
	if lf([]byte(m.Text)) != msg().Text {
		t.Errorf("text = %q, want %q", m.Text, msg().Text)
	}
}

func TestSendPlain(t *testing.T) {
	srv := smtptest.NewServer(t)
	if err := sender(t, srv).Send(t.Context(), msg()); err != nil {
		t.Fatalf("Send: %v", err)
	}
	got := srv.Wait(t, 1, 5*time.Second)
	checkReceived(t, got[0])
	if got[0].TLS || got[0].Auth != "" {
		t.Errorf("TLS %v, Auth %q; want neither", got[0].TLS, got[0].Auth)
	}
}

func TestSendAuthPlainLoopback(t *testing.T) {
	srv := smtptest.NewServer(t, smtptest.Auth("bot", "s3cret"))
	if err := sender(t, srv).Send(t.Context(), msg()); err != nil {
		t.Fatalf("Send: %v", err)
	}
	if got := srv.Wait(t, 1, 5*time.Second); got[0].Auth != "bot" {
		t.Errorf("Auth = %q, want bot", got[0].Auth)
	}
}

func TestSendWrongPassword(t *testing.T) {
	srv := smtptest.NewServer(t, smtptest.Auth("bot", "right"))
	cfg, _ := secmail.ParseURL(strings.Replace(srv.URL("s@example.org"), "right", "s3cret", 1))
	err := secmail.NewSMTP(cfg).Send(t.Context(), msg())
	if err == nil {
		t.Fatal("Send with a wrong password: no error")
	}
	if strings.Contains(err.Error(), "s3cret") || !strings.HasPrefix(err.Error(), "smtp send: ") {
		t.Errorf("error %q: want a prefix and no password", err)
	}
	if e, ok := errors.AsType[*textproto.Error](err); !ok || e.Code != 535 {
		t.Errorf("error %v, want a 535 reply inside", err)
	}
	// A 5xx, but the operator fixes the password and the mail must wait.
	if secmail.Permanent(err) {
		t.Errorf("Permanent(%v) = true, want false", err)
	}
}

func TestSendStartTLS(t *testing.T) {
	srv := smtptest.NewServer(t, smtptest.RequireTLS(), smtptest.Auth("bot", "s3cret"))
	s := sender(t, srv, secmail.WithTLSConfig(srv.TLSConfig()))
	if err := s.Send(t.Context(), msg()); err != nil {
		t.Fatalf("Send: %v", err)
	}
	got := srv.Wait(t, 1, 5*time.Second)
	checkReceived(t, got[0])
	if !got[0].TLS || got[0].Auth != "bot" {
		t.Errorf("TLS %v, Auth %q; want true, bot", got[0].TLS, got[0].Auth)
	}
}

func TestSendTLSModes(t *testing.T) {
	for _, c := range []struct {
		name    string
		opts    []smtptest.Option
		scheme  string
		query   string // appended to the URL
		trust   bool
		wantTLS bool
		wantErr bool
	}{
		{"opportunistic, offered", []smtptest.Option{smtptest.StartTLS()}, "smtp", "", true, true, false},
		{"opportunistic, not offered", nil, "smtp", "", true, false, false},
		{"opportunistic, untrusted certificate", []smtptest.Option{smtptest.StartTLS()}, "smtp", "", false, false, true},
		{"required, offered", []smtptest.Option{smtptest.StartTLS()}, "smtp", "&tls=starttls", true, true, false},
		{"required, not offered", nil, "smtp", "&tls=starttls", true, false, true},
		{"none, offered", []smtptest.Option{smtptest.StartTLS()}, "smtp", "&tls=none", false, false, false},
		{"required by the server, none", []smtptest.Option{smtptest.RequireTLS()}, "smtp", "&tls=none", false, false, true},
		{"implicit", []smtptest.Option{smtptest.ImplicitTLS()}, "smtps", "", true, true, false},
		{"implicit, untrusted", []smtptest.Option{smtptest.ImplicitTLS()}, "smtps", "", false, false, true},
		{"implicit client, plain server", nil, "smtps", "", true, false, true},
	} {
		t.Run(c.name, func(t *testing.T) {
			srv := smtptest.NewServer(t, c.opts...)
			var opts []secmail.Option
			if c.trust {
				opts = append(opts, secmail.WithTLSConfig(srv.TLSConfig()))
			}
			cfg, err := secmail.ParseURL(c.scheme + "://" + srv.Addr() + "?from=s@example.org" + c.query)
			if err != nil {
				t.Fatalf("ParseURL: %v", err)
			}
			err = secmail.NewSMTP(cfg, opts...).Send(t.Context(), msg())
			if c.wantErr {
				if err == nil {
					t.Fatal("Send: no error")
				}
				if secmail.Permanent(err) {
					t.Errorf("Permanent(%v) = true, want false: a set-up problem", err)
				}
				if n := len(srv.Messages()); n != 0 {
					t.Errorf("%d messages delivered", n)
				}
				return
			}
			if err != nil {
				t.Fatalf("Send: %v", err)
			}
			if got := srv.Wait(t, 1, 5*time.Second); got[0].TLS != c.wantTLS {
				t.Errorf("TLS = %v, want %v", got[0].TLS, c.wantTLS)
			}
		})
	}
}

func TestSendRefusesCleartextCredentials(t *testing.T) {
	// A hand-built Config skips ParseURL's check; Send checks again,
	// before it dials (the host does not exist).
	cfg := secmail.Config{Host: "smtp.invalid", Port: "25", Username: "u", Password: "s3cret", From: "s@example.org", TLS: secmail.TLSNone}
	err := secmail.NewSMTP(cfg).Send(t.Context(), msg())
	if err == nil || strings.Contains(err.Error(), "s3cret") || !strings.Contains(err.Error(), "cleartext") {
		t.Errorf("Send = %v, want a refusal without the password", err)
	}
}

func TestSendRefusals(t *testing.T) {
	for _, c := range []struct {
		name      string
		opts      []smtptest.Option
		permanent bool
		code      int
	}{
		{"rcpt 550", []smtptest.Option{smtptest.RejectRcpt(550, "5.1.1 No such user")}, true, 550},
		{"rcpt 451", []smtptest.Option{smtptest.RejectRcpt(451, "4.3.0 Try again later")}, false, 451},
		// MAIL refused: our account, not this message.
		{"auth required", []smtptest.Option{smtptest.Auth("bot", "x")}, false, 530},
	} {
		t.Run(c.name, func(t *testing.T) {
			srv := smtptest.NewServer(t, c.opts...)
			cfg, _ := secmail.ParseURL("smtp://" + srv.Addr() + "?from=s@example.org")
			err := secmail.NewSMTP(cfg).Send(t.Context(), msg())
			if err == nil {
				t.Fatal("Send: no error")
			}
			if got := secmail.Permanent(err); got != c.permanent {
				t.Errorf("Permanent(%v) = %v, want %v", err, got, c.permanent)
			}
			if e, ok := errors.AsType[*textproto.Error](err); !ok || e.Code != c.code {
				t.Errorf("error %v, want a %d reply inside", err, c.code)
			}
		})
	}
}

func TestSendFailuresThenAccept(t *testing.T) {
	srv := smtptest.NewServer(t)
	s := sender(t, srv)
	srv.SetFailures(2, 451)
	for i := range 2 {
		err := s.Send(t.Context(), msg())
		if err == nil || secmail.Permanent(err) {
			t.Fatalf("try %d: Send = %v, want a temporary error", i, err)
		}
	}
	if err := s.Send(t.Context(), msg()); err != nil {
		t.Fatalf("third try: %v", err)
	}
	srv.SetFailures(1, 554)
	if err := s.Send(t.Context(), msg()); !secmail.Permanent(err) {
		t.Errorf("after 554: Permanent(%v) = false, want true", err)
	}
	if got := srv.Wait(t, 1, 5*time.Second); len(got) != 1 {
		t.Errorf("%d messages delivered, want 1", len(got))
	}
}

func TestSendServerDown(t *testing.T) {
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	addr := ln.Addr().String()
	ln.Close()
	cfg, _ := secmail.ParseURL("smtp://" + addr + "?from=s@example.org")
	err = secmail.NewSMTP(cfg).Send(t.Context(), msg())
	if err == nil || secmail.Permanent(err) {
		t.Errorf("Send to a closed port = %v, want a temporary error", err)
	}
}

func TestSendDeadline(t *testing.T) {
	srv := smtptest.NewServer(t, smtptest.Stall())
	for _, c := range []struct {
		name string
		ctx  func() (context.Context, context.CancelFunc)
		opts []secmail.Option
		want error
	}{
		{"ctx deadline", func() (context.Context, context.CancelFunc) {
			return context.WithTimeout(t.Context(), 200*time.Millisecond)
		}, nil, context.DeadlineExceeded},
		{"default timeout", func() (context.Context, context.CancelFunc) {
			return t.Context(), func() {}
		}, []secmail.Option{secmail.WithTimeout(200 * time.Millisecond)}, context.DeadlineExceeded},
		{"cancelled", func() (context.Context, context.CancelFunc) {
			ctx, cancel := context.WithCancel(t.Context())
			time.AfterFunc(200*time.Millisecond, cancel)
			return ctx, cancel
		}, nil, context.Canceled},
	} {
		t.Run(c.name, func(t *testing.T) {
			ctx, cancel := c.ctx()
			defer cancel()
			start := time.Now()
			err := sender(t, srv, c.opts...).Send(ctx, msg())
			if d := time.Since(start); d > 5*time.Second {
				t.Errorf("Send took %v against a stalled server", d)
			}
			if !errors.Is(err, c.want) || secmail.Permanent(err) {
				t.Errorf("Send = %v, want %v, temporary", err, c.want)
			}
		})
	}
}

func TestSendInvalidMessage(t *testing.T) {
	srv := smtptest.NewServer(t)
	m := msg()
	m.Subject = "x\r\nBcc: victim@example.org"
	err := sender(t, srv).Send(t.Context(), m)
	if !errors.Is(err, secmail.ErrInvalidMessage) || !secmail.Permanent(err) {
		t.Errorf("Send = %v, want ErrInvalidMessage, permanent", err)
	}
}

func TestPermanent(t *testing.T) {
	for _, c := range []struct {
		err  error
		want bool
	}{
		{nil, false},
		{&textproto.Error{Code: 550, Msg: "no"}, true},
		{fmt.Errorf("x: %w", &textproto.Error{Code: 554, Msg: "no"}), true},
		{&textproto.Error{Code: 451, Msg: "later"}, false},
		{&textproto.Error{Code: 421, Msg: "closing"}, false},
		{context.DeadlineExceeded, false},
		{errors.New("connection reset"), false},
		{fmt.Errorf("x: %w", secmail.ErrInvalidMessage), true},
	} {
		if got := secmail.Permanent(c.err); got != c.want {
			t.Errorf("Permanent(%v) = %v, want %v", c.err, got, c.want)
		}
	}
}
