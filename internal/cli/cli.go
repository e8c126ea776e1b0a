// Package cli holds what the secours command's subcommands share: a flag
// set whose usage is a text then the flags, and the exit status of a
// parse that fails. The commands live in cmd/secours and web/ops (the
// container's health check).
package cli

import (
	"errors"
	"flag"
	"fmt"
	"io"
)

// Flags is a subcommand's flag set: its errors go to stderr, and its
// usage is the text usage followed by the flags' defaults.
func Flags(name, usage string, stderr io.Writer) *flag.FlagSet {
	fs := flag.NewFlagSet(name, flag.ContinueOnError)
	fs.SetOutput(stderr)
	fs.Usage = func() {
		fmt.Fprint(stderr, usage)
		fs.PrintDefaults()
	}
	return fs
}

// Parse parses args into fs. If that fails, ok is false and code is the
// exit status: 0 for -h (fs has printed its usage), else bad (fs has said
// what is wrong).
func Parse(fs *flag.FlagSet, args []string, bad int) (code int, ok bool) {
	if err := fs.Parse(args); err != nil {
		if errors.Is(err, flag.ErrHelp) {
			return 0, false
		}
		return bad, false
	}
	return 0, true
}

// Failed is the exit status of a command whose configuration failed to
// load with err (nil: it did not fail, ok is true): 0 for -h (the usage
// is printed already), else 2, with the error said on stderr after the
// command's name.
func Failed(stderr io.Writer, name string, err error) (code int, ok bool) {
	switch {
	case err == nil:
		return 0, true
	case errors.Is(err, flag.ErrHelp):
		return 0, false
	}
	fmt.Fprintln(stderr, name+":", err)
	return 2, false
}
