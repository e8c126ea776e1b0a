package flows

import (
	"context"
	"errors"
)

// Errors a SessionStore returns. Backend errors are wrapped, never exposed.
var (
	// ErrNoSession means the chat has no stored session.
	ErrNoSession = errors.New("flows: no session")
	// ErrConflict means the session changed since it was loaded: the caller
	// reloads and retries the step on the fresh session.
	ErrConflict = errors.New("flows: session changed concurrently")
	// ErrCorrupt means a stored value could not be decoded.
	ErrCorrupt = errors.New("flows: corrupt session")
)

// SessionStore keeps one Session per chat.
//
// Load returns ErrNoSession if none, ErrCorrupt if the stored value does
// not decode (with the stored revision in the returned Session, so a caller
// may overwrite it; the engine deletes it instead). Save stores s only if the stored revision is still s.Rev (0:
// no session stored), and returns ErrConflict otherwise; on success the
// stored revision becomes s.Rev+1 and the TTL is refreshed. Delete removes
// every key of the chat.
type SessionStore interface {
	Load(ctx context.Context, id ChatID) (Session, error)
	Save(ctx context.Context, s Session) error
	Delete(ctx context.Context, id ChatID) error
}

// revisionChecker is a SessionStore whose Load may answer from a copy it
// kept (store/redis keeps what it saved last, to skip a read). Current
// says whether rev is still the stored revision, and drops the copy when
// not. Handle asks it before a step withdraws a referral, which a retried
// save could not undo (a referral it created, it deletes: dropOrphan).
type revisionChecker interface {
	Current(ctx context.Context, id ChatID, rev int64) (bool, error)
}
