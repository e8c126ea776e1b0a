package referral_test

import (
	"context"
	"strings"
	"testing"
	"time"

	"github.com/secours/secours/referral"
)

// TestChangesWakeTheSweep: a new referral and a relayed message reach the
// structure without waiting for the sweep's next poll: the service's own
// changes wake its running sweep (bot.Runner had a Wake hook for this).
func TestChangesWakeTheSweep(t *testing.T) {
	d := newDesk(t)
	d.e.Policy.Hold = 0 // nothing to wait out: only the wake can send at once
	d.service(func(o *referral.Options) {
		d.withMail(o)
		o.Poll = time.Hour
	})
	ctx, cancel := context.WithCancel(t.Context())
	done := make(chan error)
	go func() { done <- d.svc.Run(ctx) }()
	defer func() {
		cancel()
		if err := <-done; err != nil {
			t.Error(err)
		}
	}()
	d.refer("tg:1")
	d.smtp.Wait(t, 1, 5*time.Second)
	d.say("tg:1", "Je suis libre le matin")
	msgs := d.smtp.Wait(t, 2, 5*time.Second)
	if body := decode(t, msgs[1]); !strings.Contains(body, "la personne vous a écrit") {
		t.Errorf("second mail is not the relayed message's:\n%s", body)
	}
}
