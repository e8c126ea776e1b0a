package mail_test

import (
	"bytes"
	"context"
	"errors"
	"net/mail"
	"os"
	"path/filepath"
	"regexp"
	"slices"
	"sync"
	"testing"
	"time"

	secmail "github.com/secours/secours/referral/mail"
)

// names lists dir, hidden (temporary) files included.
func names(t *testing.T, dir string) []string {
	t.Helper()
	ents, err := os.ReadDir(dir)
	if err != nil {
		t.Fatalf("ReadDir: %v", err)
	}
	var out []string
	for _, e := range ents {
		out = append(out, e.Name())
	}
	return out
}

func TestOutbox(t *testing.T) {
	dir := filepath.Join(t.TempDir(), "outbox", "sub") // does not exist yet
	var sent []string
	o := &secmail.Outbox{Dir: dir, From: "Secours <secours@example.org>", Sent: func(p string) { sent = append(sent, p) }}
	if err := o.Send(t.Context(), msg()); err != nil {
		t.Fatalf("Send: %v", err)
	}
	// The sample's Date is 09:26:53 CET: the name is in UTC.
	want := filepath.Join(dir, "20250314T082653-referral-42.eml")
	if !slices.Equal(sent, []string{want}) {
		t.Errorf("Sent called with %q, want [%q]", sent, want)
	}
	if got := names(t, dir); !slices.Equal(got, []string{filepath.Base(want)}) {
		t.Errorf("directory holds %q, want only %q", got, filepath.Base(want))
	}
	fi, err := os.Stat(want)
	if err != nil {
		t.Fatal(err)
	}
	if fi.Mode().Perm() != 0o600 {
		t.Errorf("file mode %v, want 0600", fi.Mode().Perm())
	}
	if di, err := os.Stat(dir); err != nil || di.Mode().Perm() != 0o700 {
		t.Errorf("directory mode %v (%v), want 0700", di.Mode().Perm(), err)
	}
	raw, err := os.ReadFile(want)
	if err != nil {
		t.Fatal(err)
	}
	m := read(t, raw)
	if a, err := m.Header.AddressList("From"); err != nil || a[0].Address != "secours@example.org" {
		t.Errorf("From = %v (%v), want the Outbox's", a, err)
	}
	if got := m.Header.Get("Message-ID"); got != "<referral-42@example.org>" {
		t.Errorf("Message-ID = %q", got)
	}
}

func TestOutboxGeneratedID(t *testing.T) {
	dir := t.TempDir()
	var mu sync.Mutex
	var sent []string
	o := &secmail.Outbox{Dir: dir, Sent: func(p string) { mu.Lock(); sent = append(sent, p); mu.Unlock() }}
	m := sample()
	m.ID, m.Date = "", time.Time{}
	var wg sync.WaitGroup
	for range 8 {
		wg.Go(func() {
			if err := o.Send(t.Context(), m); err != nil {
				t.Errorf("Send: %v", err)
			}
		})
	}
	wg.Wait()
	files := names(t, dir)
	if len(files) != 8 || len(sent) != 8 {
		t.Fatalf("%d files, %d Sent calls; want 8 of each", len(files), len(sent))
	}
	re := regexp.MustCompile(`^\d{8}T\d{6}-([a-z2-7]+)\.eml$`)
	for _, p := range sent {
		sub := re.FindStringSubmatch(filepath.Base(p))
		if sub == nil {
			t.Errorf("file name %q, want <date>-<random id>.eml", p)
			continue
		}
		raw, err := os.ReadFile(p)
		if err != nil {
			t.Fatal(err)
		}
		msg, err := mail.ReadMessage(bytes.NewReader(raw))
		if err != nil {
			t.Fatalf("ReadMessage(%s): %v", p, err)
		}
		// The name and the Message-ID agree, so an operator can match a
		// file with a log line or a reply.
		if got, want := msg.Header.Get("Message-ID"), "<"+sub[1]+"@example.org>"; got != want {
			t.Errorf("%s: Message-ID %q, want %q", p, got, want)
		}
	}
}

func TestOutboxErrors(t *testing.T) {
	dir := t.TempDir()
	called := false
	o := &secmail.Outbox{Dir: dir, Sent: func(string) { called = true }}

	bad := msg() // no From, and the Outbox has none
	if err := o.Send(t.Context(), bad); !errors.Is(err, secmail.ErrInvalidMessage) || !secmail.Permanent(err) {
		t.Errorf("Send without From = %v, want ErrInvalidMessage", err)
	}
	ctx, cancel := context.WithCancel(t.Context())
	cancel()
	o.From = "s@example.org"
	if err := o.Send(ctx, msg()); !errors.Is(err, context.Canceled) {
		t.Errorf("Send with a cancelled context = %v, want context.Canceled", err)
	}
	if got := names(t, dir); len(got) != 0 || called {
		t.Errorf("after errors: files %q, Sent called %v; want none", got, called)
	}

	// Dir is a file: cannot be created.
	file := filepath.Join(dir, "file")
	if err := os.WriteFile(file, nil, 0o600); err != nil {
		t.Fatal(err)
	}
	o.Dir = filepath.Join(file, "sub")
	if err := o.Send(t.Context(), msg()); err == nil || secmail.Permanent(err) {
		t.Errorf("Send into a file = %v, want a temporary error", err)
	}
	o.Dir = ""
	if err := o.Send(t.Context(), msg()); err == nil {
		t.Error("Send with no Dir: no error")
	}
}

// TestOutboxForget: "/oubli" removes the files of one referral's mails,
// and only those.
func TestOutboxForget(t *testing.T) {
	dir := t.TempDir()
	o := &secmail.Outbox{Dir: dir, From: "Secours <secours@example.org>"}
	for _, id := range []string{"ref1.new.0", "ref1.reply.1", "ref10.new.0", "ref2.new.0"} {
		m := msg()
		m.ID = id
		if err := o.Send(t.Context(), m); err != nil {
			t.Fatal(err)
		}
	}
	n, err := o.Forget("ref1.")
	if err != nil || n != 2 {
		t.Fatalf("Forget = %d, %v; want 2", n, err)
	}
	want := []string{"20250314T082653-ref10.new.0.eml", "20250314T082653-ref2.new.0.eml"}
	if got := names(t, dir); !slices.Equal(got, want) {
		t.Errorf("left %q, want %q", got, want)
	}
	if n, err := o.Forget("ref1."); err != nil || n != 0 {
		t.Errorf("second Forget = %d, %v; want 0, nil", n, err)
	}
	if _, err := o.Forget(""); err == nil {
		t.Error("an empty prefix would remove every mail")
	}
	missing := &secmail.Outbox{Dir: filepath.Join(dir, "none")}
	if n, err := missing.Forget("ref1."); err != nil || n != 0 {
		t.Errorf("missing directory: %d, %v", n, err)
	}
}
