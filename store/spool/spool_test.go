package spool

import (
	"errors"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/secours/secours/store/storetest"
)

// open opens the folder path for the test, closed at its end.
func open(t *testing.T, path string) *Dir {
	t.Helper()
	d, err := Open(path)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { _ = d.Close() })
	return d
}

func TestContract(t *testing.T) {
	storetest.RunInbox(t, func(t *testing.T) storetest.Inbox { return open(t, filepath.Join(t.TempDir(), "inbox")) })
}

// TestOutlivesTheProcess reopens the folder, as the next start does: what
// was kept and not cleared is there, the folder holds only its lock and
// the inbox's file (no temporary one), private to the user, and empty once
// nothing is kept. While one holds the folder, no other can open it.
func TestOutlivesTheProcess(t *testing.T) {
	path := filepath.Join(t.TempDir(), "inbox")
	ctx := t.Context()
	const name = "inbox:{ab12}"
	first := open(t, path)
	if err := first.InboxKeep(ctx, name, map[int64][]byte{1: []byte("a"), 2: []byte("b")}); err != nil {
		t.Fatal(err)
	}
	if err := first.InboxDone(ctx, name, []int64{1}); err != nil {
		t.Fatal(err)
	}
	if fi, err := os.Stat(path); err != nil || fi.Mode().Perm() != 0o700 {
		t.Errorf("folder: %v, %v; want 0700", fi, err)
	}
	entries, _ := os.ReadDir(path)
	if len(entries) != 2 || entries[0].Name() != ".lock" || entries[1].Name() != "inbox--ab12-.log" {
		t.Fatalf("folder holds %v, want its lock and the one inbox file", entries)
	}
	if fi, _ := entries[1].Info(); fi.Mode().Perm() != 0o600 {
		t.Errorf("inbox file mode %v, want 0600: it holds people's words", fi.Mode())
	}
	if _, err := Open(path); !errors.Is(err, ErrInUse) {
		t.Errorf("a second Open while the first holds the folder: %v, want ErrInUse", err)
	}
	if err := first.Close(); err != nil {
		t.Fatal(err)
	}

	second := open(t, path)
	got, err := second.InboxKept(ctx, name)
	if err != nil || len(got) != 1 || string(got[2]) != "b" {
		t.Fatalf("after a restart: %v, %v; want only update 2", got, err)
	}
	if err := second.InboxDone(ctx, name, []int64{2}); err != nil {
		t.Fatal(err)
	}
	if fi, err := os.Stat(filepath.Join(path, "inbox--ab12-.log")); err != nil || fi.Size() != 0 {
		t.Errorf("an empty inbox left %v (%v), want an empty file", fi, err)
	}
}

// TestDoneTwiceOnDisk: an id cleared twice in one call empties the file
// only if nothing else is kept: update 2 is still there at the next start.
func TestDoneTwiceOnDisk(t *testing.T) {
	path := t.TempDir()
	ctx := t.Context()
	const name = "inbox:{ab12}"
	d := open(t, path)
	if err := d.InboxKeep(ctx, name, map[int64][]byte{1: []byte("a"), 2: []byte("b")}); err != nil {
		t.Fatal(err)
	}
	if err := d.InboxDone(ctx, name, []int64{1, 1}); err != nil {
		t.Fatal(err)
	}
	if err := d.Close(); err != nil {
		t.Fatal(err)
	}
	if got, err := open(t, path).InboxKept(ctx, name); err != nil || len(got) != 1 || string(got[2]) != "b" {
		t.Errorf("after a restart: %v, %v; want update 2 kept", got, err)
	}
}

// TestMalformedFile finds a file that is not an inbox (a disk full, a
// hand edit): it is moved aside, never overwritten, the error says where,
// and the inbox goes on empty.
func TestMalformedFile(t *testing.T) {
	path := t.TempDir()
	const name = "inbox:{ab12}"
	file := filepath.Join(path, "inbox--ab12-.log")
	if err := os.WriteFile(file, []byte("K 1 YQ==\nX 2 Yg==\n"), 0o600); err != nil {
		t.Fatal(err)
	}
	d := open(t, path)
	ctx := t.Context()
	if _, err := d.InboxKept(ctx, name); err == nil || !strings.Contains(err.Error(), "moved to") {
		t.Fatalf("kept from a malformed file: %v, want an error saying where it went", err)
	}
	aside, _ := filepath.Glob(file + ".bad-*")
	if len(aside) != 1 {
		t.Fatalf("moved aside: %v, want one file", aside)
	}
	if b, _ := os.ReadFile(aside[0]); string(b) != "K 1 YQ==\nX 2 Yg==\n" {
		t.Errorf("the malformed file changed: %q", b)
	}
	if err := d.InboxKeep(ctx, name, map[int64][]byte{3: []byte("c")}); err != nil {
		t.Fatalf("keep after the move: %v", err)
	}
	if got, err := d.InboxKept(ctx, name); err != nil || len(got) != 1 {
		t.Errorf("kept after the move: %v, %v", got, err)
	}
}

