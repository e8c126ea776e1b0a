package flows_test

import (
	"context"
	"errors"
	"fmt"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/secours/secours/flows"
	"github.com/secours/secours/referral"
	"github.com/secours/secours/store/memory"
)

// handler drives Engine.Handle with the memory store.
type handler struct {
	t   *testing.T
	e   *flows.Engine
	st  *memory.Store
	now time.Time
	n   int
	out flows.Outcome
}

func newHandler(t *testing.T) *handler {
	h := &handler{t: t, e: newEngine(t), now: t0}
	h.st = memory.New(time.Hour, func() time.Time { return h.now })
	ids := 0
	h.e.NewID = func() string { ids++; return "ref" + strings.Repeat("x", ids) }
	return h
}

func (h *handler) stores() flows.Stores {
	return flows.Stores{Sessions: h.st, Referrals: referral.NewLedger(h.e, h.st), Structures: h.st}
}

func (h *handler) say(chat flows.ChatID, texts ...string) {
	h.t.Helper()
	for _, txt := range texts {
		h.n++
		h.now = h.now.Add(5 * time.Second)
		out, err := h.e.Handle(h.t.Context(), h.stores(), flows.Msg{Chat: chat, ID: "m" + string(rune('a'+h.n%26)) + strings.Repeat("!", h.n/26), Kind: flows.KindText, Text: txt}, h.now)
		if err != nil {
			h.t.Fatalf("Handle(%q): %v", txt, err)
		}
		h.out = out
	}
}

// declinedReferral makes the first referral of chat by message, then has
// the structure decline it for reason.
func (h *handler) declinedReferral(chat flows.ChatID, reason string) flows.Referral {
	h.t.Helper()
	h.say(chat, toReferral...)
	h.say(chat, "ici")
	r, err := h.st.UpdateReferral(h.t.Context(), "refx", func(r *flows.Referral) error {
		_, err := r.Transition(flows.StatusDeclined, flows.ActorStructure, reason, h.now)
		return err
	})
	if err != nil {
		h.t.Fatal(err)
	}
	return r
}

func (h *handler) referral(id string) flows.Referral {
	h.t.Helper()
	r, err := h.st.Referral(h.t.Context(), id)
	if err != nil {
		h.t.Fatalf("referral %s: %v", id, err)
	}
	return r
}

var toReferral = []string{"x", "fr", "belgique", "moi", "santé", "smartphone seul", "sur le telephone",
	"whatsapp, photos", "oui avec aide", "peur", "des textes", "non", "1000", "1", "oui"}

func TestHandleStoresReferral(t *testing.T) {
	h := newHandler(t)
	h.say("tg:1", toReferral...)
	h.say("tg:1", "ici")
	if h.out.Referral == nil || h.out.Referral.ID != "refx" || h.out.Session.Ref != "refx" {
		t.Fatalf("referral %+v, session ref %q", h.out.Referral, h.out.Session.Ref)
	}
	r := h.referral("refx")
	// The first mail waits out the hold: a copy of this update running on
	// another instance must have dropped its own referral by then.
	held := h.now.Add(flows.DefaultPolicy.Hold)
	if r.Rev != 1 || r.Place != "be-epn" || r.Chat != "tg:1" || !r.DueAt.Equal(held) {
		t.Errorf("stored %+v, want due at %v", r, held)
	}
	if ids, _ := h.st.Referrals(t.Context(), "be-epn", 0); len(ids) != 1 {
		t.Errorf("place index holds %d", len(ids))
	}
	if due, _ := h.st.DueReferrals(t.Context(), held.Add(-time.Microsecond), 0); len(due) != 0 {
		t.Errorf("due during the hold = %v", due)
	}
	if due, _ := h.st.DueReferrals(t.Context(), held, 0); !slices.Equal(due, []string{"refx"}) {
		t.Errorf("due after the hold = %v", due)
	}
	// A redelivered message creates nothing more.
	out, err := h.e.Handle(t.Context(), h.stores(), flows.Msg{Chat: "tg:1", ID: "again", Kind: flows.KindText, Text: "bonjour"}, h.now)
	if err != nil || out.Relay == "" {
		t.Fatalf("relay: %v %+v", err, out)
	}
	r = h.referral("refx")
	if len(r.Thread) != 1 || r.Thread[0].From != flows.ActorPerson || r.Thread[0].Text != "bonjour" ||
		!slices.Equal(r.Delivery.Queue, []string{flows.MailNew, flows.MailReply}) {
		t.Errorf("after relay: thread %+v queue %v", r.Thread, r.Delivery.Queue)
	}
	if _, err := h.e.Handle(t.Context(), h.stores(), flows.Msg{Chat: "tg:1", ID: "again", Kind: flows.KindText, Text: "bonjour"}, h.now); err != nil {
		t.Fatal(err)
	}
	if r = h.referral("refx"); len(r.Thread) != 1 {
		t.Errorf("a redelivered message was relayed twice")
	}

	// Withdrawal: closed, scrubbed, the structure told only if it had heard.
	h.say("tg:1", "/annuler", "oui")
	r = h.referral("refx")
	if r.Status != flows.StatusClosed || r.Reason != flows.ReasonWithdrawn || r.Chat != "" || r.Thread != nil || r.Need != "" {
		t.Errorf("withdrawn: %+v", r)
	}
	if len(r.Delivery.Queue) != 0 {
		t.Errorf("nothing had reached the structure, yet queue = %v", r.Delivery.Queue)
	}
	if ids, _ := h.st.ChatReferrals(t.Context(), "tg:1"); len(ids) != 0 {
		t.Errorf("chat index still holds %v", ids)
	}
	h.say("tg:1", "encore un message")
	if h.out.Relay != "" {
		t.Errorf("relayed after withdrawal")
	}
}

