package flows

import (
	"context"
	"errors"
	"fmt"
	"slices"
	"time"
)

// Status is where a referral stands (docs/diagnostic.md G.4).
type Status string

// The statuses of G.4. Sent, seen, accepted and contacted are open;
// declined and closed are final.
const (
	StatusSent      Status = "sent"      // delivered (or being delivered) to the structure
	StatusSeen      Status = "seen"      // opened by the structure's staff
	StatusAccepted  Status = "accepted"  // the structure takes the request
	StatusDeclined  Status = "declined"  // the structure cannot take it (Reason)
	StatusContacted Status = "contacted" // the first contact with the person happened
	StatusClosed    Status = "closed"    // the end (Reason)
)

// Open reports whether the referral still waits for something.
func (s Status) Open() bool {
	return s == StatusSent || s == StatusSeen || s == StatusAccepted || s == StatusContacted
}

// Reasons of a closing (G.4) and of a decline. Reasons are keys: the person
// is told them in their own language, and the structure never types free
// text that would reach the person unseen.
const (
	ReasonDone        = "done"
	ReasonWithdrawn   = "withdrawn"
	ReasonExpired     = "expired"
	ReasonUnreachable = "unreachable"
	// ReasonUndeliverable: the structure's mail server refused the first
	// mail for good (SMTP 5xx) and no linked chat could carry it, or the
	// place lost its only channel: nobody there can read it.
	ReasonUndeliverable = "undeliverable"
	// ReasonRemoved: the place's network took it off the directory
	// before the structure accepted (issue 19): the person is offered the
	// next place of the list.
	ReasonRemoved = "removed"

	DeclineFull       = "full"         // no capacity now
	DeclineOutOfScope = "out_of_scope" // not a service the structure gives
	DeclineTooFar     = "too_far"      // the person lives outside its area
	DeclineOther      = "other"
)

// CloseReasons and DeclineReasons list the reasons a structure may give.
var (
	CloseReasons   = []string{ReasonDone, ReasonUnreachable}
	DeclineReasons = []string{DeclineFull, DeclineOutOfScope, DeclineTooFar, DeclineOther}
)

// Actors of a change.
const (
	ActorPerson    = "person"
	ActorStructure = "structure"
	ActorBot       = "bot" // reminders, expiry
)

// Ways the structure gets back to the person (issue 8).
const (
	ContactRelay = "relay" // "ici, par message": the bot relays both ways
	ContactPhone = "phone" // "par téléphone": the number the person typed
)

// Mail kinds queued for delivery to a structure.
const (
	MailNew       = "new"       // a new referral
	MailReminder  = "reminder"  // not opened after RemindAfter
	MailReply     = "reply"     // the person answered a message
	MailWithdrawn = "withdrawn" // the person withdrew the request
	// MailForget asks the structure to delete what we sent it: the person
	// asked to be forgotten ("/oubli") after something reached it.
	MailForget = "forget"
)

// ReferralVersion is the version of the stored referral JSON.
const ReferralVersion = 1

// Bounds that keep a referral small whatever happens.
const (
	MaxThread   = 50   // notes kept in a referral's thread; the oldest go first
	MaxNoteText = 1000 // characters of one note
)

// Referral is one request sent, with consent, to one structure. It holds
// keys and the minimum needed to reach the person (docs/diagnostic.md G.2):
// never the answers to the questions nor the conversation's messages. The
// thread holds only what the person and the structure wrote to each other
// through the relay, and goes with the referral.
type Referral struct {
	V          int       `json:"v"`
	ID         string    `json:"id"` // random, unguessable, not derived from the chat
	Rev        int64     `json:"rev"`
	Place      string    `json:"place"`          // place id of the structure
	Next       []string  `json:"next,omitempty"` // the other places offered, in order, for a next offer
	Lang       Lang      `json:"lang"`
	Country    string    `json:"country,omitempty"`
	Postcode   string    `json:"pc,omitempty"`   // not the street address
	Area       string    `json:"area,omitempty"` // "BE:Antwerpen", for the observatory
	SharedBy   string    `json:"sb,omitempty"`   // place whose share code started the conversation
	Need       string    `json:"need"`
	Profile    string    `json:"profile"`
	Why        string    `json:"why"`              // why key of C.2
	Confidence string    `json:"conf,omitempty"`   // C.3
	Aidant     bool      `json:"aidant,omitempty"` // an aidant answered for the person
	ConsentBy  string    `json:"cby"`              // self, aidant_for_person
	ConsentAt  time.Time `json:"cat"`
	// Contact is ContactRelay or ContactPhone. ContactAidant means the
	// aidant, not the person, is to be contacted ("Me contacter moi").
	Contact       string `json:"contact"`
	ContactAidant bool   `json:"caidant,omitempty"`
	Phone         string `json:"phone,omitempty"` // ContactPhone only, normalised (+32…, +33…)
	// Chat is the channel address that reaches the person. It is never
	// shown to the structure; it is emptied when the person withdraws or
	// asks to be forgotten.
	Chat ChatID `json:"chat,omitempty"`

	Status  Status    `json:"status"`
	Reason  string    `json:"reason,omitempty"` // of the decline or the closing
	Created time.Time `json:"created"`
	Updated time.Time `json:"updated"`
	History []Change  `json:"history"`
	Thread  []Note    `json:"thread,omitempty"`

	// Delivery is the queue of mails to the structure, retried until sent.
	Delivery Delivery `json:"delivery"`
	// Reminded is when the one reminder was queued (zero: not yet).
	Reminded time.Time `json:"reminded,omitzero"`
	// Unreachable is set when a message to the person could not be
	// delivered because they blocked the bot or left the channel.
	Unreachable bool `json:"unreachable,omitempty"`
	// DueAt is when the referral next needs work from the background
	// sweep; the store indexes it. Zero: nothing scheduled.
	DueAt time.Time `json:"due,omitzero"`
}

