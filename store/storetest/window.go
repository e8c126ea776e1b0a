package storetest

import (
	"context"
	"fmt"
	"slices"
	"sync"
	"testing"
	"time"

	"github.com/secours/secours/flows"
)

// The WindowStore contract's limits, which both stores document.
const (
	// windowKept is how long a WindowSeen is kept at least: the 24-hour
	// window is decided on it.
	windowKept = 24 * time.Hour
	// windowDropped is how long after it a WindowSeen is gone at the
	// latest: a retention limit (a wa_id is a phone number).
	windowDropped = 48 * time.Hour
	// heldCap is how many held messages a chat keeps, the newest.
	heldCap = 50
)

// WindowStore keeps, per chat, when the person last wrote (the Cloud
// API's 24-hour window, bot/wacloud) and the messages waiting for them to
// write again. Delete (the chat's /forget) erases both.
type WindowStore interface {
	// WindowSeen records that chat wrote at t, the latest t kept, and
	// removes and returns every unexpired held message, oldest first; of
	// concurrent callers, one gets each message.
	WindowSeen(ctx context.Context, chat flows.ChatID, t time.Time) ([][]byte, error)
	// WindowLastSeen is the latest t recorded, to the millisecond; zero if
	// none (or dropped).
	WindowLastSeen(ctx context.Context, chat flows.ChatID) (time.Time, error)
	// HoldOutgoing appends msg to chat's held messages, until ttl.
	HoldOutgoing(ctx context.Context, chat flows.ChatID, msg []byte, ttl time.Duration) error
	Delete(ctx context.Context, id flows.ChatID) error
}

// WindowStores is a WindowStore under test with the clock of its expiry.
type WindowStores struct {
	Store   WindowStore
	Now     func() time.Time
	Advance func(time.Duration) // moves the store's clock
}

// RunWindow runs the contract of WindowStore against the stores newStore
// returns, each empty and of its own.
func RunWindow(t *testing.T, newStore func(t *testing.T) WindowStores) {
	runCases(t, newStore, []contractCase[WindowStores]{
		{"SeenUnknown", testSeenUnknown},
		{"SeenKeepsLatest", testSeenLatest},
		{"SeenRetention", testSeenRetention},
		{"HeldInOrderOnce", testHeldOrder},
		{"HeldIsACopy", testHeldCopy},
		{"HeldExpiry", testHeldExpiry},
		{"HeldCap", testHeldCap},
		{"DeleteForgets", testWindowDelete},
		{"ConcurrentRelease", testConcurrentRelease},
	})
}

const (
	winChat  flows.ChatID = "wa:32470123456"
	winOther flows.ChatID = "wa:32470999999"
)

func lastSeen(t *testing.T, s WindowStore, chat flows.ChatID) time.Time {
	t.Helper()
	got, err := s.WindowLastSeen(t.Context(), chat)
	if err != nil {
		t.Fatalf("WindowLastSeen: %v", err)
	}
	return got
}

func seen(t *testing.T, s WindowStore, chat flows.ChatID, at time.Time) {
	t.Helper()
	if _, err := s.WindowSeen(t.Context(), chat, at); err != nil {
		t.Fatalf("WindowSeen: %v", err)
	}
}

func hold(t *testing.T, s WindowStore, chat flows.ChatID, msg string, ttl time.Duration) {
	t.Helper()
	if err := s.HoldOutgoing(t.Context(), chat, []byte(msg), ttl); err != nil {
		t.Fatalf("HoldOutgoing: %v", err)
	}
}

// release is the person writing now: WindowSeen hands the held messages.
func release(t *testing.T, s WindowStore, chat flows.ChatID) []string {
	t.Helper()
	got, err := s.WindowSeen(t.Context(), chat, time.Now())
	if err != nil {
		t.Fatalf("WindowSeen: %v", err)
	}
	var out []string
	for _, m := range got {
		out = append(out, string(m))
	}
	return out
}

func testSeenUnknown(t *testing.T, s WindowStores) {
	if got := lastSeen(t, s.Store, winChat); !got.IsZero() {
		t.Errorf("WindowLastSeen(unknown) = %v, want zero", got)
	}
	if got := release(t, s.Store, winChat); len(got) != 0 {
		t.Errorf("held of an unknown chat = %q, want none", got)
	}
}

func testSeenLatest(t *testing.T, s WindowStores) {
	now := s.Now()
	t1 := now.Add(-time.Hour + 123456789*time.Nanosecond)
	seen(t, s.Store, winChat, t1)
	ms := time.UnixMilli(t1.UnixMilli())
	if got := lastSeen(t, s.Store, winChat); !got.Equal(ms) {
		t.Errorf("WindowLastSeen = %v, want %v (to the millisecond)", got, ms)
	}
	seen(t, s.Store, winChat, now.Add(-2*time.Hour)) // a late redelivery
	if got := lastSeen(t, s.Store, winChat); !got.Equal(ms) {
		t.Errorf("after an older WindowSeen: %v, want the latest %v", got, ms)
	}
	seen(t, s.Store, winChat, now)
	if got := lastSeen(t, s.Store, winChat); !got.Equal(time.UnixMilli(now.UnixMilli())) {
		t.Errorf("after a newer WindowSeen: %v, want %v", got, now)
	}
	if got := lastSeen(t, s.Store, winOther); !got.IsZero() {
		t.Errorf("another chat's WindowLastSeen = %v, want zero", got)
	}
}

