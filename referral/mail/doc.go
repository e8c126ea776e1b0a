// Package mail sends the referral e-mails to help structures. Message
// builds one e-mail (RFC 5322, CRLF, a quoted-printable UTF-8 text part and
// an optional HTML alternative) and refuses header injection. Two senders
// take it, both with Send(ctx, Message) error, so the caller declares the
// interface it needs:
//
//   - SMTP hands it to a relay given by SMTP_URL (ParseURL), over STARTTLS
//     or implicit TLS, with AUTH PLAIN;
//   - Outbox writes it as an .eml file into a directory, for deployments
//     without a relay and for local runs, so nothing is lost.
//
// Permanent tells the caller whether a failed Send is worth retrying: a
// relay's 5xx to a recipient or to the content is final, while 4xx
// replies, network errors, timeouts and our own setup problems (TLS,
// credentials, sender refused) wait for the next try with a backoff.
//
// It imports the standard library only; it must not import flows, store,
// configs or cmd: the caller renders the text and keeps the retry queue.
// The smtptest subpackage is a local SMTP sink for tests.
package mail
