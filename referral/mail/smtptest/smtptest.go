package smtptest

import (
	"bufio"
	"bytes"
	"crypto/ecdsa"
	"crypto/elliptic"
	"crypto/rand"
	"crypto/tls"
	"crypto/x509"
	"crypto/x509/pkix"
	"encoding/base64"
	"errors"
	"fmt"
	"io"
	"math/big"
	"net"
	"net/url"
	"slices"
	"strings"
	"sync"
	"testing"
	"time"
)

// maxData bounds one message, so a runaway client cannot fill the test's
// memory; the server answers 552 past it.
const maxData = 32 << 20

// Received is one message the server accepted.
type Received struct {
	From string   // the MAIL FROM address, without brackets
	To   []string // the RCPT TO addresses, in order
	// Data is the message as the client sent it after DATA, dot-unstuffed,
	// with its CRLF line endings and without the final ".".
	Data []byte
	TLS  bool   // the message came over TLS (STARTTLS or implicit)
	Auth string // the user that authenticated, "" if none
	Helo string // the name given in EHLO or HELO
}

// Option configures a Server.
type Option func(*Server)

// StartTLS makes the server offer STARTTLS. Clients must trust
// Server.TLSConfig to verify its certificate.
func StartTLS() Option { return func(s *Server) { s.starttls = true } }

// RequireTLS offers STARTTLS and refuses AUTH and MAIL before it with 530,
// as a submission server does.
func RequireTLS() Option {
	return func(s *Server) { s.starttls, s.requireTLS = true, true }
}

// ImplicitTLS makes the server speak TLS from the first byte, as on port
// 465 (smtps://).
func ImplicitTLS() Option { return func(s *Server) { s.implicit = true } }

// Auth makes the server offer AUTH PLAIN and require it before MAIL,
// accepting only user and pass.
func Auth(user, pass string) Option {
	return func(s *Server) { s.user, s.pass = user, pass }
}

// RejectRcpt makes the server answer every RCPT TO with code and msg, as
// "550 5.1.1 No such user" or "451 4.3.0 Try again later".
func RejectRcpt(code int, msg string) Option {
	return func(s *Server) { s.rejectCode, s.rejectMsg = code, msg }
}

// Stall makes the server send its greeting and then never answer, as a
// relay that hangs: for testing a client's deadlines.
func Stall() Option { return func(s *Server) { s.stall = true } }

// Server is an SMTP sink on a loopback port. It is safe for concurrent
// use. NewServer registers Close with tb.Cleanup.
type Server struct {
	// Set by the options before the server starts, read-only after.
	starttls, requireTLS, implicit, stall bool
	user, pass                            string
	rejectCode                            int
	rejectMsg                             string

	ln     net.Listener
	tlsSrv *tls.Config    // the server side, with the certificate
	roots  *x509.CertPool // trusts that certificate

	wg sync.WaitGroup // the accept loop and one goroutine per connection

	mu       sync.Mutex // guards everything below
	msgs     []Received
	arrived  chan struct{} // closed and replaced when a message arrives, to wake Wait
	failN    int           // messages still to refuse at the end of DATA
	failCode int
	conns    map[net.Conn]struct{} // open, closed by Close to end their goroutines
	closed   bool
}

// NewServer starts a server on 127.0.0.1 with a fresh self-signed
// certificate (for 127.0.0.1, ::1 and localhost). It is closed when the
// test ends.
func NewServer(tb testing.TB, opts ...Option) *Server {
	tb.Helper()
	s := &Server{arrived: make(chan struct{}), conns: map[net.Conn]struct{}{}}
	for _, o := range opts {
		o(s)
	}
	cert, roots, err := selfSigned()
	if err != nil {
		tb.Fatalf("smtptest: certificate: %v", err)
	}
	s.roots = roots
	s.tlsSrv = &tls.Config{Certificates: []tls.Certificate{cert}, MinVersion: tls.VersionTLS12}
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		tb.Fatalf("smtptest: listen: %v", err)
	}
	s.ln = ln
	tb.Cleanup(s.Close)
	s.wg.Go(s.accept)
	return s
}

// Addr is the server's host:port.
func (s *Server) Addr() string { return s.ln.Addr().String() }

// URL returns an SMTP URL for this server with the given sender: smtps://
// with ImplicitTLS, tls=starttls with RequireTLS, the credentials with
// Auth. The client must still trust TLSConfig for TLS.
func (s *Server) URL(from string) string {
	u := url.URL{Scheme: "smtp", Host: s.Addr()}
	q := url.Values{"from": {from}}
	if s.implicit {
		u.Scheme = "smtps"
	} else if s.requireTLS {
		q.Set("tls", "starttls")
	}
	if s.user != "" {
		u.User = url.UserPassword(s.user, s.pass)
	}
	u.RawQuery = q.Encode()
	return u.String()
}

