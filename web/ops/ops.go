// Package ops is the process's own HTTP surface, for an orchestrator and
// a monitor rather than a person: /healthz, /readyz and /metrics (Mount),
// and the probe behind "secours healthcheck" (Healthcheck), the
// container's HEALTHCHECK.
//
// It imports the standard library only; cmd hands it the checks and the
// metrics handler.
package ops

import (
	"context"
	"fmt"
	"net/http"
	"strings"
	"sync"
	"time"
)

// Readiness answers /readyz: the store reachable and every channel
// connected. /healthz only says the process is up, so that an orchestrator
// restarts a stuck process but does not kill one whose Redis blinked.
type Readiness struct {
	mu     sync.Mutex // guards checks
	checks []readyCheck
}

type readyCheck struct {
	name string
	fn   func(context.Context) error
}

// Add registers a check; name is what /readyz prints when it fails.
func (r *Readiness) Add(name string, fn func(context.Context) error) {
	r.mu.Lock()
	defer r.mu.Unlock()
	r.checks = append(r.checks, readyCheck{name, fn})
}

// failing runs the checks in parallel, each bounded, and names the ones
// that fail.
func (r *Readiness) failing(ctx context.Context) []string {
	r.mu.Lock()
	checks := append([]readyCheck(nil), r.checks...)
	r.mu.Unlock()
	ctx, cancel := context.WithTimeout(ctx, 2*time.Second)
	defer cancel()
	errs := make([]error, len(checks))
	var wg sync.WaitGroup
	for i, c := range checks {
		wg.Go(func() { errs[i] = c.fn(ctx) })
	}
	wg.Wait()
	var bad []string
	for i, err := range errs {
		if err != nil {
			bad = append(bad, checks[i].name)
		}
	}
	return bad
}

// Mount adds /healthz, /readyz and /metrics. Their answers hold no
// personal data; the error behind a failing check goes to the log, not to
// the response.
func Mount(mux *http.ServeMux, ready *Readiness, metrics http.Handler) {
	mux.HandleFunc("GET /healthz", func(w http.ResponseWriter, _ *http.Request) {
		w.Header().Set("Content-Type", "text/plain; charset=utf-8")
		w.Header().Set("Cache-Control", "no-store")
		fmt.Fprintln(w, "ok")
	})
	mux.HandleFunc("GET /readyz", func(w http.ResponseWriter, r *http.Request) {
		w.Header().Set("Content-Type", "text/plain; charset=utf-8")
		w.Header().Set("Cache-Control", "no-store")
		if bad := ready.failing(r.Context()); len(bad) > 0 {
			w.WriteHeader(http.StatusServiceUnavailable)
			fmt.Fprintln(w, "not ready: "+strings.Join(bad, ", "))
			return
		}
		fmt.Fprintln(w, "ready")
	})
	mux.Handle("GET /metrics", metrics)
}
