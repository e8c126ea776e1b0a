package structure

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
	"sync"
	"time"

	"github.com/secours/secours/bot"
	"github.com/secours/secours/bot/mail"
	"github.com/secours/secours/bot/metrics"
	"github.com/secours/secours/flows"
	"github.com/secours/secours/geo"
	"github.com/secours/secours/web/structure"
)

// Mailer sends one e-mail: mail.SMTP, or mail.Outbox when no SMTP server
// is configured.
type Mailer interface {
	Send(ctx context.Context, m mail.Message) error
}

// Options configure a Service.
type Options struct {
	Engine *flows.Engine // renders the person's notices; its Policy times referrals
	Stores flows.Stores  // sessions, referrals and structures: all required
	Places structure.Places
	// Page configures the structures' page; its Desk is the service.
	// The page also renders the mails and chat summaries.
	Page   structure.WebOptions
	Mailer Mailer           // nil: structures get their referrals on the page and their chat only
	From   string           // sender address of the mails
	Sender bot.Sender       // reaches persons and structures' chats on their channel
	Stats  flows.StatsStore // nil: the observatory does not count referrals
	// Metrics counts status changes and delivery failures; nil: none.
	Metrics *metrics.Metrics
	// BaseURL is the public address of the pages ("https://secours.example.org"):
	// the links in mails and on the command line start with it. Empty: no
	// page is served, so the mails and chat messages carry no link (and no
	// token is made) and say how else to answer.
	BaseURL string
	// MailTo overrides where a place's mails go (nil: the place's e-mail).
	MailTo func(p *geo.Place) string
	Now    func() time.Time // nil: time.Now
	Log    *slog.Logger     // nil: slog.Default()
	Poll   time.Duration    // how often the sweep looks for due work; 0: 30 s
}

// Service is the structures' side of referrals: it delivers them by mail
// and to a linked chat, serves the page's actions, tells the person about
// every change, and sweeps reminders, expiry and retention.
type Service struct {
	o    Options
	web  *structure.Web
	wake chan struct{}
	mu   sync.Mutex // guards nothing but serialises Sweep passes within one process
}

var _ structure.Desk = (*Service)(nil)

// Time limits of the service's secrets.
const (
	mailTokenTTL = 30 * 24 * time.Hour // a link in a mail opens the page this long
	linkCodeTTL  = time.Hour           // "/structure <code>"
	claimFor     = 2 * time.Minute     // a delivery attempt owns the referral this long
	sweepBatch   = 100
)

// NewService checks the options.
func NewService(o Options) (*Service, error) {
	var missing []string
	if o.Engine == nil {
		missing = append(missing, "Engine")
	}
	if o.Stores.Sessions == nil || o.Stores.Referrals == nil || o.Stores.Structures == nil {
		missing = append(missing, "Stores")
	}
	if o.Places == nil {
		missing = append(missing, "Places")
	}
	if o.Sender == nil {
		missing = append(missing, "Sender")
	}
	if len(missing) > 0 {
		return nil, fmt.Errorf("new referral service: missing %s", strings.Join(missing, ", "))
	}
	if o.Mailer != nil && o.From == "" {
		return nil, errors.New("new referral service: a mailer needs a From address")
	}
	if o.Now == nil {
		o.Now = time.Now
	}
	if o.Log == nil {
		o.Log = slog.Default()
	}
	if o.Poll <= 0 {
		o.Poll = 30 * time.Second
	}
	if o.MailTo == nil {
		o.MailTo = func(p *geo.Place) string { return p.Email }
	}
	o.BaseURL = strings.TrimRight(o.BaseURL, "/")
	s := &Service{o: o, wake: make(chan struct{}, 1)}
	o.Page.Desk = s
	if o.Page.Places == nil {
		o.Page.Places = o.Places
	}
	web, err := structure.NewWeb(o.Page)
	if err != nil {
		return nil, fmt.Errorf("new referral service: %w", err)
	}
	s.web = web
	return s, nil
}

// Web is the structures' page, to mount on the HTTP server at /s/.
func (s *Service) Web() *structure.Web { return s.web }

// Wake makes the sweep run now rather than at its next poll.
func (s *Service) Wake() {
	select {
	case s.wake <- struct{}{}:
	default:
	}
}

