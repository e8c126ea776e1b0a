// Package secret reads a secret given either as a value from the
// environment or as a file that holds it (a Docker or systemd secret), by
// one rule for every channel. It imports nothing of the project.
package secret

import (
	"errors"
	"fmt"
	"os"
	"strings"
)

// ErrBoth means the secret was given both ways. Neither wins: a rotated
// file would otherwise lose silently to a stale variable, or the reverse,
// so the operator is asked to keep one.
var ErrBoth = errors.New("secret: given both as a value and as a file")

// Read returns value, or the content of file without its surrounding
// white space (a file written by echo ends in a newline). Neither given
// is "" and no error: whether the secret is required is the caller's
// rule.
func Read(value, file string) (string, error) {
	switch {
	case file == "":
		return value, nil
	case value != "":
		return "", ErrBoth
	}
	b, err := os.ReadFile(file)
	if err != nil {
		return "", fmt.Errorf("read secret file: %w", err)
	}
	return strings.TrimSpace(string(b)), nil
}
