package testkit

import (
	"io"
	"net/http"
	"testing"
)

// Get fetches u and returns its body, failing the test unless the server
// answers 200 OK; the failure shows the status and the body.
func Get(t testing.TB, u string) string {
	t.Helper()
	resp, err := http.Get(u)
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	b, _ := io.ReadAll(resp.Body)
	if resp.StatusCode != http.StatusOK {
		t.Fatalf("GET %s: %d\n%s", u, resp.StatusCode, b)
	}
	return string(b)
}