// TestHandleForgetAsksStructuresToDelete: /oubli erases the referral's
// personal data, and a structure that received the referral (even one
// that has ended) is asked to delete it, which the person is told in
// plain words; one that never received it is not written to.
func TestHandleForgetAsksStructuresToDelete(t *testing.T) {
	const copies = "Votre demande avait déjà été envoyée à : EPN Test. Nous leur demandons d'effacer nos messages"
	tests := []struct {
		name      string
		delivered bool
		to        flows.Status // the structure's change before /oubli; "" none
		reason    string
		queue     []string // mails queued after /oubli
	}{
		{"accepted", true, flows.StatusAccepted, "", []string{flows.MailForget}},
		{"declined earlier", true, flows.StatusDeclined, flows.DeclineFull, []string{flows.MailForget}},
		{"not yet delivered", false, "", "", nil},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			h := newHandler(t)
			h.say("tg:2", toReferral...)
			h.say("tg:2", "par téléphone", "0470 12 34 56")
			if _, err := h.st.UpdateReferral(t.Context(), "refx", func(r *flows.Referral) error {
				if tt.delivered {
					r.Delivery.Queue, r.Delivery.Sent = nil, 1
				}
				if tt.to == "" {
					return nil
				}
				_, err := r.Transition(tt.to, flows.ActorStructure, tt.reason, h.now)
				return err
			}); err != nil {
				t.Fatal(err)
			}
			h.say("tg:2", "/oubli")
			if _, err := h.st.Load(t.Context(), "tg:2"); !errors.Is(err, flows.ErrNoSession) {
				t.Errorf("session kept: %v", err)
			}
			r := h.referral("refx")
			if r.Status.Open() || r.Phone != "" || r.Chat != "" || r.Postcode != "" || r.Need != "" {
				t.Errorf("after /oubli: %+v", r)
			}
			if !slices.Equal(r.Delivery.Queue, tt.queue) {
				t.Errorf("queue %v, want %v", r.Delivery.Queue, tt.queue)
			}
			var all []string
			for _, rp := range h.out.Replies {
				all = append(all, rp.Text)
			}
			if got := strings.Contains(strings.Join(all, "\n"), copies); got != tt.delivered {
				t.Errorf("person told of the structure's copy: %v, want %v; replies %q", got, tt.delivered, all)
			}
		})
	}
}

// failingReferrals refuses every write.
type failingReferrals struct{ *memory.Store }

func (failingReferrals) CreateReferral(context.Context, flows.Referral) error {
	return errors.New("down")
}

func TestHandleReferralStoreDown(t *testing.T) {
	h := newHandler(t)
	h.say("tg:3", toReferral...)
	st := h.stores()
	st.Referrals = referral.NewLedger(h.e, failingReferrals{h.st})
	out, err := h.e.Handle(t.Context(), st, flows.Msg{Chat: "tg:3", ID: "z", Kind: flows.KindText, Text: "ici"}, h.now)
	if err == nil || !strings.Contains(out.Replies[0].Text, "Je n'ai pas pu envoyer la demande") {
		t.Fatalf("err %v replies %+v", err, out.Replies)
	}
	s, _ := h.st.Load(t.Context(), "tg:3")
	if s.State != flows.StateContact || s.Ref != "" {
		t.Errorf("session moved on without its referral: %s %q", s.State, s.Ref)
	}
	// The person tries again once it is back.
	h.say("tg:3", "ici")
	if h.out.Session.Ref == "" {
		t.Errorf("no referral on the second try")
	}
}

