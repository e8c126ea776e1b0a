package wacloud

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"log/slog"
	"strconv"
	"strings"
	"time"
	"unicode/utf8"

	"github.com/secours/secours/bot"
	"github.com/secours/secours/flows"
)

// Window keeps, per chat, when the person last wrote and the pushes held
// while the 24-hour customer service window is closed. store/memory and
// store/redis implement it, shared by the instances.
type Window interface {
	// WindowSeen records that chat wrote at t and removes and returns the
	// pushes held for it, oldest first: one store call a message.
	WindowSeen(ctx context.Context, chat flows.ChatID, t time.Time) ([][]byte, error)
	WindowLastSeen(ctx context.Context, chat flows.ChatID) (time.Time, error) // zero: unknown
	HoldOutgoing(ctx context.Context, chat flows.ChatID, msg []byte, ttl time.Duration) error
}

// The window's bounds.
const (
	// serviceWindow is Meta's customer service window: free messages are
	// allowed until 24 hours after the person's last message.
	serviceWindow = 24 * time.Hour
	// holdTTL bounds how long a push waits for the person to write again,
	// as long as a referral waits for its structure.
	holdTTL = 7 * 24 * time.Hour
	// sentTTL bounds how long a push is kept in memory after it was sent,
	// for a failed status (131047) to send it again as a template: Meta
	// reports it within minutes.
	sentTTL = time.Hour
	// maxParam bounds a template's text variable.
	maxParam = 1024
)

var _ bot.Sender = (*Adapter)(nil)

// pushRecord is a push sent as free messages, kept for its statuses.
type pushRecord struct {
	chat    flows.ChatID
	to      string
	replies []flows.Reply
	at      time.Time
	resent  bool // sent again as a template already
}

// Send sends replies to a chat outside a conversation turn ("wc:<wa_id>")
// on the chat's worker, after its queued answers, and returns once they
// were sent, held or failed. Within 24 hours of the person's last message
// they go as the answers to a message do; later (or when Meta says so,
// 131047) as the template of the push's language (Settings.Templates),
// its text in the template's one variable; with no template for that
// language, they are held in the Window until the person writes again,
// and Send returns nil: nothing is lost, and the log says why
// ("held_outside_window"). The list a push shows as text is remembered: a
// number or a label typed next answers it. A number Meta says cannot get
// messages gives an error wrapping bot.ErrUnreachable.
func (a *Adapter) Send(ctx context.Context, chat flows.ChatID, replies []flows.Reply) error {
	to, err := parseChat(chat)
	if err != nil {
		return err
	}
	if len(replies) == 0 {
		return nil
	}
	return a.chats.PushWait(ctx, chat, "wacloud", errClosed, func() error { return a.push(ctx, chat, to, replies) })
}

// errClosed is what Send gives once the adapter was closed.
var errClosed = errors.New("wacloud send: adapter closed")

// parseChat reads "wc:<wa_id>", the form translate writes.
func parseChat(chat flows.ChatID) (string, error) {
	to, ok := strings.CutPrefix(string(chat), channel+":")
	if !ok {
		return "", fmt.Errorf("wacloud send: not a WhatsApp Cloud chat (channel %q)", chat.Channel())
	}
	if !isWaID(to) {
		return "", errors.New("wacloud send: malformed WhatsApp Cloud chat id")
	}
	return to, nil
}

// isWaID reports whether s is a WhatsApp id as the webhook gives it:
// digits only, the number in international form.
func isWaID(s string) bool {
	return s != "" && strings.Trim(s, "0123456789") == ""
}

// push sends one push on the chat's worker.
func (a *Adapter) push(ctx context.Context, chat flows.ChatID, to string, replies []flows.Reply) error {
	ctx, cancel := context.WithTimeout(ctx, a.timeout)
	defer cancel()
	if a.window != nil {
		last, err := a.window.WindowLastSeen(ctx, chat)
		if err != nil {
			// Unknown: a free message, which Meta refuses (131047) if the
			// window is closed; then the template.
			a.log.Warn("window not read", slog.Any("chat", chat), slog.String("channel", channel), slog.Any("err", err))
		} else if !last.IsZero() && a.now().Sub(last) > serviceWindow {
			return a.outside(ctx, chat, to, replies)
		}
	}
	err := a.free(ctx, chat, to, replies)
	if isCode(err, codeReengage) {
		return a.outside(ctx, chat, to, replies)
	}
	return err
}

