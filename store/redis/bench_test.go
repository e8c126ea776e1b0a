package redis

import (
	"context"
	"errors"
	"strconv"
	"strings"
	"sync/atomic"
	"testing"
	"time"

	goredis "github.com/redis/go-redis/v9"

	"github.com/secours/secours/flows"
	"github.com/secours/secours/store/memory"
)

// benchSession builds a realistic session late in a conversation: the
// eleven answers of docs/diagnostic.md A and B plus what the engine adds, a
// trail of ten states, twelve Telegram update ids already seen, the place
// match and the consent. Its JSON is about 750 bytes. Benchmarks of an
// engine step can start from it too.
func benchSession(id flows.ChatID, now time.Time) flows.Session {
	s := flows.NewSession(id, now.Add(-12*time.Minute))
	s.Updated = now
	s.State = flows.StateConsent
	s.Lang = flows.FR
	s.Answers = map[string]string{
		"country":     "BE",
		"need":        "procedure",
		"who":         "relative",
		"device":      "smartphone",
		"internet":    "mobile",
		"skills":      "apps",
		"online_done": "with_help",
		"feeling":     "fear",
		"reading":     "short",
		"barrier":     "none",
		"profile":     "besoin_accompagnement",
		"tips":        "2",
	}
	s.Trail = []string{
		flows.StateLang, flows.StateCountry, flows.StateWho, flows.StateNeed,
		"device", "internet", "skills", "online_done", "feeling", "reading",
	}
	s.Postcode = "1060"
	s.Lat, s.Lon = 50.8289, 4.3451
	s.Places = []string{"be-epn-0142", "be-cpas-1060", "be-asbl-0917"}
	s.Payload = "affiche-cpas-stgilles"
	for i := range 12 {
		s.Seen = append(s.Seen, strconv.Itoa(815_364_201+3*i))
	}
	s.ConsentAt = now.Add(-30 * time.Second)
	s.ConsentBy = "self"
	return s
}

// BenchmarkBareGetSet is the physical floor of a step: one GET and one SET
// round trip of a 500-byte value, with no encoding and no script.
func BenchmarkBareGetSet(b *testing.B) {
	s := newStore(b, Options{})
	ctx := b.Context()
	key := s.prefix + ":{tg:1}:bare"
	val := strings.Repeat("x", 500)
	if err := s.c.Set(ctx, key, val, time.Hour).Err(); err != nil {
		b.Fatal(err)
	}
	steps := 0
	for b.Loop() {
		if err := s.c.Get(ctx, key).Err(); err != nil {
			b.Fatal(err)
		}
		if err := s.c.Set(ctx, key, val, time.Hour).Err(); err != nil {
			b.Fatal(err)
		}
		steps++
	}
	b.ReportMetric(float64(steps)/b.Elapsed().Seconds(), "steps/s")
}

// BenchmarkBareGetSetParallel is BareGetSet on distinct keys in parallel:
// the floor of BenchmarkLoadSaveParallel/redis.
func BenchmarkBareGetSetParallel(b *testing.B) {
	s := newStore(b, Options{})
	ctx := b.Context()
	val := strings.Repeat("x", 500)
	var keys atomic.Int64
	b.RunParallel(func(pb *testing.PB) {
		key := s.prefix + ":{tg:" + strconv.FormatInt(keys.Add(1), 10) + "}:bare"
		for pb.Next() {
			if err := s.c.Get(ctx, key).Err(); err != nil && !errors.Is(err, goredis.Nil) {
				b.Error(err)
				return
			}
			if err := s.c.Set(ctx, key, val, time.Hour).Err(); err != nil {
				b.Error(err)
				return
			}
		}
	})
	b.ReportMetric(float64(b.N)/b.Elapsed().Seconds(), "steps/s")
}

// BenchmarkLoadSave is what one conversation step costs the store: Load,
// change, Save. Compare redis with BareGetSet.
func BenchmarkLoadSave(b *testing.B) {
	benchBoth(b, benchLoadSave)
}

func benchLoadSave(b *testing.B, st flows.SessionStore) {
	ctx := b.Context()
	now := time.Now()
	const id = flows.ChatID("tg:812345678")
	if err := st.Save(ctx, benchSession(id, now)); err != nil {
		b.Fatal(err)
	}
	steps := 0
	for b.Loop() {
		if err := step(ctx, st, id); err != nil {
			b.Fatal(err)
		}
		steps++
	}
	b.ReportMetric(float64(steps)/b.Elapsed().Seconds(), "steps/s")
}

// BenchmarkLoadSaveParallel runs steps of distinct chats in parallel, as
// the bot does: run with -cpu 2 for the target of 5,000 steps/s.
func BenchmarkLoadSaveParallel(b *testing.B) {
	benchBoth(b, benchLoadSaveParallel)
}

func benchLoadSaveParallel(b *testing.B, st flows.SessionStore) {
	ctx := b.Context()
	now := time.Now()
	var chats atomic.Int64
	b.RunParallel(func(pb *testing.PB) {
		id := flows.ChatID("tg:" + strconv.FormatInt(812_000_000+chats.Add(1), 10))
		if err := st.Save(ctx, benchSession(id, now)); err != nil {
			b.Error(err)
			return
		}
		for pb.Next() {
			if err := step(ctx, st, id); err != nil {
				b.Error(err) // not Fatal: this is not the benchmark's goroutine
				return
			}
		}
	})
	b.ReportMetric(float64(b.N)/b.Elapsed().Seconds(), "steps/s")
}

// step is the store's part of one conversation step.
func step(ctx context.Context, st flows.SessionStore, id flows.ChatID) error {
	s, err := st.Load(ctx, id)
	if err != nil {
		return err
	}
	s.Updated = s.Updated.Add(time.Second)
	return st.Save(ctx, s)
}

// benchBoth runs fn on a Redis Store and on the memory store, to compare.
func benchBoth(b *testing.B, fn func(*testing.B, flows.SessionStore)) {
	b.Run("redis", func(b *testing.B) { fn(b, newStore(b, Options{})) })
	b.Run("memory", func(b *testing.B) { fn(b, memory.New(DefaultTTL, nil)) })
}
