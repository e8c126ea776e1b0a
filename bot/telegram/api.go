package telegram

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"io"
	"log/slog"
	"net/http"
	"strings"
	"time"

	tgbot "github.com/go-telegram/bot"
)

// sendTimeout bounds one Bot API call; the long poll gets its own wait on
// top of it.
const sendTimeout = 30 * time.Second

// maxAttempts bounds the sends of one message that Telegram throttles
// (429): each waits the retry_after Telegram asks for.
const maxAttempts = 8

// bufferingClient sends each request body in one piece. The library
// streams its multipart form through an io.Pipe, which the transport sends
// chunked, flushing every small part: one write, one wake-up of the
// writing goroutine and of the server, per form field. Read into memory
// first (a message is at most a few kilobytes), the request is one write
// with a Content-Length. Under load this halves the CPU spent per call
// and removes most of the latency (see cmd/loadtest).
type bufferingClient struct{ c *http.Client }

func (b bufferingClient) Do(req *http.Request) (*http.Response, error) {
	if req.Body != nil && req.Body != http.NoBody {
		body, err := io.ReadAll(req.Body)
		req.Body.Close()
		if err != nil {
			return nil, fmt.Errorf("read request body: %w", err)
		}
		req.Body = io.NopCloser(bytes.NewReader(body))
		req.ContentLength = int64(len(body))
		req.GetBody = func() (io.ReadCloser, error) { return io.NopCloser(bytes.NewReader(body)), nil }
	}
	return b.c.Do(req)
}

// call makes one Bot API call for a chat: paced if asked, and sent again
// after the wait a 429 asks for. A 429 means Telegram refused the message,
// so the resend cannot duplicate it; any other error is returned as is.
func (a *Adapter) call(ctx context.Context, chat int64, paced bool, fn func(context.Context) error) error {
	for attempt := 1; ; attempt++ {
		if paced {
			if err := a.sleep(ctx, a.pace.reserve(chat)); err != nil {
				return err
			}
		}
		err := fn(ctx)
		tm, ok := errors.AsType[*tgbot.TooManyRequestsError](err)
		if !ok || attempt == maxAttempts {
			return err
		}
		wait := time.Duration(max(tm.RetryAfter, 1)) * time.Second
		a.log.Warn("send throttled, waiting", slog.Any("chat", chatID(chat)), slog.String("event", "throttled"), slog.Duration("dur", wait))
		if a.cfg.Throttled != nil {
			a.cfg.Throttled(wait)
		}
		if err := a.sleep(ctx, wait); err != nil {
			return err
		}
	}
}

// apiErr keeps what a log or an error string may show of a Bot API error.
// The library puts the whole response body in its decode errors, and a
// body may echo a message's text; a request that fails names its URL, and
// the URL holds the token. errors.Is and errors.AsType still see the
// original.
func (a *Adapter) apiErr(err error) error {
	if err == nil {
		return nil
	}
	msg := err.Error()
	if strings.Contains(msg, "error decode response") {
		msg = "telegram: undecodable response"
	}
	if a.cfg.Token != "" {
		msg = strings.ReplaceAll(msg, a.cfg.Token, "<token>")
	}
	if msg == err.Error() {
		return err
	}
	return &redactedError{msg: msg, err: err}
}

// redactedError shows msg in place of err's text.
type redactedError struct {
	msg string
	err error
}

func (e *redactedError) Error() string { return e.msg }
func (e *redactedError) Unwrap() error { return e.err }
