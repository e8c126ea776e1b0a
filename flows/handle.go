package flows

import (
	"context"
	"crypto/rand"
	"encoding/base32"
	"errors"
	"fmt"
	"strings"
	"time"
)

// Stores is where the engine keeps what outlives a step.
type Stores struct {
	Sessions   SessionStore
	Referrals  Referrals      // nil: a consented referral cannot be sent
	Structures StructureStore // nil: "/structure <code>" is refused
}

// Referrals is what a step's outcome asks of the referrals' owner
// (referral.Service, or referral.Ledger alone): the conversation decides,
// the owner stores, schedules and delivers.
//
// Create stores a new referral, its ID set, and returns it as stored
// (with its delivery scheduled). Drop deletes one whose step was not
// saved, best effort. Withdraw closes one at the person's request; a
// missing one is no error. Forget withdraws every referral of the chat
// ("/oubli") and returns the places that had received one, sorted. Relay
// gives the structure the person's message: an error wrapping
// ErrTransition or ErrNoReferral if the referral ended meanwhile. Every
// method is idempotent enough for a retried step.
type Referrals interface {
	Create(ctx context.Context, r Referral) (Referral, error)
	Drop(ctx context.Context, id string)
	Withdraw(ctx context.Context, id string, now time.Time) error
	Forget(ctx context.Context, chat ChatID, now time.Time) ([]string, error)
	Relay(ctx context.Context, id, text string, now time.Time) error
}

// NewReferralID returns 128 random bits in lower-case base32: unguessable,
// and unrelated to the chat.
func NewReferralID() string {
	b := make([]byte, 16)
	rand.Read(b) // never fails (crypto/rand, Go 1.24+)
	return strings.ToLower(base32.StdEncoding.WithPadding(base32.NoPadding).EncodeToString(b))
}

// Handle loads the chat's session, applies the message and saves the
// result, with what the step asked for: a new referral is stored before the
// session (one more round trip), a withdrawal is applied before it, a
// relayed message and a structure's chat link after it. A save that lost a
// race is retried on the fresh session; a store failure answers the person
// kindly and returns the error for the log.
func (e *Engine) Handle(ctx context.Context, st Stores, m Msg, now time.Time) (Outcome, error) {
	const attempts = 5
	var (
		created *Referral // as an earlier attempt stored it
		linked  Linked    // the linked chats looked up for the step (see Linked)
		lookups int
		corrupt bool // an attempt found the session corrupt and dropped it
		checked bool // the store confirmed the revision the step acts on
	)
	for attempt := 1; ; attempt++ {
		s, dropped, err := e.load(ctx, st.Sessions, m.Chat, now)
		if err != nil {
			return e.storeFailure(m, err)
		}
		corrupt = corrupt || dropped
		out := e.StepWith(s, m, now, linked)
		if len(out.Lookup) > 0 && st.Structures != nil && lookups < 2 {
			// The step asked about places it was not told of: look them
			// up and step again on a freshly loaded session, since a step
			// changes the maps it was given.
			lookups++
			if linked, err = lookUp(ctx, st.Structures, linked, out.Lookup); err != nil {
				return e.storeFailure(m, err)
			}
			attempt-- // not a lost save
			continue
		}
		if corrupt {
			out.Replies = append([]Reply{{Text: e.text(out.Session.Lang, kCorrupt)}}, out.Replies...)
		}
		// Forgetting and withdrawing cannot be undone by a retried save,
		// so they must not come from a copy another process moved past
		// (store/redis keeps one): one short read confirms the revision.
		if acts := out.Forget || out.Withdraw != "" && out.Withdraw != refPending; acts && !checked {
			if rc, ok := st.Sessions.(revisionChecker); ok {
				fresh, err := rc.Current(ctx, m.Chat, s.Rev)
				if err != nil {
					return e.storeFailure(m, err)
				}
				checked = true
				if !fresh {
					attempt-- // not a lost save: the step ran on an old copy
					continue
				}
			}
		}
		switch {
		case out.Dup:
			dropOrphan(ctx, st, created)
			return out, nil
		case out.Forget:
			return e.forget(ctx, st, m, out, now)
		}
		if out.Referral != nil {
			if st.Referrals == nil {
				return e.referralFailure(out, errors.New("create referral: no referral store"))
			}
			if created == nil {
				r := *out.Referral
				r.ID = e.NewID()
				if r, err = st.Referrals.Create(ctx, r); err != nil {
					return e.referralFailure(out, err)
				}
				created = &r
			}
			r := *created
			out.Referral = &r
			out.Session.Ref = r.ID
		}
		if out.Withdraw != "" && out.Withdraw != refPending && st.Referrals != nil {
			if err := st.Referrals.Withdraw(ctx, out.Withdraw, now); err != nil {
				return e.storeFailure(m, err)
			}
		}
		err = st.Sessions.Save(ctx, out.Session)
		if errors.Is(err, ErrConflict) && attempt < attempts {
			continue
		}
		if err != nil {
			dropOrphan(ctx, st, created)
			return e.storeFailure(m, fmt.Errorf("save session (attempt %d): %w", attempt, err))
		}
		out.Session.Rev++
		if out.Referral == nil {
			dropOrphan(ctx, st, created) // the retried step made none
		}
		return e.afterSave(ctx, st, out, now)
	}
}