func testSeenRetention(t *testing.T, s WindowStores) {
	at := s.Now()
	seen(t, s.Store, winChat, at)
	s.Advance(windowKept + time.Hour)
	if got := lastSeen(t, s.Store, winChat); !got.Equal(time.UnixMilli(at.UnixMilli())) {
		t.Errorf("after %v: %v, want it kept", windowKept+time.Hour, got)
	}
	s.Advance(windowDropped - windowKept)
	if got := lastSeen(t, s.Store, winChat); !got.IsZero() {
		t.Errorf("after %v: %v, want it dropped", windowDropped+time.Hour, got)
	}
}

func testHeldOrder(t *testing.T, s WindowStores) {
	for _, m := range []string{"a", "b", "c"} {
		hold(t, s.Store, winChat, m, time.Hour)
	}
	hold(t, s.Store, winOther, "other", time.Hour)
	if got := release(t, s.Store, winChat); !slices.Equal(got, []string{"a", "b", "c"}) {
		t.Errorf("held = %q, want a b c", got)
	}
	if got := release(t, s.Store, winChat); len(got) != 0 {
		t.Errorf("held at the second WindowSeen = %q, want none", got)
	}
	if got := release(t, s.Store, winOther); !slices.Equal(got, []string{"other"}) {
		t.Errorf("other chat = %q, want its own", got)
	}
}

func testHeldCopy(t *testing.T, s WindowStores) {
	buf := []byte(`{"to":"x"}`)
	if err := s.Store.HoldOutgoing(t.Context(), winChat, buf, time.Hour); err != nil {
		t.Fatal(err)
	}
	copy(buf, "XXXX")
	if got := release(t, s.Store, winChat); !slices.Equal(got, []string{`{"to":"x"}`}) {
		t.Errorf("released %q: the caller's later change leaked in", got)
	}
	if err := s.Store.HoldOutgoing(t.Context(), winChat, []byte("x"), 0); err == nil {
		t.Error("HoldOutgoing with ttl 0: no error")
	}
}

func testHeldExpiry(t *testing.T, s WindowStores) {
	hold(t, s.Store, winChat, "short", time.Hour)
	hold(t, s.Store, winChat, "long", 3*time.Hour)
	s.Advance(2 * time.Hour)
	if got := release(t, s.Store, winChat); !slices.Equal(got, []string{"long"}) {
		t.Errorf("after 2 h: %q, want the 3 h one only", got)
	}
}

func testHeldCap(t *testing.T, s WindowStores) {
	var want []string
	for i := range heldCap + 5 {
		m := fmt.Sprint("m", i)
		hold(t, s.Store, winChat, m, time.Hour)
		if i >= 5 {
			want = append(want, m)
		}
	}
	if got := release(t, s.Store, winChat); !slices.Equal(got, want) {
		t.Errorf("released %d (%q…), want the newest %d", len(got), got[:min(len(got), 3)], heldCap)
	}
}

func testWindowDelete(t *testing.T, s WindowStores) {
	seen(t, s.Store, winChat, s.Now())
	hold(t, s.Store, winChat, "a", time.Hour)
	if err := s.Store.Delete(t.Context(), winChat); err != nil {
		t.Fatalf("Delete: %v", err)
	}
	if got := lastSeen(t, s.Store, winChat); !got.IsZero() {
		t.Errorf("after Delete, WindowLastSeen = %v, want zero", got)
	}
	if got := release(t, s.Store, winChat); len(got) != 0 {
		t.Errorf("after Delete, held = %q, want none", got)
	}
}

// testConcurrentRelease holds messages while two releasers take them:
// each message comes out exactly once, and each batch in order.
func testConcurrentRelease(t *testing.T, s WindowStores) {
	const n = heldCap - 10 // below the cap: none may be dropped
	var (
		wg      sync.WaitGroup
		mu      sync.Mutex
		batches [][]string
		holding = make(chan struct{})
	)
	take := func() {
		got, err := s.Store.WindowSeen(t.Context(), winChat, time.Now())
		if err != nil {
			t.Errorf("WindowSeen: %v", err)
			return
		}
		var b []string
		for _, m := range got {
			b = append(b, string(m))
		}
		mu.Lock()
		batches = append(batches, b)
		mu.Unlock()
	}
	for range 2 {
		wg.Go(func() {
			for {
				select {
				case <-holding:
					take()
					return
				default:
					take()
				}
			}
		})
	}
	for i := range n {
		if err := s.Store.HoldOutgoing(t.Context(), winChat, fmt.Appendf(nil, "%03d", i), time.Hour); err != nil {
			t.Errorf("HoldOutgoing: %v", err)
		}
	}
	close(holding)
	wg.Wait()
	take()
	var all []string
	for _, b := range batches {
		if !slices.IsSorted(b) {
			t.Errorf("a batch out of order: %q", b)
		}
		all = append(all, b...)
	}
	slices.Sort(all)
	var want []string
	for i := range n {
		want = append(want, fmt.Sprintf("%03d", i))
	}
	if !slices.Equal(all, want) {
		t.Errorf("released %d messages (%q), want each of %d exactly once", len(all), all, n)
	}
}
