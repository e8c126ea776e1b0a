package referral_test

import (
	"strings"
	"testing"

	"github.com/secours/secours/flows"
	"github.com/secours/secours/geo"
	"github.com/secours/secours/referral"
)

// without is the directory with one place taken off, as a network's
// publish leaves it.
type without struct {
	dir  referral.Places
	gone string
}

func (w without) Place(id string) (*geo.Place, bool) {
	if id == w.gone {
		return nil, false
	}
	return w.dir.Place(id)
}

// TestPlacesRemoved: a network takes a place off the directory. Its
// referral not yet accepted is closed and the person is offered the next
// place of the list, which they can send to at once; an accepted one goes
// on (the structure knows the person).
func TestPlacesRemoved(t *testing.T) {
	d := newDesk(t)
	pending := d.refer("tg:300")
	accepted := d.refer("tg:301")
	other := d.refer("tg:302")
	if pending.Place != accepted.Place || pending.Place != other.Place || len(pending.Next) == 0 {
		t.Fatalf("the three should go to one place with others next: %s %s %s", pending.Place, accepted.Place, other.Place)
	}
	if _, err := d.svc.Act(t.Context(), accepted.Place, accepted.ID, flows.StatusAccepted, ""); err != nil {
		t.Fatal(err)
	}
	d.service(func(o *referral.Options) {
		d.withMail(o)
		o.Places = without{d.dir, pending.Place}
	})

	n, err := d.svc.PlacesRemoved(t.Context(), []string{pending.Place})
	if err != nil || n != 2 {
		t.Fatalf("PlacesRemoved = %d, %v; want 2 (the two not accepted)", n, err)
	}
	if got := d.referral(pending.ID); got.Status != flows.StatusClosed || got.Reason != flows.ReasonRemoved {
		t.Errorf("pending referral after removal: %s %s", got.Status, got.Reason)
	}
	if got := d.referral(accepted.ID); got.Status != flows.StatusAccepted {
		t.Errorf("an accepted referral was touched: %s %s", got.Status, got.Reason)
	}
	txt := d.chat.text("tg:300")
	if !strings.Contains(txt, "Le lieu choisi ne reçoit plus de demandes") || !strings.Contains(txt, "le suivant de la liste") {
		t.Errorf("the person was not told, or not offered the next place: %q", txt)
	}
	if strings.Contains(d.chat.text("tg:301"), "ne reçoit plus") {
		t.Error("the person whose request was accepted was told the place is gone")
	}
	out := d.say("tg:300", "oui", "ici")
	if out.Referral == nil || out.Referral.Place != pending.Next[0] {
		t.Errorf("next referral after the removal: %+v", out.Referral)
	}
}

// TestSweepClosesRemoved: the sweep does the same for a referral that
// PlacesRemoved did not reach (the publishing instance died first).
func TestSweepClosesRemoved(t *testing.T) {
	d := newDesk(t)
	r := d.refer("tg:310")
	d.service(func(o *referral.Options) {
		d.withMail(o)
		o.Places = without{d.dir, r.Place}
	})
	d.sweep()
	if got := d.referral(r.ID); got.Status != flows.StatusClosed || got.Reason != flows.ReasonRemoved {
		t.Errorf("after the sweep: %s %s, want closed removed", got.Status, got.Reason)
	}
	if n := len(d.smtp.Messages()); n != 0 {
		t.Errorf("%d mails sent to a place that is gone", n)
	}
	if !strings.Contains(d.chat.text("tg:310"), "le suivant de la liste") {
		t.Errorf("the person was not offered the next place: %q", d.chat.text("tg:310"))
	}
}