func TestHandleStructureLink(t *testing.T) {
	h := newHandler(t)
	if err := h.st.AddLinkCode(t.Context(), "ABCDEFGH23", "be-epn", h.now.Add(time.Hour)); err != nil {
		t.Fatal(err)
	}
	out, err := h.e.Handle(t.Context(), h.stores(), flows.Msg{Chat: "tg:99", ID: "1", Kind: flows.KindCommand, Command: "structure", Arg: "abcdefgh23"}, h.now)
	if err != nil || !strings.Contains(out.Replies[len(out.Replies)-1].Text, "nouvelles demandes pour EPN Test") {
		t.Fatalf("link: %v %+v", err, out.Replies)
	}
	if l, _ := h.st.StructureChat(t.Context(), "be-epn"); l.Chat != "tg:99" || !l.Since.Equal(h.now) {
		t.Errorf("structure chat = %q since %v, want tg:99 since %v", l.Chat, l.Since, h.now)
	}
	out, _ = h.e.Handle(t.Context(), h.stores(), flows.Msg{Chat: "tg:98", ID: "2", Kind: flows.KindText, Text: "/structure ABCDEFGH23"}, h.now)
	if !strings.Contains(out.Replies[len(out.Replies)-1].Text, "inconnu ou périmé") {
		t.Errorf("a used code worked again: %+v", out.Replies)
	}
}

func TestNotifyOffersNextPlace(t *testing.T) {
	h := newHandler(t)
	r := h.declinedReferral("tg:4", flows.DeclineTooFar)
	// The OCMW has no e-mail address: offered next only once a chat is
	// linked to it.
	if err := h.st.SetStructureChat(t.Context(), "be-ocmw", flows.ChatLink{Chat: "tg:77"}); err != nil {
		t.Fatal(err)
	}
	out, err := h.e.Notify(t.Context(), h.stores(), flows.Notice{Referral: r, Kind: "declined"}, h.now)
	if err != nil || len(out.Replies) < 3 {
		t.Fatalf("notify: %v %+v", err, out.Replies)
	}
	s, _ := h.st.Load(t.Context(), "tg:4")
	if s.State != flows.StateConsent || s.Ref != "" || s.Places[0] != "be-ocmw" {
		t.Fatalf("session after decline: %s ref %q places %v", s.State, s.Ref, s.Places)
	}
	h.say("tg:4", "oui", "ici")
	if h.out.Referral == nil || h.out.Referral.Place != "be-ocmw" || len(h.out.Referral.Next) != 0 {
		t.Errorf("second referral: %+v", h.out.Referral)
	}
}

// TestNotifySkipsPlacesThatCannotReceive: the next place of the list is
// offered only if it can receive a referral.
func TestNotifySkipsPlacesThatCannotReceive(t *testing.T) {
	h := newHandler(t)
	r := h.declinedReferral("tg:5", flows.DeclineFull)
	out, err := h.e.Notify(t.Context(), h.stores(), flows.Notice{Referral: r, Kind: "declined"}, h.now)
	if err != nil || len(out.Replies) != 2 || !strings.Contains(out.Replies[1].Text, "/start") {
		t.Fatalf("notify: %v %+v", err, out.Replies)
	}
	if s, _ := h.st.Load(t.Context(), "tg:5"); s.State != flows.StateDone {
		t.Errorf("state %s, want done: the OCMW cannot receive", s.State)
	}
}

// TestHandleOffersOnlyWhereReceived: a place without an e-mail address
// gets a referral only through a linked chat. Without one, no consent is
// asked and nothing is said to be sent: the person is told to go or call,
// with the hand-over card to show.
func TestHandleOffersOnlyWhereReceived(t *testing.T) {
	toOCMW := append(slices.Clone(toReferral[:len(toReferral)-2]), "2") // pick the OCMW
	for _, linked := range []bool{false, true} {
		t.Run(fmt.Sprint("linked=", linked), func(t *testing.T) {
			h := newHandler(t)
			if linked {
				if err := h.st.SetStructureChat(t.Context(), "be-ocmw", flows.ChatLink{Chat: "tg:77"}); err != nil {
					t.Fatal(err)
				}
			}
			h.say("tg:6", toOCMW...)
			var all []string
			for _, rp := range h.out.Replies {
				all = append(all, rp.Text)
			}
			text := strings.Join(all, "\n")
			if !linked {
				for _, want := range []string{"OCMW Test ne reçoit pas encore de demandes par Secours", "📋 Votre résumé Secours",
					"📍 OCMW Test · Straat 2", "📋 Votre résumé Secours, à montrer à l'accueil"} {
					if !strings.Contains(text, want) {
						t.Errorf("replies lack %q:\n%s", want, text)
					}
				}
				if strings.Contains(text, "contacte") || h.out.Session.State != flows.StateDone {
					t.Errorf("consent asked (state %s):\n%s", h.out.Session.State, text)
				}
				h.say("tg:6", "oui", "ici")
				if h.out.Referral != nil || strings.Contains(h.out.Replies[0].Text, "envoyé") {
					t.Errorf("a referral nobody can read: %+v", h.out.Replies)
				}
				return
			}
			if h.out.Session.State != flows.StateConsent || !strings.Contains(text, "Voulez-vous que OCMW Test vous contacte") {
				t.Fatalf("state %s:\n%s", h.out.Session.State, text)
			}
			h.say("tg:6", "oui", "ici")
			if h.out.Referral == nil || h.out.Referral.Place != "be-ocmw" {
				t.Errorf("no referral to the linked OCMW: %+v", h.out.Replies)
			}
		})
	}
}
