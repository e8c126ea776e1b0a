package testkit

import (
	"os"
	"path/filepath"
	"testing"
)

// Golden compares got with the file at path, or rewrites the file when
// update is set (a package's -update flag: read the diff before
// committing it). how says how to rewrite it, for the failure message.
func Golden(tb testing.TB, path, got string, update bool, how string) {
	tb.Helper()
	if update {
		if err := os.MkdirAll(filepath.Dir(path), 0o755); err != nil {
			tb.Fatal(err)
		}
		if err := os.WriteFile(path, []byte(got), 0o644); err != nil {
			tb.Fatal(err)
		}
		return
	}
	want, err := os.ReadFile(path)
	if err != nil {
		tb.Fatalf("%v (%s)", err, how)
	}
	if got != string(want) {
		tb.Errorf("%s differs from what was sent (%s); sent:\n%s", path, how, got)
	}
}
