package redis

import (
	"errors"
	"strconv"
	"strings"
	"sync/atomic"
	"testing"
	"time"

	goredis "github.com/redis/go-redis/v9"

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

// BenchmarkParallelChats: whole engine steps of n chats at once through
// Redis, against the raw pair (GET then SET of 500 bytes, n keys at once)
// in the same iteration, so that both meet the same machine: ratio is
// steps/s ÷ pairs/s (issue 22 targets: ≥ 0.7 at 8 chats, ≥ 0.5 at 50 and
// 200). An iteration is one round: every chat does rounds steps, then
// every key rounds pairs.
func BenchmarkParallelChats(b *testing.B) {
	e := benchEngine(b)
	for _, c := range []struct {
		name  string
		cache int
	}{{"", 0}, {"uncached/", -1}} {
		for _, n := range []int{2, 8, 50, 200} {
			benchParallelChats(b, e, c.name, c.cache, n)
		}
	}
}

// benchParallelChats is one sub-benchmark of BenchmarkParallelChats: n
// chats on a Store with the given Options.Cache.
func benchParallelChats(b *testing.B, e *flows.Engine, name string, cache, n int) {
	now := time.Date(2026, 11, 24, 9, 0, 0, 0, time.UTC)
	const rounds = 20
	val := strings.Repeat("x", 500)
	b.Run(name+"chats="+strconv.Itoa(n), func(b *testing.B) {
		st := newStore(b, Options{Cache: cache})
		ctx := b.Context()
		steppers := make([]*stepper, n)
		for i := range steppers {
			steppers[i] = &stepper{chat: flows.ChatID("tg:par" + strconv.Itoa(i))}
			warm(b, e, st, steppers[i], now)
		}
		var stepT, pairT time.Duration
		for b.Loop() {
			stepT += fanOut(b, n, func(i int) error {
				for range rounds {
					if _, err := e.Handle(ctx, flows.Stores{Sessions: st}, steppers[i].msg(), now); err != nil {
						return err
					}
				}
				return nil
			})
			pairT += fanOut(b, n, func(i int) error {
				key := st.prefix + ":{tg:par" + strconv.Itoa(i) + "}:bare"
				for range rounds {
					if err := st.c.Get(ctx, key).Err(); err != nil && !errors.Is(err, goredis.Nil) {
						return err
					}
					if err := st.c.Set(ctx, key, val, time.Hour).Err(); err != nil {
						return err
					}
				}
				return nil
			})
		}
		ops := float64(b.N * n * rounds)
		b.ReportMetric(ops/stepT.Seconds(), "steps/s")
		b.ReportMetric(ops/pairT.Seconds(), "pairs/s")
		b.ReportMetric(pairT.Seconds()/stepT.Seconds(), "ratio")
	})
}

// fanOut runs fn(0) … fn(n-1) at once and returns how long all took.
func fanOut(b *testing.B, n int, fn func(i int) error) time.Duration {
	start := time.Now()
	errs := make(chan error, n)
	for i := range n {
		go func() { errs <- fn(i) }()
	}
	for range n {
		if err := <-errs; err != nil {
			b.Fatal(err)
		}
	}
	return time.Since(start)
}
