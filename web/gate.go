package web

import (
	"log/slog"
	"net/http"
	"strconv"
	"time"
)

// ValidToken is a cheap shape check before a token is looked up: tokens
// are URL-safe random strings of 8 to 256 characters.
func ValidToken(s string) bool {
	if len(s) < 8 || len(s) > 256 {
		return false
	}
	for _, c := range []byte(s) {
		if !(c >= 'a' && c <= 'z' || c >= 'A' && c <= 'Z' || c >= '0' && c <= '9' || c == '-' || c == '_') {
			return false
		}
	}
	return true
}

// GateOptions configures NewGate; every field has a default.
type GateOptions struct {
	// Name starts the gate's log line: "<Name> token rate limited".
	Name string
	// Proxies are the reverse proxies whose X-Forwarded-For names the
	// client (TRUSTED_PROXIES); none: the client is the TCP peer.
	Proxies Proxies
	// Limit bad tokens from one client within Window get that client's
	// further bad tokens a 429 until the window ends. Defaults: 10 in 10
	// minutes.
	Limit  int
	Window time.Duration
	// Now is the clock of the windows; default time.Now.
	Now func() time.Time
	// Logger gets the line of each refusal; nil discards.
	Logger *slog.Logger
}

// maxClients is how many clients a gate's limiter remembers.
const maxClients = 10000

// Gate is the bad-token policy of a page opened by a token in its URL. A
// page asks it only once a token has proved bad, so that a valid token is
// served whoever failed from the same address (behind a proxy without
// TRUSTED_PROXIES, everyone): it slows guessing, and locks no one out. It
// is safe for concurrent use.
type Gate struct {
	name    string
	proxies Proxies
	fails   *Limiter
	now     func() time.Time
	log     *slog.Logger
}

// NewGate applies o's defaults.
func NewGate(o GateOptions) *Gate {
	g := &Gate{name: o.Name, proxies: o.Proxies, now: o.Now, log: o.Logger}
	if o.Limit <= 0 {
		o.Limit = 10
	}
	if o.Window <= 0 {
		o.Window = 10 * time.Minute
	}
	if g.now == nil {
		g.now = time.Now
	}
	if g.log == nil {
		g.log = slog.New(slog.DiscardHandler)
	}
	g.fails = NewLimiter(o.Limit, o.Window, maxClients)
	return g
}

// Bad counts a bad token from r's client. A client over the limit is not
// counted again: Bad sets Retry-After, logs the refusal and returns the
// minutes left to wait, for the 429 page, and true. Otherwise the page
// answers its one 404.
func (g *Gate) Bad(w http.ResponseWriter, r *http.Request) (mins string, blocked bool) {
	client, now := g.proxies.Client(r), g.now()
	if wait, blocked := g.fails.Blocked(client, now); blocked {
		w.Header().Set("Retry-After", strconv.Itoa(int((wait+time.Second-1)/time.Second)))
		g.log.Warn(g.name+" token rate limited", "pattern", r.Pattern)
		return strconv.Itoa(int((wait + time.Minute - 1) / time.Minute)), true
	}
	g.fails.Fail(client, now)
	return "", false
}
