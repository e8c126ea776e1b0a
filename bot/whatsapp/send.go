package whatsapp

import (
	"context"
	"errors"
	"fmt"
	"strings"

	"go.mau.fi/whatsmeow/types"

	"github.com/secours/secours/bot"
	"github.com/secours/secours/flows"
)

var _ bot.Sender = (*Adapter)(nil)

// Send sends replies to a chat outside a conversation turn
// ("wa:32470000001@s.whatsapp.net", or "@lid" for a person known by LID
// only), rendered as the answers to a message are, and returns once they
// were sent or failed. It goes through the chat's queue, so that it never interleaves
// with the answer to one of the person's messages. The engine knows the
// numbered list of its own question only, so the adapter remembers the
// push's: a number (or a label) typed next answers it, as a press on its
// button would (KindChoice), until the conversation shows a list of its
// own. A number WhatsApp says has no account gives an error wrapping
// bot.ErrUnreachable. When ctx is done first, Send returns at once and
// what was not sent yet is not sent.
func (a *Adapter) Send(ctx context.Context, chat flows.ChatID, replies []flows.Reply) error {
	to, err := parseChat(chat)
	if err != nil {
		return err
	}
	key := peerChat(to) // the key incoming messages of the person use
	out := a.messages(replies)
	if len(out) == 0 {
		return nil
	}
	var list []flows.Choice
	for _, r := range replies {
		if len(r.Choices) > 0 {
			list = r.Choices // each reply numbers from 1: the last list shown is the one a number answers
		}
	}
	// Unlike a message, a push is not dropped for a full queue: each Send
	// waits for its own, so pushes cannot pile up, and the caller must
	// learn what became of it.
	return a.chats.PushWait(ctx, key, "whatsapp", errClosed, func() error { return a.push(ctx, key, to, out, list) })
}

// errClosed is what Send gives once the adapter was closed.
var errClosed = errors.New("whatsapp send: adapter closed")

// parseChat reads the chat ids peerChat writes: "wa:<user>@<server>" for
// a phone number or a LID. A bare "wa:<number>" is a phone number.
func parseChat(chat flows.ChatID) (types.JID, error) {
	rest, ok := strings.CutPrefix(string(chat), "wa:")
	if !ok {
		return types.JID{}, fmt.Errorf("whatsapp send: not a WhatsApp chat (channel %q)", chat.Channel())
	}
	user, server, ok := strings.Cut(rest, "@")
	if !ok {
		server = types.DefaultUserServer
	}
	if user == "" || strings.Trim(user, "0123456789") != "" || (server != types.DefaultUserServer && server != types.HiddenUserServer) {
		return types.JID{}, errors.New("whatsapp send: malformed WhatsApp chat id")
	}
	return types.NewJID(user, server), nil
}

// push sends one push's messages on the chat's worker and, once all went
// out, remembers its list.
func (a *Adapter) push(ctx context.Context, key flows.ChatID, to types.JID, out []outgoing, list []flows.Choice) error {
	ctx, cancel := context.WithTimeout(ctx, a.timeout)
	defer cancel()
	if to.Server == types.DefaultUserServer && a.gone(ctx, to) {
		return fmt.Errorf("whatsapp send: %w: number not on WhatsApp", bot.ErrUnreachable)
	}
	if _, err := a.sendTo(ctx, to, out); err != nil {
		// whatsmeow gives no error that tells a person gone from a network
		// failure: to a number without an account it sends without error
		// (whatsmeow#139), and a 401 or 404 of a query may be our own
		// device's, logged out. Only the check above tells.
		return fmt.Errorf("whatsapp send: %w", &redactedError{msg: redact(err.Error()), err: err})
	}
	if len(list) > 0 {
		a.lists.Remember(key, list, a.now())
	}
	return nil
}

// gone reports whether WhatsApp says the number has no account. A push is
// rare and goes to a number that wrote to the bot, so one query each
// stays far from the contact look-ups WhatsApp limits. A failed query says
// nothing about the person: the send goes on, and fails by itself if the
// connection is down.
func (a *Adapter) gone(ctx context.Context, to types.JID) bool {
	res, err := a.client.IsOnWhatsApp(ctx, []string{"+" + to.User})
	if err != nil {
		return false
	}
	for _, r := range res {
		if r.JID.User == to.User || strings.TrimPrefix(r.Query, "+") == to.User {
			return !r.IsIn
		}
	}
	return false
}

// redactedError shows msg, fit for the logs, in place of err's text;
// errors.Is still sees err.
type redactedError struct {
	msg string
	err error
}

func (e *redactedError) Error() string { return e.msg }
func (e *redactedError) Unwrap() error { return e.err }
