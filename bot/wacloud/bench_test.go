package wacloud

import (
	"bytes"
	"context"
	"net/http"
	"net/http/httptest"
	"testing"

	"github.com/secours/secours/flows"
	"github.com/secours/secours/web"
)

// zeroWork answers nothing: the benchmark measures the channel alone.
type zeroWork struct{}

func (zeroWork) Handle(context.Context, flows.Msg) []flows.Reply { return nil }

// BenchmarkWebhook: one signed post of one text message, verified,
// parsed, queued on its chat's worker and answered by a conversation
// that does no work (issue 20: under 50 µs).
func BenchmarkWebhook(b *testing.B) {
	h := newHarness(b, zeroWork{}, func(o *Options) { o.Window = nil })
	body := []byte(`{"object":"whatsapp_business_account","entry":[{"id":"102290129340398","changes":[{"field":"messages","value":{
		"messaging_product":"whatsapp","metadata":{"display_phone_number":"32470000000","phone_number_id":"` + h.fake.PhoneNumberID + `"},
		"contacts":[{"profile":{"name":"Test"},"wa_id":"` + beID + `"}],
		"messages":[{"from":"` + beID + `","id":"wamid.HBgLMzI0NzAwMDAwMDEVAgASGBQzQTdBRjE2RDQ5","timestamp":"1741078800","type":"text","text":{"body":"2"}}]}}]}]}`)
	sig := web.Signature(h.fake.AppSecret, body)
	handler := h.a.WebhookHandler()
	b.ReportAllocs()
	for b.Loop() {
		req := httptest.NewRequest(http.MethodPost, "/", bytes.NewReader(body))
		req.Header.Set("X-Hub-Signature-256", sig)
		rec := httptest.NewRecorder()
		handler.ServeHTTP(rec, req)
		if rec.Code != http.StatusOK {
			b.Fatal(rec.Code)
		}
	}
}
