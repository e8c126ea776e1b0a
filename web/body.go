package web

import (
	"context"
	"errors"
	"io"
	"net"
	"net/http"
	"os"
	"time"
)

// ReadForm reads r's form, at most max bytes within timeout, and returns
// 0, or the status to answer: 413 if the body is over max, 408 if it did
// not come in time, 400 if it is not a form. A page calls it only once
// the request's token proved good, so that a slow or endless body costs
// nothing to whoever has no page.
func ReadForm(w http.ResponseWriter, r *http.Request, max int64, timeout time.Duration) int {
	// The network's clock: a deadline on the connection. Recorders in
	// tests do not support it, which is fine. Once the form is in, the
	// deadline goes: net/http's background read would otherwise hit it
	// and cancel the request's context mid-action.
	rc := http.NewResponseController(w)
	_ = rc.SetReadDeadline(time.Now().Add(timeout))
	r.Body = http.MaxBytesReader(w, r.Body, max)
	err := r.ParseForm()
	switch {
	case err == nil:
		_ = rc.SetReadDeadline(time.Time{})
		return 0
	case errors.Is(err, os.ErrDeadlineExceeded):
		return http.StatusRequestTimeout
	}
	if _, ok := errors.AsType[*http.MaxBytesError](err); ok {
		return http.StatusRequestEntityTooLarge
	}
	return http.StatusBadRequest
}

// ReadBody reads r's whole body, at most max bytes; over that it is an
// error (and the connection is closed after the answer).
func ReadBody(w http.ResponseWriter, r *http.Request, max int64) ([]byte, error) {
	return io.ReadAll(http.MaxBytesReader(w, r.Body, max))
}

// NewServer is the process's HTTP server for h. A slow client may hold a
// connection for the header's 10 s and the whole request's 30 s at most
// (the structures' forms cut their body sooner, ReadForm); no handler
// waits on a request body longer. Requests' contexts derive from ctx.
func NewServer(ctx context.Context, h http.Handler) *http.Server {
	return &http.Server{Handler: h, ReadHeaderTimeout: 10 * time.Second, ReadTimeout: 30 * time.Second,
		BaseContext: func(net.Listener) context.Context { return ctx }}
}