// TestTornLastLine: a kill in the middle of a write leaves half a line;
// its batch was never confirmed, so it is left out, and what came before
// stands.
func TestTornLastLine(t *testing.T) {
	path := t.TempDir()
	if err := os.WriteFile(filepath.Join(path, "inbox--ab12-.log"), []byte("K 1 YQ==\nK 2 Yg==\nD 2\nK 3 Yw"), 0o600); err != nil {
		t.Fatal(err)
	}
	d := open(t, path)
	got, err := d.InboxKept(t.Context(), "inbox:{ab12}")
	if err != nil || len(got) != 1 || string(got[1]) != "a" {
		t.Errorf("kept = %v, %v; want only update 1", got, err)
	}
}

// TestCompaction: under steady load the inbox is never empty; past
// compactAt its file is rewritten with only what it keeps.
func TestCompaction(t *testing.T) {
	defer func(n int64) { compactAt = n }(compactAt)
	compactAt = 512
	path := t.TempDir()
	d := open(t, path)
	ctx := t.Context()
	const name = "inbox:{ab12}"
	if err := d.InboxKeep(ctx, name, map[int64][]byte{0: []byte("always there")}); err != nil {
		t.Fatal(err)
	}
	for id := int64(1); id <= 200; id++ {
		if err := d.InboxKeep(ctx, name, map[int64][]byte{id: []byte("x")}); err != nil {
			t.Fatal(err)
		}
		if err := d.InboxDone(ctx, name, []int64{id}); err != nil {
			t.Fatal(err)
		}
	}
	fi, err := os.Stat(filepath.Join(path, "inbox--ab12-.log"))
	if err != nil || fi.Size() > compactAt {
		t.Fatalf("file %v (%v), want at most %d bytes", fi, err, compactAt)
	}
	if err := d.Close(); err != nil {
		t.Fatal(err)
	}
	again := open(t, path)
	if got, err := again.InboxKept(ctx, name); err != nil || len(got) != 1 || string(got[0]) != "always there" {
		t.Errorf("after compactions: %v, %v; want update 0 alone", got, err)
	}
}

// TestWriteFails: a folder that cannot be made is an error of Open; a
// keep whose write fails (a disk full) is an error and leaves the inbox
// as it was, and the next keep rewrites the file whole, so that no half
// line stays in it.
func TestWriteFails(t *testing.T) {
	path := filepath.Join(t.TempDir(), "inbox")
	if err := os.WriteFile(path, nil, 0o600); err != nil {
		t.Fatal(err)
	}
	if _, err := Open(path); err == nil {
		t.Error("a file where the folder should be was accepted")
	}
	if err := os.Remove(path); err != nil {
		t.Fatal(err)
	}
	d := open(t, path)
	ctx := t.Context()
	const name = "inbox:{x}"
	if err := d.InboxKeep(ctx, name, map[int64][]byte{1: []byte("a")}); err != nil {
		t.Fatal(err)
	}
	_ = d.open[name].f.Close() // the next write fails, whoever runs the test
	if err := d.InboxKeep(ctx, name, map[int64][]byte{2: []byte("b")}); err == nil {
		t.Error("a failed write was not reported")
	}
	if got, _ := d.InboxKept(ctx, name); len(got) != 1 || string(got[1]) != "a" {
		t.Errorf("after a failed keep: %v, want the inbox as it was", got)
	}
	if err := d.InboxKeep(ctx, name, map[int64][]byte{3: []byte("c")}); err != nil {
		t.Fatalf("the keep after a failed one: %v", err)
	}
	_ = d.Close() // its closed file's error is the test's doing
	again := open(t, path)
	if got, err := again.InboxKept(ctx, name); err != nil || len(got) != 2 || string(got[1]) != "a" || string(got[3]) != "c" {
		t.Errorf("on disk: %v, %v; want updates 1 and 3", got, err)
	}
}
