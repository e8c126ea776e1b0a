package web

import (
	"context"
	"net/http"
	"net/http/httptest"
	"net/url"
	"strings"
	"testing"
)

// TestSigned: the subscription check and the signature of each post, as
// Meta sends them; only a signed, bounded post reaches the handler.
func TestSigned(t *testing.T) {
	const secret, token = "app-secret", "verify-me"
	var got []string
	h := Signed(SignedOptions{AppSecret: secret, VerifyToken: token, MaxBody: 64}, func(_ context.Context, body []byte) bool {
		got = append(got, string(body))
		return string(body) != "not an update"
	})
	body := `{"object":"whatsapp_business_account"}`
	post := func(body, sig string) *http.Request {
		r := httptest.NewRequest(http.MethodPost, "/wa", strings.NewReader(body))
		if sig != "" {
			r.Header.Set("X-Hub-Signature-256", sig)
		}
		return r
	}
	get := func(mode, tok, challenge string) *http.Request {
		q := url.Values{"hub.mode": {mode}, "hub.verify_token": {tok}, "hub.challenge": {challenge}}
		return httptest.NewRequest(http.MethodGet, "/wa?"+q.Encode(), nil)
	}
	forged := Signature("another secret", []byte(body))
	for _, c := range []struct {
		name     string
		req      *http.Request
		code     int
		respBody string
	}{
		{"signed", post(body, Signature(secret, []byte(body))), http.StatusOK, ""},
		{"forged", post(body, forged), http.StatusUnauthorized, ""},
		{"body changed", post(body+" ", Signature(secret, []byte(body))), http.StatusUnauthorized, ""},
		{"unsigned", post(body, ""), http.StatusUnauthorized, ""},
		{"no sha256= prefix", post(body, strings.TrimPrefix(Signature(secret, []byte(body)), "sha256=")), http.StatusUnauthorized, ""},
		{"not hex", post(body, "sha256=zz"), http.StatusUnauthorized, ""},
		{"oversize", post(strings.Repeat("x", 65), Signature(secret, []byte(strings.Repeat("x", 65)))), http.StatusRequestEntityTooLarge, ""},
		{"no update", post("not an update", Signature(secret, []byte("not an update"))), http.StatusBadRequest, ""},
		{"wrong method", httptest.NewRequest(http.MethodPut, "/wa", nil), http.StatusMethodNotAllowed, ""},
		{"verify", get("subscribe", token, "1158201444"), http.StatusOK, "1158201444"},
		{"verify, wrong token", get("subscribe", "guess", "1158201444"), http.StatusForbidden, ""},
		{"verify, wrong mode", get("unsubscribe", token, "1158201444"), http.StatusForbidden, ""},
		{"verify, no challenge", get("subscribe", token, ""), http.StatusForbidden, ""},
		{"verify, long challenge", get("subscribe", token, strings.Repeat("1", 129)), http.StatusForbidden, ""},
	} {
		t.Run(c.name, func(t *testing.T) {
			got = nil
			rec := httptest.NewRecorder()
			h.ServeHTTP(rec, c.req)
			if rec.Code != c.code {
				t.Fatalf("status %d, want %d", rec.Code, c.code)
			}
			if c.respBody != "" && rec.Body.String() != c.respBody {
				t.Errorf("body %q, want %q", rec.Body.String(), c.respBody)
			}
			reached := len(got) > 0
			if want := c.code == http.StatusOK && c.req.Method == http.MethodPost || c.name == "no update"; reached != want {
				t.Errorf("handler reached: %v, want %v", reached, want)
			}
		})
	}
	if ct := func() string {
		rec := httptest.NewRecorder()
		h.ServeHTTP(rec, get("subscribe", token, "<b>"))
		return rec.Header().Get("Content-Type")
	}(); !strings.HasPrefix(ct, "text/plain") {
		t.Errorf("challenge served as %q, want text/plain", ct)
	}
}

// TestSignedUnconfigured: with no secret nor token, nothing goes through.
func TestSignedUnconfigured(t *testing.T) {
	h := Signed(SignedOptions{MaxBody: 64}, func(context.Context, []byte) bool {
		t.Error("handler reached")
		return true
	})
	body := "{}"
	r := httptest.NewRequest(http.MethodPost, "/wa", strings.NewReader(body))
	r.Header.Set("X-Hub-Signature-256", Signature("", []byte(body)))
	rec := httptest.NewRecorder()
	h.ServeHTTP(rec, r)
	if rec.Code != http.StatusUnauthorized {
		t.Errorf("post signed with an empty secret: %d, want 401", rec.Code)
	}
	rec = httptest.NewRecorder()
	h.ServeHTTP(rec, httptest.NewRequest(http.MethodGet, "/wa?hub.mode=subscribe&hub.verify_token=&hub.challenge=1", nil))
	if rec.Code != http.StatusForbidden {
		t.Errorf("verify with no token configured: %d, want 403", rec.Code)
	}
}
