package web

import (
	"context"
	"crypto/sha256"
	"crypto/subtle"
	"errors"
	"log/slog"
	"net/http"
)

// WebhookOptions configures Webhook.
type WebhookOptions struct {
	// Header carries the shared Secret on each request; a request
	// without it (or with an empty Secret configured) gets 401 and goes
	// no further.
	Header, Secret string
	// MaxBody bounds the body; over it, 400.
	MaxBody int64
	// Logger gets the refusals; nil discards.
	Logger *slog.Logger
}

// Webhook is the HTTP surface of a channel that posts its updates to us:
// only a POST with the shared secret, with a bounded body, reaches handle.
// Its 200 comes once handle returns true; false means the body is no
// update, a 400.
func Webhook(o WebhookOptions, handle func(ctx context.Context, body []byte) bool) http.Handler {
	log := o.Logger
	if log == nil {
		log = slog.New(slog.DiscardHandler)
	}
	// Hashes have one length: the comparison takes the same time whatever
	// the header holds, its length included.
	want := sha256.Sum256([]byte(o.Secret))
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		got := sha256.Sum256([]byte(r.Header.Get(o.Header)))
		if o.Secret == "" || subtle.ConstantTimeCompare(got[:], want[:]) != 1 {
			log.Warn("webhook request refused", slog.String("event", "bad_secret"))
			http.Error(w, "unauthorized", http.StatusUnauthorized)
			return
		}
		if r.Method != http.MethodPost {
			w.Header().Set("Allow", http.MethodPost)
			http.Error(w, "method not allowed", http.StatusMethodNotAllowed)
			return
		}
		raw, ok := webhookBody(w, r, o.MaxBody)
		if !ok {
			return
		}
		if !handle(r.Context(), raw) {
			http.Error(w, "bad request", http.StatusBadRequest)
			return
		}
		w.WriteHeader(http.StatusOK)
	})
}

// webhookBody reads a webhook's body, at most max bytes; if it cannot, it
// answers 413 (over max) or 400 and returns false.
func webhookBody(w http.ResponseWriter, r *http.Request, max int64) ([]byte, bool) {
	raw, err := ReadBody(w, r, max)
	if err == nil {
		return raw, true
	}
	if _, ok := errors.AsType[*http.MaxBytesError](err); ok {
		http.Error(w, "request entity too large", http.StatusRequestEntityTooLarge)
		return nil, false
	}
	http.Error(w, "bad request", http.StatusBadRequest)
	return nil, false
}
