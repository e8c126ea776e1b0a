package bot

import (
	"context"
	"errors"
	"fmt"
	"log/slog"
	"runtime"
	"sync"
	"time"

	"github.com/secours/secours/bot/metrics"
	"github.com/secours/secours/flows"
)

// Conversation answers one incoming message. Runner implements it; tests
// may use a fake.
type Conversation interface {
	Handle(ctx context.Context, m flows.Msg) []flows.Reply
}

// Runner applies messages to the engine with a session store, one chat at
// a time, and logs each update without its text.
type Runner struct {
	Engine     *flows.Engine
	Store      flows.SessionStore
	Referrals  flows.Referrals      // nil: consent is asked but nothing can be sent
	Structures flows.StructureStore // nil: "/structure <code>" is refused
	Stats      flows.StatsStore     // nil: the observatory counts nothing
	Metrics    *metrics.Metrics     // nil: no Prometheus metrics

	Now     func() time.Time // nil: time.Now
	Log     *slog.Logger     // nil: slog.Default()
	Timeout time.Duration    // per update; 0: 10 s
	// Steps bounds the steps run at once; 0: 8 per GOMAXPROCS, within
	// the Redis client's pool (10 connections per GOMAXPROCS), so that no
	// step waits for a connection. The others wait their turn before
	// their timeout starts (see Handle).
	Steps int

	ser       Serializer
	slotsOnce sync.Once
	slots     chan struct{} // one per step running
}

var _ Conversation = (*Runner)(nil)

// Handle runs one update. Store errors are logged here, once, and the
// person gets the engine's kind "try again in a minute".
//
// A step waits for a free slot (Steps) before its timeout and the store's
// deadlines start. On a machine short of CPU, hundreds of steps at once
// each waited in the process, for a CPU and for one of the Redis client's
// connections, past the store's 2 s deadline while Redis answered within
// milliseconds: the person got "try again" and, when the save had gone
// through, no next question. Waiting for a slot costs nothing but time,
// which the update's own bound (the channel's) still limits.
func (r *Runner) Handle(ctx context.Context, m flows.Msg) []flows.Reply {
	log := r.Log
	if log == nil {
		log = slog.Default()
	}
	entered := time.Now()
	r.slotsOnce.Do(func() {
		n := r.Steps
		if n <= 0 {
			n = 8 * runtime.GOMAXPROCS(0)
		}
		r.slots = make(chan struct{}, n)
	})
	select {
	case r.slots <- struct{}{}:
	case <-ctx.Done():
		log.Error("update abandoned waiting for a step slot", slog.Any("chat", m.Chat), slog.String("channel", m.Chat.Channel()),
			slog.Any("err", ctx.Err()))
		return nil
	}
	defer func() { <-r.slots }()
	timeout := r.Timeout
	if timeout == 0 {
		timeout = 10 * time.Second
	}
	ctx, cancel := context.WithTimeout(ctx, timeout)
	defer cancel()
	now := time.Now
	if r.Now != nil {
		now = r.Now
	}
	var (
		out flows.Outcome
		err error
	)
	start := time.Now()
	r.ser.Do(m.Chat, func() {
		m.Waited += time.Since(entered) // the slot and the chat's turn
		out, err = r.Engine.Handle(ctx, flows.Stores{Sessions: r.Store, Referrals: r.Referrals, Structures: r.Structures}, m, now())
	})
	r.Metrics.Update(m.Chat.Channel(), uint8(m.Kind))
	r.Metrics.Step(m.Chat.Channel(), time.Since(start))
	r.Metrics.Profile(out.Profile)
	if out.Referral != nil {
		r.Metrics.Referral(string(flows.StatusSent))
	}
	if err != nil {
		r.Metrics.StoreError(out.Event)
	}
	attrs := []any{
		slog.Any("chat", m.Chat), slog.String("channel", m.Chat.Channel()),
		slog.String("state", out.Session.State), slog.String("event", out.Event),
		slog.Duration("dur", time.Since(start)),
	}
	if out.Key != "" {
		attrs = append(attrs, slog.String("key", out.Key))
	}
	if out.Profile != "" {
		attrs = append(attrs, slog.String("profile", out.Profile))
	}
	if r.Stats != nil && err == nil && out.Tally != nil {
		// Anonymous counts: a failure costs a count, never the answer.
		if serr := r.Stats.Record(ctx, *out.Tally); serr != nil {
			log.Warn("tally not recorded", slog.Any("err", serr))
		}
	}
	if err != nil {
		log.Error("update failed", append(attrs, slog.Any("err", err))...)
	} else {
		log.Info("update handled", attrs...)
	}
	return out.Replies
}

// Serializer runs one function per chat at a time; chats run in parallel.
// Channels deliver a chat's updates on several goroutines, and the
// session's Load→Step→Save must not interleave within one process.
type Serializer struct {
	mu    sync.Mutex // guards locks
	locks map[flows.ChatID]*chatLock
}

type chatLock struct {
	mu   sync.Mutex
	refs int
}

// Do runs fn while holding the chat's lock.
func (s *Serializer) Do(id flows.ChatID, fn func()) {
	s.mu.Lock()
	if s.locks == nil {
		s.locks = map[flows.ChatID]*chatLock{}
	}
	l := s.locks[id]
	if l == nil {
		l = &chatLock{}
		s.locks[id] = l
	}
	l.refs++
	s.mu.Unlock()

	l.mu.Lock()
	defer func() {
		l.mu.Unlock()
		s.mu.Lock()
		l.refs--
		if l.refs == 0 {
			delete(s.locks, id) // no idle lock is kept: the map stays small
		}
		s.mu.Unlock()
	}()
	fn()
}

// ErrUnreachable means the person can no longer be reached on the
// channel: they blocked the bot, deleted their account or left the chat.
var ErrUnreachable = errors.New("bot: person unreachable")

// Sender sends replies to a chat outside a conversation turn: a
// structure's answer, a status change, a referral to a structure's chat.
// A chat that can no longer be reached gives an error wrapping
// ErrUnreachable.
type Sender interface {
	Send(ctx context.Context, chat flows.ChatID, replies []flows.Reply) error
}

// Senders routes to the Sender of the chat's channel ("tg", "wa", "cli").
type Senders map[string]Sender

// Send sends through the chat's channel, or fails if that channel is off.
func (s Senders) Send(ctx context.Context, chat flows.ChatID, replies []flows.Reply) error {
	snd, ok := s[chat.Channel()]
	if !ok {
		return fmt.Errorf("send: channel %q is not running", chat.Channel())
	}
	return snd.Send(ctx, chat, replies)
}
