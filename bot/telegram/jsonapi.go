package telegram

import (
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"io"
	"net/http"

	tgbot "github.com/go-telegram/bot"
)

// jsonAPI makes the calls of almost every turn (sendMessage,
// sendVenue, answerCallbackQuery, editMessageReplyMarkup) with a small JSON body,
// which the Bot API accepts for any method. The library builds a
// multipart form for every call, by reflection over the parameters and
// through a pipe and a goroutine: under 1,000 simulated users that was
// 7.8 % of the bot's CPU (issue 22). The rest (commands, webhook
// set-up, getUpdates) still goes through the library. Errors come back as
// the library's own (ErrorForbidden, TooManyRequestsError, …), so that
// call, unreachable and apiErr treat both paths alike.
type jsonAPI struct {
	c    *http.Client
	base string // <server>/bot<token>/
}

func newJSONAPI(c *http.Client, server, token string) *jsonAPI {
	return &jsonAPI{c: c, base: server + "/bot" + token + "/"}
}

// response is the Bot API's envelope.
type response struct {
	OK          bool            `json:"ok"`
	Result      json.RawMessage `json:"result"`
	Description string          `json:"description"`
	ErrorCode   int             `json:"error_code"`
	Parameters  struct {
		RetryAfter      int   `json:"retry_after"`
		MigrateToChatID int64 `json:"migrate_to_chat_id"`
	} `json:"parameters"`
}

// maxResponse bounds a response read into memory: a sent message echoed.
const maxResponse = 1 << 20

// post calls method with params as JSON and decodes the result into dest
// (nil: the result is not read).
func (j *jsonAPI) post(ctx context.Context, method string, params, dest any) error {
	body, err := json.Marshal(params)
	if err != nil {
		return fmt.Errorf("encode %s: %w", method, err)
	}
	req, err := http.NewRequestWithContext(ctx, http.MethodPost, j.base+method, bytes.NewReader(body))
	if err != nil {
		return fmt.Errorf("request %s: %w", method, err)
	}
	req.Header.Set("Content-Type", "application/json")
	resp, err := j.c.Do(req)
	if err != nil {
		// The URL holds the token: apiErr takes it out of logs.
		return fmt.Errorf("error do request for method %s, %w", method, err)
	}
	defer resp.Body.Close()
	raw, err := io.ReadAll(io.LimitReader(resp.Body, maxResponse))
	if err != nil {
		return fmt.Errorf("read %s response: %w", method, err)
	}
	var r response
	if err := json.Unmarshal(raw, &r); err != nil {
		return fmt.Errorf("error decode response for method %s: %w", method, err)
	}
	if !r.OK {
		return apiError(&r)
	}
	if dest == nil {
		return nil
	}
	if err := json.Unmarshal(r.Result, dest); err != nil {
		return fmt.Errorf("error decode response result for method %s: %w", method, err)
	}
	return nil
}

// apiError maps a refusal to the library's error for it, as its own
// client does.
func apiError(r *response) error {
	switch r.ErrorCode {
	case http.StatusForbidden:
		return fmt.Errorf("%w, %s", tgbot.ErrorForbidden, r.Description)
	case http.StatusBadRequest:
		if r.Parameters.MigrateToChatID != 0 {
			return &tgbot.MigrateError{Message: fmt.Sprintf("%s: %s", tgbot.ErrorBadRequest, r.Description),
				MigrateToChatID: int(r.Parameters.MigrateToChatID)}
		}
		return fmt.Errorf("%w, %s", tgbot.ErrorBadRequest, r.Description)
	case http.StatusUnauthorized:
		return fmt.Errorf("%w, %s", tgbot.ErrorUnauthorized, r.Description)
	case http.StatusNotFound:
		return fmt.Errorf("%w, %s", tgbot.ErrorNotFound, r.Description)
	case http.StatusConflict:
		return fmt.Errorf("%w, %s", tgbot.ErrorConflict, r.Description)
	case http.StatusTooManyRequests:
		return &tgbot.TooManyRequestsError{Message: fmt.Sprintf("%s, %s", tgbot.ErrorTooManyRequests, r.Description),
			RetryAfter: r.Parameters.RetryAfter}
	}
	return fmt.Errorf("telegram: error %d, %s", r.ErrorCode, r.Description)
}

// sendMessage returns the id of the message sent: all the adapter keeps
// of it. Decoding only that field, not the echoed message into the
// library's large models.Message, was most of this call's decoding cost.
func (j *jsonAPI) sendMessage(ctx context.Context, p *tgbot.SendMessageParams) (int, error) {
	var m struct {
		ID int `json:"message_id"`
	}
	if err := j.post(ctx, "sendMessage", p, &m); err != nil {
		return 0, err
	}
	return m.ID, nil
}

func (j *jsonAPI) sendVenue(ctx context.Context, p *tgbot.SendVenueParams) error {
	return j.post(ctx, "sendVenue", p, nil)
}

func (j *jsonAPI) answerCallbackQuery(ctx context.Context, p *tgbot.AnswerCallbackQueryParams) error {
	return j.post(ctx, "answerCallbackQuery", p, nil)
}

func (j *jsonAPI) editMessageReplyMarkup(ctx context.Context, p *tgbot.EditMessageReplyMarkupParams) error {
	return j.post(ctx, "editMessageReplyMarkup", p, nil)
}

func (j *jsonAPI) editMessageText(ctx context.Context, p *tgbot.EditMessageTextParams) error {
	return j.post(ctx, "editMessageText", p, nil)
}
