package redistest

import (
	"context"
	"net"
	"os"
	"os/exec"
	"strconv"
	"syscall"
	"testing"
	"time"

	goredis "github.com/redis/go-redis/v9"
)

// Server is a redis-server of a test's own, on a free loopback port, that
// the test may kill (as a crash would) and start again on the same port:
// the shared Redis of URL must never be stopped.
type Server struct {
	Port string

	tb   testing.TB
	bin  string
	pw   string
	args []string
	cmd  *exec.Cmd
}

// NewServer starts a Server without persistence, with password pw if not
// empty and extra redis-server arguments; it is killed when tb ends.
// Without redis-server on PATH, tb fails in CI and is skipped elsewhere.
func NewServer(tb testing.TB, pw string, extra ...string) *Server {
	tb.Helper()
	return NewServerWith(tb, pw, func(port string) []string {
		args := []string{"--port", port, "--bind", "127.0.0.1",
			"--save", "", "--appendonly", "no", "--daemonize", "no", "--dir", tb.TempDir()}
		if pw != "" {
			args = append(args, "--requirepass", pw)
		}
		return append(args, extra...)
	})
}

// NewServerWith is NewServer with the whole redis-server command line,
// made for the port (a Sentinel's configuration file, say).
func NewServerWith(tb testing.TB, pw string, args func(port string) []string) *Server {
	tb.Helper()
	bin := serverBin(tb)
	l, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		tb.Fatal(err)
	}
	port := strconv.Itoa(l.Addr().(*net.TCPAddr).Port)
	l.Close()
	r := &Server{Port: port, tb: tb, bin: bin, pw: pw, args: args(port)}
	tb.Cleanup(r.Kill)
	r.Start()
	return r
}

// serverBin is redis-server's path; without it tb fails in CI and is
// skipped elsewhere.
func serverBin(tb testing.TB) string {
	tb.Helper()
	bin, err := exec.LookPath("redis-server")
	if err != nil {
		if os.Getenv("CI") != "" {
			tb.Fatal("redis-server must be on PATH in CI")
		}
		tb.Skip("redis-server not on PATH (apt-get install redis-server)")
	}
	return bin
}

// Addr is the server's host:port.
func (r *Server) Addr() string { return "127.0.0.1:" + r.Port }

// URL is the server's redis:// URL, database 0, with its password.
func (r *Server) URL() string {
	if r.pw != "" {
		return "redis://:" + r.pw + "@" + r.Addr() + "/0"
	}
	return "redis://" + r.Addr() + "/0"
}

// Start runs the server (again, after Kill: empty unless it persists)
// and waits until it answers.
func (r *Server) Start() {
	r.tb.Helper()
	r.cmd = exec.Command(r.bin, r.args...)
	r.cmd.SysProcAttr = &syscall.SysProcAttr{Pdeathsig: syscall.SIGKILL} // dies with the test binary
	if err := r.cmd.Start(); err != nil {
		r.tb.Fatalf("start redis-server: %v", err)
	}
	c := goredis.NewClient(&goredis.Options{Addr: r.Addr(), Password: r.pw, MaxRetries: -1})
	defer c.Close()
	deadline := time.Now().Add(10 * time.Second)
	for {
		ctx, cancel := context.WithTimeout(context.Background(), time.Second)
		err := c.Ping(ctx).Err()
		cancel()
		if err == nil {
			return
		}
		if time.Now().After(deadline) {
			r.tb.Fatalf("redis-server on %s not ready: %v", r.Addr(), err)
		}
		time.Sleep(20 * time.Millisecond)
	}
}

// Kill stops the server with SIGKILL, as a crash or an OOM kill would.
func (r *Server) Kill() {
	if r.cmd == nil {
		return
	}
	_ = r.cmd.Process.Kill()
	_ = r.cmd.Wait()
	r.cmd = nil
}
