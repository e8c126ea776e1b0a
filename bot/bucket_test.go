package bot

import (
	"testing"
	"time"

	"github.com/secours/secours/internal/testkit"
)

func TestBucket(t *testing.T) {
	clk := testkit.NewClock(time.Date(2025, 3, 4, 10, 0, 0, 0, time.UTC))
	b := NewBucket(2, 3) // 2 a second, bursts of 3
	steps := []struct {
		advance time.Duration
		want    time.Duration
	}{
		{0, 0}, {0, 0}, {0, 0}, // the burst
		{0, 500 * time.Millisecond},  // one token short: half a second at 2/s
		{0, 1000 * time.Millisecond}, // queued behind the previous one
		{1500 * time.Millisecond, 0}, // 3 tokens back, 2 were owed
		{0, 500 * time.Millisecond},
		{10 * time.Second, 0}, // refilled, but never above the burst
		{0, 0}, {0, 0},
		{0, 500 * time.Millisecond},
	}
	for i, s := range steps {
		clk.Add(s.advance)
		if got := b.Take(clk.Now()); got != s.want {
			t.Errorf("step %d: take = %v, want %v", i, got, s.want)
		}
	}
}

func TestBucketClockBackwards(t *testing.T) {
	clk := testkit.NewClock(time.Date(2025, 3, 4, 10, 0, 0, 0, time.UTC))
	b := NewBucket(1, 1)
	b.Take(clk.Now())
	clk.Add(-time.Hour) // a clock step back must not mint tokens
	if got := b.Take(clk.Now()); got != time.Second {
		t.Errorf("take after a step back = %v, want 1s", got)
	}
}
