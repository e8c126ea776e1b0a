package pause

import (
	"context"
	"errors"
	"testing"
	"time"
)

func TestFor(t *testing.T) {
	if err := For(context.Background(), time.Millisecond); err != nil {
		t.Errorf("For(1ms) = %v, want nil", err)
	}
	if err := For(context.Background(), 0); err != nil {
		t.Errorf("For(0) = %v, want nil", err)
	}
	ctx, cancel := context.WithCancel(context.Background())
	cancel()
	start := time.Now()
	if err := For(ctx, time.Hour); !errors.Is(err, context.Canceled) {
		t.Errorf("For(hour) on a canceled ctx = %v, want context.Canceled", err)
	}
	if d := time.Since(start); d > time.Second {
		t.Errorf("For(hour) on a canceled ctx took %v", d)
	}
	if err := For(ctx, 0); !errors.Is(err, context.Canceled) {
		t.Errorf("For(0) on a canceled ctx = %v, want context.Canceled", err)
	}
}

func TestBackoff(t *testing.T) {
	start := time.Now()
	if err := Backoff(context.Background(), 5); err != nil {
		t.Errorf("Backoff(5) = %v, want nil", err)
	}
	if d := time.Since(start); d > time.Second {
		t.Errorf("Backoff(5) took %v, want under 5ms (and scheduling)", d)
	}
}
