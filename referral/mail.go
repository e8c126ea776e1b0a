package referral

import (
	"context"

	"github.com/secours/secours/referral/mail"
)

// Mailer sends one e-mail: mail.SMTP, or mail.Outbox when no SMTP server
// is configured.
type Mailer interface {
	Send(ctx context.Context, m mail.Message) error
}

// outboxFrom is the sender of the mails the outbox keeps: nobody answers
// them, and a local address says they never left the machine.
const outboxFrom = "secours@localhost"

// NewMailer returns the mailer of the structures' mails and their From
// address: SMTP with smtp, or with no SMTP server (smtp nil) the .eml
// files of the outbox directory, sent being told the path of each one
// written.
func NewMailer(smtp *mail.Config, outbox string, sent func(path string)) (Mailer, string) {
	if smtp != nil {
		return mail.NewSMTP(*smtp), smtp.From
	}
	return &mail.Outbox{Dir: outbox, From: outboxFrom, Sent: sent}, outboxFrom
}
