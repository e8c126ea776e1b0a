package main

import (
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"
)

// TestCIScript holds .ci/run to what it asks of the code: shellcheck
// finds nothing in it, and it checks that go.mod and go.sum are tidy and
// drops the PostgreSQL role it makes (issue 17).
func TestCIScript(t *testing.T) {
	path := filepath.Join("..", "..", ".ci", "run")
	src, err := os.ReadFile(path)
	if err != nil {
		t.Fatal(err)
	}
	if out, err := exec.Command("bash", "-n", path).CombinedOutput(); err != nil {
		t.Errorf("bash -n .ci/run: %v\n%s", err, out)
	}
	for _, want := range []string{"go mod tidy -diff", "shellcheck .ci/run", "DROP ROLE IF EXISTS $pg_role"} {
		if !strings.Contains(string(src), want) {
			t.Errorf(".ci/run does not run %q", want)
		}
	}
	shellcheck(t, path)
}
