package telegram

import (
	"context"
	"errors"
	"fmt"
	"log/slog"
	"runtime/debug"
	"strconv"
	"strings"

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
	// Buffered: the chat's worker never waits for a caller that left.
	done := make(chan error, 1)
	if !a.chats.Push(id, func() { done <- a.push(ctx, id, replies) }) {
		return errors.New("telegram send: adapter stopped")
	}
	return bot.AwaitSend(ctx, done, "telegram")
}

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
	if err := ctx.Err(); err != nil {
		// The caller gave up while the chat's queue was busy.
		return fmt.Errorf("telegram send: %w", err)
	}
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
