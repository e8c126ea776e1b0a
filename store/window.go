package store

import (
	"errors"
	"time"
)

// The 24-hour window's records (bot/wacloud), alike in both backends.
const (
	// WindowRetention is how long after a person wrote their WindowSeen is
	// kept: the window is 24 h, and a wa_id is a phone number, so no
	// longer than it serves that plus a margin.
	WindowRetention = 48 * time.Hour
	// MaxHeld is how many held messages a chat keeps; holding more drops
	// the oldest. A person who has not written for a day gets a summary
	// template, not fifty messages.
	MaxHeld = 50
)

// CheckHold refuses a held message that would expire at once.
func CheckHold(ttl time.Duration) error {
	if ttl <= 0 {
		return errors.New("ttl must be positive")
	}
	return nil
}
