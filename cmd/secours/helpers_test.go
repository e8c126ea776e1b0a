package main

import (
	"bytes"
	"context"
	"io"
	"os"
	"os/exec"
	"path/filepath"
	"slices"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/secours/secours/bot/telegram/telegramtest"
	"github.com/secours/secours/internal/testkit"
)

// The helpers the command's tests share: running serve in the test
// process, waiting, free ports.

// startServe runs serve with cfg until the returned stop is called.
func startServe(t *testing.T, cfg Config) (stderr *testkit.SyncBuffer, stop func()) {
	t.Helper()
	stderr = &testkit.SyncBuffer{}
	ctx, cancel := context.WithCancel(context.Background())
	errc := goServe(ctx, cfg, stderr)
	var once sync.Once
	stop = func() {
		once.Do(func() {
			cancel()
			if err := serveResult(t, errc, 10*time.Second); err != nil {
				t.Errorf("serve: %v", err)
			}
		})
	}
	t.Cleanup(stop)
	return stderr, stop
}

// goServe runs serve with cfg, no input and logs as its stderr, until ctx
// ends; its result arrives on the channel.
func goServe(ctx context.Context, cfg Config, logs io.Writer) <-chan error {
	errc := make(chan error, 1)
	go func() { errc <- serve(ctx, cfg, strings.NewReader(""), &bytes.Buffer{}, logs) }()
	return errc
}

// serveResult waits up to limit for serve's result on errc; if none comes,
// the test fails at once.
func serveResult(t *testing.T, errc <-chan error, limit time.Duration) error {
	t.Helper()
	select {
	case err := <-errc:
		return err
	case <-time.After(limit):
		t.Fatalf("serve still running %s after the stop", limit)
		return nil
	}
}

// waitExit waits up to limit for cmd, already started, to exit; exited is
// false if it is still running then (the test's cleanup kills it).
func waitExit(cmd *exec.Cmd, limit time.Duration) (exited bool, err error) {
	errc := make(chan error, 1)
	go func() { errc <- cmd.Wait() }()
	select {
	case err := <-errc:
		return true, err
	case <-time.After(limit):
		return false, nil
	}
}

// shellcheck runs shellcheck on the script at path. Without it a
// developer's run skips this part; CI must have it (.ci/run installs it),
// so there a missing shellcheck fails rather than skips.
func shellcheck(t *testing.T, path string) {
	t.Helper()
	if _, err := exec.LookPath("shellcheck"); err != nil {
		if os.Getenv("CI") != "" {
			t.Fatal("shellcheck must be installed in CI (.ci/run installs it)")
		}
		t.Skip("shellcheck not installed")
	}
	if out, err := exec.Command("shellcheck", path).CombinedOutput(); err != nil {
		t.Errorf("shellcheck %s: %v\n%s", filepath.ToSlash(path), err, out)
	}
}

// telegramConfig is the service's configuration from args and env on the
// fake Bot API tg, whose token and URL it adds to env.
func telegramConfig(t *testing.T, tg *telegramtest.Server, args []string, env map[string]string) Config {
	t.Helper()
	if env == nil {
		env = map[string]string{}
	}
	env["TELEGRAM_BOT_TOKEN"], env["TELEGRAM_API_URL"] = tg.Token, tg.URL
	if _, ok := env["TELEGRAM_INBOX_DIR"]; !ok {
		// Long polling without Redis keeps its inbox in a folder: the
		// test's own, not the package's.
		env["TELEGRAM_INBOX_DIR"] = filepath.Join(t.TempDir(), "inbox")
	}
	cfg, err := parseConfig(args, envOf(env), &bytes.Buffer{})
	if err != nil {
		t.Fatal(err)
	}
	return cfg
}

// configCase is one row of a channel's configuration table: what
// parseConfig makes of args and env, want when it succeeds.
type configCase[S any] struct {
	name string
	args []string
	env  map[string]string
	want S
	bad  []string // variables the error must name
}

// runConfigCases parses each case. A bad one must fail with an error that
// names its variables and quotes none of secrets (errors are logged); a
// good one's Config goes to check with the case's want.
func runConfigCases[S any](t *testing.T, tests []configCase[S], secrets []string, check func(t *testing.T, c Config, want S)) {
	t.Helper()
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			c, err := parseConfig(tt.args, envOf(tt.env), &bytes.Buffer{})
			if len(tt.bad) > 0 {
				wantErrNaming(t, err, tt.bad)
				if slices.ContainsFunc(secrets, func(s string) bool { return strings.Contains(err.Error(), s) }) {
					t.Errorf("the error quotes a secret: %v", err)
				}
				return
			}
			if err != nil {
				t.Fatal(err)
			}
			check(t, c, tt.want)
		})
	}
}

// refuseSecretFlags fails the test for each of flags that parseConfig
// accepts: secrets are not flags, they would show in ps.
func refuseSecretFlags(t *testing.T, flags ...string) {
	t.Helper()
	for _, flag := range flags {
		if _, err := parseConfig([]string{flag, "x"}, envOf(nil), &bytes.Buffer{}); err == nil {
			t.Errorf("%s is accepted as a flag", flag)
		}
	}
}

// wantErrNaming fails the test unless err is an error that names each of
// names (the settings a configuration error is about).
func wantErrNaming(t *testing.T, err error, names []string) {
	t.Helper()
	if err == nil {
		t.Fatalf("no error, want one naming %v", names)
	}
	for _, name := range names {
		if !strings.Contains(err.Error(), name) {
			t.Errorf("error does not name %s: %v", name, err)
		}
	}
}
