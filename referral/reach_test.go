package referral_test

import (
	"context"
	"os"
	"path/filepath"
	"slices"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/secours/secours/flows"
	"github.com/secours/secours/referral"
	"github.com/secours/secours/referral/mail"
	"github.com/secours/secours/referral/mail/smtptest"
)

// ocmwAntwerpen has no e-mail address in the directory.
const ocmwAntwerpen = "ocmw-vlaanderen/OVO002350"

// link links chat to place with a code from the structure's page.
func (d *desk) link(place string, chat flows.ChatID) {
	d.t.Helper()
	code, err := d.svc.LinkCode(d.t.Context(), place)
	if err != nil {
		d.t.Fatal(err)
	}
	if out := d.say(chat, "/structure "+code); !strings.Contains(out.Replies[len(out.Replies)-1].Text, "nouvelles demandes pour") {
		d.t.Fatalf("link reply: %+v", out.Replies)
	}
}

// toAntwerpen runs a conversation to Antwerpen and picks the OCMW if a
// list is shown; it returns the replies of the last step and the state.
func (d *desk) toAntwerpen(chat flows.ChatID) (string, string) {
	d.t.Helper()
	out := d.say(chat, "x", "fr", "belgique", "moi", "santé", "smartphone seul", "sur le telephone",
		"whatsapp, photos", "oui avec aide", "peur", "des textes", "non", "2000")
	if out.Session.State == flows.StatePick {
		i := slices.Index(out.Session.Places, ocmwAntwerpen)
		if i < 0 {
			d.t.Fatalf("no OCMW Antwerpen in %v", out.Session.Places)
		}
		out = d.say(chat, strconv.Itoa(i+1))
	}
	var b strings.Builder
	for _, r := range out.Replies {
		b.WriteString(r.Text + "\n")
	}
	return b.String(), out.Session.State
}

// TestLinkedChatWithoutEmail: a place without an e-mail address gets no
// referral until a chat is linked to it (the person gets the hand-over
// card instead); once linked, the referral is offered and delivered to
// that chat.
func TestLinkedChatWithoutEmail(t *testing.T) {
	d := newDesk(t)
	txt, state := d.toAntwerpen("tg:700")
	if !strings.Contains(txt, "OCMW Antwerpen ne reçoit pas encore de demandes par Secours") ||
		!strings.Contains(txt, "à montrer à l'accueil") || state != flows.StateDone {
		t.Fatalf("unlinked OCMW (state %s):\n%s", state, txt)
	}
	if out := d.say("tg:700", "oui", "ici"); out.Referral != nil {
		t.Fatalf("a referral to a place nobody reads: %+v", out.Referral)
	}

	d.link(ocmwAntwerpen, "tg:999")
	if txt, state := d.toAntwerpen("tg:701"); state != flows.StateConsent || !strings.Contains(txt, "OCMW Antwerpen vous contacte") {
		t.Fatalf("linked OCMW, no consent asked (state %s):\n%s", state, txt)
	}
	out := d.say("tg:701", "oui", "ici")
	if out.Referral == nil || out.Referral.Place != ocmwAntwerpen {
		t.Fatalf("no referral to the linked OCMW: %+v", out.Replies)
	}
	d.clk.Add(d.e.Policy.Hold)
	d.sweep()
	if got := d.chat.text("tg:999"); !strings.Contains(got, out.Referral.ID[:6]) {
		t.Errorf("the linked chat got %q", got)
	}
	got := d.referral(out.Referral.ID)
	if got.Delivery.Sent != 1 || got.Delivery.Err != "" || len(got.Delivery.Queue) != 0 || len(d.smtp.Messages()) != 0 {
		t.Errorf("delivery %+v, %d mails; want delivered to the chat only", got.Delivery, len(d.smtp.Messages()))
	}
}

// TestRefusedMailOffersNextPlace: a mail refused for good (SMTP 5xx) to a
// place with no linked chat ends the referral at once; the person is told
// and offered the next place, which gets it.
func TestRefusedMailOffersNextPlace(t *testing.T) {
	d := newDesk(t)
	d.smtp.SetFailures(1, 550)
	r := d.refer("tg:710")
	if len(r.Next) == 0 {
		t.Fatal("Lille should offer several places")
	}
	d.sweep()
	got := d.referral(r.ID)
	if got.Status != flows.StatusClosed || got.Reason != flows.ReasonUndeliverable || len(got.Delivery.Queue) != 0 {
		t.Fatalf("after a 550: %s (%s), queue %v", got.Status, got.Reason, got.Delivery.Queue)
	}
	if got.Chat != "" || got.Need != "" || got.Postcode != "" {
		t.Errorf("a referral the place never got keeps the person's data: %+v", got)
	}
	txt := d.chat.text("tg:710")
	for _, want := range []string{"n'a pas pu être remise à", "Ils ne l'ont pas reçue", "le suivant de la liste"} {
		if !strings.Contains(txt, want) {
			t.Errorf("notice lacks %q:\n%s", want, txt)
		}
	}
	out := d.say("tg:710", "oui", "ici")
	if out.Referral == nil || out.Referral.Place != r.Next[0] {
		t.Fatalf("next referral: %+v", out.Referral)
	}
	d.clk.Add(d.e.Policy.Hold)
	d.sweep()
	if msgs := d.smtp.Wait(t, 1, 5*time.Second); !strings.Contains(decode(t, msgs[0]), shortRef(out.Referral.ID)) {
		t.Errorf("the next place's mail:\n%s", decode(t, msgs[0]))
	}
}

