package telegram

import (
	"context"
	"encoding/json"
	"errors"
	"io"
	"net/http"
	"net/http/httptest"
	"testing"

	tgbot "github.com/go-telegram/bot"
	"github.com/go-telegram/bot/models"
)

// TestJSONAPIErrors: each refusal of the Bot API comes back as the
// library's own error, so that the retry and the "unreachable" rules read
// both paths alike.
func TestJSONAPIErrors(t *testing.T) {
	for _, tt := range []struct {
		name, body string
		check      func(error) bool
	}{
		{"forbidden", `{"ok":false,"error_code":403,"description":"Forbidden: bot was blocked by the user"}`,
			func(err error) bool { return errors.Is(err, tgbot.ErrorForbidden) }},
		{"bad request", `{"ok":false,"error_code":400,"description":"Bad Request: chat not found"}`,
			func(err error) bool { return errors.Is(err, tgbot.ErrorBadRequest) }},
		{"unauthorized", `{"ok":false,"error_code":401,"description":"Unauthorized"}`,
			func(err error) bool { return errors.Is(err, tgbot.ErrorUnauthorized) }},
		{"not found", `{"ok":false,"error_code":404,"description":"Not Found"}`,
			func(err error) bool { return errors.Is(err, tgbot.ErrorNotFound) }},
		{"too many", `{"ok":false,"error_code":429,"description":"Too Many Requests","parameters":{"retry_after":7}}`,
			func(err error) bool {
				tm, ok := errors.AsType[*tgbot.TooManyRequestsError](err)
				return ok && tm.RetryAfter == 7
			}},
		{"migrated", `{"ok":false,"error_code":400,"description":"group upgraded","parameters":{"migrate_to_chat_id":-1001234}}`,
			func(err error) bool {
				me, ok := errors.AsType[*tgbot.MigrateError](err)
				return ok && me.MigrateToChatID == -1001234
			}},
		{"other", `{"ok":false,"error_code":502,"description":"Bad Gateway"}`,
			func(err error) bool { return err != nil }},
		{"not json", `<html>`, func(err error) bool { return err != nil }},
	} {
		t.Run(tt.name, func(t *testing.T) {
			srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
				io.WriteString(w, tt.body)
			}))
			defer srv.Close()
			j := newJSONAPI(srv.Client(), srv.URL, "123:secret")
			_, err := j.sendMessage(context.Background(), &tgbot.SendMessageParams{ChatID: 1, Text: "x"})
			if !tt.check(err) {
				t.Errorf("error %v is not the library's %s", err, tt.name)
			}
		})
	}
}

// TestJSONAPIRequest: the call is a JSON body on /bot<token>/<method>, the
// inline keyboard written out, and the result decoded.
func TestJSONAPIRequest(t *testing.T) {
	var got struct {
		path, ctype string
		params      map[string]json.RawMessage
	}
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		got.path, got.ctype = r.URL.Path, r.Header.Get("Content-Type")
		if err := json.NewDecoder(r.Body).Decode(&got.params); err != nil {
			t.Errorf("body is not JSON: %v", err)
		}
		io.WriteString(w, `{"ok":true,"result":{"message_id":42,"chat":{"id":7,"type":"private"},"text":"Bonjour"}}`)
	}))
	defer srv.Close()
	j := newJSONAPI(srv.Client(), srv.URL, "123:secret")
	kb := &models.InlineKeyboardMarkup{InlineKeyboard: [][]models.InlineKeyboardButton{{{Text: "Oui", CallbackData: "consent:yes"}}}}
	id, err := j.sendMessage(context.Background(), &tgbot.SendMessageParams{ChatID: int64(7), Text: "Bonjour", ReplyMarkup: kb})
	if err != nil {
		t.Fatal(err)
	}
	if id != 42 {
		t.Errorf("message id decoded as %d, want 42", id)
	}
	if got.path != "/bot123:secret/sendMessage" || got.ctype != "application/json" {
		t.Errorf("posted to %s as %s", got.path, got.ctype)
	}
	if string(got.params["chat_id"]) != "7" || string(got.params["text"]) != `"Bonjour"` {
		t.Errorf("params %s", got.params)
	}
	var markup models.InlineKeyboardMarkup
	if err := json.Unmarshal(got.params["reply_markup"], &markup); err != nil || markup.InlineKeyboard[0][0].CallbackData != "consent:yes" {
		t.Errorf("reply_markup %s: %v", got.params["reply_markup"], err)
	}
	if _, ok := got.params["parse_mode"]; ok {
		t.Error("empty fields are sent")
	}
}
