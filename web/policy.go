package web

import (
	"log/slog"
	"time"
)

// Policy is what every page opened by a token in its URL shares (the
// structure page, the observatory, a network's page): who the client is
// behind the proxies, how bad tokens are slowed, how forms are signed, and
// where the lines go. Each page's options embed it, so that the three
// pages cannot drift apart; a page without forms leaves the CSRF fields.
type Policy struct {
	// Logger gets one line per request and the errors; nil discards.
	Logger *slog.Logger
	// Proxies are the reverse proxies whose X-Forwarded-For names the
	// client (TRUSTED_PROXIES); none: the client is the TCP peer.
	Proxies Proxies
	// FailLimit bad tokens from one client within FailWindow get that
	// client's further bad tokens a 429 until the window ends; a valid
	// token is always served. Defaults: 10 in 10 minutes.
	FailLimit  int
	FailWindow time.Duration
	// CSRFSecrets derive the keys of the forms' csrf field: the first
	// signs, and a form signed under any of them is accepted, so that a
	// secret is rotated by putting a new one first and dropping the old
	// one later. Every instance behind one address, and every restart,
	// must have the same ones (cmd keeps one in the store, or takes
	// CSRF_SECRET). Nil: 32 random bytes, for one process only (a
	// restart makes open pages' forms fail once with a "reload" page).
	CSRFSecrets [][]byte
	// CSRFRotate is how often the signing key, derived from the secret,
	// changes; a form signed under the key before is still accepted (and
	// under the next one, for a replica whose clock runs ahead). Default
	// 7 days: a page left open longer asks to be reloaded once.
	CSRFRotate time.Duration
}

// Log is the policy's logger, or one that discards.
func (p Policy) Log() *slog.Logger {
	if p.Logger == nil {
		return slog.New(slog.DiscardHandler)
	}
	return p.Logger
}

// Gate is the bad-token gate of the page called name, on the clock now.
func (p Policy) Gate(name string, now func() time.Time) *Gate {
	return NewGate(GateOptions{Name: name, Proxies: p.Proxies, Limit: p.FailLimit, Window: p.FailWindow, Now: now, Logger: p.Log()})
}

// Forms is the page's CSRF mechanism, on the clock now.
func (p Policy) Forms(now func() time.Time) (*CSRF, error) {
	return NewCSRF(p.CSRFSecrets, p.CSRFRotate, now)
}
