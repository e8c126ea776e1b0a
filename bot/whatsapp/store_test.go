package whatsapp

import (
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/secours/secours/bot/whatsapp/watest"
	"go.mau.fi/whatsmeow/store/sqlstore"
)

// TestOpenStoreSQLite creates the store 0600, keeps a device across a
// reopen, and tightens a file that others could read.
func TestOpenStoreSQLite(t *testing.T) {
	path := filepath.Join(t.TempDir(), "wa.db")
	c, err := OpenStore(t.Context(), path, nil)
	if err != nil {
		t.Fatal(err)
	}
	fi, err := os.Stat(path)
	if err != nil {
		t.Fatal(err)
	}
	if got := fi.Mode().Perm(); got != 0o600 {
		t.Errorf("store mode %o, want 600", got)
	}
	watest.SaveDevice(t, c)
	if err := c.Close(); err != nil {
		t.Fatal(err)
	}

	if err := os.Chmod(path, 0o644); err != nil { // a copied store
		t.Fatal(err)
	}
	c, err = OpenStore(t.Context(), "file:"+path+"?_pragma=journal_mode(WAL)", nil)
	if err != nil {
		t.Fatal(err)
	}
	defer c.Close()
	checkDevice(t, c)
	// A write, so that SQLite creates its WAL and shared-memory files.
	if err := c.PutDevice(t.Context(), watest.FirstDevice(t, c)); err != nil {
		t.Fatal(err)
	}
	for _, p := range []string{path, path + "-wal", path + "-shm"} {
		fi, err := os.Stat(p)
		if err != nil {
			t.Errorf("%s: %v", filepath.Base(p), err)
			continue
		}
		if got := fi.Mode().Perm(); got != 0o600 {
			t.Errorf("%s mode %o after reopen, want 600", filepath.Base(p), got)
		}
	}
}

func TestSQLiteDSN(t *testing.T) {
	dir := t.TempDir()
	tests := []struct{ in, want string }{
		{filepath.Join(dir, "a.db"), "file:" + dir + "/a.db?_pragma=foreign_keys%281%29&_pragma=busy_timeout%285000%29&_txlock=immediate"},
		{"file:" + dir + "/b%3F.db?_txlock=exclusive", "file:" + dir + "/b%3F.db?_pragma=foreign_keys%281%29&_pragma=busy_timeout%285000%29&_txlock=exclusive"},
	}
	for _, tt := range tests {
		got, err := sqliteDSN(tt.in)
		if err != nil || got != tt.want {
			t.Errorf("sqliteDSN(%q) = %q, %v; want %q", tt.in, got, err, tt.want)
		}
	}
	if _, err := os.Stat(filepath.Join(dir, "b?.db")); err != nil {
		t.Errorf("the URI's escaped name was not unescaped: %v", err)
	}
	// Files left beside a copied store are tightened before SQLite opens
	// them.
	stale := filepath.Join(dir, "c.db")
	for _, p := range []string{stale, stale + "-wal", stale + "-shm", stale + "-journal"} {
		if err := os.WriteFile(p, nil, 0o600); err != nil {
			t.Fatal(err)
		}
		if err := os.Chmod(p, 0o644); err != nil {
			t.Fatal(err)
		}
	}
	if _, err := sqliteDSN(stale); err != nil {
		t.Fatal(err)
	}
	for _, p := range []string{stale, stale + "-wal", stale + "-shm", stale + "-journal"} {
		fi, err := os.Stat(p)
		if err != nil {
			t.Fatal(err)
		}
		if got := fi.Mode().Perm(); got != 0o600 {
			t.Errorf("%s mode %o, want 600", filepath.Base(p), got)
		}
	}
	for _, bad := range []string{"", "file:", "file:" + dir + "/x.db?%zz", filepath.Join(dir, "missing", "x.db")} {
		if _, err := sqliteDSN(bad); err == nil {
			t.Errorf("sqliteDSN(%q) = nil error", bad)
		}
	}
}

func TestIsPostgres(t *testing.T) {
	for in, want := range map[string]bool{
		"postgres://u:p@db/secours":    true,
		"postgresql://db/secours":      true,
		"secours-whatsapp.db":          false,
		"file:postgres.db":             false,
		"/var/lib/postgres/secours.db": false,
	} {
		if got := IsPostgres(in); got != want {
			t.Errorf("IsPostgres(%q) = %v", in, got)
		}
	}
}

// TestOpenStorePostgres runs against WHATSAPP_TEST_POSTGRES, an empty
// database that .ci/run creates; it never skips in CI.
func TestOpenStorePostgres(t *testing.T) {
	u := os.Getenv("WHATSAPP_TEST_POSTGRES")
	if u == "" {
		if os.Getenv("CI") != "" {
			t.Fatal("WHATSAPP_TEST_POSTGRES must be set in CI (.ci/run creates an empty database)")
		}
		t.Skip("WHATSAPP_TEST_POSTGRES not set")
	}
	c, err := OpenStore(t.Context(), u, nil)
	if err != nil {
		if strings.Contains(err.Error(), u) {
			t.Errorf("error quotes the URL")
		}
		t.Fatalf("WHATSAPP_TEST_POSTGRES set but unusable: %v", err)
	}
	defer c.Close()
	if dev, err := c.GetFirstDevice(t.Context()); err != nil || dev.ID != nil {
		t.Fatalf("WHATSAPP_TEST_POSTGRES must name an empty database: %v, %v", dev.ID, err)
	}
	watest.SaveDevice(t, c)
	checkDevice(t, c)
	dev, _ := c.GetFirstDevice(t.Context())
	if err := c.DeleteDevice(t.Context(), dev); err != nil {
		t.Fatal(err)
	}
}

// checkDevice finds the device watest.SaveDevice stored.
func checkDevice(t *testing.T, c *sqlstore.Container) {
	t.Helper()
	if dev := watest.FirstDevice(t, c); dev.ID == nil || dev.ID.User != watest.User {
		t.Errorf("store holds %v, want the saved device", dev.ID)
	}
}
