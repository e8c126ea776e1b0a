package whatsapp

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"io/fs"
	"net/url"
	"os"
	"strings"

	_ "github.com/lib/pq" // "postgres" driver, pure Go
	"go.mau.fi/whatsmeow/store/sqlstore"
	waLog "go.mau.fi/whatsmeow/util/log"
	_ "modernc.org/sqlite" // "sqlite" driver, pure Go: the binary stays static
)

// ErrNotLinked means the store holds no device: run "secours whatsapp
// link" first.
var ErrNotLinked = errors.New("whatsapp: no linked device in the store")

// IsPostgres reports whether db names a PostgreSQL database rather than a
// SQLite file.
func IsPostgres(db string) bool {
	return strings.HasPrefix(db, "postgres://") || strings.HasPrefix(db, "postgresql://")
}

// OpenStore opens (and creates or upgrades) whatsmeow's device store:
//
//	whatsapp.db                             a SQLite file, created 0600
//	/var/lib/secours/wa.db                  the same, absolute
//	file:wa.db?_pragma=journal_mode(WAL)    a SQLite URI; its parameters are kept
//	postgres://user@db.internal/secours     PostgreSQL (also postgresql://)
//
// Errors never quote db: a URL may hold a password.
func OpenStore(ctx context.Context, db string, log waLog.Logger) (*sqlstore.Container, error) {
	driver, dialect, dsn := "postgres", "postgres", db
	if !IsPostgres(db) {
		var err error
		if dsn, err = sqliteDSN(db); err != nil {
			return nil, err
		}
		// whatsmeow's dialect is "sqlite3" (mattn's cgo driver name); it
		// only switches on the prefix, so modernc's "sqlite" driver
		// serves it unchanged.
		driver, dialect = "sqlite", "sqlite3"
	}
	sdb, err := sql.Open(driver, dsn)
	if err != nil {
		return nil, fmt.Errorf("whatsapp store: %w", err)
	}
	c := sqlstore.NewWithDB(sdb, dialect, log)
	if err := c.Upgrade(ctx); err != nil {
		_ = sdb.Close()
		return nil, fmt.Errorf("whatsapp store: %w", err)
	}
	return c, nil
}

// sqliteDSN makes sure the file exists with mode 0600 (it holds the
// device's private keys) and returns modernc's DSN with foreign keys on
// (whatsmeow refuses to start without), a busy timeout, and immediate
// transactions so that two connections never deadlock upgrading a read
// lock.
func sqliteDSN(db string) (string, error) {
	path, query, _ := strings.Cut(strings.TrimPrefix(db, "file:"), "?")
	if path == "" {
		return "", errors.New("whatsapp store: empty SQLite path")
	}
	if strings.HasPrefix(db, "file:") {
		p, err := url.PathUnescape(path)
		if err != nil {
			return "", fmt.Errorf("whatsapp store: bad SQLite URI: %w", err)
		}
		path = p
	}
	// Created 0600 before SQLite opens it: no key is ever written to a
	// file others can read. SQLite gives its -wal, -shm and -journal files
	// the database's mode; a leftover one from an older or copied store
	// is tightened too.
	f, err := os.OpenFile(path, os.O_RDWR|os.O_CREATE, 0o600)
	if err != nil {
		return "", fmt.Errorf("whatsapp store: %w", err)
	}
	_ = f.Close()
	for _, p := range []string{path, path + "-wal", path + "-shm", path + "-journal"} {
		if err := tighten(p); err != nil {
			return "", fmt.Errorf("whatsapp store: %w", err)
		}
	}
	q, err := url.ParseQuery(query)
	if err != nil {
		return "", fmt.Errorf("whatsapp store: bad SQLite parameters: %w", err)
	}
	q.Add("_pragma", "foreign_keys(1)")
	q.Add("_pragma", "busy_timeout(5000)")
	if q.Get("_txlock") == "" {
		q.Set("_txlock", "immediate")
	}
	// SQLite reads the name as a URI: escape what would end the path.
	esc := strings.NewReplacer("%", "%25", "?", "%3F", "#", "%23").Replace(path)
	return "file:" + esc + "?" + q.Encode(), nil
}

// tighten makes an existing file readable by its owner only.
func tighten(path string) error {
	fi, err := os.Stat(path)
	if errors.Is(err, fs.ErrNotExist) {
		return nil
	}
	if err != nil {
		return err
	}
	if fi.Mode().Perm()&0o077 == 0 {
		return nil
	}
	return os.Chmod(path, 0o600)
}
