package main

import (
	"fmt"
	"log/slog"
	"net/http"

	"github.com/secours/secours/configs"
	"github.com/secours/secours/web"
	netpage "github.com/secours/secours/web/network"
)

// mountNetwork serves the networks' pages (issue 19) on /net/ over svc,
// package network's *Service: one page per network, opened by its token.
// secrets are the forms' CSRF secrets, the ones the structures' page has
// (csrfSecrets), so that a form posted to another instance is accepted.
func mountNetwork(mux *http.ServeMux, svc netpage.Service, cfg Config, secrets [][]byte, log *slog.Logger) error {
	page, err := netpage.New(netpage.Options{Service: svc, Texts: configs.FS, Templates: configs.Web,
		Policy: web.Policy{Logger: log, CSRFSecrets: secrets, Proxies: cfg.Referrals.Proxies}})
	if err != nil {
		return fmt.Errorf("network page: %w", err)
	}
	mux.Handle("/net/", page)
	return nil
}
