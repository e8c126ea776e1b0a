package redis

import (
	"testing"
	"time"

	"github.com/secours/secours/store/storetest"
)

// TestInbox runs the inbox contract; then, of Redis' own: the inbox lives
// InboxRetention after its last keep, and a field that is not an update
// id is left out.
func TestInbox(t *testing.T) {
	storetest.RunInbox(t, func(t *testing.T) storetest.Inbox { return newStore(t, Options{}) })

	s := newStore(t, Options{})
	ctx := t.Context()
	const a = "inbox:{aaaa}"
	if err := s.InboxKeep(ctx, a, map[int64][]byte{8: []byte("2\n{\"x\":1}")}); err != nil {
		t.Fatal(err)
	}
	ttl, err := s.c.PTTL(ctx, s.inboxKey(a)).Result()
	if err != nil || ttl > InboxRetention || ttl < InboxRetention-time.Minute {
		t.Errorf("PTTL = %v, %v; want about %v", ttl, err, InboxRetention)
	}
	if err := s.c.HSet(ctx, s.inboxKey(a), "junk", "x").Err(); err != nil {
		t.Fatal(err)
	}
	if got, _ := s.InboxKept(ctx, a); len(got) != 1 {
		t.Errorf("with a foreign field = %v", got)
	}
}
