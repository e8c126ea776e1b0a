package referral

import (
	"context"
	"errors"
	"fmt"
	"log/slog"
	"slices"
	"time"

	"github.com/secours/secours/flows"
	"github.com/secours/secours/referral/mail"
)

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
		text := s.render.Summary(kind, r, p, link)
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
		subject, text, html, err := s.render.Mail(kind, r, p, link)
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