// TLSConfig returns a client configuration that trusts the server's
// certificate and nothing else.
func (s *Server) TLSConfig() *tls.Config {
	return &tls.Config{RootCAs: s.roots, MinVersion: tls.VersionTLS12}
}

// SetFailures makes the server refuse the next n messages with code (say
// 451 or 554) after their final ".", as a relay whose filter or queue
// fails; the ones after are accepted again. RejectRcpt covers refusals
// at RCPT.
func (s *Server) SetFailures(n, code int) {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.failN, s.failCode = n, code
}

// Messages returns the messages received so far, in order of arrival.
func (s *Server) Messages() []Received {
	s.mu.Lock()
	defer s.mu.Unlock()
	out := make([]Received, len(s.msgs))
	for i, m := range s.msgs {
		m.To = slices.Clone(m.To)
		m.Data = slices.Clone(m.Data)
		out[i] = m
	}
	return out
}

// Wait waits until at least n messages have arrived and returns them; it
// fails the test after timeout. Call it from the test's goroutine.
func (s *Server) Wait(tb testing.TB, n int, timeout time.Duration) []Received {
	tb.Helper()
	timer := time.NewTimer(timeout)
	defer timer.Stop()
	for {
		s.mu.Lock()
		got, ch := len(s.msgs), s.arrived
		s.mu.Unlock()
		if got >= n {
			return s.Messages()
		}
		select {
		case <-ch:
		case <-timer.C:
			tb.Fatalf("smtptest: %d messages after %v, want %d", got, timeout, n)
			return nil
		}
	}
}

// Close stops the server and waits for its goroutines. It closes the
// open connections too: a stalled or half-done client would otherwise
// keep its goroutine, and the test, alive. It is idempotent.
func (s *Server) Close() {
	s.mu.Lock()
	if !s.closed {
		s.closed = true
		for c := range s.conns {
			_ = c.Close()
		}
	}
	s.mu.Unlock()
	_ = s.ln.Close()
	s.wg.Wait()
}

func (s *Server) accept() {
	for {
		conn, err := s.ln.Accept()
		if err != nil {
			return // closed
		}
		s.mu.Lock()
		if s.closed {
			s.mu.Unlock()
			_ = conn.Close()
			return
		}
		s.conns[conn] = struct{}{}
		// The accept loop counts in wg, so this Go cannot race Close's Wait.
		s.wg.Go(func() {
			defer func() {
				s.mu.Lock()
				delete(s.conns, conn)
				s.mu.Unlock()
				_ = conn.Close()
			}()
			s.serve(conn)
		})
		s.mu.Unlock()
	}
}

// session is one connection's state.
type session struct {
	s    *Server
	conn net.Conn
	r    *bufio.Reader
	w    *bufio.Writer
	tls  bool
	helo string
	auth string
	from string // "" outside a transaction; "<>" bounces are kept as ""
	mail bool   // MAIL accepted
	to   []string
}

func (s *Server) serve(conn net.Conn) {
	ss := &session{s: s, conn: conn}
	if s.implicit {
		ss.conn, ss.tls = tls.Server(conn, s.tlsSrv), true
	}
	ss.r, ss.w = bufio.NewReader(ss.conn), bufio.NewWriter(ss.conn)
	if ss.reply(220, "127.0.0.1 smtptest ESMTP") != nil {
		return
	}
	if s.stall {
		_, _ = io.Copy(io.Discard, ss.conn) // until the client or Close hangs up
		return
	}
	for {
		line, err := ss.readLine()
		if errors.Is(err, bufio.ErrBufferFull) {
			_ = ss.reply(500, "5.5.2 Line too long")
			return
		}
		if err != nil {
			return
		}
		verb, arg, _ := strings.Cut(line, " ")
		if ss.command(strings.ToUpper(verb), strings.TrimSpace(arg)) != nil {
			return
		}
	}
}

// errQuit ends a session after QUIT.
var errQuit = errors.New("quit")

