package main

import (
	"context"
	"errors"
	"fmt"
	"log/slog"
	"net"
	"net/http"

	"github.com/secours/secours/web"
)

// httpServer is the process's one HTTP server; nil when the terminal chat
// could not get its port (the chat works without the pages).
type httpServer struct {
	srv  *http.Server
	done chan error
}

// listenHTTP listens on HTTP_ADDR; the terminal chat listens on loopback
// only unless HTTP_ADDR was given, and goes on without pages (a nil
// listener) if the port is taken.
func listenHTTP(cfg Config, console bool, log *slog.Logger) (net.Listener, error) {
	addr := cfg.HTTPAddr
	if console && !cfg.httpAddrSet {
		_, port, err := net.SplitHostPort(addr)
		if err != nil {
			port = "8080"
		}
		addr = net.JoinHostPort("127.0.0.1", port)
	}
	ln, err := net.Listen("tcp", addr)
	if err != nil {
		if console && !cfg.httpAddrSet {
			log.Warn("structures' pages are off: the port is taken (set HTTP_ADDR); mails carry no link", slog.Any("err", err))
			return nil, nil
		}
		return nil, fmt.Errorf("HTTP_ADDR: %w", err)
	}
	return ln, nil
}

// pagesBase is what the links to the structures' pages start with:
// BASE_URL when given, else the address ln is bound to (on localhost when
// that is loopback or every interface), and "" when no page is served, so
// that no mail links to a port some other program holds.
func pagesBase(cfg Config, ln net.Listener) string {
	if ln == nil {
		return ""
	}
	if cfg.baseURLSet {
		return cfg.Referrals.BaseURL
	}
	host, port, err := net.SplitHostPort(ln.Addr().String())
	if err != nil {
		return cfg.Referrals.BaseURL
	}
	if ip := net.ParseIP(host); ip == nil || ip.IsLoopback() || ip.IsUnspecified() {
		host = "localhost"
	}
	return "http://" + net.JoinHostPort(host, port)
}

// startHTTP serves mux on ln; nil ln: no server.
func startHTTP(ctx context.Context, ln net.Listener, base string, mux *http.ServeMux, log *slog.Logger) *httpServer {
	if ln == nil {
		return nil
	}
	// The timeouts are web's one policy (web.NewServer).
	h := &httpServer{srv: web.NewServer(ctx, mux), done: make(chan error, 1)}
	go func() { h.done <- h.srv.Serve(ln) }()
	log.Info("http: listening", slog.String("addr", ln.Addr().String()), slog.String("pages", base+"/s/…"))
	return h
}

// shutdown lets requests in flight finish.
func (h *httpServer) shutdown(ctx context.Context, log *slog.Logger) {
	if h == nil {
		return
	}
	sctx, cancel := context.WithTimeout(context.WithoutCancel(ctx), shutdownWait)
	defer cancel()
	if err := h.srv.Shutdown(sctx); err != nil {
		log.Warn("http: requests cut at shutdown", slog.Any("err", err))
	}
	if err := <-h.done; err != nil && !errors.Is(err, http.ErrServerClosed) {
		log.Error("http: server failed", slog.Any("err", err))
	}
}
