package telegram

import (
	"errors"
	"fmt"
	"io"
	"net/url"
	"strings"
	"testing"
	"time"

	tgbot "github.com/go-telegram/bot"

	"github.com/secours/secours/internal/testkit"
)

// TestViewsForgotten checks that the adapter keeps what chats show for
// recent chats only.
func TestViewsForgotten(t *testing.T) {
	clk := testkit.NewClock(time.Date(2025, 3, 4, 10, 0, 0, 0, time.UTC))
	a := &Adapter{views: map[int64]view{}, now: clk.Now}
	for chat := range int64(1000) {
		a.setView(chat, func(v *view) { v.msgID, v.question = 7, "who" })
	}
	if v := a.view(3); v.msgID != 7 || v.question != "who" {
		t.Fatalf("view = %+v, want the message recorded", v)
	}
	clk.Add(viewTTL + time.Second)
	if v := a.view(3); v != (view{}) {
		t.Errorf("view after %s = %+v, want none", viewTTL, v)
	}
	a.setView(5000, func(v *view) { v.location = true })
	if n := len(a.views); n != 1 {
		t.Errorf("%d views kept after the idle ones expired, want 1", n)
	}
}

// TestAPIErrRedacts checks that what the library's errors may carry, the
// token in a failed request's URL and a response body, never reaches a
// log, while errors.Is still sees the cause.
func TestAPIErrRedacts(t *testing.T) {
	const token = "999:SeCrEt-token"
	a := &Adapter{cfg: Config{Token: token}}
	tests := []struct {
		name   string
		err    error
		hidden string
		cause  error
	}{
		{"request failed", fmt.Errorf("error do request for method sendMessage, %w",
			&url.Error{Op: "Post", URL: "https://api.telegram.org/bot" + token + "/sendMessage", Err: io.ErrUnexpectedEOF}), token, io.ErrUnexpectedEOF},
		{"undecodable body", fmt.Errorf("error decode response body for method sendMessage, {\"text\":\"Marie\"}, %w", io.ErrUnexpectedEOF),
			"Marie", io.ErrUnexpectedEOF},
		{"API error kept", fmt.Errorf("%w, Forbidden: bot was blocked by the user", tgbot.ErrorForbidden), "", tgbot.ErrorForbidden},
	}
	for _, tt := range tests {
		got := a.apiErr(tt.err)
		if tt.hidden != "" && strings.Contains(got.Error(), tt.hidden) {
			t.Errorf("%s: %q shows %q", tt.name, got, tt.hidden)
		}
		if !errors.Is(got, tt.cause) {
			t.Errorf("%s: errors.Is(%v, %v) = false", tt.name, got, tt.cause)
		}
	}
	if a.apiErr(nil) != nil {
		t.Errorf("apiErr(nil) != nil")
	}
}