// Run sweeps until ctx ends: every poll, at each Wake, and once more a
// hold after a Wake, when a new referral's first mail is due
// (flows.Policy.Hold).
func (s *Service) Run(ctx context.Context) error {
	t := time.NewTicker(s.o.Poll)
	defer t.Stop()
	var (
		held    <-chan time.Time // the next sweep after a hold; nil: none pending
		heldDue time.Time        // when the latest wake's hold ends
	)
	for {
		if _, err := s.Sweep(ctx); err != nil && ctx.Err() == nil {
			s.o.Log.Error("referral sweep failed", slog.Any("err", err))
		}
		select {
		case <-ctx.Done():
			return nil
		case <-t.C:
		case <-held:
			held = nil
			if d := time.Until(heldDue); d > 0 {
				held = time.After(d) // a later wake's hold is still running
			}
		case <-s.wake:
			if h := s.o.Engine.Policy.Hold; h > 0 {
				heldDue = time.Now().Add(h)
				if held == nil {
					held = time.After(h)
				}
			}
		}
	}
}

// Sweep does the work due now on every referral: mails, the reminder, the
// expiry, the purge. It returns how many referrals it looked at.
func (s *Service) Sweep(ctx context.Context) (int, error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	n := 0
	for {
		ids, err := s.o.Stores.Referrals.DueReferrals(ctx, s.o.Now(), sweepBatch)
		if err != nil {
			return n, fmt.Errorf("sweep: %w", err)
		}
		for _, id := range ids {
			if err := s.process(ctx, id); err != nil {
				if ctx.Err() != nil {
					return n, ctx.Err()
				}
				s.o.Log.Error("referral work failed", slog.String("ref", short(id)), slog.Any("err", err))
			}
			n++
		}
		if len(ids) < sweepBatch {
			return n, nil
		}
	}
}

// process does one referral's due work.
func (s *Service) process(ctx context.Context, id string) error {
	now := s.o.Now()
	pol := s.o.Engine.Policy
	r, err := s.o.Stores.Referrals.Referral(ctx, id)
	if errors.Is(err, flows.ErrNoReferral) {
		return nil
	}
	if err != nil {
		return fmt.Errorf("load referral: %w", err)
	}
	if !r.Status.Open() && !now.Before(r.ClosedAt().Add(pol.Retain)) {
		// G.3: deleted 90 days after it ended, even with a mail still
		// queued: retention wins over a structure that could never be
		// reached.
		if err := s.o.Stores.Referrals.DeleteReferral(ctx, id); err != nil {
			return fmt.Errorf("purge referral: %w", err)
		}
		s.o.Log.Info("referral purged", slog.String("ref", short(id)))
		return nil
	}
	if r.Status == flows.StatusSent && !now.Before(r.Created.Add(pol.ExpireAfter)) {
		var changed bool
		r, err = s.update(ctx, id, func(r *flows.Referral) error {
			var err error
			changed, err = r.Transition(flows.StatusClosed, flows.ActorBot, flows.ReasonExpired, now)
			return err
		})
		if err != nil {
			return fmt.Errorf("expire referral: %w", err)
		}
		if changed {
			s.o.Log.Info("referral expired", slog.String("ref", short(id)))
			s.tally(ctx, r, flows.StatusClosed, now)
			s.o.Metrics.Referral(string(flows.StatusClosed))
			s.tell(ctx, flows.Notice{Referral: r, Kind: string(flows.StatusClosed)})
		}
	}
	if r.Status == flows.StatusSent && r.Reminded.IsZero() && !now.Before(r.Created.Add(pol.RemindAfter)) {
		r, err = s.update(ctx, id, func(r *flows.Referral) error {
			if r.Status == flows.StatusSent && r.Reminded.IsZero() {
				r.Reminded = now
				r.Delivery.Queue = append(r.Delivery.Queue, flows.MailReminder)
			}
			return nil
		})
		if err != nil {
			return fmt.Errorf("remind referral: %w", err)
		}
	}
	for len(r.Delivery.Queue) > 0 && !now.Before(r.Delivery.Next) {
		if r, err = s.deliver(ctx, r, now); err != nil {
			return err
		}
		if r.Delivery.Err != "" {
			break // failed: the backoff decides when to try again
		}
	}
	return nil
}

// errClaimed means another pass (or instance) is already delivering.
var errClaimed = errors.New("delivery claimed elsewhere")

