package redis

import (
	"testing"
	"time"

	"github.com/secours/secours/flows"
	"github.com/secours/secours/store"
)

// TestWindowTTL checks what the contract cannot see: Redis itself drops
// the window and the held messages (retention), not only the store's
// clock.
func TestWindowTTL(t *testing.T) {
	s := newStore(t, Options{})
	ctx := t.Context()
	chat := flows.ChatID("wa:32470123456")
	if _, err := s.WindowSeen(ctx, chat, time.Now()); err != nil {
		t.Fatal(err)
	}
	for _, ttl := range []time.Duration{time.Hour, 3 * time.Hour, 2 * time.Hour} {
		if err := s.HoldOutgoing(ctx, chat, []byte("m"), ttl); err != nil {
			t.Fatal(err)
		}
	}
	for _, k := range []struct {
		key  string
		want time.Duration
	}{
		{s.windowKey(chat), store.WindowRetention},
		{s.heldKey(chat), 3 * time.Hour}, // the longest-lived message
	} {
		got, err := s.c.PTTL(ctx, k.key).Result()
		if err != nil || got > k.want || got < k.want-time.Minute {
			t.Errorf("PTTL(%s) = %v, %v; want about %v", k.key, got, err, k.want)
		}
	}
	// The window's keys are the chat's: Delete's one DEL takes them.
	if err := s.Delete(ctx, chat); err != nil {
		t.Fatal(err)
	}
	if n, err := s.c.Exists(ctx, s.windowKey(chat), s.heldKey(chat)).Result(); err != nil || n != 0 {
		t.Errorf("after Delete, %d window keys left (%v)", n, err)
	}
}
