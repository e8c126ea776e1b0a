package telegram

import (
	"context"
	"encoding/json"
	"log/slog"
	"net/http"

	"github.com/go-telegram/bot/models"

	"github.com/secours/secours/web"
)

// maxWebhookBody bounds one update posted to the webhook.
const maxWebhookBody = 1 << 20

// WebhookHandler receives the updates Telegram posts in webhook mode,
// under the common webhook policy (web.Webhook): a request without the
// right X-Telegram-Bot-Api-Secret-Token gets 401 and goes no further.
func (a *Adapter) WebhookHandler() http.Handler {
	return web.Webhook(web.WebhookOptions{Header: secretHeader, Secret: a.cfg.WebhookSecret,
		MaxBody: maxWebhookBody, Logger: a.log}, a.HandleUpdate)
}

// HandleUpdate handles one update as Telegram posts it; false if the body
// is no update (the webhook's 400). An update is handled and answered before the 200, so
// that Telegram posts it again if the process stops halfway (the engine
// drops the repeat by its update id); the chat's queue keeps its order.
// A chat that floods (maxWaiting) has its extra updates dropped, with a
// 200.
func (a *Adapter) HandleUpdate(ctx context.Context, raw []byte) bool {
	received := a.now()
	var head struct {
		ID *int64 `json:"update_id"`
	}
	if err := json.Unmarshal(raw, &head); err != nil || head.ID == nil {
		return false
	}
	u := new(models.Update)
	if err := json.Unmarshal(raw, u); err != nil {
		// An update type the library cannot read: accept it, or
		// Telegram would post it again and again.
		a.log.Warn("update undecodable, skipped", slog.String("event", "undecodable"), slog.Int64("update", *head.ID))
		return true
	}
	work := context.WithoutCancel(ctx)
	done := make(chan struct{})
	if !a.enqueueUpdate(work, u, func() {
		defer close(done)
		a.handle(work, u, arrival{at: received})
	}) {
		// Dropped by the flood rule: Telegram must not post it again.
		return true
	}
	<-done
	return true
}
