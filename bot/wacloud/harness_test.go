package wacloud

import (
	"context"
	"net/http"
	"net/http/httptest"
	"slices"
	"sync"
	"testing"
	"time"

	"github.com/secours/secours/bot"
	"github.com/secours/secours/bot/channeltest"
	"github.com/secours/secours/bot/wacloud/wacloudtest"
	"github.com/secours/secours/configs"
	"github.com/secours/secours/flows"
	"github.com/secours/secours/internal/testkit"
)

// The people of the tests: a Belgian and a French number.
const (
	beID = "32470000001"
	frID = "33612345678"
)

// t0 is a Tuesday at 10:00 in Brussels, as in the golden transcripts.
var t0 = time.Date(2025, 3, 4, 10, 0, 0, 0, time.FixedZone("CET", 3600))

// harness is an adapter on the fake Cloud API, its webhook served on
// loopback and registered with the fake.
type harness struct {
	a    *Adapter
	fake *wacloudtest.Server
	win  *fakeWindow
	clk  *testkit.Clock
	logs *channeltest.Buffer
	// waits are the sleeps asked for (the rate, the backoff), in order;
	// none is slept.
	mu    sync.Mutex
	waits []time.Duration
}

func newHarness(t testing.TB, conv bot.Conversation, edit func(*Options)) *harness {
	t.Helper()
	h := &harness{clk: testkit.NewClock(t0), win: newFakeWindow(), logs: &channeltest.Buffer{}}
	h.fake = wacloudtest.New(wacloudtest.Options{Now: h.clk.Now, Templates: []wacloudtest.Approved{
		{Name: "secours_suivi", Lang: "fr", Body: "Secours : {{1}}"},
	}})
	t.Cleanup(h.fake.Close)
	_, cats := channeltest.Engine(t)
	o := Options{
		Settings: Settings{Token: h.fake.Token, PhoneID: h.fake.PhoneNumberID, AppSecret: h.fake.AppSecret,
			VerifyToken: "verify-me", BaseURL: h.fake.URL, Rate: "off",
			Templates: map[flows.Lang]Template{flows.FR: {Name: "secours_suivi", Language: "fr"}}},
		Catalogs: cats, Texts: configs.FS, Window: h.win, Now: h.clk.Now, Log: h.logs.Logger(-4),
	}
	if edit != nil {
		edit(&o)
	}
	a, err := New(conv, o)
	if err != nil {
		t.Fatal(err)
	}
	a.sleep = func(ctx context.Context, d time.Duration) error {
		h.mu.Lock()
		defer h.mu.Unlock()
		h.waits = append(h.waits, d)
		return ctx.Err()
	}
	h.a = a
	srv := httptest.NewServer(a.WebhookHandler())
	t.Cleanup(srv.Close)
	t.Cleanup(a.Close)
	h.fake.SetWebhook(srv.URL)
	return h
}

// slept returns the sleeps asked for so far.
func (h *harness) slept() []time.Duration {
	h.mu.Lock()
	defer h.mu.Unlock()
	return slices.Clone(h.waits)
}

// fakeWindow is the Window in memory, for the tests.
type fakeWindow struct {
	mu   sync.Mutex
	seen map[flows.ChatID]time.Time
	held map[flows.ChatID][][]byte
}

var _ Window = (*fakeWindow)(nil)

func newFakeWindow() *fakeWindow {
	return &fakeWindow{seen: map[flows.ChatID]time.Time{}, held: map[flows.ChatID][][]byte{}}
}

func (w *fakeWindow) WindowSeen(_ context.Context, chat flows.ChatID, t time.Time) ([][]byte, error) {
	w.mu.Lock()
	defer w.mu.Unlock()
	if t.After(w.seen[chat]) {
		w.seen[chat] = t
	}
	out := w.held[chat]
	delete(w.held, chat)
	return out, nil
}

func (w *fakeWindow) WindowLastSeen(_ context.Context, chat flows.ChatID) (time.Time, error) {
	w.mu.Lock()
	defer w.mu.Unlock()
	return w.seen[chat], nil
}

func (w *fakeWindow) HoldOutgoing(_ context.Context, chat flows.ChatID, msg []byte, _ time.Duration) error {
	w.mu.Lock()
	defer w.mu.Unlock()
	w.held[chat] = append(w.held[chat], slices.Clone(msg))
	return nil
}

func (w *fakeWindow) holding(chat flows.ChatID) int {
	w.mu.Lock()
	defer w.mu.Unlock()
	return len(w.held[chat])
}

func newRecorder() *httptest.ResponseRecorder { return httptest.NewRecorder() }

func newRequest(method, target string) *http.Request {
	return httptest.NewRequest(method, target, nil)
}