// Change is one status change, kept with its time and actor.
type Change struct {
	At     time.Time `json:"at"`
	Status Status    `json:"status"`
	Actor  string    `json:"actor"`
	Reason string    `json:"reason,omitempty"`
}

// Note is one relayed message.
type Note struct {
	At   time.Time `json:"at"`
	From string    `json:"from"` // ActorPerson or ActorStructure
	Text string    `json:"text"`
}

// Delivery is the referral's mail queue to its structure.
type Delivery struct {
	Queue    []string  `json:"queue,omitempty"` // mail kinds still to send, oldest first
	Attempts int       `json:"attempts,omitempty"`
	Next     time.Time `json:"next,omitzero"`  // when to try again after a failure
	Err      string    `json:"err,omitempty"`  // last failure, short and free of personal data
	Sent     int       `json:"sent,omitempty"` // mails delivered so far
	Last     time.Time `json:"last,omitzero"`  // when the last one was delivered
}

// Errors of referrals and structures.
var (
	ErrNoReferral = errors.New("flows: no referral")
	ErrNoToken    = errors.New("flows: unknown or revoked token")
	// ErrTransition means the change is not allowed from the current
	// status; see TransitionError.
	ErrTransition      = errors.New("flows: transition not allowed")
	ErrCorruptReferral = errors.New("flows: corrupt referral")
)

// TransitionError says which change was refused from which status.
type TransitionError struct {
	From, To Status
}

func (e *TransitionError) Error() string {
	return fmt.Sprintf("flows: referral cannot go from %s to %s", e.From, e.To)
}

func (e *TransitionError) Unwrap() error { return ErrTransition }

// allowed lists the changes of G.4 a structure or the bot may make.
// Closing is allowed from every open status.
var allowed = map[Status][]Status{
	StatusSent:      {StatusSeen, StatusAccepted, StatusDeclined, StatusClosed},
	StatusSeen:      {StatusAccepted, StatusDeclined, StatusClosed},
	StatusAccepted:  {StatusContacted, StatusClosed},
	StatusContacted: {StatusClosed},
}

// Transition moves the referral to status to. Asking for the status it
// already has is a no-op that returns changed == false (a double click).
// Accepting or declining an unseen referral records it as seen first.
func (r *Referral) Transition(to Status, actor, reason string, now time.Time) (changed bool, err error) {
	if r.Status == to {
		return false, nil
	}
	if !slices.Contains(allowed[r.Status], to) {
		return false, &TransitionError{From: r.Status, To: to}
	}
	if r.Status == StatusSent && (to == StatusAccepted || to == StatusDeclined) {
		r.History = append(r.History, Change{At: now, Status: StatusSeen, Actor: actor})
	}
	r.Status, r.Reason, r.Updated = to, reason, now
	r.History = append(r.History, Change{At: now, Status: to, Actor: actor, Reason: reason})
	return true, nil
}

// AddNote appends a relayed message, cut to MaxNoteText characters, and
// keeps the newest MaxThread.
func (r *Referral) AddNote(from, text string, now time.Time) {
	if rs := []rune(text); len(rs) > MaxNoteText {
		text = string(rs[:MaxNoteText])
	}
	r.Thread = append(r.Thread, Note{At: now, From: from, Text: text})
	if len(r.Thread) > MaxThread {
		r.Thread = slices.Delete(r.Thread, 0, len(r.Thread)-MaxThread)
	}
	r.Updated = now
}

