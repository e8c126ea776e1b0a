package telegram_test

import (
	"regexp"
	"strings"
	"testing"

	"github.com/secours/secours/bot/telegram"
)

// TestPollLeaseName: the polling lease is named by a hash of the token,
// which never shows in Redis.
func TestPollLeaseName(t *testing.T) {
	const token = "123456:AAE-secret_token"
	name := telegram.PollLeaseName(token)
	if !regexp.MustCompile(`^poll:\{[0-9a-f]{16}\}$`).MatchString(name) {
		t.Errorf("PollLeaseName = %q, want poll:{<16 hex>}", name)
	}
	if strings.Contains(name, "secret") || strings.Contains(name, "123456") {
		t.Errorf("PollLeaseName = %q shows the token", name)
	}
	if telegram.PollLeaseName(token+"x") == name {
		t.Error("two tokens share a lease name")
	}
}