// free sends a push as the answers to a message are, and remembers its
// list and, for a while, the push itself.
func (a *Adapter) free(ctx context.Context, chat flows.ChatID, to string, replies []flows.Reply) error {
	out := a.messages(replies)
	ids, err := a.sendAll(ctx, to, out)
	if err != nil {
		return fmt.Errorf("wacloud send: %w", unreachable(err))
	}
	for i := len(out) - 1; i >= 0; i-- {
		if out[i].list != nil {
			a.lists.Remember(chat, out[i].list, a.now())
			break
		}
	}
	a.keep(ids, &pushRecord{chat: chat, to: to, replies: replies, at: a.now()})
	return nil
}

// outside sends a push outside the window: as the template of its
// language, or held until the person writes.
func (a *Adapter) outside(ctx context.Context, chat flows.ChatID, to string, replies []flows.Reply) error {
	lang := a.pushLang(ctx, chat, replies)
	tp, ok := a.set.Templates[lang]
	if !ok {
		return a.hold(ctx, chat, replies, lang)
	}
	param, list := flatten(replies)
	m := message{Product: "whatsapp", Recipient: "individual", To: to, Type: "template", Template: &template{
		Name: tp.Name, Language: langCode{tp.Language},
		Components: []component{{Type: "body", Parameters: []parameter{{Type: "text", Text: param}}}},
	}}
	if _, err := a.post(ctx, &m); err != nil {
		return fmt.Errorf("wacloud send template: %w", unreachable(err))
	}
	if len(list) > 0 {
		a.lists.Remember(chat, list, a.now())
	}
	a.log.Info("push sent as a template", slog.Any("chat", chat), slog.String("channel", channel),
		slog.String("event", "template"), slog.String("lang", string(lang)))
	return nil
}

// hold keeps a push in the window until the person writes again.
func (a *Adapter) hold(ctx context.Context, chat flows.ChatID, replies []flows.Reply, lang flows.Lang) error {
	if a.window == nil {
		return fmt.Errorf("wacloud send: outside the 24-hour window, no template for %q and no window to hold the push", string(lang))
	}
	b, err := json.Marshal(replies)
	if err != nil {
		return fmt.Errorf("wacloud hold: encode: %w", err)
	}
	if err := a.window.HoldOutgoing(ctx, chat, b, holdTTL); err != nil {
		return fmt.Errorf("wacloud hold: %w", err)
	}
	a.log.Warn("push held until the person writes: outside the 24-hour window, no template for its language",
		slog.Any("chat", chat), slog.String("channel", channel), slog.String("event", "held_outside_window"), slog.String("lang", string(lang)))
	return nil
}

// release sends the pushes held for a chat (WindowSeen's), oldest first,
// now that the person wrote. One that fails is held again.
func (a *Adapter) release(ctx context.Context, chat flows.ChatID, to string, held [][]byte) {
	for _, b := range held {
		var replies []flows.Reply
		if err := json.Unmarshal(b, &replies); err != nil {
			a.log.Error("held push undecodable, dropped", slog.Any("chat", chat), slog.String("channel", channel), slog.Any("err", err))
			continue
		}
		if err := a.free(ctx, chat, to, replies); err != nil {
			a.log.Warn("held push not sent, held again", slog.Any("chat", chat), slog.String("channel", channel), slog.Any("err", err))
			if herr := a.window.HoldOutgoing(ctx, chat, b, holdTTL); herr != nil {
				a.log.Error("held push lost", slog.Any("chat", chat), slog.String("channel", channel), slog.Any("err", herr))
			}
			continue
		}
		a.log.Info("held push sent", slog.Any("chat", chat), slog.String("channel", channel), slog.String("event", "released"))
	}
}

