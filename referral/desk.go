package referral

import (
	"context"
	"crypto/rand"
	"crypto/sha256"
	"encoding/base64"
	"encoding/hex"
	"errors"
	"fmt"
	"log/slog"
	"slices"
	"strings"
	"time"

	"github.com/secours/secours/flows"
)

// The structures' side of the service: what their page (web/structure)
// and the command line ask of it.

// Place returns the place a page token opens. The token is hashed before
// the look-up, so the store compares hashes and the time a look-up takes
// tells nothing about the token.
func (s *Service) Place(ctx context.Context, token string) (string, error) {
	if len(token) < 20 || len(token) > 100 {
		return "", fmt.Errorf("page token: %w", flows.ErrNoToken)
	}
	return s.o.Stores.Structures.TokenPlace(ctx, hashToken(token))
}

// List returns the place's referrals newest first, and changes nothing.
// Opening the page used to mark them seen and tell the person "… a bien
// reçu votre demande", but a GET is also a mail scanner or a link
// preview following the link: only the page's "Bien reçu" button (a
// POST) or an answer marks a referral seen.
func (s *Service) List(ctx context.Context, place string) ([]flows.Referral, error) {
	rs, err := s.o.Stores.Referrals.Referrals(ctx, place, 500)
	if err != nil {
		return nil, fmt.Errorf("list referrals: %w", err)
	}
	return rs, nil
}

// Act applies a structure's change and tells the person.
func (s *Service) Act(ctx context.Context, place, id string, to flows.Status, reason string) (flows.Referral, error) {
	switch to {
	case flows.StatusDeclined:
		if !slices.Contains(flows.DeclineReasons, reason) {
			return flows.Referral{}, fmt.Errorf("decline reason %q: %w", reason, errBadReason)
		}
	case flows.StatusClosed:
		if !slices.Contains(flows.CloseReasons, reason) {
			return flows.Referral{}, fmt.Errorf("close reason %q: %w", reason, errBadReason)
		}
	case flows.StatusSeen, flows.StatusAccepted, flows.StatusContacted:
		reason = ""
	default:
		return flows.Referral{}, fmt.Errorf("status %q: %w", to, errBadReason)
	}
	now := s.o.Now()
	changed := false
	r, err := s.update(ctx, id, func(r *flows.Referral) error {
		if r.Place != place {
			return flows.ErrNoReferral // another structure's: as if it did not exist
		}
		var err error
		changed, err = r.Transition(to, flows.ActorStructure, reason, now)
		return err
	})
	if err != nil {
		return r, fmt.Errorf("referral %s: %w", short(id), err)
	}
	if changed {
		s.o.Log.Info("referral changed", slog.String("ref", short(id)), slog.String("status", string(to)))
		s.tally(ctx, r, to, now)
		s.o.Metrics.Referral(string(to))
		if !(to == flows.StatusClosed && reason == flows.ReasonUnreachable) {
			s.tell(ctx, flows.Notice{Referral: r, Kind: string(to)})
		}
	}
	return r, nil
}

var errBadReason = errors.New("unknown status or reason")

// Write relays a structure's message to the person.
func (s *Service) Write(ctx context.Context, place, id, text string) (flows.Referral, error) {
	text = strings.TrimSpace(text)
	if text == "" {
		return flows.Referral{}, errors.New("write: empty message")
	}
	now := s.o.Now()
	r, err := s.update(ctx, id, func(r *flows.Referral) error {
		if r.Place != place {
			return flows.ErrNoReferral
		}
		if !r.Status.Open() || r.Chat == "" {
			return &flows.TransitionError{From: r.Status, To: r.Status}
		}
		r.AddNote(flows.ActorStructure, text, now)
		return nil
	})
	if err != nil {
		return r, fmt.Errorf("write to referral %s: %w", short(id), err)
	}
	s.tell(ctx, flows.Notice{Referral: r, Kind: flows.NoticeMessage, Text: r.Thread[len(r.Thread)-1].Text})
	return s.o.Stores.Referrals.Referral(ctx, id) // with Unreachable, if the person blocked the bot
}

// LinkCode returns a one-time code for "/structure <code>".
func (s *Service) LinkCode(ctx context.Context, place string) (string, error) {
	const alphabet = "ABCDEFGHJKLMNPQRSTUVWXYZ23456789" // no 0/O, 1/I
	b := make([]byte, 10)
	rand.Read(b)
	for i := range b {
		b[i] = alphabet[int(b[i])%len(alphabet)]
	}
	code := string(b)
	if err := s.o.Stores.Structures.AddLinkCode(ctx, code, place, s.o.Now().Add(linkCodeTTL)); err != nil {
		return "", fmt.Errorf("link code: %w", err)
	}
	return code, nil
}

// LinkedChat returns the chat that gets the place's new referrals.
func (s *Service) LinkedChat(ctx context.Context, place string) (flows.ChatLink, error) {
	l, err := s.o.Stores.Structures.StructureChat(ctx, place)
	if err != nil {
		return flows.ChatLink{}, fmt.Errorf("linked chat: %w", err)
	}
	return l, nil
}

// UnlinkChat stops sending the place's referrals to its chat (the page's
// "Ne plus envoyer à ce chat").
func (s *Service) UnlinkChat(ctx context.Context, place string) error {
	if err := s.o.Stores.Structures.SetStructureChat(ctx, place, flows.ChatLink{}); err != nil {
		return fmt.Errorf("unlink chat: %w", err)
	}
	s.o.Log.Info("structure chat unlinked", slog.String("place", place))
	return nil
}

// IssueLink ends every access the place's earlier links gave (their
// tokens, the Telegram codes made on their pages, the chat linked with
// one) and returns a new link that does not expire: `secours structure
// link <place-id>`. A chat is re-confirmed only by sending a new code,
// made on the page the new link opens.
func (s *Service) IssueLink(ctx context.Context, place string) (string, error) {
	if _, ok := s.o.Places.Place(place); !ok {
		return "", fmt.Errorf("issue link: place %q is not in the directory", place)
	}
	if s.o.BaseURL == "" {
		return "", errors.New("issue link: no page is served (no base URL)")
	}
	if err := s.o.Stores.Structures.RevokeAccess(ctx, place); err != nil {
		return "", fmt.Errorf("issue link: %w", err)
	}
	return s.issue(ctx, place, time.Time{})
}

// issue stores a new page token for the place and returns its link; with
// no page served, no token and no link.
func (s *Service) issue(ctx context.Context, place string, expires time.Time) (string, error) {
	if s.o.BaseURL == "" {
		return "", nil
	}
	b := make([]byte, 32)
	rand.Read(b)
	token := base64.RawURLEncoding.EncodeToString(b)
	if err := s.o.Stores.Structures.AddToken(ctx, place, hashToken(token), expires); err != nil {
		return "", fmt.Errorf("issue page token: %w", err)
	}
	return s.o.BaseURL + "/s/" + token, nil
}

// hashToken is what the store keeps of a token: a leaked store does not
// open any page.
func hashToken(token string) string {
	h := sha256.Sum256([]byte(token))
	return hex.EncodeToString(h[:])
}

// short is the referral reference that logs and pages show.
func short(id string) string {
	if len(id) > 6 {
		return id[:6]
	}
	return id
}
