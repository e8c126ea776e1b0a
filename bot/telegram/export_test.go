package telegram

import (
	"context"
	"time"
)

// SetSleep replaces the adapter's waits (pacing and 429s), so that tests
// record them instead of sleeping.
func SetSleep(a *Adapter, fn func(ctx context.Context, d time.Duration) error) { a.sleep = fn }
