package bot

import (
	"strings"
	"sync"
	"time"

	"github.com/secours/secours/flows"
)

// PushedTTL bounds how long a number typed after a push answers the
// push's list. Pushes come from structures, mostly in working hours: a day
// covers an answer the same day or the next morning, and bounds the memory
// kept. A list forgotten (a restart, another replica) only means that the
// number goes to the conversation as typed text.
const PushedTTL = 24 * time.Hour

// Pushed remembers, per chat, the numbered list a push showed last, for
// the channels that show a push's choices as text (WhatsApp): the engine
// knows the list of its own question only, so a number or a label typed
// next must be mapped to the push's choice here, until the conversation
// shows a list of its own. The zero value is ready; it is safe for
// concurrent use.
type Pushed struct {
	mu    sync.Mutex // guards lists and swept
	lists map[flows.ChatID]pushedList
	swept time.Time // when lists was last swept
}

type pushedList struct {
	choices []flows.Choice
	at      time.Time
}

// Remember records the list a push showed at now, and forgets, once a
// minute, the lists older than PushedTTL.
func (p *Pushed) Remember(chat flows.ChatID, list []flows.Choice, now time.Time) {
	p.mu.Lock()
	defer p.mu.Unlock()
	if p.lists == nil {
		p.lists = map[flows.ChatID]pushedList{}
	}
	p.lists[chat] = pushedList{choices: list, at: now}
	if now.Sub(p.swept) > time.Minute {
		p.swept = now
		for k, l := range p.lists {
			if now.Sub(l.at) > PushedTTL {
				delete(p.lists, k)
			}
		}
	}
}

// Forget drops the chat's list, if any.
func (p *Pushed) Forget(chat flows.ChatID) {
	p.mu.Lock()
	defer p.mu.Unlock()
	delete(p.lists, chat)
}

// Len is the number of lists kept.
func (p *Pushed) Len() int {
	p.mu.Lock()
	defer p.mu.Unlock()
	return len(p.lists)
}

// Has reports whether the chat has a list kept.
func (p *Pushed) Has(chat flows.ChatID) bool {
	p.mu.Lock()
	defer p.mu.Unlock()
	_, ok := p.lists[chat]
	return ok
}

// Choice maps a typed answer to the key of the choice of the list a push
// left open: its number (ListNumber), or its label whatever the case. A
// list answers once. Anything else goes to the conversation as typed.
func (p *Pushed) Choice(chat flows.ChatID, text string, now time.Time) (string, bool) {
	p.mu.Lock()
	defer p.mu.Unlock()
	l, ok := p.lists[chat]
	if !ok || now.Sub(l.at) > PushedTTL {
		return "", false
	}
	choice := ""
	if n := ListNumber(text); n >= 1 && n <= len(l.choices) {
		choice = l.choices[n-1].Key
	} else if t := strings.TrimSpace(text); t != "" {
		for _, c := range l.choices {
			if strings.EqualFold(c.Label, t) {
				choice = c.Key
				break
			}
		}
	}
	if choice == "" {
		return "", false
	}
	delete(p.lists, chat)
	return choice, true
}