// deliver sends the first queued mail of r to its structure, by e-mail and
// to its linked chat. A failure keeps the mail queued, with a backoff, and
// shows on the page; nothing is dropped.
func (s *Service) deliver(ctx context.Context, r flows.Referral, now time.Time) (flows.Referral, error) {
	// Claim the attempt: two sweeps (two instances) must not both send.
	r, err := s.update(ctx, r.ID, func(r *flows.Referral) error {
		if len(r.Delivery.Queue) == 0 || now.Before(r.Delivery.Next) {
			return errClaimed
		}
		r.Delivery.Next = now.Add(claimFor)
		return nil
	})
	if errors.Is(err, errClaimed) || errors.Is(err, flows.ErrNoReferral) {
		return flows.Referral{}, nil
	}
	if err != nil {
		return r, fmt.Errorf("claim delivery: %w", err)
	}
	kind := r.Delivery.Queue[0]
	sendErr := s.send(ctx, kind, r, now)
	ended := false // nobody can read the referral: it ends now
	r, err = s.update(ctx, r.ID, func(r *flows.Referral) error {
		d := &r.Delivery
		ended = false
		if sendErr != nil {
			d.Attempts++
			d.Next = now.Add(backoff(d.Attempts))
			d.Err = errClass(sendErr)
			if kind == flows.MailNew && d.Sent == 0 && errors.Is(sendErr, errNobody) && r.Status.Open() {
				// Retrying a refused address would only make the person
				// wait 14 days for the expiry: end it, so that they hear
				// now and are offered the next place of their list.
				var err error
				if ended, err = r.Transition(flows.StatusClosed, flows.ActorBot, flows.ReasonUndeliverable, now); err != nil {
					return err
				}
				d.Queue, d.Next = nil, time.Time{}
			}
			return nil
		}
		if i := slices.Index(d.Queue, kind); i >= 0 {
			d.Queue = slices.Delete(d.Queue, i, i+1)
		} else if len(d.Queue) == 0 && r.Status == flows.StatusClosed && r.Reason == flows.ReasonWithdrawn &&
			kind != flows.MailWithdrawn && kind != flows.MailForget {
			// Withdrawn or forgotten while this mail was on its way, and
			// the queue emptied as if the place had never heard of it: ask
			// it to delete what just arrived.
			d.Queue = []string{flows.MailForget}
		}
		d.Attempts, d.Next, d.Err = 0, time.Time{}, ""
		d.Sent++
		d.Last = now
		return nil
	})
	if err != nil {
		return r, fmt.Errorf("record delivery: %w", err)
	}
	attrs := []any{slog.String("ref", short(r.ID)), slog.String("kind", kind)}
	switch {
	case ended:
		s.o.Metrics.DeliveryFailure(r.Delivery.Err)
		s.o.Log.Warn("referral undeliverable", append(attrs, slog.Any("err", sendErr))...)
		s.tally(ctx, r, flows.StatusClosed, now)
		s.o.Metrics.Referral(string(flows.StatusClosed))
		s.tell(ctx, flows.Notice{Referral: r, Kind: string(flows.StatusClosed)})
		// The person was told the place never got it: a page opened later
		// must not show it either. After tell, which needs the chat and the
		// next places.
		if _, err := s.update(ctx, r.ID, func(r *flows.Referral) error { r.Scrub(); return nil }); err != nil {
			s.o.Log.Error("scrub undeliverable referral failed", slog.String("ref", short(r.ID)), slog.Any("err", err))
		}
	case sendErr != nil:
		s.o.Metrics.DeliveryFailure(r.Delivery.Err)
		s.o.Log.Warn("referral delivery failed", append(attrs, slog.Int("attempt", r.Delivery.Attempts),
			slog.Time("retry_at", r.Delivery.Next), slog.Any("err", sendErr))...)
	default:
		s.o.Log.Info("referral delivered", attrs...)
	}
	return r, nil
}

// copyKeeper is a Mailer that keeps a copy of each mail it sends
// (mail.Outbox): "/oubli" removes the copies of a referral's mails.
type copyKeeper interface {
	Forget(prefix string) (int, error)
}

// send delivers one mail kind by e-mail and to the structure's chat. It
// succeeds if either way reached the structure. A failure wraps errNobody
// when no way could ever carry it: no chat linked, and the address
// refused for good or missing.
func (s *Service) send(ctx context.Context, kind string, r flows.Referral, now time.Time) error {
	p, ok := s.o.Places.Place(r.Place)
	if !ok {
		return errNoPlace
	}
	if ck, ok := s.o.Mailer.(copyKeeper); ok && kind == flows.MailForget {
		// The person asked to be forgotten: the outbox's copies of the
		// earlier mails go before the mail asking the structure to delete
		// its own (the Message-IDs start with the referral id).
		n, err := ck.Forget(r.ID + ".")
		if err != nil {
			return fmt.Errorf("remove outbox copies: %w", err)
		}
		s.o.Log.Info("outbox copies removed", slog.String("ref", short(r.ID)), slog.Int("files", n))
	}
	link, err := s.issue(ctx, r.Place, now.Add(mailTokenTTL))
	if err != nil {
		return err
	}
	var errs []error
	reached, final := false, false
	linked, err := s.o.Stores.Structures.StructureChat(ctx, r.Place)
	chat := linked.Chat
	if err != nil {
		errs = append(errs, fmt.Errorf("structure chat: %w", err))
	}
	noChat := chat == "" && err == nil
	if chat != "" {
		text := s.web.Summary(kind, r, p, link)
		if err := s.o.Sender.Send(ctx, chat, []flows.Reply{{Text: text}}); err != nil {
			errs = append(errs, fmt.Errorf("structure chat: %w", err))
		} else {
			reached = true
		}
	}
	switch to := s.o.MailTo(p); {
	case s.o.Mailer == nil:
	case to == "":
		errs = append(errs, errNoAddress)
		final = true
	default:
		subject, text, html, err := s.web.Mail(kind, r, p, link)
		if err != nil {
			return fmt.Errorf("render mail: %w", err)
		}
		m := mail.Message{From: s.o.From, To: to, Subject: subject, Text: text, HTML: html, Date: now,
			ID: r.ID + "." + kind + "." + fmt.Sprint(r.Delivery.Sent)}
		if err := s.o.Mailer.Send(ctx, m); err != nil {
			errs = append(errs, err)
			final = mail.Permanent(err)
		} else {
			reached = true
		}
	}
	if reached {
		return nil
	}
	if len(errs) == 0 {
		return errNoWay
	}
	if final && noChat {
		errs = append(errs, errNobody)
	}
	return errors.Join(errs...)
}

