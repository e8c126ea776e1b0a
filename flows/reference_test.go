package flows

import (
	"bytes"
	"errors"
	"io/fs"
	"os"
	"path/filepath"
	"testing"
)

// TestReferenceInStep: the reference rules this package implements live in
// the repository, docs/diagnostic.md, and stay the same text as the
// project's shared copy, ../shared/diagnostic.md beside the clone (where
// .ci/run finds it). Without the shared copy, outside CI, only the
// repository's is checked.
func TestReferenceInStep(t *testing.T) {
	repo, err := os.ReadFile(filepath.Join("..", "docs", "diagnostic.md"))
	if err != nil {
		t.Fatalf("the reference diagnostic is not in the repository: %v", err)
	}
	if !bytes.HasPrefix(repo, []byte("# Secours — reference diagnostic")) {
		t.Errorf("docs/diagnostic.md does not start with the reference's title")
	}
	shared, err := os.ReadFile(filepath.Join("..", "..", "shared", "diagnostic.md"))
	switch {
	case errors.Is(err, fs.ErrNotExist) && os.Getenv("CI") == "":
		t.Log("no ../shared/diagnostic.md beside the clone: only the repository's copy is checked")
	case err != nil:
		t.Fatalf("the shared reference must be beside the clone in CI: %v", err)
	case !bytes.Equal(repo, shared):
		t.Errorf("docs/diagnostic.md differs from ../shared/diagnostic.md: copy the shared one over it (cp ../shared/diagnostic.md docs/)")
	}
}
