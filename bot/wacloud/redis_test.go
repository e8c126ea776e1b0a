package wacloud

import (
	"context"
	"testing"
	"time"

	"github.com/secours/secours/bot/channeltest"
	"github.com/secours/secours/configs"
	"github.com/secours/secours/flows"
	"github.com/secours/secours/store/redis"
	"github.com/secours/secours/store/redis/redistest"
)

// TestInstancesShareWindow: two instances on one Redis, as behind a load
// balancer. The person writes to the first; 30 hours later the second
// sends a Dutch push, which no template carries: it is held in Redis, and
// the first, where the person writes next, sends it before its answer.
func TestInstancesShareWindow(t *testing.T) {
	u, prefix := redistest.New(t)
	// Each instance its own client; the store's clock is the test's.
	open := func(now func() time.Time) *redis.Store {
		s, err := redis.Open(t.Context(), u, redis.Options{Prefix: prefix, Now: now})
		if err != nil {
			t.Fatal(err)
		}
		t.Cleanup(func() { _ = s.Close() })
		return s
	}
	dutch := func(context.Context, flows.ChatID) flows.Lang { return flows.NL }
	rec := &channeltest.Recorder{Out: []flows.Reply{{Text: "Antwoord."}}}
	h := newHarness(t, rec, func(o *Options) { o.Window, o.Lang = open(o.Now), dutch })
	_, cats := channeltest.Engine(t)
	other, err := New(&channeltest.Recorder{}, Options{Settings: h.a.set, Catalogs: cats, Texts: configs.FS,
		Window: open(h.clk.Now), Lang: dutch, Now: h.clk.Now, Log: h.logs.Logger(-4)})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(other.Close)

	h.fake.Text(beID, "hallo")
	n := len(h.fake.Delivered(beID))
	h.clk.Add(30 * time.Hour)
	if err := other.Send(t.Context(), beChat, []flows.Reply{{Text: "Het OCMW antwoordt u."}}); err != nil {
		t.Fatal(err)
	}
	if got := len(h.fake.Delivered(beID)); got != n {
		t.Fatalf("%d messages sent outside the window, want none", got-n)
	}
	h.fake.Text(beID, "hallo")
	sent := h.fake.Delivered(beID)[n:]
	if len(sent) != 2 || sent[0].Text != "Het OCMW antwoordt u." || sent[1].Text != "Antwoord." {
		t.Errorf("after the person wrote: %+v, want the held push then the answer", sent)
	}
}
