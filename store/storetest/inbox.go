package storetest

import (
	"context"
	"maps"
	"sync"
	"testing"
)

// Inbox is a long-polling channel's inbox, as bot/telegram uses it: the
// Redis store keeps one, and store/spool keeps one in a folder.
type Inbox interface {
	InboxKeep(ctx context.Context, name string, updates map[int64][]byte) error
	InboxDone(ctx context.Context, name string, ids []int64) error
	InboxKept(ctx context.Context, name string) (map[int64][]byte, error)
}

// RunInbox runs the inbox contract against the inboxes newInbox returns,
// each empty and of its own: keep, read back, clear, two bots apart, the
// empty name refused, and keeps and clears that run at once.
func RunInbox(t *testing.T, newInbox func(t *testing.T) Inbox) {
	runCases(t, newInbox, []contractCase[Inbox]{
		{"KeepReadClear", testInboxKeepReadClear},
		{"DoneTwice", testInboxDoneTwice},
		{"Concurrent", testInboxConcurrent},
	})
}

func sameBytes(x, y []byte) bool { return string(x) == string(y) }

func testInboxKeepReadClear(t *testing.T, s Inbox) {
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
	if want := map[int64][]byte{7: []byte("1\n{}"), 8: []byte("2\n{\"x\":1}")}; err != nil || !maps.EqualFunc(got, want, sameBytes) {
		t.Fatalf("kept = %v, %v; want %v", got, err, want)
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
	if err := s.InboxKeep(ctx, "", map[int64][]byte{1: nil}); err == nil {
		t.Error("an empty name was accepted")
	}
}

// testInboxDoneTwice clears an update named twice in one call (answered,
// and found answered again when its keep ended): the other stays.
func testInboxDoneTwice(t *testing.T, s Inbox) {
	ctx := t.Context()
	const name = "inbox:{dddd}"
	if err := s.InboxKeep(ctx, name, map[int64][]byte{1: []byte("a"), 2: []byte("b")}); err != nil {
		t.Fatal(err)
	}
	if err := s.InboxDone(ctx, name, []int64{1, 1}); err != nil {
		t.Fatal(err)
	}
	if got, err := s.InboxKept(ctx, name); err != nil || len(got) != 1 || string(got[2]) != "b" {
		t.Errorf("after clearing 1 twice: %v, %v; want update 2 kept", got, err)
	}
}

// testInboxConcurrent keeps batches while their updates are cleared, as
// the poller does (the flush runs beside the next batch's keep).
func testInboxConcurrent(t *testing.T, s Inbox) {
	ctx := t.Context()
	const name, batches, size = "inbox:{cccc}", 20, 5
	var wg sync.WaitGroup
	for i := range batches {
		wg.Go(func() {
			m := map[int64][]byte{}
			for j := range size {
				m[int64(i*size+j)] = []byte("u")
			}
			if err := s.InboxKeep(ctx, name, m); err != nil {
				t.Error(err)
			}
			if i%2 == 0 {
				ids := make([]int64, 0, size)
				for id := range m {
					ids = append(ids, id)
				}
				if err := s.InboxDone(ctx, name, ids); err != nil {
					t.Error(err)
				}
			}
		})
	}
	wg.Wait()
	got, err := s.InboxKept(ctx, name)
	if err != nil || len(got) != batches/2*size {
		t.Fatalf("kept %d updates (%v), want %d: the odd batches", len(got), err, batches/2*size)
	}
	for id := range got {
		if id/size%2 == 0 {
			t.Errorf("update %d of a cleared batch is still kept", id)
		}
	}
}
