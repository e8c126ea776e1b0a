package telegram

import (
	"context"
	"crypto/sha256"
	"encoding/hex"
	"errors"
	"fmt"
	"log/slog"
	"sync"
	"time"
)

// defaultPollLease is the TTL of the polling lease, renewed every third of
// it. A process killed while polling blocks the next start for at most
// this long; a stop by signal releases the lease at once.
const defaultPollLease = 15 * time.Second

// Leases are leases shared by every process on the same store: the Redis
// store has them (the command adapts it). The in-memory store serves one
// process, which needs none. A lease another owner holds is an error
// wrapping ErrLeaseHeld.
type Leases interface {
	Lease(ctx context.Context, name string, ttl time.Duration) (Lease, error)
}

// Lease is one lease held: Lost is closed once it was lost (not renewed in
// time, or taken), Release gives it back.
type Lease interface {
	Lost() <-chan struct{}
	Release(ctx context.Context) error
}

// ErrLeaseHeld is what Leases.Lease wraps when another owner holds the
// lease.
var ErrLeaseHeld = errors.New("lease held by another owner")

// Errors of long polling next to another instance. They say what to do,
// since they end the process.
var (
	ErrPollHeld = errors.New("another Secours instance already polls this Telegram bot (lease in Redis); " +
		"use the webhook mode (TELEGRAM_WEBHOOK_URL) to run several instances")
	ErrPollLost = errors.New("telegram: the polling lease in Redis was taken by another instance: polling stopped; " +
		"use the webhook mode (TELEGRAM_WEBHOOK_URL) to run several instances")
)

// PollLeaseName names the polling lease of a bot by a hash of its token:
// Redis keys show in MONITOR, in slow logs and in backups, and the token
// is the bot's password. 64 bits tell bots apart.
func PollLeaseName(token string) string {
	h := sha256.Sum256([]byte(token))
	return "poll:{" + hex.EncodeToString(h[:8]) + "}"
}

// takePollLease takes the polling lease, or returns ErrPollHeld. A lease
// found held is waited out once: a process killed while polling leaves it
// behind for up to one TTL, while a live one renews it, so a restart
// right after a crash (systemd, a restart policy) is not refused.
func takePollLease(ctx context.Context, leases Leases, c Settings, log *slog.Logger) (Lease, error) {
	ttl := pollLeaseTTL(c)
	name := PollLeaseName(c.Token)
	l, err := leases.Lease(ctx, name, ttl)
	if errors.Is(err, ErrLeaseHeld) {
		log.Warn("telegram: the polling lease is held, waiting once for it to expire", slog.Duration("dur", ttl))
		select {
		case <-ctx.Done():
			return nil, ctx.Err()
		case <-time.After(ttl):
		}
		l, err = leases.Lease(ctx, name, ttl)
	}
	switch {
	case errors.Is(err, ErrLeaseHeld):
		return nil, ErrPollHeld
	case err != nil:
		return nil, fmt.Errorf("telegram polling lease: %w", err)
	}
	return l, nil
}

func pollLeaseTTL(c Settings) time.Duration {
	if c.PollLease > 0 {
		return c.PollLease
	}
	return defaultPollLease
}

// maxRetakeWait bounds the wait between two tries to take the polling
// lease again while Redis is unreachable.
const maxRetakeWait = 5 * time.Second

// retakePollLease takes the polling lease again after it was lost. While
// Redis cannot be reached it tries again, every 100 ms at first and every
// maxRetakeWait at most, until ctx ends: an outage of Redis pauses polling,
// it does not end the process. A lease held by another instance is waited
// out once, as at start-up; still held, it is ErrPollLost.
func retakePollLease(ctx context.Context, leases Leases, c Settings, log *slog.Logger) (Lease, error) {
	var wait time.Duration
	for {
		l, err := takePollLease(ctx, leases, c, log)
		switch {
		case err == nil:
			return l, nil
		case errors.Is(err, ErrPollHeld):
			return nil, ErrPollLost
		case ctx.Err() != nil:
			return nil, ctx.Err()
		}
		wait = min(max(2*wait, 100*time.Millisecond), maxRetakeWait)
		log.Warn("telegram: polling paused, Redis unreachable: trying again", slog.Any("err", err), slog.Duration("dur", wait))
		select {
		case <-ctx.Done():
			return nil, ctx.Err()
		case <-time.After(wait):
		}
	}
}

// pollLeased polls while it holds the lease, until ctx is done, then
// releases the lease, so that the next instance may poll at once. A lease
// lost (Redis unreachable past its TTL, or restarted and emptied) pauses
// polling: the updates in flight are finished, the ones not yet answered
// stay unconfirmed at Telegram, and polling resumes once the lease is
// taken again (retake), where it stopped. Only a lease taken by another
// instance ends it, with ErrPollLost. The lease is released before the
// adapter's last wait, which the stop's bound may cut.
func pollLeased(ctx context.Context, a *Adapter, l Lease, retake func(context.Context) (Lease, error), log *slog.Logger) error {
	var err error
	for {
		pctx, cancel := context.WithCancel(ctx)
		var wg sync.WaitGroup
		wg.Go(func() {
			select {
			case <-l.Lost():
				cancel() // Receive finishes the updates in flight and confirms them
			case <-pctx.Done():
			}
		})
		err = a.Receive(pctx)
		cancel()
		wg.Wait()
		lost := false
		select {
		case <-l.Lost():
			lost = true
		default:
		}
		if err != nil || ctx.Err() != nil || !lost {
			break
		}
		_ = l.Release(context.WithoutCancel(ctx)) // stops the renewal; the key is not ours
		log.Warn("telegram: polling lease lost (Redis unreachable or emptied): polling paused until it is taken again")
		if l, err = retake(ctx); err != nil {
			if ctx.Err() != nil {
				err = nil // a stop while paused
			}
			a.Wait()
			return err
		}
		log.Info("telegram: polling lease taken again: polling resumed")
	}
	rctx, rcancel := context.WithTimeout(context.WithoutCancel(ctx), 5*time.Second)
	defer rcancel()
	if rerr := l.Release(rctx); rerr != nil {
		log.Warn("telegram: polling lease not released: the next start waits for it to expire", slog.Any("err", rerr))
	}
	a.Wait()
	return err
}
