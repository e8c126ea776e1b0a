package web

import (
	"context"
	"crypto/hmac"
	"crypto/sha256"
	"crypto/subtle"
	"encoding/hex"
	"log/slog"
	"net/http"
	"strings"
)

// SignedOptions configures Signed.
type SignedOptions struct {
	// AppSecret signs each POST: X-Hub-Signature-256 is
	// "sha256=" + hex(HMAC-SHA256(AppSecret, body)). Empty: every POST
	// gets 401.
	AppSecret string
	// VerifyToken is the token the subscription check (a GET) must quote;
	// empty: every GET gets 403.
	VerifyToken string
	// MaxBody bounds a POST's body; over it, 413.
	MaxBody int64
	// Logger gets the refusals; nil discards.
	Logger *slog.Logger
}

// signatureHeader carries a Meta webhook's signature.
const signatureHeader = "X-Hub-Signature-256"

// maxChallenge bounds the echoed hub.challenge: Meta's is a short number,
// and a long one is nobody's subscription check.
const maxChallenge = 128

// Signed is the HTTP surface of a channel that signs what it posts, as
// Meta does (the WhatsApp Cloud API): a GET is the subscription check,
// answered with hub.challenge when hub.verify_token is ours (403
// otherwise); a POST reaches handle only with a bounded body whose
// X-Hub-Signature-256 is its HMAC under the app secret (401 otherwise).
// As for Webhook, the 200 comes once handle returns true; false means the
// body is no update, a 400.
func Signed(o SignedOptions, handle func(ctx context.Context, body []byte) bool) http.Handler {
	log := o.Logger
	if log == nil {
		log = slog.New(slog.DiscardHandler)
	}
	token := sha256.Sum256([]byte(o.VerifyToken))
	secret := []byte(o.AppSecret)
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		switch r.Method {
		case http.MethodGet:
			verify(w, r, o.VerifyToken != "", token, log)
		case http.MethodPost:
			sig, ok := strings.CutPrefix(r.Header.Get(signatureHeader), "sha256=")
			want, err := hex.DecodeString(sig)
			if len(secret) == 0 || !ok || err != nil || len(want) != sha256.Size {
				log.Warn("webhook request refused", slog.String("event", "bad_signature"))
				http.Error(w, "unauthorized", http.StatusUnauthorized)
				return
			}
			raw, ok := webhookBody(w, r, o.MaxBody)
			if !ok {
				return
			}
			if !hmac.Equal(mac(secret, raw), want) {
				log.Warn("webhook request refused", slog.String("event", "bad_signature"))
				http.Error(w, "unauthorized", http.StatusUnauthorized)
				return
			}
			if !handle(r.Context(), raw) {
				http.Error(w, "bad request", http.StatusBadRequest)
				return
			}
			w.WriteHeader(http.StatusOK)
		default:
			w.Header().Set("Allow", "GET, POST")
			http.Error(w, "method not allowed", http.StatusMethodNotAllowed)
		}
	})
}

// Signature is the X-Hub-Signature-256 value Meta sends with body: what
// Signed checks, and what a fake of the Cloud API signs its posts with.
func Signature(appSecret string, body []byte) string {
	return "sha256=" + hex.EncodeToString(mac([]byte(appSecret), body))
}

func mac(secret, body []byte) []byte {
	m := hmac.New(sha256.New, secret)
	m.Write(body)
	return m.Sum(nil)
}

// verify answers the subscription check: hub.challenge, as plain text,
// when hub.mode is subscribe and hub.verify_token is ours.
func verify(w http.ResponseWriter, r *http.Request, configured bool, token [sha256.Size]byte, log *slog.Logger) {
	q := r.URL.Query()
	// Hashes have one length: the comparison takes the same time whatever
	// the query holds, its length included.
	got := sha256.Sum256([]byte(q.Get("hub.verify_token")))
	challenge := q.Get("hub.challenge")
	if !configured || q.Get("hub.mode") != "subscribe" || subtle.ConstantTimeCompare(got[:], token[:]) != 1 ||
		challenge == "" || len(challenge) > maxChallenge {
		log.Warn("webhook verification refused", slog.String("event", "bad_verify_token"))
		http.Error(w, "forbidden", http.StatusForbidden)
		return
	}
	// Plain text, never sniffed: the challenge is the caller's own words.
	w.Header().Set("Content-Type", "text/plain; charset=utf-8")
	w.Header().Set("X-Content-Type-Options", "nosniff")
	_, _ = w.Write([]byte(challenge))
}
