package mail

import (
	"context"
	"crypto/tls"
	"errors"
	"fmt"
	"log/slog"
	"net"
	"net/mail"
	"net/smtp"
	"net/textproto"
	"net/url"
	"strings"
	"time"
)

// TLSMode says how an SMTP connection is encrypted.
type TLSMode int

const (
	// TLSOpportunistic upgrades with STARTTLS when the server offers it
	// and goes on in cleartext otherwise. Once offered, TLS must succeed:
	// a certificate that does not verify fails the send rather than fall
	// back to cleartext (tls=none is for such a relay). It is the zero
	// value, and what ParseURL gives smtp:// without credentials (or to a
	// loopback host).
	TLSOpportunistic TLSMode = iota
	// TLSStartTLS requires STARTTLS: a server that does not offer it
	// fails the send. ParseURL picks it for smtp:// with credentials to a
	// host that is not loopback, so a password never crosses the network
	// in cleartext.
	TLSStartTLS
	// TLSImplicit speaks TLS from the first byte (smtps://, port 465).
	TLSImplicit
	// TLSNone never encrypts, even when offered: for a local relay whose
	// certificate cannot be verified (tls=none).
	TLSNone
)

// String is the mode's name, as in the tls query parameter.
func (t TLSMode) String() string {
	switch t {
	case TLSOpportunistic:
		return "opportunistic"
	case TLSStartTLS:
		return "starttls"
	case TLSImplicit:
		return "implicit"
	case TLSNone:
		return "none"
	}
	return fmt.Sprintf("TLSMode(%d)", int(t))
}

// Config is where and as whom SMTP sends. ParseURL makes one from
// SMTP_URL; a hand-built one is checked again by Send.
type Config struct {
	Host     string // name or IP, no port; also the name the certificate must carry
	Port     string // "587" for smtp://, "465" for smtps:// when the URL gives none
	Username string // "": no AUTH
	Password string // never logged, never in an error
	// From is the sender: the envelope MAIL FROM (where bounces go) and the
	// From header of a Message that has none.
	From string
	TLS  TLSMode
	// HelloName is the name given in EHLO; "" means "localhost". Some
	// relays score a mail by it, so production sets the host's own name.
	HelloName string
}

