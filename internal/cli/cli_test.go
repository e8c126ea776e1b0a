package cli

import (
	"errors"
	"flag"
	"fmt"
	"strings"
	"testing"
)

func TestFlagsAndParse(t *testing.T) {
	var out strings.Builder
	fs := Flags("secours demo", "Usage:\n  secours demo\n\nFlags:\n", &out)
	n := fs.Int("n", 1, "how many")
	if code, ok := Parse(fs, []string{"-n", "3", "rest"}, 2); !ok || code != 0 || *n != 3 || fs.Arg(0) != "rest" {
		t.Errorf("Parse(-n 3 rest) = %d, %v, n %d, args %q; want 0, true, 3, [rest]", code, ok, *n, fs.Args())
	}
	if out.Len() != 0 {
		t.Errorf("a good parse wrote %q", out.String())
	}
	if code, ok := Parse(fs, []string{"-h"}, 2); ok || code != 0 {
		t.Errorf("Parse(-h) = %d, %v; want 0, false", code, ok)
	}
	if got := out.String(); !strings.HasPrefix(got, "Usage:\n  secours demo\n\nFlags:\n") || !strings.Contains(got, "how many") {
		t.Errorf("-h printed %q, want the usage text then the flags", got)
	}
	out.Reset()
	if code, ok := Parse(fs, []string{"-bogus"}, 1); ok || code != 1 {
		t.Errorf("Parse(-bogus, 1) = %d, %v; want 1, false", code, ok)
	}
	if !strings.Contains(out.String(), "bogus") {
		t.Errorf("a bad flag printed %q, want it named", out.String())
	}
}

func TestFailed(t *testing.T) {
	var out strings.Builder
	if code, ok := Failed(&out, "secours", nil); !ok || code != 0 || out.Len() != 0 {
		t.Errorf("Failed(nil) = %d, %v, wrote %q; want 0, true, nothing", code, ok, out.String())
	}
	if code, ok := Failed(&out, "secours", fmt.Errorf("parse: %w", flag.ErrHelp)); ok || code != 0 || out.Len() != 0 {
		t.Errorf("Failed(ErrHelp) = %d, %v, wrote %q; want 0, false, nothing", code, ok, out.String())
	}
	if code, ok := Failed(&out, "loadtest", errors.New("-n must be > 0")); ok || code != 2 || out.String() != "loadtest: -n must be > 0\n" {
		t.Errorf("Failed(err) = %d, %v, wrote %q; want 2, false, the error after the name", code, ok, out.String())
	}
}
