package memory

import (
	"context"
	"encoding/json"
	"fmt"
	"maps"
	"slices"
	"sync"
	"time"

	"github.com/secours/secours/network"
)

var _ network.Store = (*Networks)(nil)

// Networks is an in-memory network.Store: the networks' published places,
// drafts, card edits and audit trail of one process. It keeps encoded
// states, as Redis does, so that a caller changing what it read changes
// nothing stored. It is safe for concurrent use.
type Networks struct {
	now func() time.Time

	mu     sync.Mutex // guards all below
	rev    int64
	owners map[string]*owner
}

type owner struct {
	rev       int64
	cur, prev []byte // encoded State; prev nil: nothing to undo
	hasPrev   bool
	edits     map[string][]byte
	audit     [][]byte // oldest first
	drafts    map[string]draft
}

type draft struct {
	val []byte
	exp time.Time
}

// NewNetworks returns an empty store; now (nil: time.Now) is the clock of
// draft expiry.
func NewNetworks(now func() time.Time) *Networks {
	if now == nil {
		now = time.Now
	}
	return &Networks{now: now, owners: map[string]*owner{}}
}

func (n *Networks) get(name string) *owner {
	o := n.owners[name]
	if o == nil {
		o = &owner{edits: map[string][]byte{}, drafts: map[string]draft{}}
		n.owners[name] = o
	}
	return o
}

// Rev returns the global revision.
func (n *Networks) Rev(ctx context.Context) (int64, error) {
	if err := ctx.Err(); err != nil {
		return 0, err
	}
	n.mu.Lock()
	defer n.mu.Unlock()
	return n.rev, nil
}

// Owners lists the owners with a state or a card edit, sorted.
func (n *Networks) Owners(ctx context.Context) ([]string, error) {
	if err := ctx.Err(); err != nil {
		return nil, err
	}
	n.mu.Lock()
	defer n.mu.Unlock()
	var out []string
	for _, name := range slices.Sorted(maps.Keys(n.owners)) {
		if o := n.owners[name]; o.rev > 0 || len(o.edits) > 0 {
			out = append(out, name)
		}
	}
	return out, nil
}

func decodeState(b []byte, rev int64) (network.State, error) {
	var st network.State
	if len(b) > 0 {
		if err := json.Unmarshal(b, &st); err != nil {
			return network.State{}, fmt.Errorf("memory network state: %w", err)
		}
	}
	st.Rev = rev
	return st, nil
}

// State returns the owner's current state.
func (n *Networks) State(ctx context.Context, name string) (network.State, bool, error) {
	if err := ctx.Err(); err != nil {
		return network.State{}, false, err
	}
	n.mu.Lock()
	o := n.get(name)
	cur, rev, can := o.cur, o.rev, o.hasPrev
	n.mu.Unlock()
	st, err := decodeState(cur, rev)
	return st, can, err
}

// Previous returns the state Undo would restore.
func (n *Networks) Previous(ctx context.Context, name string) (network.State, bool, error) {
	if err := ctx.Err(); err != nil {
		return network.State{}, false, err
	}
	n.mu.Lock()
	o := n.get(name)
	prev, has := o.prev, o.hasPrev
	n.mu.Unlock()
	if !has {
		return network.State{}, false, nil
	}
	st, err := decodeState(prev, 0)
	return st, true, err
}

// Publish makes next the owner's state if its revision is still base.
func (n *Networks) Publish(ctx context.Context, name string, base int64, next network.State, audit []network.Change) (int64, error) {
	if err := ctx.Err(); err != nil {
		return 0, err
	}
	b, err := json.Marshal(next)
	if err != nil {
		return 0, fmt.Errorf("memory network publish: %w", err)
	}
	as, err := network.EncodeChanges(audit)
	if err != nil {
		return 0, fmt.Errorf("memory network publish: %w", err)
	}
	return n.commit(name, base, as, func(o *owner) error {
		o.prev, o.hasPrev = o.cur, true
		o.cur = b
		return nil
	})
}

// Undo restores the owner's previous state if its revision is still base.
func (n *Networks) Undo(ctx context.Context, name string, base int64, audit []network.Change) (int64, error) {
	if err := ctx.Err(); err != nil {
		return 0, err
	}
	as, err := network.EncodeChanges(audit)
	if err != nil {
		return 0, fmt.Errorf("memory network undo: %w", err)
	}
	return n.commit(name, base, as, func(o *owner) error {
		if !o.hasPrev {
			return network.ErrNothingToUndo
		}
		o.cur, o.prev, o.hasPrev = o.prev, nil, false
		return nil
	})
}