// ParseURL parses SMTP_URL. The forms are:
//
//	smtp://user:pass@smtp.example.org:587?from=secours@example.org
//	smtps://user:pass@smtp.example.org?from=Secours%20%3Csecours@example.org%3E
//	smtp://127.0.0.1:25?from=secours@example.org&tls=none
//
// smtp:// uses STARTTLS when the server offers it; with credentials to a
// host that is not loopback STARTTLS is required, and tls=none is refused.
// smtps:// is TLS from the start. The query parameters are from (the
// sender address, required), tls (starttls to require STARTTLS, none to
// never use it) and helo (the EHLO name). The user name and password are
// percent-decoded, so a password holding '@', '/', '?' or '#' must be
// percent-encoded. The default port is 587 for smtp:// and 465 for
// smtps://. Errors never quote the URL, since it may hold the password.
func ParseURL(raw string) (Config, error) {
	u, err := url.Parse(raw)
	if err != nil {
		// url.Error quotes the whole URL, password included.
		return Config{}, errors.New("mail: SMTP URL is malformed")
	}
	var c Config
	switch u.Scheme {
	case "smtp":
		c.Port = "587"
	case "smtps":
		c.Port, c.TLS = "465", TLSImplicit
	case "":
		return Config{}, errors.New("mail: SMTP URL has no scheme (smtp:// or smtps://)")
	default:
		return Config{}, fmt.Errorf("mail: SMTP URL scheme %q is not smtp or smtps", u.Scheme)
	}
	if u.Opaque != "" || u.Hostname() == "" {
		return Config{}, errors.New("mail: SMTP URL has no host")
	}
	c.Host = u.Hostname()
	if p := u.Port(); p != "" {
		c.Port = p
	}
	if u.Path != "" && u.Path != "/" {
		return Config{}, errors.New("mail: SMTP URL has a path")
	}
	if u.User != nil {
		c.Username = u.User.Username()
		c.Password, _ = u.User.Password()
		if c.Username == "" || c.Password == "" {
			return Config{}, errors.New("mail: SMTP URL needs both a user name and a password, or neither")
		}
	}
	q, err := url.ParseQuery(u.RawQuery)
	if err != nil {
		return Config{}, errors.New("mail: SMTP URL query is malformed")
	}
	for k, v := range q {
		switch k {
		case "from", "tls", "helo":
			if len(v) != 1 {
				return Config{}, fmt.Errorf("mail: SMTP URL has %d %s parameters, want 1", len(v), k)
			}
		default:
			// A typo ("form=") should stop the start-up, not the first mail.
			return Config{}, fmt.Errorf("mail: SMTP URL has an unknown parameter %q", k)
		}
	}
	c.From = q.Get("from")
	if c.From == "" {
		return Config{}, errors.New("mail: SMTP URL needs from=<sender address>")
	}
	if _, err := parseAddress("from", c.From); err != nil || strings.ContainsAny(c.From, "\r\n") {
		return Config{}, errors.New("mail: SMTP URL from is not a valid address")
	}
	c.HelloName = q.Get("helo")
	if q.Has("helo") && !validHello(c.HelloName) {
		return Config{}, errors.New("mail: SMTP URL helo is not a host name")
	}
	creds := c.Username != "" && !isLoopback(c.Host)
	switch t := q.Get("tls"); {
	case !q.Has("tls"):
		if c.TLS == TLSOpportunistic && creds {
			c.TLS = TLSStartTLS
		}
	case c.TLS == TLSImplicit:
		return Config{}, errors.New("mail: SMTP URL: smtps:// takes no tls parameter")
	case t == "starttls":
		c.TLS = TLSStartTLS
	case t == "none":
		if creds {
			return Config{}, errors.New("mail: SMTP URL: refusing to send credentials in cleartext to a host that is not loopback (tls=none)")
		}
		c.TLS = TLSNone
	default:
		return Config{}, fmt.Errorf("mail: SMTP URL tls=%q, want starttls or none", t)
	}
	return c, nil
}

// LogValue leaves the password out: a Config gets logged at start-up.
func (c Config) LogValue() slog.Value {
	attrs := []slog.Attr{
		slog.String("host", c.Host),
		slog.String("port", c.Port),
		slog.String("tls", c.TLS.String()),
		slog.String("from", c.From),
	}
	if c.Username != "" {
		attrs = append(attrs, slog.String("user", c.Username), slog.String("password", "REDACTED"))
	}
	return slog.GroupValue(attrs...)
}

// String is the Config as an SMTP URL with the password redacted, so that
// a Config printed with %v does not leak it either.
func (c Config) String() string {
	u := url.URL{Scheme: "smtp", Host: net.JoinHostPort(c.Host, c.Port)}
	q := url.Values{"from": {c.From}}
	switch c.TLS {
	case TLSImplicit:
		u.Scheme = "smtps"
	case TLSStartTLS, TLSNone:
		q.Set("tls", c.TLS.String())
	}
	if c.HelloName != "" {
		q.Set("helo", c.HelloName)
	}
	u.RawQuery = q.Encode()
	if c.Username != "" {
		u.User = url.UserPassword(c.Username, "REDACTED")
	}
	return u.String()
}

// SMTP sends Messages through a relay, one connection per message: a
// referral mail is rare, and a fresh connection has no idle state to go
// stale. It is safe for concurrent use.
type SMTP struct {
	cfg     Config
	tls     *tls.Config // nil: system roots
	timeout time.Duration
}

// Option configures an SMTP.
type Option func(*SMTP)

