// Package web is the one HTTP policy of every page Secours serves: the
// structures' page (web/structure), the observatory (web/observatory) and
// the posters and QR codes they offer (web/share), the process's health,
// readiness and metrics (web/ops), and the channels' webhooks (Telegram, the
// WhatsApp Cloud API).
//
// What the pages opened by a token in their URL share against a hostile
// client lives here once: the security headers and a CSP that allows one
// inline style sheet by its hash (Headers, CSP); the address a request
// comes from, read behind a trusted reverse proxy only (Proxies,
// TRUSTED_PROXIES); a limiter of bad tokens per client that a valid token
// never meets (Limiter, Gate); the page written whole or not at all, and
// the error page in both languages (HTML, Error); the forms' CSRF field
// and cross-origin check (CSRF); and the bounds of a request, in size and
// in time (ReadForm, ReadBody, NewServer). A channel's webhook gets the
// same bounds and a constant-time check of its shared secret (Webhook),
// or of the HMAC signature of each post and the subscription's verify
// token for Meta's (Signed).
//
// Beside the standard library it imports only text, for the catalogues
// that fill a surface's fixed words (Localize, Templates); never a
// surface, a channel or a store.
package web
