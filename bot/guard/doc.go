// Package guard is what the pages opened by a token in the URL (the
// structures' page, bot/structure, and the observatory, bot/observatory)
// share against a hostile client: the address a request comes from, read
// behind a trusted reverse proxy only (Proxies), and a limiter of bad
// tokens per client (Limiter) that a valid token never meets.
//
// It imports the standard library only.
package guard
