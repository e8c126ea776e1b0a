package ops

import (
	"bytes"
	"net"
	"net/http"
	"net/http/httptest"
	"net/url"
	"strings"
	"sync/atomic"
	"testing"
	"time"

	"github.com/secours/secours/internal/testkit"
)

func TestHealthURL(t *testing.T) {
	for _, tc := range []struct {
		addr, want string
	}{
		{"", "http://127.0.0.1:8080/healthz"},
		{":8080", "http://127.0.0.1:8080/healthz"},
		{":9090", "http://127.0.0.1:9090/healthz"},
		{"0.0.0.0:8081", "http://127.0.0.1:8081/healthz"},
		{"[::]:8082", "http://127.0.0.1:8082/healthz"},
		{"127.0.0.1:8083", "http://127.0.0.1:8083/healthz"},
		{"[::1]:8084", "http://[::1]:8084/healthz"},
		{"10.0.0.5:8085", "http://10.0.0.5:8085/healthz"},
		{"localhost:8086", "http://localhost:8086/healthz"},
	} {
		got, err := healthURL(tc.addr)
		if err != nil || got != tc.want {
			t.Errorf("healthURL(%q) = %q, %v; want %q", tc.addr, got, err, tc.want)
		}
	}
	for _, addr := range []string{"8080", ":0", "host:", "[::1"} {
		if got, err := healthURL(addr); err == nil {
			t.Errorf("healthURL(%q) = %q, want an error", addr, got)
		}
	}
}

func TestHealthcheck(t *testing.T) {
	var ready atomic.Bool // the handler runs on the server's goroutines
	mux := http.NewServeMux()
	mux.HandleFunc("GET /healthz", func(w http.ResponseWriter, _ *http.Request) {
		w.Write([]byte("ok\n"))
	})
	mux.HandleFunc("GET /readyz", func(w http.ResponseWriter, _ *http.Request) {
		if !ready.Load() {
			w.WriteHeader(http.StatusServiceUnavailable)
			w.Write([]byte("not ready: store\nsecond line\n"))
			return
		}
		w.Write([]byte("ready\n"))
	})
	mux.HandleFunc("GET /moved", func(w http.ResponseWriter, r *http.Request) {
		http.Redirect(w, r, "/healthz", http.StatusFound)
	})
	mux.HandleFunc("GET /slow", func(w http.ResponseWriter, r *http.Request) {
		<-r.Context().Done() // never answers; ends when the probe hangs up
	})
	srv := httptest.NewServer(mux)
	defer srv.Close()
	_, port, _ := net.SplitHostPort(srv.Listener.Addr().String())

	// A port nothing listens on: take one, then free it.
	closed := "http://" + testkit.FreeAddr(t) + "/healthz"

	for _, tc := range []struct {
		name     string
		args     []string
		env      map[string]string
		ready    bool
		code     int
		out, err string // substrings of stdout and stderr
		notErr   string // must not be in stderr
	}{
		{name: "default URL from HTTP_ADDR", env: map[string]string{"HTTP_ADDR": ":" + port}, code: 0, out: "200 OK"},
		{name: "url flag wins", args: []string{"-url", srv.URL + "/healthz"}, env: map[string]string{"HTTP_ADDR": ":1"}, code: 0, out: "200 OK"},
		{name: "not ready", args: []string{"-url", srv.URL + "/readyz"}, code: 1,
			err: "503 Service Unavailable: not ready: store", notErr: "second line"},
		{name: "ready", args: []string{"-url", srv.URL + "/readyz"}, ready: true, code: 0, out: "200 OK"},
		{name: "redirect is not healthy", args: []string{"-url", srv.URL + "/moved"}, code: 1, err: "302 Found"},
		{name: "not found", args: []string{"-url", srv.URL + "/nothing"}, code: 1, err: "404"},
		{name: "nothing listens", args: []string{"-url", closed}, code: 1, err: "refused"},
		{name: "silent server", args: []string{"-url", srv.URL + "/slow"}, code: 1, err: "no answer within 200ms"},
		{name: "bad HTTP_ADDR without url", env: map[string]string{"HTTP_ADDR": "8080"}, code: 1, err: "HTTP_ADDR"},
		{name: "not a URL", args: []string{"-url", "127.0.0.1:8080"}, code: 1, err: "not an http(s) URL"},
		// Docker reserves exit 2 for health checks: usage errors give 1.
		{name: "unknown flag", args: []string{"-port", "8080"}, code: 1, err: "-port"},
		{name: "stray argument", args: []string{"now"}, code: 1, err: `unexpected "now"`},
		{name: "help", args: []string{"-h"}, code: 0, err: "secours healthcheck [-url"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			ready.Store(tc.ready)
			var stdout, stderr bytes.Buffer
			code := healthcheck(tc.args, &stdout, &stderr, envOf(tc.env), 200*time.Millisecond)
			if code != tc.code {
				t.Errorf("exit %d, want %d; stderr: %s", code, tc.code, stderr.String())
			}
			if !strings.Contains(stdout.String(), tc.out) {
				t.Errorf("stdout = %q, want it to hold %q", stdout.String(), tc.out)
			}
			if !strings.Contains(stderr.String(), tc.err) {
				t.Errorf("stderr = %q, want it to hold %q", stderr.String(), tc.err)
			}
			if tc.notErr != "" && strings.Contains(stderr.String(), tc.notErr) {
				t.Errorf("stderr = %q, want no %q: one line only", stderr.String(), tc.notErr)
			}
		})
	}
}

// TestHealthcheckHidesPassword: a -url with credentials must not put the
// password in Docker's health log.
func TestHealthcheckHidesPassword(t *testing.T) {
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, _ *http.Request) {
		w.WriteHeader(http.StatusUnauthorized)
	}))
	defer srv.Close()
	u, _ := url.Parse(srv.URL + "/healthz")
	u.User = url.UserPassword("ops", "s3cret-pass")
	var stderr bytes.Buffer
	if code := healthcheck([]string{"-url", u.String()}, &bytes.Buffer{}, &stderr, envOf(nil), time.Second); code != 1 {
		t.Fatalf("exit %d, want 1", code)
	}
	if strings.Contains(stderr.String(), "s3cret-pass") {
		t.Errorf("stderr shows the password: %q", stderr.String())
	}
}

// TestRunHealthcheck runs the command as main will, with the real timeout.
func TestRunHealthcheck(t *testing.T) {
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, _ *http.Request) {
		w.Write([]byte("ok\n"))
	}))
	defer srv.Close()
	_, port, _ := net.SplitHostPort(srv.Listener.Addr().String())
	var stdout, stderr bytes.Buffer
	if code := Healthcheck(nil, &stdout, &stderr, envOf(map[string]string{"HTTP_ADDR": "0.0.0.0:" + port})); code != 0 {
		t.Fatalf("exit %d; stderr: %s", code, stderr.String())
	}
}

// envOf is a getenv over m.
func envOf(m map[string]string) func(string) string {
	return func(k string) string { return m[k] }
}
