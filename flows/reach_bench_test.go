package flows_test

import (
	"strconv"
	"testing"
	"time"

	"github.com/secours/secours/flows"
	"github.com/secours/secours/referral"
	"github.com/secours/secours/store/memory"
)

// BenchmarkPickReach measures Handle picking a place then going back to
// the list: the EPN has an e-mail address (no look-up), the OCMW has
// none but a linked chat, so its step looks the chat up and runs again.
// Compare the two in one run: go test ./flows -run - -bench PickReach.
func BenchmarkPickReach(b *testing.B) {
	for _, bc := range []struct{ name, pick string }{{"email", "1"}, {"linked_chat", "2"}} {
		b.Run(bc.name, func(b *testing.B) {
			e := newEngine(b)
			now := t0
			st := memory.New(time.Hour, func() time.Time { return now })
			if err := st.SetStructureChat(b.Context(), "be-ocmw", flows.ChatLink{Chat: "tg:77"}); err != nil {
				b.Fatal(err)
			}
			stores := flows.Stores{Sessions: st, Referrals: referral.NewLedger(e, st), Structures: st}
			n := 0
			say := func(text string) flows.Outcome {
				n++
				now = now.Add(time.Second)
				out, err := e.Handle(b.Context(), stores, flows.Msg{Chat: "tg:1", ID: strconv.Itoa(n), Kind: flows.KindText, Text: text}, now)
				if err != nil {
					b.Fatal(err)
				}
				return out
			}
			for _, txt := range toReferral[:len(toReferral)-2] { // up to the place list
				say(txt)
			}
			for b.Loop() {
				if out := say(bc.pick); out.Session.State != flows.StateConsent {
					b.Fatalf("state %s after pick %s", out.Session.State, bc.pick)
				}
				say("retour")
			}
		})
	}
}