// WithTLSConfig sets the TLS client configuration, for tests that must
// trust a self-signed certificate (smtptest.Server.TLSConfig). Its
// ServerName defaults to Config.Host.
func WithTLSConfig(c *tls.Config) Option {
	return func(s *SMTP) { s.tls = c }
}

// WithTimeout bounds a Send whose context has no deadline (default 30 s):
// a relay that stops answering must not hold the caller's queue forever.
func WithTimeout(d time.Duration) Option {
	return func(s *SMTP) { s.timeout = d }
}

// NewSMTP returns a sender for cfg. It does not connect: Send does.
func NewSMTP(cfg Config, opts ...Option) *SMTP {
	s := &SMTP{cfg: cfg, timeout: 30 * time.Second}
	for _, o := range opts {
		o(s)
	}
	return s
}

// LogValue logs the Config without its password; without it slog would
// print the struct's fields.
func (s *SMTP) LogValue() slog.Value { return s.cfg.LogValue() }

// Send delivers m, filling its From from Config.From when empty. Errors
// start with "smtp send: "; Permanent tells whether to retry. Once the
// relay has accepted the data, Send returns nil even if QUIT fails: the
// mail is queued there, and a resend would be a duplicate.
func (s *SMTP) Send(ctx context.Context, m Message) error {
	if err := s.send(ctx, m); err != nil {
		return fmt.Errorf("smtp send: %w", err)
	}
	return nil
}

func (s *SMTP) send(ctx context.Context, m Message) error {
	sender, err := mail.ParseAddress(s.cfg.From)
	if err != nil || strings.ContainsAny(s.cfg.From, "\r\n") {
		return setupError{errors.New("config: from is not a valid address")}
	}
	if s.cfg.Username != "" && s.cfg.TLS == TLSNone && !isLoopback(s.cfg.Host) {
		return setupError{errors.New("config: refusing credentials in cleartext to a host that is not loopback")}
	}
	if m.From == "" {
		m.From = s.cfg.From
	}
	data, err := m.Bytes()
	if err != nil {
		return err
	}
	rcpt, _ := mail.ParseAddress(m.To) // Bytes checked it

	if _, ok := ctx.Deadline(); !ok && s.timeout > 0 {
		var cancel context.CancelFunc
		ctx, cancel = context.WithTimeout(ctx, s.timeout)
		defer cancel()
	}
	port := s.cfg.Port
	if port == "" {
		port = "587"
		if s.cfg.TLS == TLSImplicit {
			port = "465"
		}
	}
	var d net.Dialer
	conn, err := d.DialContext(ctx, "tcp", net.JoinHostPort(s.cfg.Host, port))
	if err != nil {
		return err
	}
	defer conn.Close()
	// net/smtp has no context, so the context acts through the conn's
	// deadline: when ctx ends (deadline or cancel), the deadline moves to
	// the past, which unblocks every read and write. ctx.Err() is set by
	// then, so the error says why. The conn deadline a little after ctx's
	// is only a backstop: set exactly at ctx's, it could fire first and
	// leave a bare i/o timeout.
	if dl, ok := ctx.Deadline(); ok {
		_ = conn.SetDeadline(dl.Add(time.Second))
	}
	stop := context.AfterFunc(ctx, func() { _ = conn.SetDeadline(time.Unix(1, 0)) })
	defer stop()

	err = s.session(ctx, conn, sender.Address, rcpt.Address, data)
	if err != nil && ctx.Err() != nil {
		// The i/o timeout alone would hide that the context ended.
		return fmt.Errorf("%w: %w", ctx.Err(), err)
	}
	return err
}

