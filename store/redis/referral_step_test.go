package redis

import (
	"strconv"
	"testing"
	"time"

	"github.com/secours/secours/flows"
	"github.com/secours/secours/referral"
)

// toConsent is a conversation up to the contact question, typed: Lille
// (59000) lists places with an e-mail address, so picking the first asks
// the consent without looking up a linked chat.
var toConsent = []string{"x", "fr", "france", "moi", "santé", "smartphone seul", "sur le telephone",
	"whatsapp, photos", "oui avec aide", "peur", "des textes", "non", "59000", "1", "oui"}

func typed(chat flows.ChatID, id, text string) flows.Msg {
	return flows.Msg{Chat: chat, ID: id, Kind: flows.KindText, Text: text}
}

// TestReferralStepRoundTrips: an ordinary step on a chat this process
// saved last is one round trip, the compare-and-set (issue 22); the step
// that creates a referral costs one more, the create.
func TestReferralStepRoundTrips(t *testing.T) {
	e := benchEngine(t)
	s := newStore(t, Options{})
	st := flows.Stores{Sessions: s, Referrals: referral.NewLedger(e, s), Structures: s}
	now := time.Date(2026, 11, 24, 9, 0, 0, 0, time.UTC)
	const chat = flows.ChatID("tg:77")
	for i, txt := range toConsent[:len(toConsent)-1] {
		if _, err := e.Handle(t.Context(), st, typed(chat, strconv.Itoa(i), txt), now); err != nil {
			t.Fatal(err)
		}
	}
	h := &countHook{}
	s.c.AddHook(h)
	if _, err := e.Handle(t.Context(), st, typed(chat, "c", "oui"), now); err != nil {
		t.Fatal(err)
	}
	plain := len(h.take())
	out, err := e.Handle(t.Context(), st, typed(chat, "r", "ici"), now)
	if err != nil || out.Referral == nil {
		t.Fatalf("referral step: %v %+v", err, out.Replies)
	}
	withReferral := len(h.take())
	if plain != 1 || withReferral != 2 {
		t.Errorf("round trips: ordinary step %d, referral step %d; want 1 and 2", plain, withReferral)
	}
}

// BenchmarkReferralStep is the step that creates a referral, against the
// ordinary step just before it (consent), through Redis: compare the two
// in one run. Each sub-benchmark has a store of its own and each
// iteration a new chat, so that nothing one run leaves (sessions, the
// place's referral index, the store's copies) weighs on the next: the
// allocations per step are the step's own.
func BenchmarkReferralStep(b *testing.B) {
	e := benchEngine(b)
	now := time.Date(2026, 11, 24, 9, 0, 0, 0, time.UTC)
	for _, c := range []struct{ name, last string }{{"consent", "oui"}, {"referral", "ici"}} {
		b.Run(c.name, func(b *testing.B) {
			s := newStore(b, Options{})
			st := flows.Stores{Sessions: s, Referrals: referral.NewLedger(e, s), Structures: s}
			n := 0
			b.ReportAllocs()
			for b.Loop() {
				b.StopTimer()
				n++
				chat := flows.ChatID("tg:b" + c.name + strconv.Itoa(n))
				script := toConsent
				if c.name == "consent" {
					script = toConsent[:len(toConsent)-1]
				}
				for i, txt := range script {
					if _, err := e.Handle(b.Context(), st, typed(chat, strconv.Itoa(i), txt), now); err != nil {
						b.Fatal(err)
					}
				}
				b.StartTimer()
				if _, err := e.Handle(b.Context(), st, typed(chat, "last", c.last), now); err != nil {
					b.Fatal(err)
				}
			}
		})
	}
}