func shortRef(id string) string { return id[:6] }

// TestForgetAsksStructureToDelete: after /oubli, a structure that got the
// referral by mail and in its linked chat is asked, both ways, to delete
// it; the person is told that we ask and cannot do it for them.
func TestForgetAsksStructureToDelete(t *testing.T) {
	d := newDesk(t)
	r := d.refer("tg:720")
	d.link(r.Place, "tg:998")
	d.sweep()
	d.smtp.Wait(t, 1, 5*time.Second)
	d.chat.text("tg:998")
	p, _ := d.dir.Place(r.Place)
	out := d.say("tg:720", "/oubli")
	var all []string
	for _, rp := range out.Replies {
		all = append(all, rp.Text)
	}
	if txt := strings.Join(all, "\n"); !strings.Contains(txt, "Votre demande avait déjà été envoyée à : "+p.Name) {
		t.Errorf("/oubli reply:\n%s", txt)
	}
	d.sweep()
	body := decode(t, d.smtp.Wait(t, 2, 5*time.Second)[1])
	if !strings.Contains(body, "a demandé à Secours d'effacer ses données") || strings.Contains(body, "Santé") {
		t.Errorf("forget mail:\n%s", body)
	}
	if txt := d.chat.text("tg:998"); !strings.Contains(txt, "a demandé l'effacement de ses données") {
		t.Errorf("linked chat got %q", txt)
	}
}

// TestForgetRemovesOutboxCopies: without an SMTP server the mails are
// files; /oubli removes the referral's, and leaves the request to delete.
func TestForgetRemovesOutboxCopies(t *testing.T) {
	dir := t.TempDir()
	d := newDeskMailer(t, &mail.Outbox{Dir: dir}, "secours@example.org")
	r := d.refer("tg:730")
	d.sweep()
	files := func() []string {
		ents, err := os.ReadDir(dir)
		if err != nil {
			t.Fatal(err)
		}
		var out []string
		for _, e := range ents {
			out = append(out, e.Name())
		}
		return out
	}
	if got := files(); len(got) != 1 || !strings.Contains(got[0], r.ID+".new.") {
		t.Fatalf("outbox before /oubli: %v", got)
	}
	d.say("tg:730", "/oubli")
	d.sweep()
	got := files()
	if len(got) != 1 || !strings.Contains(got[0], r.ID+".forget.") {
		t.Fatalf("outbox after /oubli: %v, want the request to delete only", got)
	}
	b, err := os.ReadFile(filepath.Join(dir, got[0]))
	if err != nil {
		t.Fatal(err)
	}
	if strings.Contains(string(b), "Besoin") || strings.Contains(string(b), "59000") {
		t.Errorf("the request to delete holds the referral:\n%s", b)
	}
}

// hookMailer runs before on its first Send, then sends with next.
type hookMailer struct {
	next   referral.Mailer
	before func()
}

func (h *hookMailer) Send(ctx context.Context, m mail.Message) error {
	if f := h.before; f != nil {
		h.before = nil
		f()
	}
	return h.next.Send(ctx, m)
}

// TestForgetDuringDelivery: /oubli while the first mail is on its way
// finds nothing delivered yet; once the mail arrives, the place is asked
// to delete it all the same.
func TestForgetDuringDelivery(t *testing.T) {
	srv := smtptest.NewServer(t)
	cfg, err := mail.ParseURL(srv.URL("secours@example.org"))
	if err != nil {
		t.Fatal(err)
	}
	hook := &hookMailer{next: mail.NewSMTP(cfg)}
	d := newDeskMailer(t, hook, cfg.From)
	r := d.refer("tg:740")
	hook.before = func() { d.say("tg:740", "/oubli") }
	d.sweep()
	msgs := srv.Wait(t, 2, 5*time.Second)
	if body := decode(t, msgs[1]); !strings.Contains(body, "a demandé à Secours d'effacer ses données") {
		t.Errorf("second mail:\n%s", body)
	}
	if got := d.referral(r.ID); got.Delivery.Sent != 2 || len(got.Delivery.Queue) != 0 {
		t.Errorf("delivery %+v, want the mail and the request to delete it sent", got.Delivery)
	}
}