// commit is Publish's and Undo's one path: under the lock, if the owner's
// revision is still base, change moves its states, then the owner gets a
// new revision and keeps the audit entries as. An error of change leaves
// the owner as it was.
func (n *Networks) commit(name string, base int64, as [][]byte, change func(o *owner) error) (int64, error) {
	n.mu.Lock()
	defer n.mu.Unlock()
	o := n.get(name)
	if o.rev != base {
		return 0, network.ErrConflict
	}
	if err := change(o); err != nil {
		return 0, err
	}
	o.rev++
	o.audit = append(o.audit, as...)
	n.rev++
	return o.rev, nil
}

// PutDraft keeps a draft for ttl.
func (n *Networks) PutDraft(ctx context.Context, name, id string, val []byte, ttl time.Duration) error {
	if err := ctx.Err(); err != nil {
		return err
	}
	n.mu.Lock()
	defer n.mu.Unlock()
	o := n.get(name)
	now := n.now()
	for k, d := range o.drafts {
		if !now.Before(d.exp) {
			delete(o.drafts, k)
		}
	}
	o.drafts[id] = draft{val: slices.Clone(val), exp: now.Add(ttl)}
	return nil
}

// Draft reads a draft back.
func (n *Networks) Draft(ctx context.Context, name, id string) ([]byte, error) {
	if err := ctx.Err(); err != nil {
		return nil, err
	}
	n.mu.Lock()
	defer n.mu.Unlock()
	d, ok := n.get(name).drafts[id]
	if !ok || !n.now().Before(d.exp) {
		return nil, network.ErrNoDraft
	}
	return slices.Clone(d.val), nil
}

// Edit keeps a card edit and its audit entry.
func (n *Networks) Edit(ctx context.Context, name, place string, e network.Edited, audit network.Change) error {
	if err := ctx.Err(); err != nil {
		return err
	}
	b, err := json.Marshal(e)
	if err != nil {
		return fmt.Errorf("memory network edit: %w", err)
	}
	as, err := network.EncodeChanges([]network.Change{audit})
	if err != nil {
		return fmt.Errorf("memory network edit: %w", err)
	}
	n.mu.Lock()
	defer n.mu.Unlock()
	o := n.get(name)
	o.edits[place] = b
	o.audit = append(o.audit, as...)
	n.rev++
	return nil
}

// Edits returns the owner's card edits.
func (n *Networks) Edits(ctx context.Context, name string) (map[string]network.Edited, error) {
	if err := ctx.Err(); err != nil {
		return nil, err
	}
	n.mu.Lock()
	raw := maps.Clone(n.get(name).edits)
	n.mu.Unlock()
	out := make(map[string]network.Edited, len(raw))
	for id, b := range raw {
		var e network.Edited
		if err := json.Unmarshal(b, &e); err != nil {
			return nil, fmt.Errorf("memory network edits: %w", err)
		}
		out[id] = e
	}
	return out, nil
}

// Audit returns the owner's audit trail, newest first.
func (n *Networks) Audit(ctx context.Context, name string, limit int) ([]network.Change, error) {
	if err := ctx.Err(); err != nil {
		return nil, err
	}
	n.mu.Lock()
	raw := slices.Clone(n.get(name).audit)
	n.mu.Unlock()
	slices.Reverse(raw)
	if limit > 0 && len(raw) > limit {
		raw = raw[:limit]
	}
	out := make([]network.Change, 0, len(raw))
	for _, b := range raw {
		var c network.Change
		if err := json.Unmarshal(b, &c); err != nil {
			return nil, fmt.Errorf("memory network audit: %w", err)
		}
		out = append(out, c)
	}
	return out, nil
}

// PruneAudit drops the owner's old entries of places keep does not keep.
func (n *Networks) PruneAudit(ctx context.Context, name string, before time.Time, keep func(string) bool) error {
	if err := ctx.Err(); err != nil {
		return err
	}
	n.mu.Lock()
	defer n.mu.Unlock()
	o := n.get(name)
	kept := o.audit[:0:0]
	for _, b := range o.audit {
		var c network.Change
		if err := json.Unmarshal(b, &c); err != nil || c.At.Before(before) && !keep(c.PlaceID) {
			continue
		}
		kept = append(kept, b)
	}
	o.audit = kept
	return nil
}
