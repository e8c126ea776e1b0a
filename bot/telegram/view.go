package telegram

import (
	"time"

	"github.com/go-telegram/bot/models"
)

// viewTTL bounds how long the adapter remembers what a chat shows, and so
// the memory it keeps: chats of the last half hour only. A press on a
// keyboard older than that is not marked as answered; the engine pauses a
// conversation left for an hour, so such a press is seldom taken as an
// answer anyway.
const viewTTL = 30 * time.Minute

// view is what a chat shows, as far as the next replies depend on it.
// Nothing else is kept per chat: a view lost (a restart, another replica,
// an idle chat) only means one answer left unmarked or one location
// keyboard left up.
type view struct {
	// msgID is the newest message with an inline keyboard, the only one
	// whose buttons answer the question the engine has open, and question
	// is that question's key (Reply.Question).
	msgID    int
	question string
	location bool      // the location reply keyboard is up
	at       time.Time // last change
}

// apply records a message sent as o; keyboard reports whether its inline
// keyboard, if it has one, is on it.
func (v *view) apply(o out, id int, keyboard bool) {
	switch o.markup.(type) {
	case *models.ReplyKeyboardMarkup:
		v.location = true
	case *models.ReplyKeyboardRemove:
		v.location = false
	}
	if _, inline := o.markup.(*models.InlineKeyboardMarkup); (inline || o.inline != nil) && keyboard {
		v.msgID, v.question = id, o.question
	}
}

// view returns what the chat shows, or the zero view if that is not known.
func (a *Adapter) view(chat int64) view {
	now := a.now()
	a.mu.Lock()
	defer a.mu.Unlock()
	if v := a.views[chat]; now.Sub(v.at) <= viewTTL {
		return v
	}
	return view{}
}

// setView applies a change to what the chat shows, and forgets, once a
// minute, the chats idle for viewTTL: the map holds recent chats only.
func (a *Adapter) setView(chat int64, change func(*view)) {
	now := a.now()
	a.mu.Lock()
	defer a.mu.Unlock()
	v := a.views[chat]
	if now.Sub(v.at) > viewTTL {
		v = view{}
	}
	change(&v)
	v.at = now
	a.views[chat] = v
	if now.Sub(a.swept) > time.Minute {
		a.swept = now
		for id, v := range a.views {
			if now.Sub(v.at) > viewTTL {
				delete(a.views, id)
			}
		}
	}
}
