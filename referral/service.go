package referral

import (
	"context"
	"errors"
	"fmt"
	"log/slog"
	"strings"
	"sync"
	"time"

	"github.com/secours/secours/bot"
	"github.com/secours/secours/bot/metrics"
	"github.com/secours/secours/flows"
	"github.com/secours/secours/geo"
)

// Renderer writes what reaches a structure in its language: a mail and
// the summary sent to its linked chat. The structures' page is one
// (web/structure's Web), since the mails carry its wording and its link.
type Renderer interface {
	Mail(kind string, r flows.Referral, place *geo.Place, link string) (subject, text, html string, err error)
	Summary(kind string, r flows.Referral, place *geo.Place, link string) string
}

// Places finds a structure's place by id; *geo.Directory is one.
type Places interface {
	Place(id string) (*geo.Place, bool)
}

// Stores is what the service keeps referrals and structures' access in.
type Stores struct {
	Sessions   flows.SessionStore // the person's, for the notices (flows.Engine.Notify)
	Referrals  Store
	Structures flows.StructureStore
}

// Options configure a Service.
type Options struct {
	Engine *flows.Engine // renders the person's notices; its Policy times referrals
	Stores Stores        // sessions, referrals and structures: all required
	Places Places
	// Page builds the renderer of the mails and chat summaries, given the
	// service: the structures' page, which serves the service (its Desk)
	// and has the wording. Required.
	Page   func(*Service) (Renderer, error)
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

// Service owns a referral's whole life. Its Ledger creates, withdraws,
// forgets and relays at the person's request (flows.Referrals), and wakes
// the sweep. The service delivers referrals by mail and to a linked chat,
// serves the structures' page (desk.go), tells the person about every
// change, and sweeps reminders, expiry and retention.
type Service struct {
	*Ledger
	o      Options
	render Renderer
	wake   chan struct{}
	mu     sync.Mutex // guards nothing but serialises Sweep passes within one process
}

var _ flows.Referrals = (*Service)(nil)

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
	if o.Page == nil {
		missing = append(missing, "Page")
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
	s.Ledger = &Ledger{engine: o.Engine, store: o.Stores.Referrals, wake: s.Wake}
	render, err := o.Page(s)
	if err != nil {
		return nil, fmt.Errorf("new referral service: %w", err)
	}
	s.render = render
	return s, nil
}

// Wake makes the sweep run now rather than at its next poll. The Ledger's
// changes call it: a new referral, a withdrawal, a relayed message.
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
	if pendingAt(r) && !s.placeExists(r.Place) {
		// A backstop for PlacesRemoved, when the instance that published
		// the removal could not finish it.
		_, err := s.closeByBot(ctx, r.ID, flows.ReasonRemoved, pendingAt, now)
		return err
	}
	if r.Status == flows.StatusSent && !now.Before(r.Created.Add(pol.ExpireAfter)) {
		if r, err = s.closeByBot(ctx, id, flows.ReasonExpired, nil, now); err != nil {
			return fmt.Errorf("expire referral: %w", err)
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

// tell sends the person a notice about their referral. A person who
// blocked the bot is marked unreachable, which the page shows.
func (s *Service) tell(ctx context.Context, n flows.Notice) {
	st := flows.Stores{Sessions: s.o.Stores.Sessions, Structures: s.o.Stores.Structures}
	out, err := s.o.Engine.Notify(ctx, st, n, s.o.Now())
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

// pendingAt reports whether r still waits for its structure to take it:
// sent or seen, not yet accepted.
func pendingAt(r flows.Referral) bool {
	return r.Status == flows.StatusSent || r.Status == flows.StatusSeen
}

func (s *Service) placeExists(id string) bool {
	_, ok := s.o.Places.Place(id)
	return ok
}

// PlacesRemoved ends, for each place a network took off the directory,
// the referrals it had not accepted yet, and offers each person the next
// place of their list (flows.ReasonRemoved): nobody is left waiting for a
// place that no longer exists. An accepted one goes on: the structure
// knows the person. network.Service calls it after a publish or an undo
// that removes places; the sweep does the same for a referral it meets.
func (s *Service) PlacesRemoved(ctx context.Context, ids []string) (int, error) {
	now := s.o.Now()
	n := 0
	var errs []error
	for _, place := range ids {
		if s.placeExists(place) {
			continue // back already (an undo of the removal)
		}
		rs, err := s.o.Stores.Referrals.Referrals(ctx, place, 500)
		if err != nil {
			errs = append(errs, fmt.Errorf("referrals of a removed place: %w", err))
			continue
		}
		for _, r := range rs {
			if !pendingAt(r) {
				continue
			}
			if _, err := s.closeByBot(ctx, r.ID, flows.ReasonRemoved, pendingAt, now); err != nil {
				errs = append(errs, err)
				continue
			}
			n++
		}
	}
	return n, errors.Join(errs...)
}

// closeByBot ends referral id for reason (expired, removed) and tells
// the person; still, if set, must hold when the update runs (a removal
// spares a referral accepted meanwhile), or nothing changes.
func (s *Service) closeByBot(ctx context.Context, id, reason string, still func(flows.Referral) bool, now time.Time) (flows.Referral, error) {
	var changed bool
	r, err := s.update(ctx, id, func(r *flows.Referral) error {
		if still != nil && !still(*r) {
			return nil
		}
		var err error
		changed, err = r.Transition(flows.StatusClosed, flows.ActorBot, reason, now)
		return err
	})
	if err != nil {
		return r, fmt.Errorf("close referral (%s): %w", reason, err)
	}
	if changed {
		s.o.Log.Info("referral closed", slog.String("ref", short(id)), slog.String("reason", reason))
		s.tally(ctx, r, flows.StatusClosed, now)
		s.o.Metrics.Referral(string(flows.StatusClosed))
		s.tell(ctx, flows.Notice{Referral: r, Kind: string(flows.StatusClosed)})
	}
	return r, nil
}
