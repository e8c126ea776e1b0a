// Package pause waits a while unless a context ends first: the Telegram
// pacer, the stores' retries and the load tool's simulated people all
// wait this way.
package pause

import (
	"context"
	"math/rand/v2"
	"time"
)

// For waits d, or until ctx is done, and returns ctx's error if it ended
// first. A d of zero or less does not wait.
func For(ctx context.Context, d time.Duration) error {
	if d <= 0 {
		return ctx.Err()
	}
	t := time.NewTimer(d)
	defer t.Stop()
	select {
	case <-ctx.Done():
		return ctx.Err()
	case <-t.C:
		return nil
	}
}

// Backoff waits a random time under attempt milliseconds (attempt ≥ 1), so
// that writers that collided do not collide again in step.
func Backoff(ctx context.Context, attempt int) error {
	return For(ctx, rand.N(time.Duration(attempt)*time.Millisecond))
}
