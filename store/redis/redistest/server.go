package redistest

import (
	"fmt"
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
	// It lives as long as the test process (startServer): no stop.
	addr, _, err := startServer(bin, port, dir)
	if err != nil {
		ownErr = err.Error()
		return
	}
	ownURL = "redis://" + addr + "/0"
}

// startServer runs redis-server on a loopback port with persistence off,
// in dir, with extra arguments, and waits until it answers PING; the
// server dies with the test binary, or when stop kills it (stop waits for
// it).
func startServer(bin, port, dir string, extra ...string) (addr string, stop func(), err error) {
	cmd := exec.Command(bin, append([]string{"--port", port, "--bind", "127.0.0.1", "--save", "", "--appendonly", "no",
		"--daemonize", "no", "--dir", dir}, extra...)...)
	cmd.SysProcAttr = &syscall.SysProcAttr{Pdeathsig: syscall.SIGKILL}
	if err := cmd.Start(); err != nil {
		return "", nil, fmt.Errorf("start redis-server: %w", err)
	}
	exited := make(chan struct{})
	go func() { _ = cmd.Wait(); close(exited) }()
	stop = func() {
		_ = cmd.Process.Kill()
		<-exited
	}
	addr = "127.0.0.1:" + port
	for deadline := time.Now().Add(5 * time.Second); time.Now().Before(deadline); time.Sleep(20 * time.Millisecond) {
		select {
		case <-exited:
			return "", nil, fmt.Errorf("redis-server on %s exited at start-up", addr)
		default:
		}
		if _, err := command(addr, "PING"); err == nil {
			return addr, stop, nil
		}
	}
	stop()
	return "", nil, fmt.Errorf("redis-server did not start on %s", addr)
}
