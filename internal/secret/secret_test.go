package secret

import (
	"errors"
	"os"
	"path/filepath"
	"testing"
)

func TestRead(t *testing.T) {
	dir := t.TempDir()
	file := filepath.Join(dir, "token")
	if err := os.WriteFile(file, []byte("  from-file\n"), 0o600); err != nil {
		t.Fatal(err)
	}
	tests := []struct {
		name, value, file, want string
		err                     error
	}{
		{"neither", "", "", "", nil},
		{"value", "from-env", "", "from-env", nil},
		{"file, trimmed", "", file, "from-file", nil},
		{"both", "from-env", file, "", ErrBoth},
		{"missing file", "", filepath.Join(dir, "none"), "", os.ErrNotExist},
	}
	for _, tt := range tests {
		got, err := Read(tt.value, tt.file)
		if got != tt.want || !errors.Is(err, tt.err) || (tt.err == nil) != (err == nil) {
			t.Errorf("%s: Read = %q, %v; want %q, %v", tt.name, got, err, tt.want, tt.err)
		}
	}
}
