package bot

import "time"

// The one token bucket of the channels that pace what they send: Telegram
// (per chat and overall) and the WhatsApp Cloud API (overall).

// Bucket is a token bucket: rate tokens a second, holding at most burst.
// It is not safe for concurrent use.
type Bucket struct {
	rate   float64
	burst  float64
	tokens float64
	last   time.Time
}

// NewBucket returns a full bucket of rate tokens a second, at most burst
// (at least 1).
func NewBucket(rate float64, burst int) *Bucket {
	if burst < 1 {
		burst = 1
	}
	return &Bucket{rate: rate, burst: float64(burst), tokens: float64(burst)}
}

// Take spends one token at now and says how long to wait before using it.
// Tokens may go below zero, so that callers that arrive together queue up
// one after the other instead of all waking at once.
func (b *Bucket) Take(now time.Time) time.Duration {
	if !b.last.IsZero() && now.After(b.last) {
		b.tokens = min(b.burst, b.tokens+now.Sub(b.last).Seconds()*b.rate)
	}
	if now.After(b.last) {
		b.last = now
	}
	b.tokens--
	if b.tokens >= 0 {
		return 0
	}
	return time.Duration(-b.tokens / b.rate * float64(time.Second))
}

// Full reports whether the bucket would be full at now: then it holds no
// information and can be forgotten.
func (b *Bucket) Full(now time.Time) bool {
	return b.tokens+now.Sub(b.last).Seconds()*b.rate >= b.burst
}