// command answers one command; an error ends the session.
func (ss *session) command(verb, arg string) error {
	s := ss.s
	switch verb {
	case "EHLO", "HELO":
		if arg == "" {
			return ss.reply(501, "5.5.4 Syntax: "+verb+" hostname")
		}
		ss.helo = arg
		ss.reset()
		if verb == "HELO" {
			return ss.reply(250, "127.0.0.1 smtptest")
		}
		lines := []string{"127.0.0.1 smtptest greets " + arg, "8BITMIME", fmt.Sprintf("SIZE %d", maxData)}
		if s.starttls && !ss.tls {
			lines = append(lines, "STARTTLS")
		}
		// A submission server hides AUTH until TLS, so a client cannot
		// be lured into sending the password in cleartext.
		if s.user != "" && (ss.tls || !s.requireTLS) {
			lines = append(lines, "AUTH PLAIN")
		}
		return ss.replyLines(250, lines)
	case "STARTTLS":
		if !s.starttls || ss.tls {
			return ss.reply(502, "5.5.1 STARTTLS not available")
		}
		if err := ss.reply(220, "2.0.0 Ready to start TLS"); err != nil {
			return err
		}
		tc := tls.Server(ss.conn, s.tlsSrv)
		if err := tc.Handshake(); err != nil {
			return err
		}
		// RFC 3207: forget everything said before TLS, and drop anything
		// the client pipelined in cleartext after STARTTLS.
		*ss = session{s: s, conn: tc, r: bufio.NewReader(tc), w: bufio.NewWriter(tc), tls: true}
		return nil
	case "AUTH":
		return ss.authPlain(arg)
	case "MAIL":
		switch {
		case ss.helo == "":
			return ss.reply(503, "5.5.1 EHLO first")
		case s.requireTLS && !ss.tls:
			return ss.reply(530, "5.7.0 Must issue a STARTTLS command first")
		case s.user != "" && ss.auth == "":
			return ss.reply(530, "5.7.0 Authentication required")
		case ss.mail:
			return ss.reply(503, "5.5.1 Nested MAIL command")
		}
		addr, ok := path(arg, "FROM:")
		if !ok {
			return ss.reply(501, "5.5.4 Syntax: MAIL FROM:<address>")
		}
		ss.from, ss.mail = addr, true
		return ss.reply(250, "2.1.0 Ok")
	case "RCPT":
		if !ss.mail {
			return ss.reply(503, "5.5.1 MAIL first")
		}
		addr, ok := path(arg, "TO:")
		if !ok || addr == "" {
			return ss.reply(501, "5.5.4 Syntax: RCPT TO:<address>")
		}
		if s.rejectCode != 0 {
			return ss.reply(s.rejectCode, s.rejectMsg)
		}
		ss.to = append(ss.to, addr)
		return ss.reply(250, "2.1.5 Ok")
	case "DATA":
		if len(ss.to) == 0 {
			return ss.reply(503, "5.5.1 RCPT first")
		}
		return ss.data()
	case "RSET":
		ss.reset()
		return ss.reply(250, "2.0.0 Ok")
	case "NOOP":
		return ss.reply(250, "2.0.0 Ok")
	case "VRFY":
		return ss.reply(252, "2.5.2 Cannot VRFY user")
	case "QUIT":
		_ = ss.reply(221, "2.0.0 Bye")
		return errQuit
	}
	return ss.reply(502, "5.5.2 Command not implemented")
}

// authPlain runs AUTH PLAIN (RFC 4616), with or without an initial
// response.
func (ss *session) authPlain(arg string) error {
	s := ss.s
	switch {
	case s.user == "":
		return ss.reply(502, "5.5.1 AUTH not available")
	case s.requireTLS && !ss.tls:
		return ss.reply(530, "5.7.0 Must issue a STARTTLS command first")
	case ss.auth != "":
		return ss.reply(503, "5.5.1 Already authenticated")
	}
	mech, resp, _ := strings.Cut(arg, " ")
	if !strings.EqualFold(mech, "PLAIN") {
		return ss.reply(504, "5.5.4 Mechanism not supported")
	}
	if resp == "" {
		if err := ss.reply(334, ""); err != nil {
			return err
		}
		var err error
		if resp, err = ss.readLine(); err != nil {
			return err
		}
	}
	if resp == "*" {
		return ss.reply(501, "5.0.0 AUTH aborted")
	}
	dec, err := base64.StdEncoding.DecodeString(resp)
	if err != nil {
		return ss.reply(501, "5.5.2 Cannot decode response")
	}
	parts := bytes.Split(dec, []byte{0})
	if len(parts) != 3 || string(parts[1]) != s.user || string(parts[2]) != s.pass {
		return ss.reply(535, "5.7.8 Authentication credentials invalid")
	}
	ss.auth = s.user
	return ss.reply(235, "2.7.0 Authentication successful")
}

