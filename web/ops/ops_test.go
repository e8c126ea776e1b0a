package ops

import (
	"context"
	"errors"
	"io"
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"

	"github.com/secours/secours/bot/metrics"
)

func TestReadiness(t *testing.T) {
	ready := &Readiness{}
	down := errors.New("connection refused")
	var storeErr error
	ready.Add("store", func(context.Context) error { return storeErr })
	ready.Add("telegram", func(context.Context) error { return nil })
	mux := http.NewServeMux()
	Mount(mux, ready, metrics.New().Handler())
	srv := httptest.NewServer(mux)
	defer srv.Close()
	get := func(path string) (int, string) {
		resp, err := http.Get(srv.URL + path)
		if err != nil {
			t.Fatal(err)
		}
		defer resp.Body.Close()
		b, _ := io.ReadAll(resp.Body)
		return resp.StatusCode, string(b)
	}
	if code, body := get("/healthz"); code != 200 || body != "ok\n" {
		t.Errorf("/healthz = %d %q", code, body)
	}
	if code, body := get("/readyz"); code != 200 || body != "ready\n" {
		t.Errorf("/readyz = %d %q", code, body)
	}
	storeErr = down
	code, body := get("/readyz")
	if code != http.StatusServiceUnavailable || body != "not ready: store\n" {
		t.Errorf("/readyz with the store down = %d %q", code, body)
	}
	if strings.Contains(body, "refused") {
		t.Errorf("/readyz shows the error itself")
	}
}
