package telegram

import (
	"sync"
	"time"

	"github.com/secours/secours/bot"
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

// pacer holds the global bucket and one bucket per recently active chat.
type pacer struct {
	lim Limits
	now func() time.Time

	mu     sync.Mutex // guards global, chats and swept
	global *bot.Bucket
	chats  map[int64]*bot.Bucket
	swept  time.Time
}

func newPacer(lim Limits, now func() time.Time) *pacer {
	lim = lim.withDefaults()
	p := &pacer{lim: lim, now: now, chats: map[int64]*bot.Bucket{}}
	if lim.Global > 0 {
		p.global = bot.NewBucket(lim.Global, lim.GlobalBurst)
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
		wait = p.global.Take(now)
	}
	if p.lim.Chat > 0 {
		b := p.chats[chat]
		if b == nil {
			b = bot.NewBucket(p.lim.Chat, p.lim.ChatBurst)
			p.chats[chat] = b
		}
		wait = max(wait, b.Take(now))
		if now.Sub(p.swept) > time.Minute {
			// Forget full buckets, so that the map holds the chats of the
			// last minute only.
			p.swept = now
			for id, b := range p.chats {
				if b.Full(now) {
					delete(p.chats, id)
				}
			}
		}
	}
	return wait
}
