package flows

import (
	"crypto/hmac"
	"crypto/rand"
	"crypto/sha256"
	"encoding/hex"
	"errors"
	"log/slog"
	"strings"
	"sync/atomic"
	"time"

	"github.com/secours/secours/geo"
	"github.com/secours/secours/text"
)

// ChatID names one conversation on one channel: "tg:…", "wa:…", "cli:…".
// It is personal data (a WhatsApp id is a phone number): log it only
// through LogValue.
type ChatID string

// MinLogKey is the shortest key SetLogKey takes, in bytes.
const MinLogKey = 16

// logKey is the key of ChatID.LogValue's hash. The house style keeps
// package variables for sentinels and constants, but LogValue is a method
// of a string type that slog calls wherever a ChatID is logged, in every
// package: nothing there can carry a key. So the key is set once, at
// start-up, through SetLogKey, and read by every log line from any
// goroutine: an atomic.Pointer, which a test may set again. Until it is
// set, LogValue makes a random key of its own.
var logKey atomic.Pointer[[]byte]

// SetLogKey sets the secret key of the chat hashes in logs. One key per
// deployment, kept beyond restarts and shared by its instances, lets
// lines be followed across them; without it, nobody can tell which chat,
// and so which phone number, a line is about.
func SetLogKey(key []byte) error {
	if len(key) < MinLogKey {
		return errors.New("flows: log key shorter than 16 bytes")
	}
	k := append([]byte(nil), key...)
	logKey.Store(&k)
	return nil
}

// LogValue logs a short keyed hash (HMAC-SHA256, SetLogKey): enough to
// follow a chat, not to name it. A plain hash would not do: a WhatsApp id
// is a phone number, and there are few enough of those to hash them all.
func (id ChatID) LogValue() slog.Value {
	k := logKey.Load()
	if k == nil {
		fresh := []byte(rand.Text()) // 26 random base32 characters: 130 bits
		logKey.CompareAndSwap(nil, &fresh)
		k = logKey.Load()
	}
	m := hmac.New(sha256.New, *k)
	m.Write([]byte(id))
	return slog.StringValue(hex.EncodeToString(m.Sum(nil)[:6]))
}

// Channel returns the channel prefix of the id ("tg", "wa", "cli").
func (id ChatID) Channel() string {
	ch, _, ok := strings.Cut(string(id), ":")
	if !ok {
		return ""
	}
	return ch
}

// Lang is a catalogue language (text.Lang: every catalogue shares it).
type Lang = text.Lang

// The languages of the catalogues. The keys are those of docs/diagnostic.md.
const (
	FR = text.FR
	NL = text.NL
)

// ParseLang maps a channel language hint ("nl", "nl-BE", "fr_FR") to a
// Lang: Dutch for nl, French otherwise.
func ParseLang(hint string) Lang {
	if strings.HasPrefix(strings.ToLower(hint), "nl") {
		return NL
	}
	return FR
}

// Kind says what an incoming message carries.
type Kind uint8

// The kinds of incoming message.
const (
	KindText        Kind = iota // typed text
	KindChoice                  // a button press: Msg.Choice holds "<question>:<answer>"
	KindLocation                // a shared location: Msg.Loc
	KindCommand                 // "/start payload": Msg.Command and Msg.Arg
	KindUnsupported             // sticker, photo, voice note, document…
)

// Msg is one incoming message, translated by a channel adapter.
type Msg struct {
	Chat    ChatID
	ID      string // channel message id, for deduplication; may be empty
	Kind    Kind
	Lang    Lang   // channel language hint; empty if unknown
	Country string // channel country hint ("BE", "FR"); empty if unknown
	Text    string // KindText only
	Choice  string // KindChoice: "<question key>:<answer key>"
	Command string // KindCommand: without the slash, lower case ("start")
	Arg     string // KindCommand: what follows the command (deep-link payload)
	Loc     geo.Point
	// Waited is how long the update waited in this process before its
	// step (the chat's queue, a free step slot): the redelivery rule
	// counts from when the update arrived, not from when its turn came.
	Waited time.Duration
	// Redelivered: the channel knows that the answer to this update may
	// have been lost (a poller took it again from its inbox after a
	// restart): if the session applied it last, it is answered again,
	// however soon after its step.
	Redelivered bool
}

// LogValue leaves out the text, the argument and the location: logs speak
// in keys only.
func (m Msg) LogValue() slog.Value {
	attrs := []slog.Attr{slog.Any("chat", m.Chat), slog.Int("kind", int(m.Kind))}
	if m.Choice != "" {
		attrs = append(attrs, slog.String("choice", m.Choice))
	}
	if m.Command != "" {
		attrs = append(attrs, slog.String("command", m.Command))
	}
	return slog.GroupValue(attrs...)
}

// Choice is one button: Key is the stable payload "<question>:<answer>"
// (for example "need:health"), Label the rendered text.
type Choice struct {
	Key   string
	Label string
}

// PlaceCard is one matched place, rendered for a person: at most six
// short lines (issue 21): name, kind, where, today's hours, phone, why it
// fits. Adapters show no field of their own making.
type PlaceCard struct {
	ID       string
	Name     string
	Kind     string // what kind of place it is: "France services : un guichet des services publics"
	Why      string // why it fits: what it helps with and, for a partial fit, what it does not
	Address  string // street, postcode and commune; for a CPAS/OCMW without street, where to ask it
	Distance string // "2,4 km", "≈ 2,4 km" or "dans votre commune", with "de l'autre côté de la frontière"; empty when unknown
	Hours    string // today's hours in words: "Ouvert aujourd'hui jusqu'à 17 h", "Fermé. Ouvre lundi à 9 h"
	Phone    string // spaced national form, as the directory holds it; empty when unknown
	// MapURL is a directions link to the point, for a channel's map
	// button, never shown as text; empty when the point is not the place's.
	MapURL   string
	MapLabel string // the label of that button
	Loc      geo.Point
}

// Reply is one outgoing message, already rendered in the session language.
// Adapters only translate it; they add no wording of their own.
type Reply struct {
	Text        string
	Choices     []Choice // answer buttons, in the document's order
	Nav         []Choice // escape row (back, help, human); never answers
	AskLocation bool     // offer the channel's "share my location" button
	LocationBtn string   // label of that button
	Places      []PlaceCard
	// HandOver marks the hand-over card: a message of its own, to forward
	// or to show at a reception, never joined to another.
	HandOver bool
	// Question is the key of the question this reply asks, if any; a
	// channel may use it to edit the message once answered.
	Question string
}

// CardLines are a card's lines as text, for the channels that write it
// (the console, Telegram, WhatsApp): at most six, the name first, and no
// line for what the card does not know. Icons are pictures, not words.
func CardLines(c PlaceCard) []string {
	where := c.Address
	if c.Distance != "" {
		where = strings.TrimSpace(c.Distance + " · " + where)
	}
	var out []string
	for _, f := range [...][2]string{{"🏢", c.Name}, {"", c.Kind}, {"📍", where}, {"🕘", c.Hours}, {"📞", c.Phone}, {"👉", c.Why}} {
		switch {
		case f[1] == "":
		case f[0] == "":
			out = append(out, f[1])
		default:
			out = append(out, f[0]+" "+f[1])
		}
	}
	return out
}
