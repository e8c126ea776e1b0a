package telegram

import (
	"sync"
	"time"
)

// Limits pace the messages sent, below the Bot API's flood limits
// (https://core.telegram.org/bots/faq#my-bot-is-hitting-limits-how-do-i-avoid-this):
// about 30 messages a second overall and one a second in one chat, where
// short bursts are tolerated. The zero value gives those limits; a negative
// rate means no limit (the load tool uses it against a fake, to measure the
// bot's own work).
type Limits struct {
	Global      float64 // messages a second, all chats; 0: 30
	GlobalBurst int     // 0: 30
	Chat        float64 // messages a second in one chat; 0: 1
	ChatBurst   int     // 0: 5, so that a result (profile, tips, question) arrives at once
}

// The default limits.
const (
	defaultGlobal      = 30
	defaultGlobalBurst = 30
	defaultChat        = 1
	defaultChatBurst   = 5
)

func (l Limits) withDefaults() Limits {
	if l.Global == 0 {
		l.Global = defaultGlobal
	}
	if l.GlobalBurst <= 0 {
		l.GlobalBurst = defaultGlobalBurst
	}
	if l.Chat == 0 {
		l.Chat = defaultChat
	}
	if l.ChatBurst <= 0 {
		l.ChatBurst = defaultChatBurst
	}
	return l
}

// bucket is a token bucket: rate tokens a second, holding at most burst.
// It is not safe for concurrent use.
type bucket struct {
	rate   float64
	burst  float64
	tokens float64
	last   time.Time
}

func newBucket(rate float64, burst int) *bucket {
	if burst < 1 {
		burst = 1
	}
	return &bucket{rate: rate, burst: float64(burst), tokens: float64(burst)}
}

// take spends one token at now and says how long to wait before using it.
// Tokens may go below zero, so that callers that arrive together queue up
// one after the other instead of all waking at once.
func (b *bucket) take(now time.Time) time.Duration {
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

// full reports whether the bucket would be full at now: then it holds no
// information and can be forgotten.
func (b *bucket) full(now time.Time) bool {
	return b.tokens+now.Sub(b.last).Seconds()*b.rate >= b.burst
}

// pacer holds the global bucket and one bucket per recently active chat.
type pacer struct {
	lim Limits
	now func() time.Time

	mu     sync.Mutex // guards global, chats and swept
	global *bucket
	chats  map[int64]*bucket
	swept  time.Time
}

func newPacer(lim Limits, now func() time.Time) *pacer {
	lim = lim.withDefaults()
	p := &pacer{lim: lim, now: now, chats: map[int64]*bucket{}}
	if lim.Global > 0 {
		p.global = newBucket(lim.Global, lim.GlobalBurst)
	}
	return p
}

// reserve spends a token of the chat and a global one, and says how long
// to wait before sending.
func (p *pacer) reserve(chat int64) time.Duration {
	p.mu.Lock()
	defer p.mu.Unlock()
	now := p.now()
	var wait time.Duration
	if p.global != nil {
		wait = p.global.take(now)
	}
	if p.lim.Chat > 0 {
		b := p.chats[chat]
		if b == nil {
			b = newBucket(p.lim.Chat, p.lim.ChatBurst)
			p.chats[chat] = b
		}
		wait = max(wait, b.take(now))
		if now.Sub(p.swept) > time.Minute {
			// Forget full buckets, so that the map holds the chats of the
			// last minute only.
			p.swept = now
			for id, b := range p.chats {
				if b.full(now) {
					delete(p.chats, id)
				}
			}
		}
	}
	return wait
}
