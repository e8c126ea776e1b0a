package structure

import (
	"cmp"
	"context"
	"errors"
	"fmt"
	"slices"
	"sync"
	"time"

	"github.com/secours/secours/flows"
	"github.com/secours/secours/geo"
)

// fakeDesk is an in-memory Desk for the page's tests. It keeps the
// domain's rules by calling flows.Referral.Transition and AddNote, and
// nothing else: no mails, no notices to the person.
type fakeDesk struct {
	now func() time.Time

	mu      sync.Mutex // guards everything below
	tokens  map[string]string
	refs    map[string]*flows.Referral
	codes   int
	linked  flows.ChatLink // the one place's chat, for placeA
	err     error          // returned by every call when set: a broken backend
	listErr error          // returned by List only: a token that works, a list that does not
	written []string       // texts relayed, in order
}

var _ Desk = (*fakeDesk)(nil)

func newFakeDesk(now func() time.Time) *fakeDesk {
	return &fakeDesk{now: now, tokens: map[string]string{}, refs: map[string]*flows.Referral{}}
}

func (d *fakeDesk) addToken(token, place string) {
	d.mu.Lock()
	defer d.mu.Unlock()
	d.tokens[token] = place
}

func (d *fakeDesk) revoke(token string) {
	d.mu.Lock()
	defer d.mu.Unlock()
	delete(d.tokens, token)
}

func (d *fakeDesk) add(r flows.Referral) {
	d.mu.Lock()
	defer d.mu.Unlock()
	d.refs[r.ID] = &r
}

func (d *fakeDesk) fail(err error) {
	d.mu.Lock()
	defer d.mu.Unlock()
	d.err = err
}

// get returns a copy of a referral, for the tests' checks.
func (d *fakeDesk) get(id string) flows.Referral {
	d.mu.Lock()
	defer d.mu.Unlock()
	return clone(d.refs[id])
}

// clone copies the slices too, so that a page rendering a copy never
// races with a later change.
func clone(r *flows.Referral) flows.Referral {
	c := *r
	c.History, c.Thread, c.Next = slices.Clone(r.History), slices.Clone(r.Thread), slices.Clone(r.Next)
	c.Delivery.Queue = slices.Clone(r.Delivery.Queue)
	return c
}

func (d *fakeDesk) Place(ctx context.Context, token string) (string, error) {
	d.mu.Lock()
	defer d.mu.Unlock()
	if d.err != nil {
		return "", d.err
	}
	p, ok := d.tokens[token]
	if !ok {
		return "", fmt.Errorf("fake desk: %w", flows.ErrNoToken)
	}
	return p, nil
}

func (d *fakeDesk) List(ctx context.Context, place string) ([]flows.Referral, error) {
	d.mu.Lock()
	defer d.mu.Unlock()
	if err := cmp.Or(d.err, d.listErr); err != nil {
		return nil, err
	}
	var out []flows.Referral
	for _, r := range d.refs {
		if r.Place != place {
			continue
		}
		out = append(out, clone(r))
	}
	slices.SortFunc(out, func(a, b flows.Referral) int {
		return cmp.Or(b.Created.Compare(a.Created), cmp.Compare(a.ID, b.ID))
	})
	return out, nil
}

// mine returns the place's referral, or ErrNoReferral: another place's
// referral does not exist for this place.
func (d *fakeDesk) mine(place, id string) (*flows.Referral, error) {
	r, ok := d.refs[id]
	if !ok || r.Place != place {
		return nil, fmt.Errorf("fake desk %s: %w", id, flows.ErrNoReferral)
	}
	return r, nil
}

func (d *fakeDesk) Act(ctx context.Context, place, id string, to flows.Status, reason string) (flows.Referral, error) {
	return d.change(place, id, func(r *flows.Referral) error {
		if _, err := r.Transition(to, flows.ActorStructure, reason, d.now()); err != nil {
			return fmt.Errorf("fake desk act: %w", err)
		}
		return nil
	})
}

func (d *fakeDesk) Write(ctx context.Context, place, id, text string) (flows.Referral, error) {
	return d.change(place, id, func(r *flows.Referral) error {
		if !r.Status.Open() {
			return fmt.Errorf("fake desk write: %w", flows.ErrTransition)
		}
		r.AddNote(flows.ActorStructure, text, d.now())
		d.written = append(d.written, text)
		return nil
	})
}

// change applies f to the place's referral id under the lock, after the
// failure set by fail, and returns a copy of the result.
func (d *fakeDesk) change(place, id string, f func(r *flows.Referral) error) (flows.Referral, error) {
	d.mu.Lock()
	defer d.mu.Unlock()
	if d.err != nil {
		return flows.Referral{}, d.err
	}
	r, err := d.mine(place, id)
	if err != nil {
		return flows.Referral{}, err
	}
	if err := f(r); err != nil {
		return flows.Referral{}, err
	}
	return clone(r), nil
}

func (d *fakeDesk) LinkCode(ctx context.Context, place string) (string, error) {
	d.mu.Lock()
	defer d.mu.Unlock()
	if d.err != nil {
		return "", d.err
	}
	d.codes++
	return fmt.Sprintf("K%05d", d.codes), nil
}

func (d *fakeDesk) LinkedChat(ctx context.Context, place string) (flows.ChatLink, error) {
	d.mu.Lock()
	defer d.mu.Unlock()
	if d.err != nil {
		return flows.ChatLink{}, d.err
	}
	if place != placeA {
		return flows.ChatLink{}, nil
	}
	return d.linked, nil
}

func (d *fakeDesk) UnlinkChat(ctx context.Context, place string) error {
	d.mu.Lock()
	defer d.mu.Unlock()
	if d.err != nil {
		return d.err
	}
	if place == placeA {
		d.linked = flows.ChatLink{}
	}
	return nil
}

// fakePlaces is a Places over a map.
type fakePlaces map[string]*geo.Place

func (p fakePlaces) Place(id string) (*geo.Place, bool) {
	pl, ok := p[id]
	return pl, ok
}

var errBackend = errors.New("fake backend down")
