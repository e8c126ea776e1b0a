package referral_test

import (
	"path/filepath"
	"testing"

	"github.com/secours/secours/referral"
	"github.com/secours/secours/referral/mail"
)

// TestNewMailer: with an SMTP server the mails go to it from its address;
// without one they are kept in the outbox, from a local address, and the
// caller hears of each file.
func TestNewMailer(t *testing.T) {
	cfg := mail.Config{Host: "smtp.example.org", Port: "587", From: "secours@example.org"}
	m, from := referral.NewMailer(&cfg, "unused", nil)
	if _, ok := m.(*mail.SMTP); !ok || from != cfg.From {
		t.Errorf("with SMTP: %T from %q, want *mail.SMTP from %q", m, from, cfg.From)
	}
	dir := t.TempDir()
	var written []string
	m, from = referral.NewMailer(nil, dir, func(path string) { written = append(written, path) })
	if _, ok := m.(*mail.Outbox); !ok || from != "secours@localhost" {
		t.Fatalf("without SMTP: %T from %q, want *mail.Outbox from secours@localhost", m, from)
	}
	if err := m.Send(t.Context(), mail.Message{To: "a@b.example", Subject: "x", Text: "x"}); err != nil {
		t.Fatal(err)
	}
	if len(written) != 1 || filepath.Dir(written[0]) != dir {
		t.Errorf("outbox files %v, want one in %s", written, dir)
	}
}