// session runs the SMTP dialogue on conn.
func (s *SMTP) session(ctx context.Context, conn net.Conn, from, to string, data []byte) error {
	tlsConf := &tls.Config{MinVersion: tls.VersionTLS12}
	if s.tls != nil {
		tlsConf = s.tls.Clone()
	}
	if tlsConf.ServerName == "" {
		tlsConf.ServerName = s.cfg.Host
	}
	if s.cfg.TLS == TLSImplicit {
		tc := tls.Client(conn, tlsConf)
		if err := tc.HandshakeContext(ctx); err != nil {
			return setupError{fmt.Errorf("tls: %w", err)}
		}
		conn = tc
	}
	c, err := smtp.NewClient(conn, s.cfg.Host)
	if err != nil {
		return setupError{fmt.Errorf("greeting: %w", err)}
	}
	defer c.Close()
	hello := s.cfg.HelloName
	if hello == "" {
		hello = "localhost"
	}
	if err := c.Hello(hello); err != nil {
		return setupError{fmt.Errorf("ehlo: %w", err)}
	}
	secure := s.cfg.TLS == TLSImplicit
	if s.cfg.TLS == TLSOpportunistic || s.cfg.TLS == TLSStartTLS {
		if ok, _ := c.Extension("STARTTLS"); ok {
			if err := c.StartTLS(tlsConf); err != nil {
				return setupError{fmt.Errorf("starttls: %w", err)}
			}
			secure = true
		} else if s.cfg.TLS == TLSStartTLS {
			return setupError{errors.New("starttls: required but not offered by the server")}
		}
	}
	if s.cfg.Username != "" {
		if !secure && !isLoopback(s.cfg.Host) {
			return setupError{errors.New("auth: refusing credentials without TLS")}
		}
		// smtp.PlainAuth checks again that the connection is TLS or local.
		if err := c.Auth(smtp.PlainAuth("", s.cfg.Username, s.cfg.Password, s.cfg.Host)); err != nil {
			return setupError{fmt.Errorf("auth: %w", err)}
		}
	}
	if err := c.Mail(from); err != nil {
		// A 5xx here is about our sender or account, not this message.
		return setupError{fmt.Errorf("mail from: %w", err)}
	}
	if err := c.Rcpt(to); err != nil {
		return fmt.Errorf("rcpt to: %w", err)
	}
	w, err := c.Data()
	if err != nil {
		return fmt.Errorf("data: %w", err)
	}
	if _, err := w.Write(data); err != nil {
		return fmt.Errorf("data: %w", err)
	}
	if err := w.Close(); err != nil {
		return fmt.Errorf("data: %w", err)
	}
	_ = c.Quit() // accepted: see Send
	return nil
}

// Permanent reports whether err means the message can never be sent as
// it is, so retrying is useless: an SMTP reply of 5xx (a textproto.Error
// with Code >= 500) to the recipient or the data, or ErrInvalidMessage.
// A 4xx reply, a network error, a timeout or a cancelled context is
// temporary. So is a 5xx during the set-up (greeting, EHLO, STARTTLS,
// AUTH, MAIL FROM): a wrong password or a refused sender is fixed by the
// operator, and the queued referrals must still go out afterwards.
func Permanent(err error) bool {
	if err == nil {
		return false
	}
	if errors.Is(err, ErrInvalidMessage) {
		return true
	}
	if _, ok := errors.AsType[setupError](err); ok {
		return false
	}
	if e, ok := errors.AsType[*textproto.Error](err); ok {
		return e.Code >= 500
	}
	return false
}

// setupError marks a failure of our configuration or of the session's
// set-up rather than of the message, for Permanent.
type setupError struct{ err error }

func (e setupError) Error() string { return e.err.Error() }
func (e setupError) Unwrap() error { return e.err }

// isLoopback reports whether host is this machine, where cleartext never
// leaves the kernel.
func isLoopback(host string) bool {
	if strings.EqualFold(host, "localhost") {
		return true
	}
	ip := net.ParseIP(host)
	return ip != nil && ip.IsLoopback()
}

// validHello reports whether s can follow EHLO: a name or an address
// literal, one word.
func validHello(s string) bool {
	if s == "" || len(s) > 255 {
		return false
	}
	for i := 0; i < len(s); i++ {
		c := s[i]
		if c <= ' ' || c >= 0x7f {
			return false
		}
	}
	return true
}
