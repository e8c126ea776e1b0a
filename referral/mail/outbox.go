package mail

import (
	"context"
	"errors"
	"fmt"
	"io/fs"
	"os"
	"path/filepath"
	"strings"
	"time"
)

// Outbox "sends" a Message by writing it as an .eml file into Dir, for a
// deployment without a relay: someone forwards the files by hand, or a
// mail client opens them. Each file is named
// <UTC yyyymmddThhmmss>-<Message-ID local part>.eml, so a listing sorts
// by time. It is safe for concurrent use.
type Outbox struct {
	// Dir is created (0700) if missing. The files are 0600: they hold the
	// referral, which is personal data.
	Dir string
	// From is the From of a Message that has none, as Config.From is for
	// SMTP, so the two senders take the same Messages.
	From string
	// Sent, when set, is called with the path of each file written, after
	// it is complete, so the caller can log "mail written to outbox".
	Sent func(path string)
}

// Send writes m into o.Dir. A message without ID or Date gets them here,
// so the file name and the Message-ID inside agree. The file appears
// whole or not at all: it is written to a temporary file in the same
// directory, synced, then renamed. Errors start with "outbox send: ".
func (o *Outbox) Send(ctx context.Context, m Message) error {
	if err := o.send(ctx, m); err != nil {
		return fmt.Errorf("outbox send: %w", err)
	}
	return nil
}

func (o *Outbox) send(ctx context.Context, m Message) error {
	if err := ctx.Err(); err != nil {
		return err
	}
	if o.Dir == "" {
		return errors.New("no directory")
	}
	if m.From == "" {
		m.From = o.From
	}
	if m.ID == "" {
		m.ID = newID()
	}
	if m.Date.IsZero() {
		m.Date = time.Now()
	}
	data, err := m.Bytes()
	if err != nil {
		return err
	}
	if err := os.MkdirAll(o.Dir, 0o700); err != nil {
		return err
	}
	local, _, _ := strings.Cut(strings.TrimPrefix(m.ID, "<"), "@")
	name := m.Date.UTC().Format("20060102T150405") + "-" + fileSafe(local) + ".eml"
	path := filepath.Join(o.Dir, name)

	// The dot keeps the temporary file out of "*.eml" globs and of mail
	// clients watching the directory. CreateTemp makes it 0600.
	f, err := os.CreateTemp(o.Dir, ".tmp-*.eml")
	if err != nil {
		return err
	}
	tmp := f.Name()
	done := false
	defer func() {
		if !done {
			_ = f.Close()
			_ = os.Remove(tmp)
		}
	}()
	if _, err := f.Write(data); err != nil {
		return err
	}
	// Without the sync, a crash after the rename can leave an empty file
	// under the final name.
	if err := f.Sync(); err != nil {
		return err
	}
	if err := f.Close(); err != nil {
		return err
	}
	if err := os.Rename(tmp, path); err != nil {
		return err
	}
	done = true
	// The rename itself lives in the directory; sync it so the file
	// survives a crash. Some file systems cannot sync a directory; the
	// file is written anyway, so that is not an error.
	if d, err := os.Open(o.Dir); err == nil {
		_ = d.Sync()
		_ = d.Close()
	}
	if o.Sent != nil {
		o.Sent(path)
	}
	return nil
}

// Forget removes the files of every message whose Message-ID local part
// starts with prefix, as a person's "/oubli" asks of the mails about
// their referral (the desk's Message-IDs start with the referral id and a
// dot). It returns how many files it removed; a missing directory holds
// none.
func (o *Outbox) Forget(prefix string) (int, error) {
	if prefix == "" {
		return 0, errors.New("outbox forget: empty prefix") // would remove every mail
	}
	entries, err := os.ReadDir(o.Dir)
	if errors.Is(err, fs.ErrNotExist) {
		return 0, nil
	}
	if err != nil {
		return 0, fmt.Errorf("outbox forget: %w", err)
	}
	want := fileSafe(prefix)
	n := 0
	for _, e := range entries {
		// <time>-<local part>.eml: the time has no "-".
		_, local, ok := strings.Cut(e.Name(), "-")
		if !ok || e.IsDir() || !strings.HasSuffix(local, ".eml") || !strings.HasPrefix(local, want) {
			continue
		}
		if err := os.Remove(filepath.Join(o.Dir, e.Name())); err != nil && !errors.Is(err, fs.ErrNotExist) {
			return n, fmt.Errorf("outbox forget: %w", err)
		}
		n++
	}
	return n, nil
}

// fileSafe keeps the characters of a Message-ID local part that are safe
// in a file name on any system, and bounds its length.
func fileSafe(s string) string {
	var b strings.Builder
	for i := 0; i < len(s) && b.Len() < 64; i++ {
		c := s[i]
		switch {
		case 'a' <= c && c <= 'z', 'A' <= c && c <= 'Z', '0' <= c && c <= '9', c == '-', c == '_', c == '.':
			b.WriteByte(c)
		default:
			b.WriteByte('_')
		}
	}
	return b.String()
}
