package structure

import (
	"bufio"
	"net"
	"net/http"
	"net/http/httptest"
	"sync/atomic"
	"testing"
	"time"
)

// endless is a request body that never ends, and counts its reads.
type endless struct{ reads atomic.Int64 }

func (e *endless) Read(p []byte) (int, error) {
	e.reads.Add(1)
	for i := range p {
		p[i] = 'a'
	}
	return len(p), nil
}

// TestBadTokenPostReadsNoBody: a POST with a bad token (or a revoked one)
// is answered before a byte of its body is read, whatever the body.
func TestBadTokenPostReadsNoBody(t *testing.T) {
	for _, target := range []string{
		"/s/tokX_bad000000000000/r/" + idA1,
		"/s/" + tokRevoked + "/r/" + idA1,
		"/s/tokX_bad000000000000/telegram",
		"/s/!!/r/" + idA1,
	} {
		t.Run(target, func(t *testing.T) {
			f := newFixture(t)
			body := &endless{}
			r := httptest.NewRequest(http.MethodPost, target, body)
			r.Header.Set("Content-Type", "application/x-www-form-urlencoded")
			rec := httptest.NewRecorder()
			f.web.ServeHTTP(rec, r)
			if rec.Code != http.StatusNotFound {
				t.Errorf("POST = %d, want 404", rec.Code)
			}
			if n := body.reads.Load(); n != 0 {
				t.Errorf("the body was read %d times before the token was refused", n)
			}
		})
	}
}

// TestSlowPostIsCut: a good token's form that does not come within
// BodyTimeout gets a 408, rather than holding the connection.
func TestSlowPostIsCut(t *testing.T) {
	f := newFixture(t, func(o *WebOptions) { o.BodyTimeout = 50 * time.Millisecond })
	srv := httptest.NewServer(f.web)
	defer srv.Close()
	conn, err := net.Dial("tcp", srv.Listener.Addr().String())
	if err != nil {
		t.Fatal(err)
	}
	defer conn.Close()
	// A safety net only, far above BodyTimeout: without the cut the test
	// fails here instead of hanging.
	if err := conn.SetDeadline(time.Now().Add(20 * time.Second)); err != nil {
		t.Fatal(err)
	}
	head := "POST /s/" + tokA + "/r/" + idA1 + " HTTP/1.1\r\nHost: x\r\n" +
		"Content-Type: application/x-www-form-urlencoded\r\nContent-Length: 100000\r\n\r\naction=acc"
	if _, err := conn.Write([]byte(head)); err != nil {
		t.Fatal(err)
	}
	resp, err := http.ReadResponse(bufio.NewReader(conn), nil)
	if err != nil {
		t.Fatalf("no answer to a slow POST: %v", err)
	}
	defer resp.Body.Close()
	if resp.StatusCode != http.StatusRequestTimeout {
		t.Errorf("slow POST = %d, want 408", resp.StatusCode)
	}
	if got := f.desk.get(idA1).Status; got != "sent" {
		t.Errorf("status = %s after a cut POST, want sent", got)
	}
}
