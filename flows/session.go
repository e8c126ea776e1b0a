package flows

import (
	"fmt"
	"hash/fnv"
	"slices"
	"strconv"
	"strings"
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
// never message text. It serialises to a small versioned JSON value (see
// wire).
type Session struct {
	V       int
	Chat    ChatID
	Rev     int64             // store revision, for compare-and-set
	State   string            // FSM state
	Lang    Lang              // chosen language
	Answers map[string]string // question key → answer key
	Trail   []string          // states asked, for "retour"
	// Paused is the state to go back to when the person chooses
	// "continuer" after a long pause, or after /langue.
	Paused   string
	Postcode string  // resolved postcode (referral needs it)
	Lat, Lon float64 // location, rounded to about 100 m
	Places   []string
	Payload  string // deep-link payload of /start
	Retries  int    // "Ce n'est pas moi" redo used
	Seen     []string
	Created  time.Time
	Updated  time.Time
	// ConsentAt and ConsentBy record the referral consent (docs/diagnostic.md G.1).
	ConsentAt time.Time
	ConsentBy string
	// Pick is the index in Places of the place chosen for the referral.
	Pick int
	// ContactAidant is set when the aidant asked to be contacted instead
	// of the person ("Me contacter moi").
	ContactAidant bool
	// Ref and RefPlace name the chat's open referral: the person's typed
	// messages in the end state are relayed to it.
	Ref, RefPlace string
	// SharedBy is the place whose share code started the conversation.
	SharedBy string
	// Area is the commune the person gave ("BE:Antwerpen"), for the
	// observatory's counts.
	Area string
}

// wire is the stored JSON form of a Session. Answers, trail and seen ids
// are packed into single strings and times are microseconds since 1970:
// encoding/json then costs a fraction of the per-field reflection and
// allocations of maps and arrays, and every step decodes and encodes the
// session once. Answer keys, states and (sanitised) message ids never hold
// the separators.
type wire struct {
	V         int      `json:"v"`
	Chat      string   `json:"c"`
	Rev       int64    `json:"r"`
	State     string   `json:"s"`
	Lang      string   `json:"l,omitempty"`
	Answers   string   `json:"a,omitempty"` // "need=health,who=self", sorted
	Trail     string   `json:"t,omitempty"` // "lang who need"
	Paused    string   `json:"p,omitempty"`
	Postcode  string   `json:"pc,omitempty"`
	Lat       float64  `json:"la,omitempty"`
	Lon       float64  `json:"lo,omitempty"`
	Places    []string `json:"pl,omitempty"` // free-form ids: a real array
	Payload   string   `json:"d,omitempty"`
	Retries   int      `json:"rt,omitempty"`
	Seen      string   `json:"seen,omitempty"` // "812345670 812345671"
	Created   int64    `json:"ct"`
	Updated   int64    `json:"ut"`
	ConsentAt int64    `json:"cat,omitempty"`
	ConsentBy string   `json:"cby,omitempty"`
	Pick      int      `json:"pk,omitempty"`
	CAidant   bool     `json:"ca,omitempty"`
	Ref       string   `json:"ref,omitempty"`
	RefPlace  string   `json:"rpl,omitempty"`
	SharedBy  string   `json:"sb,omitempty"`
	Area      string   `json:"ar,omitempty"`
}

func micros(t time.Time) int64 {
	if t.IsZero() {
		return 0
	}
	return t.UnixMicro()
}

func fromMicros(us int64) time.Time {
	if us == 0 {
		return time.Time{}
	}
	return time.UnixMicro(us).UTC()
}

// NewSession starts a conversation for a chat.
func NewSession(id ChatID, now time.Time) Session {
	return Session{V: SessionVersion, Chat: id, State: StateStart, Created: now, Updated: now}
}

// Encode returns the session's JSON value.
func (s Session) Encode() ([]byte, error) {
	w := wire{V: s.V, Chat: string(s.Chat), Rev: s.Rev, State: s.State, Lang: string(s.Lang),
		Trail: strings.Join(s.Trail, " "), Paused: s.Paused, Postcode: s.Postcode, Lat: s.Lat, Lon: s.Lon,
		Places: s.Places, Payload: s.Payload, Retries: s.Retries, Seen: strings.Join(s.Seen, " "),
		Created: micros(s.Created), Updated: micros(s.Updated), ConsentAt: micros(s.ConsentAt), ConsentBy: s.ConsentBy,
		Pick: s.Pick, CAidant: s.ContactAidant, Ref: s.Ref, RefPlace: s.RefPlace,
		SharedBy: s.SharedBy, Area: s.Area}
	if len(s.Answers) > 0 {
		keys := make([]string, 0, len(s.Answers))
		n := 0
		for k, v := range s.Answers {
			keys = append(keys, k)
			n += len(k) + len(v) + 2
		}
		slices.Sort(keys)
		b := make([]byte, 0, n)
		for i, k := range keys {
			if i > 0 {
				b = append(b, ',')
			}
			b = append(b, k...)
			b = append(b, '=')
			b = append(b, s.Answers[k]...)
		}
		w.Answers = string(b)
	}
	return encodeStored("session", w)
}

// DecodeSession reads a value written by Encode. A value that does not
// decode, or of another version, gives ErrCorrupt.
func DecodeSession(b []byte) (Session, error) {
	var w wire
	if err := decodeStored("session", b, &w, ErrCorrupt); err != nil {
		return Session{}, err
	}
	if w.V != SessionVersion {
		return Session{}, fmt.Errorf("decode session: version %d: %w", w.V, ErrCorrupt)
	}
	if _, ok := states[w.State]; !ok {
		return Session{}, fmt.Errorf("decode session: state %q: %w", w.State, ErrCorrupt)
	}
	s := Session{V: w.V, Chat: ChatID(w.Chat), Rev: w.Rev, State: w.State, Lang: Lang(w.Lang),
		Paused: w.Paused, Postcode: w.Postcode, Lat: w.Lat, Lon: w.Lon, Places: w.Places,
		Payload: w.Payload, Retries: w.Retries, Created: fromMicros(w.Created), Updated: fromMicros(w.Updated),
		ConsentAt: fromMicros(w.ConsentAt), ConsentBy: w.ConsentBy,
		Pick: w.Pick, ContactAidant: w.CAidant, Ref: w.Ref, RefPlace: w.RefPlace,
		SharedBy: w.SharedBy, Area: w.Area}
	if w.Trail != "" {
		s.Trail = strings.Split(w.Trail, " ")
	}
	if w.Seen != "" {
		s.Seen = strings.Split(w.Seen, " ")
	}
	if w.Answers != "" {
		s.Answers = make(map[string]string, strings.Count(w.Answers, ",")+1)
		for kv := range strings.SplitSeq(w.Answers, ",") {
			k, v, ok := strings.Cut(kv, "=")
			if !ok || k == "" {
				return Session{}, fmt.Errorf("decode session: answers: %w", ErrCorrupt)
			}
			s.Answers[k] = v
		}
	}
	return s, nil
}

// seen reports whether the message id was already handled in this session.
func (s *Session) seen(id string) bool {
	return id != "" && slices.Contains(s.Seen, seenID(id))
}

// seenID keeps a channel's message id as it is when it is short and plain
// (Telegram update ids, WhatsApp message ids), else a short hash of it, so
// the stored list stays small and free of its separator.
func seenID(id string) string {
	plain := len(id) <= 40
	for i := 0; plain && i < len(id); i++ {
		c := id[i]
		plain = c > ' ' && c < 0x7f && c != '"' && c != '\\'
	}
	if plain {
		return id
	}
	h := fnv.New64a()
	h.Write([]byte(id))
	return "h" + strconv.FormatUint(h.Sum64(), 36)
}

// lastSeen reports whether id is the last message the session applied.
func (s *Session) lastSeen(id string) bool {
	return id != "" && len(s.Seen) > 0 && s.Seen[len(s.Seen)-1] == seenID(id)
}

// redeliveredAfter tells a channel's redelivery of an update it got no
// answer for (Telegram posts a webhook update again some seconds after a
// failed request, a poller is served it again after a restart) from two
// copies of one update handled at once, which a slow instance may run up
// to a second or so apart.
const redeliveredAfter = 5 * time.Second

// markSeen remembers a handled message id, keeping the newest maxSeen.
func (s *Session) markSeen(id string) {
	if id == "" {
		return
	}
	id = seenID(id)
	if len(s.Seen) >= maxSeen {
		s.Seen = slices.Delete(s.Seen, 0, len(s.Seen)-maxSeen+1)
	}
	s.Seen = append(s.Seen, id)
}