var (
	errNoPlace   = errors.New("place no longer in the directory")
	errNoAddress = errors.New("place has no e-mail address")
	errNoWay     = errors.New("no mailer and no linked chat")
	errNobody    = errors.New("nobody at the place can read it")
)

// errClass is the short, personal-data-free cause the page shows.
func errClass(err error) string {
	switch {
	case errors.Is(err, errNoAddress):
		return "no_address"
	case errors.Is(err, errNoPlace):
		return "no_place"
	case errors.Is(err, errNoWay):
		return "no_way"
	case mail.Permanent(err):
		return "refused"
	}
	return "unavailable"
}

// backoff spaces the attempts: a minute, then longer, at most six hours.
func backoff(attempt int) time.Duration {
	steps := []time.Duration{time.Minute, 5 * time.Minute, 15 * time.Minute, time.Hour, 3 * time.Hour}
	if attempt-1 < len(steps) {
		return steps[max(attempt-1, 0)]
	}
	return 6 * time.Hour
}

func (s *Service) update(ctx context.Context, id string, fn func(*flows.Referral) error) (flows.Referral, error) {
	return s.o.Engine.UpdateReferral(ctx, s.o.Stores.Referrals, id, fn)
}

// tell sends the person a notice about their referral. A person who
// blocked the bot is marked unreachable, which the page shows.
func (s *Service) tell(ctx context.Context, n flows.Notice) {
	out, err := s.o.Engine.Notify(ctx, s.o.Stores, n, s.o.Now())
	if err != nil {
		s.o.Log.Error("notice failed", slog.String("ref", short(n.Referral.ID)), slog.Any("err", err))
	}
	if len(out.Replies) == 0 {
		return
	}
	err = s.o.Sender.Send(ctx, n.Referral.Chat, out.Replies)
	switch {
	case errors.Is(err, bot.ErrUnreachable):
		s.o.Log.Warn("person unreachable", slog.String("ref", short(n.Referral.ID)))
		_, err = s.update(ctx, n.Referral.ID, func(r *flows.Referral) error {
			r.Unreachable = true
			return nil
		})
		if err != nil && !errors.Is(err, flows.ErrNoReferral) {
			s.o.Log.Error("mark unreachable failed", slog.String("ref", short(n.Referral.ID)), slog.Any("err", err))
		}
	case err != nil:
		s.o.Log.Error("notice not sent", slog.String("ref", short(n.Referral.ID)), slog.String("kind", n.Kind), slog.Any("err", err))
	default:
		s.o.Log.Info("notice sent", slog.String("ref", short(n.Referral.ID)), slog.String("kind", n.Kind))
	}
}

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

// tally counts an acceptance (with its delay) or a closing in the
// observatory. A failure costs a count, not the change.
func (s *Service) tally(ctx context.Context, r flows.Referral, to flows.Status, now time.Time) {
	if s.o.Stats == nil {
		return
	}
	t := flows.Tally{Month: flows.MonthOf(now), Area: r.Area, Counts: map[string]int{}}
	switch to {
	case flows.StatusAccepted:
		t.Counts[flows.MetricRefAccepted] = 1
		t.Counts[flows.AcceptBucket(now.Sub(r.Created))] = 1
	case flows.StatusClosed:
		t.Counts[flows.MetricRefClosed] = 1
	default:
		return
	}
	if err := s.o.Stats.Record(ctx, t); err != nil {
		s.o.Log.Warn("tally not recorded", slog.String("ref", short(r.ID)), slog.Any("err", err))
	}
}

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