// pushLang is the session language of a push: told by its labels, else
// by Options.Lang, else Settings.DefaultLang.
func (a *Adapter) pushLang(ctx context.Context, chat flows.ChatID, replies []flows.Reply) flows.Lang {
	for i := range replies {
		if l := a.langs.Of(&replies[i]); l != "" {
			return l
		}
	}
	if a.langOf != nil {
		if l := a.langOf(ctx, chat); l != "" {
			return l
		}
	}
	return a.set.defaultLang()
}

// flatten is a push as a template's one variable: its texts and cards on
// one line (Meta refuses newlines, tabs and runs of spaces there), at most
// maxParam characters, with its last list appended ("1. Oui · 2. Non"),
// and that list.
func flatten(replies []flows.Reply) (string, []flows.Choice) {
	var (
		parts []string
		list  []flows.Choice
	)
	for _, r := range replies {
		parts = append(parts, r.Text)
		for _, c := range r.Places {
			parts = append(parts, flows.CardLines(c)...)
		}
		if len(r.Choices) > 0 {
			list = r.Choices
		}
	}
	s := strings.Join(strings.Fields(strings.Join(parts, " ")), " ")
	var tail string
	if len(list) > 0 {
		var b strings.Builder
		for i, c := range list {
			if i > 0 {
				b.WriteString(" · ")
			}
			b.WriteString(strconv.Itoa(i+1) + ". " + strings.Join(strings.Fields(c.Label), " "))
		}
		tail = b.String()
	}
	room := maxParam - utf8.RuneCountInString(tail) - 1
	if utf8.RuneCountInString(s) > room {
		rs := []rune(s)
		s = string(rs[:max(room-1, 0)]) + "…"
	}
	if tail != "" {
		s = strings.TrimSpace(s + " " + tail)
	}
	return s, list
}

// keep remembers a push by the ids of its messages, and forgets, once a
// minute, those older than sentTTL.
func (a *Adapter) keep(ids []string, p *pushRecord) {
	a.sentMu.Lock()
	defer a.sentMu.Unlock()
	for _, id := range ids {
		if id != "" {
			a.sent[id] = p
		}
	}
	if now := a.now(); now.Sub(a.swept) > time.Minute {
		a.swept = now
		for id, s := range a.sent {
			if now.Sub(s.at) > sentTTL {
				delete(a.sent, id)
			}
		}
	}
}

// status reads one status callback: a failure is logged by its code;
// one for the window (131047) of a push still in memory sends it again
// as a template, on the chat's worker.
func (a *Adapter) status(ctx context.Context, s *status) {
	if s.Status != "failed" {
		return
	}
	code := 0
	if len(s.Errors) > 0 {
		code = s.Errors[0].Code
	}
	a.log.Warn("message failed", slog.String("channel", channel), slog.String("event", "status_failed"), slog.Int("code", code))
	if code != codeReengage || !isWaID(s.RecipientID) {
		return
	}
	// On the chat's worker: the push the status is about may still be
	// there, its ids not yet kept (Meta may post the status before we read
	// its answer).
	chat, id := flows.ChatID(channel+":"+s.RecipientID), s.ID
	if !a.chats.Push(chat, func() { a.reengage(ctx, id) }) {
		a.log.Warn("push not sent again as a template: adapter closed", slog.Any("chat", chat), slog.String("channel", channel))
	}
}

// reengage sends again as a template the push whose message id Meta
// refused for the window, once, if it is still in memory.
func (a *Adapter) reengage(ctx context.Context, id string) {
	a.sentMu.Lock()
	p, ok := a.sent[id]
	again := ok && !p.resent
	if again {
		p.resent = true
	}
	a.sentMu.Unlock()
	if !again {
		return
	}
	ctx, cancel := context.WithTimeout(ctx, a.timeout)
	defer cancel()
	if err := a.outside(ctx, p.chat, p.to, p.replies); err != nil {
		a.log.Warn("push not sent again as a template", slog.Any("chat", p.chat), slog.String("channel", channel), slog.Any("err", err))
	}
}
