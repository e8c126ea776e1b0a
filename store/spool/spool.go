// Package spool keeps a channel's inbox in a local folder, for a process
// with no Redis: Telegram's long polling then confirms a batch at once,
// as with Redis, and a process killed before it answered finds the
// updates here at its next start. It imports nothing of the project.
//
// Each inbox is one file of lines, appended to: "K <id> <value in
// base64>" keeps an update, "D <id>" clears it. One write a batch, no
// rename on the path of a message. The file is emptied once nothing is
// kept, and rewritten whole (a temporary file, then a rename: atomic)
// when it grows past compactAt or after a failed write. A kill leaves
// whole lines and perhaps one torn last line, which is ignored: its write
// never returned, so its batch was never confirmed to Telegram. It
// outlives the process, not the machine (no fsync, like Redis' default).
package spool

import (
	"bufio"
	"bytes"
	"context"
	"encoding/base64"
	"errors"
	"fmt"
	"io/fs"
	"os"
	"path/filepath"
	"slices"
	"strconv"
	"strings"
	"sync"
	"time"
)

// compactAt is the size past which an inbox file is rewritten with only
// what it still keeps: under steady load it is never empty.
var compactAt int64 = 1 << 20 // a variable: tests lower it

// Dir is a folder of inboxes. It is safe for concurrent use. One process
// holds a folder at a time (lock): two would each keep their own idea of
// a file and empty it under the other.
type Dir struct {
	path string
	lock *os.File // holds the folder's lock until Close
	mu   sync.Mutex
	open map[string]*inbox
}

// inbox is one inbox's file and what it keeps.
type inbox struct {
	f     *os.File // opened to append
	size  int64
	dirty bool // a write failed: rewrite the file before the next append
	kept  map[int64][]byte
}

// ErrInUse means another process holds the folder.
var ErrInUse = errors.New("spool: the folder is in use by another process")

// Open returns the inboxes of the folder path, made (0700: the updates
// carry people's words) if it does not exist, and locks it (ErrInUse if
// another process holds it).
func Open(path string) (*Dir, error) {
	if err := os.MkdirAll(path, 0o700); err != nil {
		return nil, fmt.Errorf("spool: %w", err)
	}
	f, err := os.OpenFile(filepath.Join(path, ".lock"), os.O_RDWR|os.O_CREATE, 0o600)
	if err != nil {
		return nil, fmt.Errorf("spool: %w", err)
	}
	if err := lockFile(f); err != nil {
		_ = f.Close()
		return nil, err
	}
	return &Dir{path: path, lock: f, open: map[string]*inbox{}}, nil
}

// Close closes the inboxes' files and lets the folder go; what they keep
// stays on disk.
func (d *Dir) Close() error {
	d.mu.Lock()
	defer d.mu.Unlock()
	var errs []error
	for name, in := range d.open {
		errs = append(errs, in.f.Close())
		delete(d.open, name)
	}
	if d.lock != nil {
		errs = append(errs, d.lock.Close())
		d.lock = nil
	}
	return errors.Join(errs...)
}

// file is the inbox name's file: its letters and digits, the rest as '-'
// ("inbox:{ab12}" is inbox--ab12-.log).
func (d *Dir) file(name string) string {
	safe := strings.Map(func(r rune) rune {
		if r >= 'a' && r <= 'z' || r >= 'A' && r <= 'Z' || r >= '0' && r <= '9' {
			return r
		}
		return '-'
	}, name)
	return filepath.Join(d.path, safe+".log")
}

// load returns the inbox name, read from its file the first time and
// rewritten with what it keeps (a torn last line goes). A file that cannot
// be read as an inbox is moved aside, never overwritten: load then returns
// the empty inbox that replaces it and an error that says where the file
// went. Any other error comes with a nil inbox.
func (d *Dir) load(name string) (*inbox, error) {
	if in, ok := d.open[name]; ok {
		return in, nil
	}
	if name == "" {
		return nil, errors.New("spool: empty inbox name")
	}
	path := d.file(name)
	kept := map[int64][]byte{}
	var aside error
	b, err := os.ReadFile(path)
	switch {
	case errors.Is(err, fs.ErrNotExist):
	case err != nil:
		return nil, fmt.Errorf("spool: %w", err)
	default:
		if kept, err = parse(b); err != nil {
			to := path + ".bad-" + time.Now().UTC().Format("20060102T150405")
			if rerr := os.Rename(path, to); rerr != nil {
				return nil, fmt.Errorf("spool: %s is not an inbox (%v), and cannot be moved aside: %w", path, err, rerr)
			}
			aside = fmt.Errorf("spool: %s is not an inbox, moved to %s: %w", path, to, err)
			kept = map[int64][]byte{}
		}
	}
	in := &inbox{kept: kept}
	if err := d.rewrite(name, in); err != nil {
		return nil, err
	}
	d.open[name] = in
	return in, aside
}

