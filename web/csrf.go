package web

import (
	"crypto/hmac"
	"crypto/rand"
	"crypto/sha256"
	"encoding/hex"
	"errors"
	"net/http"
	"slices"
	"strconv"
	"time"
)

// CSRF is the one guard of the pages' forms against forged posts. The
// token is in the URL, so there is no cookie a browser would add on its
// own and classic CSRF has nothing to ride on; but a page elsewhere that
// learnt the URL (a forwarded mail, a shared screen, a history) could
// still post blind to it. It cannot compute the form's field (Field: an
// HMAC of the token under a key that never leaves the server), and
// Protect's Origin/Sec-Fetch-Site check refuses a post a browser makes
// from another site's page even if that page somehow read the field: each
// covers what the other might miss (an old browser without those headers;
// a leaked page). It is safe for concurrent use.
type CSRF struct {
	secrets [][]byte
	rotate  time.Duration
	now     func() time.Time
}

// NewCSRF derives the fields' keys from secrets: the first signs, and a
// field signed under any of them is accepted, so that a secret is rotated
// by putting a new one first and dropping the old one later. Every
// instance behind one address, and every restart, must have the same
// ones. None: 32 random bytes, for one process only (a restart makes open
// pages' forms fail once). The signing key changes every rotate (default
// 7 days), on the clock now (default time.Now). A secret of under 16
// bytes is an error.
func NewCSRF(secrets [][]byte, rotate time.Duration, now func() time.Time) (*CSRF, error) {
	c := &CSRF{secrets: slices.Clone(secrets), rotate: rotate, now: now}
	if len(c.secrets) == 0 {
		key := make([]byte, 32)
		rand.Read(key) // since Go 1.24 it crashes rather than return an error
		c.secrets = [][]byte{key}
	}
	for _, k := range c.secrets {
		if len(k) < 16 {
			return nil, errors.New("a CSRF secret of under 16 bytes")
		}
	}
	if c.rotate <= 0 {
		c.rotate = 7 * 24 * time.Hour
	}
	if c.now == nil {
		c.now = time.Now
	}
	return c, nil
}

// Field is a form's hidden csrf field for token: an HMAC of the token, so
// that it needs no storage and changes with the token, under the key of
// the current period.
func (c *CSRF) Field(token string) string {
	return sign(c.secrets[0], c.period(), token)
}

// OK accepts a field signed under any secret, in the current period, the
// one before (a page opened before the key changed) or the one after (a
// replica whose clock is a little ahead). It compares in constant time.
func (c *CSRF) OK(token, got string) bool {
	p, ok := c.period(), false
	for _, secret := range c.secrets {
		for _, q := range []int64{p, p - 1, p + 1} {
			ok = hmac.Equal([]byte(sign(secret, q, token)), []byte(got)) || ok
		}
	}
	return ok
}

// Protect refuses with deny a post that a browser makes from another
// site's page (net/http's cross-origin check).
func (c *CSRF) Protect(next, deny http.Handler) http.Handler {
	cop := http.NewCrossOriginProtection()
	cop.SetDenyHandler(deny)
	return cop.Handler(next)
}

// period numbers the rotate-long spans since 1970 on c's clock.
func (c *CSRF) period() int64 { return c.now().UnixNano() / int64(c.rotate) }

// sign is the field of token under the key of period p: the key is an
// HMAC of the period under the secret, so that every instance derives the
// same without talking to the others.
func sign(secret []byte, p int64, token string) string {
	k := hmac.New(sha256.New, secret)
	k.Write(strconv.AppendInt([]byte("secours csrf "), p, 10))
	m := hmac.New(sha256.New, k.Sum(nil))
	m.Write([]byte(token))
	return hex.EncodeToString(m.Sum(nil))
}
