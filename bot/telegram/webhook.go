package telegram

import (
	"context"
	"crypto/sha256"
	"crypto/subtle"
	"encoding/json"
	"io"
	"log/slog"
	"net/http"

	"github.com/go-telegram/bot/models"
)

// maxWebhookBody bounds one update posted to the webhook.
const maxWebhookBody = 1 << 20

// WebhookHandler receives the updates Telegram posts in webhook mode. A
// request without the right X-Telegram-Bot-Api-Secret-Token gets 401 and
// goes no further. An update is handled and answered before the 200, so
// that Telegram posts it again if the process stops halfway (the engine
// drops the repeat by its update id); the chat's queue keeps its order.
// A chat that floods (maxWaiting) has its extra updates dropped, with a 200.
func (a *Adapter) WebhookHandler() http.Handler {
	// Hashes have one length: the comparison takes the same time whatever
	// the header holds, its length included.
	want := sha256.Sum256([]byte(a.cfg.WebhookSecret))
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		got := sha256.Sum256([]byte(r.Header.Get(secretHeader)))
		if a.cfg.WebhookSecret == "" || subtle.ConstantTimeCompare(got[:], want[:]) != 1 {
			a.log.Warn("webhook request refused", slog.String("event", "bad_secret"))
			http.Error(w, "unauthorized", http.StatusUnauthorized)
			return
		}
		if r.Method != http.MethodPost {
			w.Header().Set("Allow", http.MethodPost)
			http.Error(w, "method not allowed", http.StatusMethodNotAllowed)
			return
		}
		raw, err := io.ReadAll(http.MaxBytesReader(w, r.Body, maxWebhookBody))
		if err != nil {
			http.Error(w, "bad request", http.StatusBadRequest)
			return
		}
		received := a.now()
		var head struct {
			ID *int64 `json:"update_id"`
		}
		if err := json.Unmarshal(raw, &head); err != nil || head.ID == nil {
			http.Error(w, "bad request", http.StatusBadRequest)
			return
		}
		u := new(models.Update)
		if err := json.Unmarshal(raw, u); err != nil {
			// An update type the library cannot read: accept it, or
			// Telegram would post it again and again.
			a.log.Warn("update undecodable, skipped", slog.String("event", "undecodable"), slog.Int64("update", *head.ID))
			w.WriteHeader(http.StatusOK)
			return
		}
		work := context.WithoutCancel(r.Context())
		done := make(chan struct{})
		if !a.enqueueUpdate(work, u, func() {
			defer close(done)
			a.handle(work, u, received)
		}) {
			// Dropped by the flood rule: Telegram must not post it again.
			w.WriteHeader(http.StatusOK)
			return
		}
		<-done
		w.WriteHeader(http.StatusOK)
	})
}
