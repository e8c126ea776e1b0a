package referral

import (
	"context"
	"errors"
	"fmt"
	"slices"
	"time"

	"github.com/secours/secours/flows"
)

// Store keeps referrals, indexed per structure (place id) and per chat,
// with a schedule of the work due on each (Referral.DueAt).
//
// CreateReferral stores a new referral with Rev 1 and indexes it; creating
// an id that exists is a no-op returning nil, so a retried step cannot
// create two. Referral returns flows.ErrNoReferral if none. UpdateReferral
// loads the referral, applies fn and saves the result if fn returns nil,
// retrying fn on a concurrent change; fn's error is returned as is, and
// the indexes follow the new DueAt and Chat. Referrals lists a place's
// referrals newest first, at most limit (0: all). ChatReferrals lists the
// ids of a chat's referrals. DueReferrals lists the ids whose DueAt is set
// and not after now, earliest first, at most limit. DeleteReferral removes
// a referral and its index entries; a missing one is not an error.
type Store interface {
	CreateReferral(ctx context.Context, r flows.Referral) error
	Referral(ctx context.Context, id string) (flows.Referral, error)
	UpdateReferral(ctx context.Context, id string, fn func(*flows.Referral) error) (flows.Referral, error)
	Referrals(ctx context.Context, place string, limit int) ([]flows.Referral, error)
	ChatReferrals(ctx context.Context, chat flows.ChatID) ([]string, error)
	DueReferrals(ctx context.Context, now time.Time, limit int) ([]string, error)
	DeleteReferral(ctx context.Context, id string) error
}

// Ledger is the person's side of referrals, what their conversation asks
// (flows.Referrals): it creates, withdraws, forgets and relays, and
// schedules each referral's next sweep from the engine's policy. A
// Service has one that wakes its sweep; alone (tests, tools) it wakes
// nothing.
type Ledger struct {
	engine *flows.Engine // its Policy is read at each change: cmd sets it after NewEngine
	store  Store
	wake   func() // nil: no sweep to wake
}

var _ flows.Referrals = (*Ledger)(nil)

// NewLedger keeps referrals in st under e's policy.
func NewLedger(e *flows.Engine, st Store) *Ledger {
	return &Ledger{engine: e, store: st}
}

// woke tells the sweep it has new work, so that it does not wait for its
// next poll.
func (l *Ledger) woke() {
	if l.wake != nil {
		l.wake()
	}
}

// Create stores a new referral (its ID set by the step) and returns it as
// stored: its first mail waits out the policy's hold (flows.Policy.Hold).
func (l *Ledger) Create(ctx context.Context, r flows.Referral) (flows.Referral, error) {
	pol := l.engine.Policy
	if pol.Hold > 0 {
		r.Delivery.Next = r.Created.Add(pol.Hold)
	}
	r.DueAt = pol.Due(&r)
	if err := l.store.CreateReferral(ctx, r); err != nil {
		return flows.Referral{}, fmt.Errorf("create referral: %w", err)
	}
	l.woke()
	return r, nil
}

// Drop deletes a referral stored by an attempt whose session save then
// failed or was superseded. Best effort: an orphan left behind is closed
// by the expiry sweep.
func (l *Ledger) Drop(ctx context.Context, id string) {
	_ = l.store.DeleteReferral(ctx, id)
}

// Relay adds the person's message to the referral's thread and queues it
// for the structure. A referral closed meanwhile gives an error wrapping
// flows.ErrTransition, a deleted one flows.ErrNoReferral.
func (l *Ledger) Relay(ctx context.Context, id, text string, now time.Time) error {
	_, err := l.update(ctx, id, func(r *flows.Referral) error {
		if !r.Status.Open() {
			return &flows.TransitionError{From: r.Status, To: r.Status}
		}
		r.AddNote(flows.ActorPerson, text, now)
		if !slices.Contains(r.Delivery.Queue, flows.MailReply) {
			r.Delivery.Queue = append(r.Delivery.Queue, flows.MailReply)
		}
		return nil
	})
	if err != nil {
		return fmt.Errorf("relay: %w", err)
	}
	l.woke()
	return nil
}

// Withdraw closes a referral at the person's request and removes what
// could reach them (G.1, G.3); the structure is told, unless nothing had
// reached it yet. It is idempotent, so a retried step may call it again,
// and a referral already deleted is no error.
func (l *Ledger) Withdraw(ctx context.Context, id string, now time.Time) error {
	_, err := l.withdraw(ctx, id, now, false)
	return err
}

// Forget withdraws every referral of the chat ("/oubli") and returns the
// places that had received one, each once, sorted. A structure that
// received anything is asked to delete it (flows.MailForget, which says
// the request is withdrawn too), even for a referral that had already
// ended.
func (l *Ledger) Forget(ctx context.Context, chat flows.ChatID, now time.Time) ([]string, error) {
	ids, err := l.store.ChatReferrals(ctx, chat)
	if err != nil {
		return nil, fmt.Errorf("forget referrals: %w", err)
	}
	var places []string
	for _, id := range ids {
		r, err := l.store.Referral(ctx, id)
		if errors.Is(err, flows.ErrNoReferral) {
			continue
		}
		if err != nil {
			return nil, fmt.Errorf("forget referrals: %w", err)
		}
		reached, err := l.withdraw(ctx, id, now, true)
		if err != nil {
			return nil, fmt.Errorf("forget referrals: %w", err)
		}
		if reached && !slices.Contains(places, r.Place) {
			places = append(places, r.Place)
		}
	}
	slices.Sort(places) // the chat index has no order
	return places, nil
}

// withdraw is Withdraw, and with forget the part of Forget for one
// referral. It returns whether something had reached the structure.
func (l *Ledger) withdraw(ctx context.Context, id string, now time.Time, forget bool) (reached bool, err error) {
	_, err = l.update(ctx, id, func(r *flows.Referral) error {
		reached = r.Delivery.Sent > 0
		if r.Status.Open() {
			if _, err := r.Transition(flows.StatusClosed, flows.ActorPerson, flows.ReasonWithdrawn, now); err != nil {
				return err
			}
			switch {
			case !reached && slices.Contains(r.Delivery.Queue, flows.MailNew):
				r.Delivery.Queue = nil // the structure never heard of it
			case !forget:
				r.Delivery.Queue = append(slices.DeleteFunc(r.Delivery.Queue, func(k string) bool { return k == flows.MailReply }), flows.MailWithdrawn)
			}
		}
		if forget {
			// Any mail still queued would only say less than this one.
			r.Delivery.Queue = nil
			if reached {
				r.Delivery.Queue = []string{flows.MailForget}
			}
		}
		r.Scrub()
		r.Updated = now
		return nil
	})
	if errors.Is(err, flows.ErrNoReferral) {
		return false, nil
	}
	if err != nil {
		return false, fmt.Errorf("withdraw referral: %w", err)
	}
	l.woke()
	return reached, nil
}

// update changes a referral through the store and schedules its next
// sweep from the engine's policy.
func (l *Ledger) update(ctx context.Context, id string, fn func(*flows.Referral) error) (flows.Referral, error) {
	return l.store.UpdateReferral(ctx, id, func(r *flows.Referral) error {
		if err := fn(r); err != nil {
			return err
		}
		r.DueAt = l.engine.Policy.Due(r)
		return nil
	})
}