// parse reads an inbox file. The last line, if it has no newline, is a
// write the process did not finish: left out.
func parse(b []byte) (map[int64][]byte, error) {
	kept := map[int64][]byte{}
	if i := bytes.LastIndexByte(b, '\n'); i < len(b)-1 {
		b = b[:i+1]
	}
	sc := bufio.NewScanner(bytes.NewReader(b))
	sc.Buffer(nil, 64<<20)
	for n := 1; sc.Scan(); n++ {
		op, rest, _ := strings.Cut(sc.Text(), " ")
		idText, value, _ := strings.Cut(rest, " ")
		id, err := strconv.ParseInt(idText, 10, 64)
		if err != nil {
			return nil, fmt.Errorf("line %d: no update id", n)
		}
		switch op {
		case "K":
			v, err := base64.StdEncoding.DecodeString(value)
			if err != nil {
				return nil, fmt.Errorf("line %d: %w", n, err)
			}
			kept[id] = v
		case "D":
			delete(kept, id)
		default:
			return nil, fmt.Errorf("line %d: neither K nor D", n)
		}
	}
	if err := sc.Err(); err != nil {
		return nil, err
	}
	return kept, nil
}

func appendKeep(b []byte, id int64, v []byte) []byte {
	b = append(b, "K "...)
	b = strconv.AppendInt(b, id, 10)
	b = append(b, ' ')
	b = base64.StdEncoding.AppendEncode(b, v)
	return append(b, '\n')
}

// rewrite replaces the inbox's file with one that keeps in.kept, through
// a temporary file and a rename, and opens it to append.
func (d *Dir) rewrite(name string, in *inbox) error {
	var b []byte
	for id, v := range in.kept {
		b = appendKeep(b, id, v)
	}
	tmp, err := os.CreateTemp(d.path, ".inbox-*")
	if err != nil {
		return fmt.Errorf("spool: %w", err)
	}
	_, werr := tmp.Write(b)
	if cerr := tmp.Close(); werr == nil {
		werr = cerr
	}
	if werr == nil {
		werr = os.Rename(tmp.Name(), d.file(name))
	}
	if werr != nil {
		_ = os.Remove(tmp.Name())
		return fmt.Errorf("spool: %w", werr)
	}
	f, err := os.OpenFile(d.file(name), os.O_WRONLY|os.O_APPEND, 0o600)
	if err != nil {
		return fmt.Errorf("spool: %w", err)
	}
	if in.f != nil {
		_ = in.f.Close()
	}
	in.f, in.size, in.dirty = f, int64(len(b)), false
	return nil
}

// write appends b to the inbox's file, rewriting it first after a failed
// write (which may have left half a line) or once it grew past compactAt.
func (d *Dir) write(name string, in *inbox, b []byte) error {
	if in.dirty || in.size+int64(len(b)) > compactAt {
		if err := d.rewrite(name, in); err != nil {
			return err
		}
	}
	n, err := in.f.Write(b)
	in.size += int64(n)
	if err != nil {
		in.dirty = true
		return fmt.Errorf("spool: %w", err)
	}
	return nil
}

// InboxKeep adds updates (id → value) to the inbox name. On an error the
// inbox keeps what it kept before.
func (d *Dir) InboxKeep(_ context.Context, name string, updates map[int64][]byte) error {
	d.mu.Lock()
	defer d.mu.Unlock()
	in, err := d.load(name)
	if in == nil {
		return err
	}
	// A file moved aside was reported by InboxKept at start: keep going.
	if len(updates) == 0 {
		return nil
	}
	var b []byte
	for id, v := range updates {
		b = appendKeep(b, id, v)
	}
	if err := d.write(name, in, b); err != nil {
		return err
	}
	for id, v := range updates {
		in.kept[id] = v
	}
	return nil
}

// InboxDone removes the updates ids from the inbox name; once it keeps
// nothing, its file is emptied.
func (d *Dir) InboxDone(_ context.Context, name string, ids []int64) error {
	d.mu.Lock()
	defer d.mu.Unlock()
	in, err := d.load(name)
	if in == nil {
		return err
	}
	var gone []int64
	for _, id := range ids {
		if _, ok := in.kept[id]; ok {
			gone = append(gone, id)
		}
	}
	if len(gone) == 0 {
		return nil
	}
	// An id asked twice counts once: all kept gone is what empties the file.
	slices.Sort(gone)
	gone = slices.Compact(gone)
	if len(gone) == len(in.kept) && !in.dirty {
		// Nothing left: an empty file holds no one's words.
		if err := in.f.Truncate(0); err != nil {
			in.dirty = true
			return fmt.Errorf("spool: %w", err)
		}
		in.size = 0
	} else {
		var b []byte
		for _, id := range gone {
			b = append(b, "D "...)
			b = strconv.AppendInt(b, id, 10)
			b = append(b, '\n')
		}
		if err := d.write(name, in, b); err != nil {
			return err
		}
	}
	for _, id := range gone {
		delete(in.kept, id)
	}
	return nil
}

// InboxKept returns every update of the inbox name.
func (d *Dir) InboxKept(_ context.Context, name string) (map[int64][]byte, error) {
	d.mu.Lock()
	defer d.mu.Unlock()
	in, err := d.load(name)
	if err != nil {
		return nil, err
	}
	out := make(map[int64][]byte, len(in.kept))
	for id, v := range in.kept {
		out[id] = v
	}
	return out, nil
}
