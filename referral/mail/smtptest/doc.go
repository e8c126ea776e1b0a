// Package smtptest is a local SMTP sink for tests, as net/http/httptest
// is for HTTP: a server on 127.0.0.1 that speaks enough SMTP for a client
// (EHLO/HELO, STARTTLS or implicit TLS with a certificate made in memory,
// AUTH PLAIN, MAIL, RCPT, DATA, RSET, NOOP, QUIT), keeps what it receives,
// and can refuse, fail or stall on demand. No test touches the network.
//
// It imports the standard library only; nothing of Secours, so that any
// package's tests can use it.
package smtptest
