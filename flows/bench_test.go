package flows_test

import (
	"testing"

	"github.com/secours/secours/flows"
)

// BenchmarkStep is one conversation step in memory: decode the session,
// fire the event, render the reply, encode the session (issue 4 target:
// under 50 µs and 100 allocations).
func BenchmarkStep(b *testing.B) {
	e := newEngine(b)
	s := flows.NewSession("tg:42", t0)
	for i, txt := range []string{"x", "fr", "belgique", "moi", "santé", "ordi", "maison"} {
		s = e.Step(s, flows.Msg{Chat: "tg:42", ID: "w" + itoa(i), Kind: flows.KindText, Text: txt}, t0).Session
	}
	stored, err := s.Encode()
	if err != nil {
		b.Fatal(err)
	}
	msgs := []flows.Msg{
		{Chat: "tg:42", ID: "m1", Kind: flows.KindChoice, Choice: "skills:web"},
		{Chat: "tg:42", ID: "m2", Kind: flows.KindText, Text: "2"},
	}
	b.ReportAllocs()
	i := 0
	for b.Loop() {
		cur, err := flows.DecodeSession(stored)
		if err != nil {
			b.Fatal(err)
		}
		out := e.Step(cur, msgs[i%2], t0)
		if _, err := out.Session.Encode(); err != nil {
			b.Fatal(err)
		}
		if out.Session.State != "online_done" {
			b.Fatalf("state %s", out.Session.State)
		}
		i++
	}
}
