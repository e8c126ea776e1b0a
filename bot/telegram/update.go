package telegram

import (
	"context"
	"fmt"
	"log/slog"
	"runtime/debug"
	"slices"
	"strconv"
	"strings"
	"sync"
	"time"
	"unicode"

	tgbot "github.com/go-telegram/bot"
	"github.com/go-telegram/bot/models"

	"github.com/secours/secours/flows"
	"github.com/secours/secours/geo"
)

// maxCallbackData is the Bot API's limit on a button's callback data.
const maxCallbackData = 64

// chatOf is the chat an update belongs to, 0 if none.
func chatOf(u *models.Update) int64 {
	switch {
	case u.Message != nil:
		return u.Message.Chat.ID
	case u.CallbackQuery != nil:
		c, _ := callbackChat(u.CallbackQuery)
		return c.ID
	case u.MyChatMember != nil:
		return u.MyChatMember.Chat.ID
	case u.EditedMessage != nil:
		return u.EditedMessage.Chat.ID
	}
	return 0
}

// callbackChat is the chat of the message whose button was pressed, even
// when Telegram no longer gives the message itself (older than 48 hours);
// false for a message sent in inline mode, which has no chat.
func callbackChat(q *models.CallbackQuery) (models.Chat, bool) {
	switch {
	case q.Message.Message != nil:
		return q.Message.Message.Chat, true
	case q.Message.InaccessibleMessage != nil:
		return q.Message.InaccessibleMessage.Chat, true
	}
	return models.Chat{}, false
}

// chatID is the neutral id of a Telegram chat.
func chatID(chat int64) flows.ChatID {
	return flows.ChatID("tg:" + strconv.FormatInt(chat, 10))
}

// langOf maps the person's Telegram language to a catalogue language; ""
// if Telegram does not say.
func langOf(u *models.User) flows.Lang {
	if u == nil || u.LanguageCode == "" {
		return ""
	}
	return flows.ParseLang(u.LanguageCode)
}

// langOfUpdate is the language of the update's sender, "" if unknown.
func langOfUpdate(u *models.Update) flows.Lang {
	switch {
	case u.Message != nil:
		return langOf(u.Message.From)
	case u.CallbackQuery != nil:
		return langOf(&u.CallbackQuery.From)
	}
	return ""
}

// arrival is when an update was received, and whether it is taken again
// from the inbox after a restart (its answer may have been lost).
type arrival struct {
	at    time.Time
	again bool
}

// handle translates one update, runs it through the conversation and
// sends the replies. It never panics: an update that does is logged and
// dropped, so that one bad update cannot stop the others.
func (a *Adapter) handle(ctx context.Context, u *models.Update, in arrival) {
	ctx, cancel := context.WithTimeout(ctx, a.cfg.UpdateTimeout)
	defer cancel()
	chat := chatOf(u)
	defer func() {
		if v := recover(); v != nil {
			a.log.Error("update panicked", slog.Any("chat", chatID(chat)), slog.String("err", fmt.Sprintf("%T", v)),
				slog.String("stack", string(debug.Stack())))
		}
		if a.cfg.Done != nil {
			a.cfg.Done(u.ID, chat, in.at)
		}
	}()
	switch {
	case u.Message != nil:
		a.message(ctx, u.ID, u.Message, in)
	case u.CallbackQuery != nil:
		a.callback(ctx, u.ID, u.CallbackQuery, in)
	case u.MyChatMember != nil:
		a.memberChanged(ctx, u.MyChatMember)
	default:
		// Edited messages (the engine answered the original), channel posts
		// and the rest: nothing to say.
		a.log.Debug("update ignored", slog.Any("chat", chatID(chat)), slog.String("event", "ignored"))
	}
}

// memberChanged follows the bot's own membership of a chat: a person who
// blocks the bot is logged, and a group that adds it gets the one line
// saying that it talks in private only.
func (a *Adapter) memberChanged(ctx context.Context, m *models.ChatMemberUpdated) {
	left := func(t models.ChatMemberType) bool {
		return t == models.ChatMemberTypeBanned || t == models.ChatMemberTypeLeft
	}
	switch m.Chat.Type {
	case models.ChatTypePrivate:
		if left(m.NewChatMember.Type) {
			a.log.Info("bot blocked", slog.Any("chat", chatID(m.Chat.ID)), slog.String("event", "blocked"))
		}
	case models.ChatTypeGroup, models.ChatTypeSupergroup:
		if left(m.OldChatMember.Type) && !left(m.NewChatMember.Type) {
			a.groupLine(ctx, m.Chat.ID, langOf(&m.From))
		}
	}
}

// groupLine tells a group, in one line, that the bot talks in private
// only: the conversation asks personal questions.
func (a *Adapter) groupLine(ctx context.Context, chat int64, lang flows.Lang) {
	if lang == "" {
		lang = flows.FR
	}
	a.reply(ctx, chat, []out{{text: a.texts[lang].GroupOnly}})
}

