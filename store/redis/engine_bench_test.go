package redis

import (
	"strconv"
	"sync/atomic"
	"testing"
	"time"

	"github.com/secours/secours/configs"
	"github.com/secours/secours/flows"
	"github.com/secours/secours/store/memory"
)

func benchEngine(b testing.TB) *flows.Engine {
	b.Helper()
	e, err := configs.Engine()
	if err != nil {
		b.Fatal(err)
	}
	return e
}

// stepper walks one chat to the skills question, then alternates an
// answer and "retour", so every step is a real load, step and save.
type stepper struct {
	chat flows.ChatID
	n    int
}

func (s *stepper) msg() flows.Msg {
	s.n++
	text := "2"
	if s.n%2 == 0 {
		text = "retour"
	}
	return flows.Msg{Chat: s.chat, ID: strconv.Itoa(s.n), Kind: flows.KindText, Text: text}
}

func warm(b *testing.B, e *flows.Engine, st flows.SessionStore, s *stepper, now time.Time) {
	b.Helper()
	for _, txt := range []string{"x", "fr", "belgique", "moi", "santé", "ordi", "maison"} {
		s.n++
		m := flows.Msg{Chat: s.chat, ID: "w" + strconv.Itoa(s.n), Kind: flows.KindText, Text: txt}
		if _, err := e.Handle(b.Context(), flows.Stores{Sessions: st}, m, now); err != nil {
			b.Fatal(err)
		}
	}
}

// BenchmarkEngineStep is one whole conversation step through a store:
// load, decode, fire the event, render, encode, compare-and-set. Compare
// redis with BareGetSet of the same run (issue 22 target: at most 1.2x);
// redis_uncached is the same store without its copy of saved sessions,
// two round trips a step.
func BenchmarkEngineStep(b *testing.B) {
	e := benchEngine(b)
	now := time.Date(2026, 11, 24, 9, 0, 0, 0, time.UTC)
	for _, c := range []struct {
		name string
		st   func(b *testing.B) flows.SessionStore
	}{
		{"memory", func(*testing.B) flows.SessionStore { return memory.New(time.Hour, nil) }},
		{"redis", func(b *testing.B) flows.SessionStore { return newStore(b, Options{}) }},
		{"redis_uncached", func(b *testing.B) flows.SessionStore { return newStore(b, Options{Cache: -1}) }},
	} {
		b.Run(c.name, func(b *testing.B) {
			st := c.st(b)
			s := &stepper{chat: "tg:bench"}
			warm(b, e, st, s, now)
			b.ReportAllocs()
			for b.Loop() {
				if _, err := e.Handle(b.Context(), flows.Stores{Sessions: st}, s.msg(), now); err != nil {
					b.Fatal(err)
				}
			}
		})
		b.Run(c.name+"_parallel", func(b *testing.B) {
			st := c.st(b)
			var chats atomic.Int64
			var steps atomic.Int64
			b.RunParallel(func(pb *testing.PB) {
				s := &stepper{chat: flows.ChatID("tg:p" + strconv.FormatInt(chats.Add(1), 10))}
				warm(b, e, st, s, now)
				for pb.Next() {
					if _, err := e.Handle(b.Context(), flows.Stores{Sessions: st}, s.msg(), now); err != nil {
						b.Error(err)
						return
					}
					steps.Add(1)
				}
			})
			b.ReportMetric(float64(steps.Load())/b.Elapsed().Seconds(), "steps/s")
		})
	}
}
