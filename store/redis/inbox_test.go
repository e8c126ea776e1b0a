package redis

import (
	"maps"
	"testing"
	"time"
)

// TestInbox keeps, reads back and clears a poller's updates; the inbox
// lives InboxRetention after its last keep, and two bots' inboxes are
// apart.
func TestInbox(t *testing.T) {
	s := newStore(t, Options{})
	ctx := t.Context()
	const a, b = "inbox:{aaaa}", "inbox:{bbbb}"
	if got, err := s.InboxKept(ctx, a); err != nil || len(got) != 0 {
		t.Fatalf("empty inbox = %v, %v", got, err)
	}
	if err := s.InboxKeep(ctx, a, map[int64][]byte{7: []byte("1\n{}"), 8: []byte("2\n{\"x\":1}")}); err != nil {
		t.Fatal(err)
	}
	if err := s.InboxKeep(ctx, b, map[int64][]byte{7: []byte("other bot")}); err != nil {
		t.Fatal(err)
	}
	if err := s.InboxKeep(ctx, a, nil); err != nil {
		t.Errorf("keep nothing: %v", err)
	}
	got, err := s.InboxKept(ctx, a)
	if want := map[int64][]byte{7: []byte("1\n{}"), 8: []byte("2\n{\"x\":1}")}; err != nil || !maps.EqualFunc(got, want, func(x, y []byte) bool { return string(x) == string(y) }) {
		t.Fatalf("kept = %v, %v; want %v", got, err, want)
	}
	ttl, err := s.c.PTTL(ctx, s.inboxKey(a)).Result()
	if err != nil || ttl > InboxRetention || ttl < InboxRetention-time.Minute {
		t.Errorf("PTTL = %v, %v; want about %v", ttl, err, InboxRetention)
	}
	if err := s.InboxDone(ctx, a, []int64{7, 99}); err != nil {
		t.Fatal(err)
	}
	if err := s.InboxDone(ctx, a, nil); err != nil {
		t.Errorf("done with nothing: %v", err)
	}
	if got, _ := s.InboxKept(ctx, a); len(got) != 1 || string(got[8]) != "2\n{\"x\":1}" {
		t.Errorf("after done = %v, want only 8", got)
	}
	if got, _ := s.InboxKept(ctx, b); len(got) != 1 || string(got[7]) != "other bot" {
		t.Errorf("the other bot's inbox = %v", got)
	}
	// A field that is not an update id is not ours: left out.
	if err := s.c.HSet(ctx, s.inboxKey(a), "junk", "x").Err(); err != nil {
		t.Fatal(err)
	}
	if got, _ := s.InboxKept(ctx, a); len(got) != 1 {
		t.Errorf("with a foreign field = %v", got)
	}
	if err := s.InboxKeep(ctx, "", map[int64][]byte{1: nil}); err == nil {
		t.Error("an empty name was accepted")
	}
}
