package web

import (
	"crypto/sha256"
	"encoding/base64"
	"log/slog"
	"net/http"
	"time"
)

// CSP is the Content-Security-Policy of a page whose one style sheet is
// inline, allowed by its hash: no second request, nothing to serve, and
// no 'unsafe-inline'. Nothing else loads; forms post to the page's own
// origin only, and no one may frame it.
func CSP(css string) string {
	sum := sha256.Sum256([]byte(css))
	return "default-src 'none'; style-src 'sha256-" + base64.StdEncoding.EncodeToString(sum[:]) +
		"'; form-action 'self'; frame-ancestors 'none'; base-uri 'none'"
}

// Headers sets the security headers on every response of next, errors
// included, and logs each request as "<name> page" by its route pattern:
// the path holds the page's token, which must never reach a log. A
// handler may replace the CSP for one response (a poster has its own
// style sheet).
func Headers(next http.Handler, name, csp string, log *slog.Logger) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		start := time.Now() // a measure, not a rule: the real clock
		h := w.Header()
		h.Set("Content-Security-Policy", csp)
		h.Set("Referrer-Policy", "no-referrer") // the token is in the URL
		h.Set("Cache-Control", "no-store")      // a shared PC must not keep the page
		h.Set("X-Content-Type-Options", "nosniff")
		h.Set("X-Frame-Options", "DENY") // frame-ancestors, for browsers older than CSP 2
		sw := &statusWriter{ResponseWriter: w}
		next.ServeHTTP(sw, r)
		log.Info(name+" page", "pattern", r.Pattern, "method", r.Method,
			"status", sw.status, "dur", time.Since(start))
	})
}

// FormPage is the handler of a page that takes forms: mux's routes, with
// notFound answering any path they do not match, behind forms' check
// (forbidden answers a post that fails it) and the page's Headers.
func FormPage(mux *http.ServeMux, forms *CSRF, name, csp string, log *slog.Logger, notFound, forbidden func(http.ResponseWriter)) http.Handler {
	mux.HandleFunc("/", func(w http.ResponseWriter, r *http.Request) { notFound(w) })
	deny := http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) { forbidden(w) })
	return Headers(forms.Protect(mux, deny), name, csp, log)
}

// statusWriter remembers the status, for the request log.
type statusWriter struct {
	http.ResponseWriter
	status int
}

func (s *statusWriter) WriteHeader(code int) {
	if s.status == 0 {
		s.status = code
	}
	s.ResponseWriter.WriteHeader(code)
}

// Unwrap lets http.ResponseController reach the connection (a form's
// read deadline).
func (s *statusWriter) Unwrap() http.ResponseWriter { return s.ResponseWriter }

func (s *statusWriter) Write(b []byte) (int, error) {
	if s.status == 0 {
		s.status = http.StatusOK
	}
	return s.ResponseWriter.Write(b)
}
