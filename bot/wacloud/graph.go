package wacloud

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"log/slog"
	"math/rand/v2"
	"net/http"
	"time"

	"github.com/secours/secours/bot"
)

// The Graph API error codes the channel acts on
// (https://developers.facebook.com/docs/whatsapp/cloud-api/support/error-codes).
const (
	codeToken         = 190    // access token expired or revoked
	codeRestricted    = 368    // the account is restricted for policy reasons
	codeParam         = 100    // invalid parameter
	codeThroughput    = 130429 // the number's throughput reached
	codeBlocked       = 130497 // messages to this country are restricted
	codeService       = 131000 // something went wrong at Meta
	codeRecipient     = 131009 // a parameter value is invalid
	codeUnavailable   = 131016 // the service is unavailable
	codeSelf          = 131021 // recipient is the sender
	codeUndeliverable = 131026 // not on WhatsApp, old app, or terms not accepted
	codeReengage      = 131047 // more than 24 hours since the person last wrote
	codeUnsupported   = 131051 // a message type the recipient cannot get
	codePairRate      = 131056 // too many messages to one person in a short time
)

// APIError is a refusal of the Graph API: the HTTP status and Meta's
// error code and subcode. Its text holds no more (Meta's message may quote
// the number).
type APIError struct {
	Status  int // HTTP status
	Code    int // error.code; 0 if the body had none
	Subcode int // error.error_subcode
}

func (e *APIError) Error() string {
	return fmt.Sprintf("graph api: http %d, code %d, subcode %d", e.Status, e.Code, e.Subcode)
}

// Retryable reports whether the same message may be sent again later:
// throughput and pair rate reached, Meta's service failing, or a 5xx
// without a final code. Anything else is final: sending it again gives
// the same refusal.
func (e *APIError) Retryable() bool {
	switch e.Code {
	case codeThroughput, codePairRate, codeService, codeUnavailable:
		return true
	case codeUndeliverable, codeReengage, codeUnsupported, codeParam, codeRecipient, codeToken, codeSelf,
		codeRestricted, codeBlocked:
		return false
	}
	return e.Status >= 500 || e.Status == http.StatusTooManyRequests
}

// The bounds of the retries of one message: at most maxAttempts, waiting
// from backoffBase doubling up to backoffMax, with jitter. A pair rate
// refusal waits pairRateWait at least: Meta allows about one message
// every 6 s to one person.
const (
	maxAttempts  = 5
	backoffBase  = 500 * time.Millisecond
	backoffMax   = 30 * time.Second
	pairRateWait = 6 * time.Second
)

// backoff is how long to wait before attempt n+1 (n from 0): half the
// doubled base, plus a random part up to the other half, so that the
// chats refused together do not all come back at once.
func backoff(err error, n int) time.Duration {
	base := backoffBase
	if e, ok := errors.AsType[*APIError](err); ok && e.Code == codePairRate {
		base = pairRateWait
	}
	d := min(base<<n, backoffMax)
	return d/2 + rand.N(d/2+1)
}

// retryable: an API refusal that says so, or a network error; never the
// end of the caller's context.
func retryable(ctx context.Context, err error) bool {
	if ctx.Err() != nil {
		return false
	}
	if e, ok := errors.AsType[*APIError](err); ok {
		return e.Retryable()
	}
	return true
}

// post sends one message to the Graph API, within the rate, and retries
// what may be retried. A 200 is never sent again, even when its body
// cannot be read: the message went. It returns the message's id (wamid).
func (a *Adapter) post(ctx context.Context, m *message) (string, error) {
	body, err := json.Marshal(m)
	if err != nil {
		return "", fmt.Errorf("wacloud send: encode: %w", err)
	}
	for n := 0; ; n++ {
		if err := a.pace(ctx); err != nil {
			return "", fmt.Errorf("wacloud send: %w", err)
		}
		id, err := a.postOnce(ctx, body)
		if err == nil {
			return id, nil
		}
		if !retryable(ctx, err) || n+1 >= maxAttempts {
			a.refused(err)
			return "", fmt.Errorf("wacloud send: after %d attempts: %w", n+1, err)
		}
		if err := a.sleep(ctx, backoff(err, n)); err != nil {
			return "", fmt.Errorf("wacloud send: %w", err)
		}
	}
}

// postOnce is one POST /{phone-id}/messages.
func (a *Adapter) postOnce(ctx context.Context, body []byte) (string, error) {
	req, err := http.NewRequestWithContext(ctx, http.MethodPost, a.endpoint, bytes.NewReader(body))
	if err != nil {
		return "", err
	}
	req.Header.Set("Authorization", "Bearer "+a.token)
	req.Header.Set("Content-Type", "application/json")
	resp, err := a.http.Do(req)
	if err != nil {
		return "", err // the URL holds no secret: the token is a header
	}
	defer resp.Body.Close()
	raw, rerr := io.ReadAll(io.LimitReader(resp.Body, 64<<10))
	if resp.StatusCode == http.StatusOK {
		var res sendResult
		if rerr == nil && json.Unmarshal(raw, &res) == nil && len(res.Messages) > 0 {
			return res.Messages[0].ID, nil
		}
		return "", nil
	}
	var ge graphError
	_ = json.Unmarshal(raw, &ge) // no body: the status alone classifies it
	return "", &APIError{Status: resp.StatusCode, Code: ge.Error.Code, Subcode: ge.Error.Subcode}
}

// refused logs the refusals that need a person to act, loudly, once.
func (a *Adapter) refused(err error) {
	e, ok := errors.AsType[*APIError](err)
	if !ok {
		return
	}
	switch e.Code {
	case codeToken:
		a.log.Error("whatsapp cloud api: the access token is refused; renew it", slog.String("channel", channel), slog.Int("code", e.Code))
	case codeRestricted, codeBlocked:
		a.log.Error("whatsapp cloud api: the account is restricted", slog.String("channel", channel), slog.Int("code", e.Code))
	}
}

// unreachable wraps the refusals that mean the person cannot be reached
// on WhatsApp in bot.ErrUnreachable.
func unreachable(err error) error {
	if e, ok := errors.AsType[*APIError](err); ok && e.Code == codeUndeliverable {
		return fmt.Errorf("%w: %w", bot.ErrUnreachable, err)
	}
	return err
}

// isCode reports whether err is the API's refusal with code.
func isCode(err error, code int) bool {
	e, ok := errors.AsType[*APIError](err)
	return ok && e.Code == code
}

// pace waits for the rate's turn (Settings.Rate), all chats together.
func (a *Adapter) pace(ctx context.Context) error {
	if a.bucket == nil {
		return nil
	}
	a.paceMu.Lock()
	wait := a.bucket.Take(a.now())
	a.paceMu.Unlock()
	if wait <= 0 {
		return nil
	}
	return a.sleep(ctx, wait)
}

// sleepCtx waits d, or until ctx is done.
func sleepCtx(ctx context.Context, d time.Duration) error {
	t := time.NewTimer(d)
	defer t.Stop()
	select {
	case <-t.C:
		return nil
	case <-ctx.Done():
		return ctx.Err()
	}
}