// data reads the message after DATA up to the lone ".", undoing the
// client's dot-stuffing (RFC 5321 4.5.2), and stores it.
func (ss *session) data() error {
	if err := ss.reply(354, "End data with <CR><LF>.<CR><LF>"); err != nil {
		return err
	}
	var buf bytes.Buffer
	tooBig := false
	for {
		line, err := ss.r.ReadBytes('\n')
		if err != nil {
			return err
		}
		if string(line) == ".\r\n" || string(line) == ".\n" {
			break
		}
		line = bytes.TrimPrefix(line, []byte("."))
		if buf.Len()+len(line) > maxData {
			tooBig = true // read on to the ".", then refuse
			continue
		}
		buf.Write(line)
	}
	rcv := Received{From: ss.from, To: ss.to, Data: buf.Bytes(), TLS: ss.tls, Auth: ss.auth, Helo: ss.helo}
	ss.reset()
	if tooBig {
		return ss.reply(552, "5.3.4 Message too big")
	}
	s := ss.s
	s.mu.Lock()
	if s.failN > 0 {
		s.failN--
		code := s.failCode
		s.mu.Unlock()
		if code >= 500 {
			return ss.reply(code, "5.7.1 Rejected by smtptest")
		}
		return ss.reply(code, "4.3.0 Try again later (smtptest)")
	}
	s.msgs = append(s.msgs, rcv)
	close(s.arrived)
	s.arrived = make(chan struct{})
	s.mu.Unlock()
	return ss.reply(250, "2.0.0 Ok: queued")
}

// reset ends the mail transaction (RSET, EHLO, after DATA).
func (ss *session) reset() { ss.from, ss.mail, ss.to = "", false, nil }

// readLine reads one command line without its line ending. A line longer
// than the reader's buffer fails with bufio.ErrBufferFull.
func (ss *session) readLine() (string, error) {
	line, err := ss.r.ReadSlice('\n')
	if err != nil {
		return "", err
	}
	return strings.TrimRight(string(line), "\r\n"), nil
}

func (ss *session) reply(code int, msg string) error {
	return ss.replyLines(code, []string{msg})
}

func (ss *session) replyLines(code int, lines []string) error {
	for i, l := range lines {
		sep := "-"
		if i == len(lines)-1 {
			sep = " "
		}
		if _, err := fmt.Fprintf(ss.w, "%d%s%s\r\n", code, sep, l); err != nil {
			return err
		}
	}
	return ss.w.Flush()
}

// path extracts the address of "FROM:<a@b> PARAMS" or "TO:<a@b>".
func path(arg, prefix string) (string, bool) {
	if len(arg) < len(prefix) || !strings.EqualFold(arg[:len(prefix)], prefix) {
		return "", false
	}
	rest := strings.TrimSpace(arg[len(prefix):])
	if !strings.HasPrefix(rest, "<") {
		return "", false
	}
	addr, _, ok := strings.Cut(rest[1:], ">")
	return addr, ok
}

// selfSigned makes a certificate for the loopback names and a pool that
// trusts it. ECDSA P-256 keeps it fast enough to make one per server.
func selfSigned() (tls.Certificate, *x509.CertPool, error) {
	key, err := ecdsa.GenerateKey(elliptic.P256(), rand.Reader)
	if err != nil {
		return tls.Certificate{}, nil, err
	}
	serial, err := rand.Int(rand.Reader, new(big.Int).Lsh(big.NewInt(1), 127))
	if err != nil {
		return tls.Certificate{}, nil, err
	}
	now := time.Now()
	tmpl := &x509.Certificate{
		SerialNumber:          serial,
		Subject:               pkix.Name{Organization: []string{"smtptest"}},
		NotBefore:             now.Add(-time.Hour),
		NotAfter:              now.Add(24 * time.Hour),
		KeyUsage:              x509.KeyUsageDigitalSignature | x509.KeyUsageCertSign,
		ExtKeyUsage:           []x509.ExtKeyUsage{x509.ExtKeyUsageServerAuth},
		BasicConstraintsValid: true,
		IsCA:                  true,
		IPAddresses:           []net.IP{net.IPv4(127, 0, 0, 1), net.IPv6loopback},
		DNSNames:              []string{"localhost"},
	}
	der, err := x509.CreateCertificate(rand.Reader, tmpl, tmpl, &key.PublicKey, key)
	if err != nil {
		return tls.Certificate{}, nil, err
	}
	leaf, err := x509.ParseCertificate(der)
	if err != nil {
		return tls.Certificate{}, nil, err
	}
	roots := x509.NewCertPool()
	roots.AddCert(leaf)
	return tls.Certificate{Certificate: [][]byte{der}, PrivateKey: key, Leaf: leaf}, roots, nil
}
