package web

import (
	"html/template"
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"
	"time"
)

func TestCSRF(t *testing.T) {
	now := time.Date(2026, 3, 12, 13, 5, 0, 0, time.UTC)
	clock := func() time.Time { return now }
	old, cur := []byte("an old secret of 32 bytes, or so"), []byte("the current secret, 32 bytes too")
	signer, err := NewCSRF([][]byte{old}, time.Hour, clock)
	if err != nil {
		t.Fatal(err)
	}
	field := signer.Field("token-a")
	rotated, err := NewCSRF([][]byte{cur, old}, time.Hour, clock)
	if err != nil {
		t.Fatal(err)
	}
	if !rotated.OK("token-a", field) {
		t.Error("a field signed under the old secret is refused after the rotation")
	}
	if rotated.OK("token-b", field) {
		t.Error("a field is accepted for another token")
	}
	now = now.Add(time.Hour)
	if !rotated.OK("token-a", field) {
		t.Error("a field of the period before is refused")
	}
	now = now.Add(time.Hour)
	if rotated.OK("token-a", field) {
		t.Error("a field two periods old is accepted")
	}
	if _, err := NewCSRF([][]byte{[]byte("short")}, 0, nil); err == nil {
		t.Error("a secret of 5 bytes is accepted")
	}
}

func TestErrorPlainWhenTemplateBreaks(t *testing.T) {
	tmpl := template.Must(template.New("x").Parse(`{{define "page"}}no error page here{{end}}`))
	var d ErrorData
	d.Add(ErrorBlock{Lang: "fr", Title: "Introuvable"})
	d.Add(ErrorBlock{Lang: "nl", Title: "Niet gevonden"})
	if d.Lang != "fr" || d.Title != "Introuvable / Niet gevonden" {
		t.Errorf("error data = %q %q, want fr and both titles", d.Lang, d.Title)
	}
	rec := httptest.NewRecorder()
	if err := Error(rec, http.StatusNotFound, tmpl, d); err == nil {
		t.Error("no error from a template without an error page")
	}
	if rec.Code != http.StatusNotFound || rec.Body.String() != "Erreur / Fout 404\n" {
		t.Errorf("fallback = %d %q", rec.Code, rec.Body.String())
	}
}

func TestReadForm(t *testing.T) {
	tests := []struct {
		name, body, ctype string
		want              int
	}{
		{"a form", "a=1", "application/x-www-form-urlencoded", 0},
		{"too large", "a=" + strings.Repeat("x", 100), "application/x-www-form-urlencoded", http.StatusRequestEntityTooLarge},
		{"not a form", "a=1", "multipart/form-data; boundary", http.StatusBadRequest},
	}
	for _, tt := range tests {
		r := httptest.NewRequest(http.MethodPost, "/", strings.NewReader(tt.body))
		r.Header.Set("Content-Type", tt.ctype)
		if got := ReadForm(httptest.NewRecorder(), r, 64, time.Second); got != tt.want {
			t.Errorf("%s: ReadForm = %d, want %d", tt.name, got, tt.want)
		}
	}
}

func TestGate(t *testing.T) {
	now := time.Date(2026, 3, 12, 13, 5, 0, 0, time.UTC)
	g := NewGate(GateOptions{Name: "test", Limit: 2, Window: 10 * time.Minute, Now: func() time.Time { return now }})
	r := httptest.NewRequest(http.MethodGet, "/", nil)
	for range 2 {
		if _, blocked := g.Bad(httptest.NewRecorder(), r); blocked {
			t.Fatal("blocked before the limit")
		}
	}
	now = now.Add(time.Minute)
	rec := httptest.NewRecorder()
	mins, blocked := g.Bad(rec, r)
	if !blocked || mins != "9" || rec.Header().Get("Retry-After") != "540" {
		t.Errorf("after the limit: %q minutes, blocked %v, Retry-After %q; want 9, true, 540", mins, blocked, rec.Header().Get("Retry-After"))
	}
}

func TestValidToken(t *testing.T) {
	for tok, want := range map[string]bool{
		"abcdefgh": true, "A-b_9xyz": true, "short": false, "with space": false,
		strings.Repeat("a", 256): true, strings.Repeat("a", 257): false,
	} {
		if got := ValidToken(tok); got != want {
			t.Errorf("ValidToken(%q) = %v, want %v", tok, got, want)
		}
	}
}
