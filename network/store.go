package network

import (
	"context"
	"encoding/json"
	"fmt"
	"time"

	"github.com/secours/secours/geo"
)

// AuditRetention is how long the audit entries of a place are kept once
// the place is gone (a network removed it): while it exists they all are.
// A year lets a network or a structure see who removed what, and when.
const AuditRetention = 365 * 24 * time.Hour

// DraftTTL is how long a checked file waits to be published.
const DraftTTL = time.Hour

// State is what one owner (a network, named as its places' Source) has
// published: its whole list, the last time each place was confirmed, and
// when.
type State struct {
	Rev       int64                `json:"-"` // the owner's revision, the store's; 0: never published
	Places    []geo.Place          `json:"places"`
	Confirmed map[string]time.Time `json:"confirmed,omitempty"` // place id → last publish that listed it
	At        time.Time            `json:"at"`                  // zero: never published (or its first publish undone)
}

// Published says whether the state replaces the owner's base places.
func (st State) Published() bool { return !st.At.IsZero() }

// EncodeChanges is the stored form of audit entries, one JSON document
// each, as both stores keep them.
func EncodeChanges(audit []Change) ([][]byte, error) {
	out := make([][]byte, 0, len(audit))
	for _, c := range audit {
		b, err := json.Marshal(c)
		if err != nil {
			return nil, fmt.Errorf("audit entry: %w", err)
		}
		out = append(out, b)
	}
	return out, nil
}

// Edited is a structure's correction of its card, kept over what its
// network publishes.
type Edited struct {
	Card Card      `json:"card"`
	At   time.Time `json:"at"`
}

// Store keeps the networks' published places, their drafts, the
// structures' card edits and the audit trail. An owner is a network, or
// for a card edit the Source of the place (a network or a dataset of the
// embedded directory). Memory and Redis implement it (store/memory,
// store/redis); store/storetest holds its contract.
type Store interface {
	// Rev is the global revision: it moves with every publish, undo and
	// card edit, so an instance that polls it knows when to rebuild.
	Rev(ctx context.Context) (int64, error)
	// Owners lists every owner with a published state or a card edit.
	Owners(ctx context.Context) ([]string, error)
	// State is the owner's current state (the zero State if none) and
	// whether a previous one is kept for Undo.
	State(ctx context.Context, owner string) (cur State, canUndo bool, err error)
	// Previous is the state Undo would restore; false if none.
	Previous(ctx context.Context, owner string) (State, bool, error)
	// Publish makes next the owner's state if its revision is still base
	// (ErrConflict otherwise), keeps the current one for Undo, appends
	// audit, and moves the owner's and the global revisions. It returns
	// the owner's new revision.
	Publish(ctx context.Context, owner string, base int64, next State, audit []Change) (int64, error)
	// Undo restores the previous state if the revision is still base
	// (ErrConflict otherwise; ErrNothingToUndo if none is kept), appends
	// audit and moves the revisions; nothing is left to undo after it.
	Undo(ctx context.Context, owner string, base int64, audit []Change) (int64, error)
	// PutDraft keeps a draft's encoding for ttl; Draft reads it back
	// (ErrNoDraft once gone).
	PutDraft(ctx context.Context, owner, id string, val []byte, ttl time.Duration) error
	Draft(ctx context.Context, owner, id string) ([]byte, error)
	// Edit keeps a card edit of place (the owner's), appends audit and
	// moves the global revision.
	Edit(ctx context.Context, owner, place string, e Edited, audit Change) error
	// Edits are the owner's card edits by place.
	Edits(ctx context.Context, owner string) (map[string]Edited, error)
	// Audit is the owner's audit trail, newest first, at most limit
	// entries (limit <= 0: all).
	Audit(ctx context.Context, owner string, limit int) ([]Change, error)
	// PruneAudit drops the owner's entries older than before whose place
	// keep does not keep.
	PruneAudit(ctx context.Context, owner string, before time.Time, keep func(place string) bool) error
}
