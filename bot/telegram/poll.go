package telegram

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"log/slog"
	"net/http"
	"net/url"
	"time"

	tgbot "github.com/go-telegram/bot"
	"github.com/go-telegram/bot/models"
)

// maxBatch is the most updates one getUpdates returns (the API's maximum).
const maxBatch = 100

// maxPollBackoff bounds the wait between failed polls.
const maxPollBackoff = 5 * time.Second

// Poll receives updates by long polling until ctx is done, then stops
// taking updates, finishes the ones in flight and confirms the last
// offset, so that a restart neither loses nor repeats an update.
//
// It drives getUpdates itself rather than through the library's poller,
// which advances the offset when an update is queued, not when it is
// handled, and drops what is queued when its context ends.
func (a *Adapter) Poll(ctx context.Context) error {
	// Updates run to the end even when ctx ends: their answers are due.
	work := context.WithoutCancel(ctx)
	var offset int64 // the next update wanted; 0: every unconfirmed one
	var backoff time.Duration
	var fatal error
	for ctx.Err() == nil {
		batch, err := a.getUpdates(ctx, offset, int(a.cfg.PollTimeout/time.Second), maxBatch)
		if err != nil {
			if ctx.Err() != nil {
				break
			}
			if errors.Is(err, tgbot.ErrorUnauthorized) || errors.Is(err, tgbot.ErrorNotFound) {
				fatal = fmt.Errorf("telegram: TELEGRAM_BOT_TOKEN rejected: %w", err)
				break
			}
			backoff = min(max(2*backoff, 100*time.Millisecond), maxPollBackoff)
			if tm, ok := errors.AsType[*tgbot.TooManyRequestsError](err); ok {
				backoff = time.Duration(max(tm.RetryAfter, 1)) * time.Second
			}
			a.log.Warn("poll failed, waiting", slog.Any("err", a.apiErr(err)), slog.Duration("dur", backoff))
			_ = a.sleep(ctx, backoff)
			continue
		}
		backoff = 0
		received := a.now()
		for _, p := range batch {
			offset = max(offset, p.id+1)
			if p.u == nil {
				continue // undecodable: logged, and confirmed so that it is not sent again
			}
			a.enqueue(chatOf(p.u), func() { a.handle(work, p.u, received) })
		}
	}
	a.stop()
	a.wg.Wait()
	if offset > 0 {
		// Telegram forgets the updates below offset only when asked for
		// the ones from offset on: ask once, without waiting.
		cctx, cancel := context.WithTimeout(work, sendTimeout)
		defer cancel()
		if _, err := a.getUpdates(cctx, offset, 0, 1); err != nil {
			a.log.Warn("offset not confirmed: some updates may come again", slog.Any("err", a.apiErr(err)))
		}
	}
	return fatal
}

// polled is one update of a batch; u is nil if it did not decode.
type polled struct {
	id int64
	u  *models.Update
}

// getUpdates makes one getUpdates call over net/http.
func (a *Adapter) getUpdates(ctx context.Context, offset int64, timeout, limit int) ([]polled, error) {
	body, err := json.Marshal(struct {
		Offset         int64    `json:"offset,omitempty"`
		Limit          int      `json:"limit"`
		Timeout        int      `json:"timeout"`
		AllowedUpdates []string `json:"allowed_updates"`
	}{offset, limit, timeout, allowedUpdates()})
	if err != nil {
		return nil, fmt.Errorf("telegram getUpdates: %w", err)
	}
	req, err := http.NewRequestWithContext(ctx, http.MethodPost, a.cfg.APIURL+"/bot"+a.cfg.Token+"/getUpdates", bytes.NewReader(body))
	if err != nil {
		return nil, errors.New("telegram getUpdates: bad request URL") // its text would hold the token
	}
	req.Header.Set("Content-Type", "application/json")
	resp, err := a.poll.Do(req)
	if err != nil {
		// A *url.Error names the URL, and the URL holds the token.
		if ue, ok := errors.AsType[*url.Error](err); ok {
			err = ue.Err
		}
		return nil, fmt.Errorf("telegram getUpdates: %w", err)
	}
	defer resp.Body.Close()
	var r struct {
		OK          bool              `json:"ok"`
		Result      []json.RawMessage `json:"result"`
		ErrorCode   int               `json:"error_code"`
		Description string            `json:"description"`
		Parameters  struct {
			RetryAfter int `json:"retry_after"`
		} `json:"parameters"`
	}
	if err := json.NewDecoder(io.LimitReader(resp.Body, 64<<20)).Decode(&r); err != nil {
		return nil, fmt.Errorf("telegram getUpdates: undecodable response (HTTP %d)", resp.StatusCode)
	}
	if !r.OK {
		switch r.ErrorCode {
		case http.StatusUnauthorized:
			return nil, fmt.Errorf("telegram getUpdates: %w, %s", tgbot.ErrorUnauthorized, r.Description)
		case http.StatusNotFound:
			return nil, fmt.Errorf("telegram getUpdates: %w, %s", tgbot.ErrorNotFound, r.Description)
		case http.StatusConflict:
			return nil, fmt.Errorf("telegram getUpdates: %w, %s", tgbot.ErrorConflict, r.Description)
		case http.StatusTooManyRequests:
			return nil, &tgbot.TooManyRequestsError{Message: "telegram getUpdates: " + r.Description, RetryAfter: r.Parameters.RetryAfter}
		}
		return nil, fmt.Errorf("telegram getUpdates: error %d, %s", r.ErrorCode, r.Description)
	}
	out := make([]polled, 0, len(r.Result))
	for _, raw := range r.Result {
		// One update at a time: a type the library cannot decode must not
		// lose the rest of the batch.
		p := polled{u: new(models.Update)}
		if err := json.Unmarshal(raw, p.u); err == nil {
			p.id = p.u.ID
		} else {
			var head struct {
				ID int64 `json:"update_id"`
			}
			if err := json.Unmarshal(raw, &head); err != nil {
				a.log.Warn("update undecodable, skipped", slog.String("event", "undecodable"))
				continue
			}
			a.log.Warn("update undecodable, skipped", slog.String("event", "undecodable"), slog.Int64("update", head.ID))
			p.id, p.u = head.ID, nil
		}
		out = append(out, p)
	}
	return out, nil
}
