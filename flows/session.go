package flows

import (
	"encoding/json"
	"fmt"
	"slices"
	"time"
)

// SessionVersion is the version of the session JSON. A stored session of
// another version is treated like a corrupt one: the conversation restarts
// kindly.
const SessionVersion = 1

// maxSeen bounds the ids kept for deduplication. A chat sends a few dozen
// messages a day at most, and channels redeliver recent updates only.
const maxSeen = 24

// Session is everything Secours keeps about one conversation: answer keys,
// never message text. It serialises to a small versioned JSON value.
type Session struct {
	V       int               `json:"v"`
	Chat    ChatID            `json:"c"`
	Rev     int64             `json:"r"`           // store revision, for compare-and-set
	State   string            `json:"s"`           // FSM state
	Lang    Lang              `json:"l,omitempty"` // chosen language
	Answers map[string]string `json:"a,omitempty"` // question key → answer key
	Trail   []string          `json:"t,omitempty"` // states asked, for "retour"
	// Paused is the state to go back to when the person chooses
	// "continuer" after a long pause.
	Paused   string    `json:"p,omitempty"`
	Postcode string    `json:"pc,omitempty"` // resolved postcode (referral needs it)
	Lat      float64   `json:"la,omitempty"` // location, rounded to about 100 m
	Lon      float64   `json:"lo,omitempty"`
	Places   []string  `json:"pl,omitempty"` // matched place ids, best first
	Payload  string    `json:"d,omitempty"`  // deep-link payload of /start
	Retries  int       `json:"rt,omitempty"` // "Ce n'est pas moi" redo used
	Seen     []string  `json:"seen,omitempty"`
	Created  time.Time `json:"ct"`
	Updated  time.Time `json:"ut"`
	// ConsentAt and ConsentBy record the referral consent (diagnostic.md G.1).
	ConsentAt time.Time `json:"cat,omitzero"`
	ConsentBy string    `json:"cby,omitempty"`
}

// NewSession starts a conversation for a chat.
func NewSession(id ChatID, now time.Time) Session {
	return Session{V: SessionVersion, Chat: id, State: StateStart, Created: now, Updated: now}
}

// Encode returns the session's JSON value.
func (s Session) Encode() ([]byte, error) {
	b, err := json.Marshal(s)
	if err != nil {
		return nil, fmt.Errorf("encode session: %w", err)
	}
	return b, nil
}

// DecodeSession reads a value written by Encode. A value that does not
// decode, or of another version, gives ErrCorrupt.
func DecodeSession(b []byte) (Session, error) {
	var s Session
	if err := json.Unmarshal(b, &s); err != nil {
		return Session{}, fmt.Errorf("decode session: %w: %w", ErrCorrupt, err)
	}
	if s.V != SessionVersion {
		return Session{}, fmt.Errorf("decode session: version %d: %w", s.V, ErrCorrupt)
	}
	if _, ok := states[s.State]; !ok {
		return Session{}, fmt.Errorf("decode session: state %q: %w", s.State, ErrCorrupt)
	}
	return s, nil
}

// seen reports whether the message id was already handled in this session.
func (s *Session) seen(id string) bool {
	return id != "" && slices.Contains(s.Seen, id)
}

// markSeen remembers a handled message id, keeping the newest maxSeen.
func (s *Session) markSeen(id string) {
	if id == "" {
		return
	}
	if len(s.Seen) >= maxSeen {
		s.Seen = slices.Delete(s.Seen, 0, len(s.Seen)-maxSeen+1)
	}
	s.Seen = append(s.Seen, id)
}
