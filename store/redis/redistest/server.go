package redistest

import (
	"context"
	"net"
	"os"
	"os/exec"
	"strconv"
	"sync"
	"syscall"
	"testing"
	"time"
)

var (
	ownOnce sync.Once
	ownURL  string
	ownErr  string
)

// URL returns the Redis that tests use: REDIS_URL when set (CI sets it);
// otherwise a private redis-server that this test process starts once on
// a free loopback port, with persistence off, and that dies with the
// process. Only when no redis-server is installed is the test skipped, and
// never in CI (CI set): there it fails. A Redis that does not answer fails
// the test. Most tests want New, which also gives a key prefix of the
// test's own.
func URL(tb testing.TB) string {
	tb.Helper()
	u := os.Getenv("REDIS_URL")
	if u == "" {
		if os.Getenv("CI") != "" {
			tb.Fatal("REDIS_URL must be set in CI (.ci/run starts a redis-server)")
		}
		ownOnce.Do(startOwn)
		if ownURL == "" {
			tb.Skip(ownErr)
		}
		u = ownURL
	}
	if err := ping(tb.Context(), u); err != nil {
		tb.Fatalf("test Redis unreachable: %v", err) // set but down: a failure, never a skip
	}
	return u
}

func startOwn() {
	bin, err := exec.LookPath("redis-server")
	if err != nil {
		ownErr = "no REDIS_URL and no redis-server on PATH (apt-get install redis-server)"
		return
	}
	l, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		ownErr = "no free loopback port: " + err.Error()
		return
	}
	port := strconv.Itoa(l.Addr().(*net.TCPAddr).Port)
	l.Close()
	dir, err := os.MkdirTemp("", "secours-redis")
	if err != nil {
		ownErr = err.Error()
		return
	}
	cmd := exec.Command(bin, "--port", port, "--bind", "127.0.0.1", "--save", "", "--appendonly", "no",
		"--daemonize", "no", "--dir", dir)
	// The server must not outlive the test binary.
	cmd.SysProcAttr = &syscall.SysProcAttr{Pdeathsig: syscall.SIGKILL}
	if err := cmd.Start(); err != nil {
		ownErr = "start redis-server: " + err.Error()
		return
	}
	addr := "127.0.0.1:" + port
	ctx, cancel := context.WithTimeout(context.Background(), 5*time.Second)
	defer cancel()
	for ctx.Err() == nil {
		if c, err := net.DialTimeout("tcp", addr, 100*time.Millisecond); err == nil {
			c.Close()
			ownURL = "redis://" + addr + "/0"
			return
		}
		time.Sleep(20 * time.Millisecond)
	}
	ownErr = "redis-server did not start on " + addr
}