// message translates a new message of a private chat; a group gets one
// line at most, and other chats (channels) nothing.
func (a *Adapter) message(ctx context.Context, updateID int64, m *models.Message, in arrival) {
	chat := m.Chat.ID
	lang := langOf(m.From)
	switch m.Chat.Type {
	case models.ChatTypePrivate:
	case models.ChatTypeGroup, models.ChatTypeSupergroup:
		// Only a command is meant for the bot; answering the rest of a
		// group's talk would flood it.
		if _, _, ok := parseCommand(m.Text); ok {
			a.groupLine(ctx, chat, lang)
		}
		return
	default:
		return
	}
	msg := flows.Msg{Chat: chatID(chat), ID: strconv.FormatInt(updateID, 10), Lang: lang}
	switch {
	case m.Location != nil:
		msg.Kind, msg.Loc = flows.KindLocation, geo.Point{Lat: m.Location.Latitude, Lon: m.Location.Longitude}
	case m.Text != "":
		msg.Kind, msg.Text = flows.KindText, m.Text
		if cmd, arg, ok := parseCommand(m.Text); ok {
			msg.Kind, msg.Text, msg.Command, msg.Arg = flows.KindCommand, "", cmd, arg
		}
	default:
		// Sticker, photo, voice note, document…: the engine says kindly
		// what it can read.
		msg.Kind = flows.KindUnsupported
	}
	shown := a.view(chat)
	msg.Waited, msg.Redelivered = time.Since(in.at), in.again
	a.reply(ctx, chat, render(a.conv.Handle(ctx, msg), shown.location))
}

// parseCommand reads "/start@SecoursBot abc123" as ("start", "abc123").
func parseCommand(text string) (cmd, arg string, ok bool) {
	rest, ok := strings.CutPrefix(text, "/")
	if !ok {
		return "", "", false
	}
	cmd = rest
	if i := strings.IndexFunc(rest, unicode.IsSpace); i >= 0 {
		cmd, arg = rest[:i], rest[i:]
	}
	cmd, _, _ = strings.Cut(cmd, "@")
	if cmd == "" {
		return "", "", false
	}
	return strings.ToLower(cmd), strings.TrimSpace(arg), true
}

// callback handles a button press: it stops the spinner, runs the choice,
// shows the answer in the question it came from if the engine took it,
// and sends the replies.
func (a *Adapter) callback(ctx context.Context, updateID int64, q *models.CallbackQuery, in arrival) {
	// The spinner stops while the step runs, the answered question is
	// edited while the replies go: neither waits for the other, and the
	// update is done (confirmed, the chat's next one let in) only once
	// all three are.
	var side sync.WaitGroup
	defer side.Wait()
	side.Go(func() {
		if err := a.call(ctx, 0, false, func(ctx context.Context) error {
			return a.fast.answerCallbackQuery(ctx, &tgbot.AnswerCallbackQueryParams{CallbackQueryID: q.ID})
		}); err != nil {
			a.log.Warn("callback not answered", slog.Any("err", a.apiErr(err)))
		}
	})
	c, ok := callbackChat(q)
	if !ok || c.Type != models.ChatTypePrivate || q.Data == "" {
		// A message sent in inline mode, a group's, or a button without
		// data (a game's): none of them is one of ours.
		return
	}
	chat := c.ID
	shown := a.view(chat)
	msg := flows.Msg{Chat: chatID(chat), ID: strconv.FormatInt(updateID, 10), Kind: flows.KindChoice,
		Lang: langOf(&q.From), Choice: q.Data, Waited: time.Since(in.at), Redelivered: in.again}
	replies := a.conv.Handle(ctx, msg)
	if m := q.Message.Message; m != nil && taken(shown, m.ID, q.Data, replies) {
		side.Go(func() { a.markAnswered(ctx, chat, m, q.Data) })
	}
	a.reply(ctx, chat, render(replies, shown.location))
}

// taken reports whether a press on message msgID with callback data was
// taken as the answer to the question the chat had open (shown, before the
// press), judging by the engine's replies: it was if they no longer ask
// that question, and the press came from it, that is from the newest
// keyboard or from a button of that question. A stale button (from a
// question answered by typing, or shown before a restart) gets the open
// question asked again, and an unknown view marks nothing.
func taken(shown view, msgID int, data string, replies []flows.Reply) bool {
	if shown.question == "" || slices.ContainsFunc(replies, func(r flows.Reply) bool { return r.Question == shown.question }) {
		return false
	}
	return msgID == shown.msgID || strings.HasPrefix(data, shown.question+":")
}

// markAnswered edits the question whose button was pressed: its text with
// "→ label" below, and no keyboard, so that the chat reads like a
// transcript and the button cannot be pressed again. The label comes from
// the message itself.
func (a *Adapter) markAnswered(ctx context.Context, chat int64, m *models.Message, data string) {
	if m.ReplyMarkup == nil {
		return
	}
	label := ""
	for _, row := range m.ReplyMarkup.InlineKeyboard {
		for _, b := range row {
			if b.CallbackData == data {
				label = b.Text
			}
		}
	}
	text := m.Text + "\n→ " + label
	err := a.call(ctx, chat, true, func(ctx context.Context) error {
		if label == "" || m.Text == "" || utf16Len(text) > maxText {
			return a.fast.editMessageReplyMarkup(ctx, &tgbot.EditMessageReplyMarkupParams{ChatID: chat, MessageID: m.ID})
		}
		return a.fast.editMessageText(ctx, &tgbot.EditMessageTextParams{ChatID: chat, MessageID: m.ID, Text: text})
	})
	if err != nil {
		// Too old to edit (48 hours): the answer goes on anyway.
		a.log.Debug("question not edited", slog.Any("chat", chatID(chat)), slog.Any("err", a.apiErr(err)))
	}
}