// load returns the chat's session, a new one if it has none. A corrupt
// one (an old or broken value) is dropped to start again kindly rather
// than fail, and dropped says so.
func (e *Engine) load(ctx context.Context, ss SessionStore, chat ChatID, now time.Time) (s Session, dropped bool, err error) {
	s, err = ss.Load(ctx, chat)
	switch {
	case err == nil:
		return s, false, nil
	case errors.Is(err, ErrNoSession):
		return NewSession(chat, now), false, nil
	case errors.Is(err, ErrCorrupt):
		if err := ss.Delete(ctx, chat); err != nil {
			return Session{}, false, fmt.Errorf("drop corrupt session: %w", err)
		}
		return NewSession(chat, now), true, nil
	}
	return Session{}, false, fmt.Errorf("load session: %w", err)
}

// forget ends the chat's referrals and deletes its session ("/oubli").
func (e *Engine) forget(ctx context.Context, st Stores, m Msg, out Outcome, now time.Time) (Outcome, error) {
	var reached []string
	if st.Referrals != nil {
		var err error
		if reached, err = st.Referrals.Forget(ctx, m.Chat, now); err != nil {
			return e.storeFailure(m, err)
		}
	}
	if err := st.Sessions.Delete(ctx, m.Chat); err != nil {
		return e.storeFailure(m, fmt.Errorf("forget session: %w", err))
	}
	if len(reached) > 0 {
		// Truthful: what the structures received is theirs to delete; we
		// can only ask (the referral service does).
		names := make([]string, len(reached))
		for i, id := range reached {
			names[i] = e.placeName(id)
		}
		out.Replies = append(out.Replies, Reply{Text: render(e.text(out.Session.Lang, kDeletedCopies), "places", strings.Join(names, ", "))})
	}
	return out, nil
}

// afterSave does what may only happen once the step is saved: relay the
// person's message and link a structure's chat.
func (e *Engine) afterSave(ctx context.Context, st Stores, out Outcome, now time.Time) (Outcome, error) {
	lang := out.Session.Lang
	switch {
	case out.Relay != "":
		if st.Referrals == nil {
			return out, nil
		}
		err := st.Referrals.Relay(ctx, out.Session.Ref, out.Relay, now)
		switch {
		case errors.Is(err, ErrTransition), errors.Is(err, ErrNoReferral):
			// Closed meanwhile: say so, and stop relaying.
			out.Replies = []Reply{{Text: e.text(lang, kRelayClosed)}}
			s := out.Session
			s.Ref, s.RefPlace = "", ""
			if st.Sessions.Save(ctx, s) == nil {
				s.Rev++
				out.Session = s
			}
		case err != nil:
			out.Replies = []Reply{{Text: e.text(lang, kRelayFailed)}}
			return out, err
		}
	case out.LinkCode != "":
		key, name := kStructureBadCode, ""
		if st.Structures != nil {
			place, err := st.Structures.UseLinkCode(ctx, out.LinkCode)
			switch {
			case errors.Is(err, ErrNoToken):
			case err != nil:
				out.Replies = []Reply{{Text: e.text(lang, kErrorStore)}}
				return out, fmt.Errorf("use link code: %w", err)
			default:
				if err := st.Structures.SetStructureChat(ctx, place, ChatLink{Chat: out.Session.Chat, Since: now}); err != nil {
					out.Replies = []Reply{{Text: e.text(lang, kErrorStore)}}
					return out, fmt.Errorf("link structure chat: %w", err)
				}
				key = kStructureLinked
				name = place
				if p, ok := e.dir.Place(place); ok {
					name = p.Name
				}
			}
		}
		out.Event = "structure_" + strings.TrimPrefix(key, "structure.")
		out.Replies = append(out.Replies, Reply{Text: render(e.text(lang, key), "place", name)})
	}
	return out, nil
}

// lookUp adds to linked whether each place has a linked chat.
func lookUp(ctx context.Context, ss StructureStore, linked Linked, places []string) (Linked, error) {
	if linked == nil {
		linked = Linked{}
	}
	for _, id := range places {
		link, err := ss.StructureChat(ctx, id)
		if err != nil {
			return linked, fmt.Errorf("look up linked chat: %w", err)
		}
		linked[id] = link.Chat != ""
	}
	return linked, nil
}

// placeName is the name of a place id, or the id if the directory no
// longer has it.
func (e *Engine) placeName(id string) string {
	if p, ok := e.dir.Place(id); ok {
		return p.Name
	}
	return id
}

// dropOrphan deletes a referral stored by an attempt whose session save
// then failed or was superseded.
func dropOrphan(ctx context.Context, st Stores, r *Referral) {
	if r != nil && st.Referrals != nil {
		st.Referrals.Drop(ctx, r.ID)
	}
}

func (e *Engine) referralFailure(out Outcome, err error) (Outcome, error) {
	lang := out.Session.Lang
	return Outcome{Replies: []Reply{{Text: e.text(lang, kReferralFailed)}}, Event: "referral_error"}, err
}