// Scrub removes everything that could identify or reach the person: what
// is left tells the structure that a request existed and was withdrawn.
func (r *Referral) Scrub() {
	r.Chat, r.Phone, r.Postcode, r.Thread = "", "", "", nil
	r.Need, r.Profile, r.Why, r.Confidence, r.Next = "", "", "", "", nil
}

// ClosedAt is when the referral reached a final status (zero if open).
func (r *Referral) ClosedAt() time.Time {
	if r.Status.Open() {
		return time.Time{}
	}
	for i := len(r.History) - 1; i >= 0; i-- {
		if r.History[i].Status == r.Status {
			return r.History[i].At
		}
	}
	return r.Updated
}

// Policy is the time limits of referrals (docs/diagnostic.md G.3, issue 8).
type Policy struct {
	RemindAfter time.Duration // one reminder to a structure that has not opened it: 3 days
	ExpireAfter time.Duration // an unseen referral closes as expired: 14 days
	Retain      time.Duration // deleted this long after a final status: 90 days
	// Hold delays a new referral's first mail. Two instances may run the
	// same consent update at once (Telegram redelivers, a balancer
	// retries): both store a referral, and the one whose session save
	// loses drops its own. Hold must outlast that step (bot.Runner bounds
	// a step to 10 s), so that no sweep mails the structure about a
	// referral about to be dropped.
	Hold time.Duration
}

// DefaultPolicy is the policy of docs/diagnostic.md G.3, with a 15 s hold.
var DefaultPolicy = Policy{RemindAfter: 72 * time.Hour, ExpireAfter: 14 * 24 * time.Hour, Retain: 90 * 24 * time.Hour,
	Hold: 15 * time.Second}

// Due is when the referral next needs the sweep: a mail to send, the
// reminder, the expiry or the purge.
func (p Policy) Due(r *Referral) time.Time {
	var due time.Time
	earliest := func(t time.Time) {
		if !t.IsZero() && (due.IsZero() || t.Before(due)) {
			due = t
		}
	}
	if len(r.Delivery.Queue) > 0 {
		earliest(r.Delivery.Next)
		if r.Delivery.Next.IsZero() {
			earliest(r.Updated)
		}
	}
	if r.Status == StatusSent {
		if r.Reminded.IsZero() {
			earliest(r.Created.Add(p.RemindAfter))
		}
		earliest(r.Created.Add(p.ExpireAfter))
	}
	if !r.Status.Open() {
		earliest(r.ClosedAt().Add(p.Retain))
	}
	return due
}

// Encode returns the stored JSON form of the referral.
func (r Referral) Encode() ([]byte, error) {
	return encodeStored("referral", r)
}

// DecodeReferral reads a value written by Encode. A value that does not
// decode, or of another version, gives ErrCorruptReferral.
func DecodeReferral(b []byte) (Referral, error) {
	var r Referral
	if err := decodeStored("referral", b, &r, ErrCorruptReferral); err != nil {
		return Referral{}, err
	}
	if r.V != ReferralVersion || r.ID == "" {
		return Referral{}, fmt.Errorf("decode referral: version %d: %w", r.V, ErrCorruptReferral)
	}
	return r, nil
}

// StructureStore keeps what lets a structure in: hashes of its page
// tokens, short codes that link a messaging chat, and that chat.
//
// AddToken stores a token hash for a place until expires (zero: until
// revoked). TokenPlace returns the place of a hash, or ErrNoToken if it is
// unknown, revoked or expired. AddLinkCode stores a one-time code for a
// place until expires; UseLinkCode returns its place and deletes it
// (ErrNoToken if unknown or expired). SetStructureChat links a chat to a
// place, replacing the one linked before (a zero Chat unlinks);
// StructureChat returns the zero ChatLink if none.
//
// RevokeAccess ends everything a place's links gave: every token, every
// unused link code (made on a page those tokens opened) and the linked
// chat (linked with such a code). Only a code made on a page opened by a
// new token links a chat again.
type StructureStore interface {
	AddToken(ctx context.Context, place, hash string, expires time.Time) error
	TokenPlace(ctx context.Context, hash string) (string, error)
	RevokeAccess(ctx context.Context, place string) error
	AddLinkCode(ctx context.Context, code, place string, expires time.Time) error
	UseLinkCode(ctx context.Context, code string) (string, error)
	SetStructureChat(ctx context.Context, place string, l ChatLink) error
	StructureChat(ctx context.Context, place string) (ChatLink, error)
}

// ChatLink is the messaging chat that gets a structure's new referrals,
// and since when. Chat is an id: it never reaches a page or a log.
type ChatLink struct {
	Chat  ChatID    `json:"chat"`
	Since time.Time `json:"since"`
}
