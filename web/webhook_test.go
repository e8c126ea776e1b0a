package web

import (
	"context"
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"
)

// TestWebhook: only a POST with the shared secret and a bounded body
// reaches the handler; an oversize body is a 413, as for Signed.
func TestWebhook(t *testing.T) {
	const header, secret = "X-Telegram-Bot-Api-Secret-Token", "s3cret"
	reached := 0
	h := Webhook(WebhookOptions{Header: header, Secret: secret, MaxBody: 16}, func(_ context.Context, body []byte) bool {
		reached++
		return string(body) != "junk"
	})
	post := func(body, sec string) *http.Request {
		r := httptest.NewRequest(http.MethodPost, "/tg", strings.NewReader(body))
		if sec != "" {
			r.Header.Set(header, sec)
		}
		return r
	}
	for _, c := range []struct {
		name  string
		req   *http.Request
		code  int
		reach bool
	}{
		{"good", post(`{"update_id":1}`, secret), http.StatusOK, true},
		{"no secret", post(`{"update_id":1}`, ""), http.StatusUnauthorized, false},
		{"wrong secret", post(`{"update_id":1}`, "guess"), http.StatusUnauthorized, false},
		{"oversize", post(strings.Repeat("x", 17), secret), http.StatusRequestEntityTooLarge, false},
		{"no update", post("junk", secret), http.StatusBadRequest, true},
		{"GET", httptest.NewRequest(http.MethodGet, "/tg", nil), http.StatusUnauthorized, false},
	} {
		t.Run(c.name, func(t *testing.T) {
			reached = 0
			rec := httptest.NewRecorder()
			h.ServeHTTP(rec, c.req)
			if rec.Code != c.code || (reached > 0) != c.reach {
				t.Errorf("status %d, handler reached %v; want %d, %v", rec.Code, reached > 0, c.code, c.reach)
			}
		})
	}
}
