package telegram

import (
	"context"
	"errors"
	"fmt"
	"log/slog"
	"runtime/debug"
	"strconv"
	"strings"

	tgbot "github.com/go-telegram/bot"
	"github.com/go-telegram/bot/models"

	"github.com/secours/secours/bot"
	"github.com/secours/secours/flows"
)

var _ bot.Sender = (*Adapter)(nil)

// Send sends replies to a chat outside a conversation turn, rendered and
// paced as the answers to an update are, and returns once they were sent
// or failed. It goes through the chat's queue, so that it never
// interleaves with the answer to one of the chat's updates, and the
// buttons it sends answer like any other when pressed. A chat that can no
// longer be reached (the person blocked the bot or deleted their account,
// the bot left the group, the chat is gone) gives an error wrapping
// bot.ErrUnreachable. When ctx is done first, Send returns at once and
// what was not sent yet is not sent. Once Poll returned or Wait was
// called, Send fails.
func (a *Adapter) Send(ctx context.Context, chat flows.ChatID, replies []flows.Reply) error {
	id, err := parseChatID(chat)
	if err != nil {
		return err
	}
	return a.chats.PushWait(ctx, id, "telegram", errStopped, func() error { return a.push(ctx, id, replies) })
}

// errStopped is what Send gives once the adapter takes no more pushes.
var errStopped = errors.New("telegram send: adapter stopped")

// parseChatID reads "tg:<chat id>", the form chatID writes.
func parseChatID(chat flows.ChatID) (int64, error) {
	rest, ok := strings.CutPrefix(string(chat), "tg:")
	if !ok {
		return 0, fmt.Errorf("telegram send: not a Telegram chat (channel %q)", chat.Channel())
	}
	id, err := strconv.ParseInt(rest, 10, 64)
	if err != nil || id == 0 || chatID(id) != chat {
		return 0, errors.New("telegram send: malformed Telegram chat id")
	}
	return id, nil
}

// push renders and sends replies on the chat's worker. It never panics:
// the worker serves the chat's updates too.
func (a *Adapter) push(ctx context.Context, chat int64, replies []flows.Reply) (err error) {
	ctx, cancel := context.WithTimeout(ctx, a.cfg.UpdateTimeout)
	defer cancel()
	defer func() {
		if v := recover(); v != nil {
			a.log.Error("send panicked", slog.Any("chat", chatID(chat)), slog.String("err", fmt.Sprintf("%T", v)),
				slog.String("stack", string(debug.Stack())))
			err = fmt.Errorf("telegram send: panic (%T)", v)
		}
	}()
	outs := render(replies, false)
	for i := range outs {
		// A push comes between two turns: the location keyboard, if up,
		// belongs to the question the conversation has open, and must stay
		// for its answer. Only a turn's replies take it away.
		if _, ok := outs[i].markup.(*models.ReplyKeyboardRemove); ok {
			outs[i].markup = nil
		}
	}
	if err := a.send(ctx, chat, outs); err != nil {
		if unreachable(err) {
			return fmt.Errorf("telegram send: %w: %w", bot.ErrUnreachable, a.apiErr(err))
		}
		return fmt.Errorf("telegram send: %w", a.apiErr(err))
	}
	return nil
}

// reply sends one update's replies and logs what went wrong: in a turn
// nobody else is told.
func (a *Adapter) reply(ctx context.Context, chat int64, outs []out) {
	err := a.send(ctx, chat, outs)
	switch {
	case err == nil:
	case unreachable(err):
		a.log.Warn("send refused, dropped", slog.Any("chat", chatID(chat)), slog.String("event", "forbidden"), slog.Any("err", a.apiErr(err)))
	case ctx.Err() != nil:
		a.log.Error("send abandoned", slog.Any("chat", chatID(chat)), slog.Any("err", a.apiErr(err)))
	default:
		a.log.Error("send failed", slog.Any("chat", chatID(chat)), slog.Any("err", a.apiErr(err)))
	}
}

// send makes the calls of one batch of messages, in order, and records
// what the chat now shows. A chat that can no longer be reached (403,
// "chat not found") gets nothing more, and the refusal is not retried; it
// stops at a done ctx too. Another failure costs its message only: the
// person can still type an answer to a question whose buttons did not go
// out. It returns the error that stopped it, else the first one.
func (a *Adapter) send(ctx context.Context, chat int64, outs []out) error {
	var first error
	for _, o := range outs {
		sent := 0 // the id of the message sent; 0 for a venue
		err := a.call(ctx, chat, true, func(ctx context.Context) error {
			if o.venue != nil {
				return a.fast.sendVenue(ctx, &tgbot.SendVenueParams{ChatID: chat,
					Latitude: o.venue.Loc.Lat, Longitude: o.venue.Loc.Lon, Title: o.venue.Name, Address: o.venue.Address,
					ReplyMarkup: venueMarkup(o.venue)})
			}
			p := &tgbot.SendMessageParams{ChatID: chat, Text: o.text, ReplyMarkup: o.markup}
			if o.noPreview {
				p.LinkPreviewOptions = &models.LinkPreviewOptions{IsDisabled: tgbot.True()}
			}
			var err error
			sent, err = a.fast.sendMessage(ctx, p)
			return err
		})
		if err == nil && sent != 0 {
			if o.inline != nil {
				err = a.call(ctx, chat, true, func(ctx context.Context) error {
					return a.fast.editMessageReplyMarkup(ctx, &tgbot.EditMessageReplyMarkupParams{
						ChatID: chat, MessageID: sent, ReplyMarkup: o.inline})
				})
			}
			keyboard := err == nil
			a.setView(chat, func(v *view) { v.apply(o, sent, keyboard) })
		}
		if err == nil {
			continue
		}
		if unreachable(err) || ctx.Err() != nil {
			return err
		}
		if first == nil {
			first = err
		}
	}
	return first
}

// unreachable reports whether a Bot API error means that the bot may no
// longer write to the chat. Every 403 on a send says so, whatever its
// wording: "bot was blocked by the user", "user is deactivated", "bot was
// kicked from the group chat", "bot can't initiate conversation with a
// user". Among the 400s only "chat not found" does; the others (a text
// too long, a bad keyboard) are the bot's own fault. The description is
// the only way to tell them apart: the API gives no finer code.
func unreachable(err error) bool {
	if errors.Is(err, tgbot.ErrorForbidden) {
		return true
	}
	return errors.Is(err, tgbot.ErrorBadRequest) && strings.Contains(strings.ToLower(err.Error()), "chat not found")
}
