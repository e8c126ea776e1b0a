package redistest

import (
	"bufio"
	"errors"
	"fmt"
	"io"
	"net"
	"os"
	"os/exec"
	"path/filepath"
	"strconv"
	"strings"
	"sync"
	"testing"
	"time"
)

var (
	clusterOnce sync.Once
	clusterURL  string
	clusterErr  string
	clusterSkip bool // no redis-server: a skip outside CI, not a failure
)

// ClusterNodes is the number of masters of ClusterURL's and NewCluster's
// clusters, each with an even share of the 16384 slots in their order:
// the fewest Redis accepts for a cluster, and enough for a test's chats to
// spread over several nodes.
const ClusterNodes = 3

// ClusterURL returns a redis+cluster:// URL for tests: REDIS_CLUSTER_URL
// when set; otherwise a Redis Cluster of three masters that this test
// process starts once, on free loopback ports, with persistence off, and
// that dies with the process. Keys of different tests stay apart by their
// prefix. Without redis-server on PATH the test is skipped, except in CI
// (CI set), where it fails.
//
// The slots are split and the nodes introduced with CLUSTER ADDSLOTSRANGE
// and CLUSTER MEET (buildCluster), rather than with redis-cli --cluster
// create: redis-server alone is then enough.
func ClusterURL(tb testing.TB) string {
	tb.Helper()
	if u := os.Getenv("REDIS_CLUSTER_URL"); u != "" {
		return u
	}
	clusterOnce.Do(startCluster)
	if clusterURL != "" {
		return clusterURL
	}
	if clusterSkip && os.Getenv("CI") == "" {
		tb.Skip(clusterErr)
	}
	tb.Fatal(clusterErr)
	return ""
}

func startCluster() {
	bin, err := exec.LookPath("redis-server")
	if err != nil {
		clusterErr, clusterSkip = "no REDIS_CLUSTER_URL and no redis-server on PATH (apt-get install redis-server)", true
		return
	}
	dir, err := os.MkdirTemp("", "secours-cluster")
	if err != nil {
		clusterErr = err.Error()
		return
	}
	// The nodes live as long as the test process (Pdeathsig): no stop.
	if clusterURL, err = buildCluster(bin, dir, func(func()) {}); err != nil {
		clusterErr = err.Error()
	}
}

// NewCluster starts a Cluster of tb's own, as ClusterURL's is made, and
// returns its redis+cluster:// URL; its nodes are killed when tb ends.
// Without redis-server on PATH, tb fails in CI and is skipped elsewhere.
func NewCluster(tb testing.TB) string {
	tb.Helper()
	u, err := buildCluster(serverBin(tb), tb.TempDir(), func(stop func()) { tb.Cleanup(stop) })
	if err != nil {
		tb.Fatal(err)
	}
	return u
}

// buildCluster starts ClusterNodes cluster-enabled redis-servers in dirs
// under dir, each handed to started with its stop, splits the slots over
// them, introduces them to each other and returns the cluster's URL once
// every node sees it whole.
func buildCluster(bin, dir string, started func(stop func())) (string, error) {
	var addrs []string
	for i := range ClusterNodes {
		addr, stop, err := startClusterNode(bin, filepath.Join(dir, strconv.Itoa(i)))
		if err != nil {
			return "", err
		}
		started(stop)
		addrs = append(addrs, addr)
	}
	_, port0, _ := net.SplitHostPort(addrs[0])
	for i, addr := range addrs {
		from, to := i*16384/ClusterNodes, (i+1)*16384/ClusterNodes-1
		cmds := [][]string{{"CLUSTER", "ADDSLOTSRANGE", strconv.Itoa(from), strconv.Itoa(to)}}
		if i > 0 {
			cmds = append(cmds, []string{"CLUSTER", "MEET", "127.0.0.1", port0})
		}
		for _, cmd := range cmds {
			if _, err := command(addr, cmd...); err != nil {
				return "", fmt.Errorf("cluster setup of %s: %s: %w", addr, strings.Join(cmd[:2], " "), err)
			}
		}
	}
	// Every node must see every slot assigned before a client that asks
	// any of them for the slot map gets the whole of it.
	deadline := time.Now().Add(15 * time.Second)
	for _, addr := range addrs {
		for {
			info, err := command(addr, "CLUSTER", "INFO")
			if err == nil && strings.Contains(info, "cluster_state:ok") && strings.Contains(info, "cluster_known_nodes:"+strconv.Itoa(ClusterNodes)) {
				break
			}
			if time.Now().After(deadline) {
				return "", fmt.Errorf("cluster node %s not ok after 15 s: %v", addr, err)
			}
			time.Sleep(50 * time.Millisecond)
		}
	}
	return "redis+cluster://" + strings.Join(addrs, ","), nil
}

// startClusterNode starts one cluster-enabled redis-server in dir and
// waits until it answers; it tries other ports if the first are taken.
// stop kills the server and waits for it.
func startClusterNode(bin, dir string) (addr string, stop func(), err error) {
	if err := os.MkdirAll(dir, 0o700); err != nil {
		return "", nil, err
	}
	for range 5 {
		if addr, stop, err = tryClusterNode(bin, dir); err == nil {
			return addr, stop, nil
		}
	}
	return "", nil, err
}

func tryClusterNode(bin, dir string) (string, func(), error) {
	port, err := clusterPort()
	if err != nil {
		return "", nil, err
	}
	return startServer(bin, port, dir, "--cluster-enabled", "yes", "--cluster-config-file", filepath.Join(dir, "nodes.conf"))
}

// clusterPort finds a free loopback port whose cluster bus port, 10000
// above it, is free too and still a port: the kernel's ephemeral range
// reaches 60999.
func clusterPort() (string, error) {
	for range 100 {
		l, err := net.Listen("tcp", "127.0.0.1:0")
		if err != nil {
			return "", fmt.Errorf("no free loopback port: %w", err)
		}
		port := l.Addr().(*net.TCPAddr).Port
		if port+10000 > 65535 {
			l.Close()
			continue
		}
		bus, err := net.Listen("tcp", "127.0.0.1:"+strconv.Itoa(port+10000))
		l.Close()
		if err != nil {
			continue
		}
		bus.Close()
		return strconv.Itoa(port), nil
	}
	return "", errors.New("no free loopback port pair for a cluster node")
}

// command sends one command in RESP and returns a simple or bulk string
// reply. It is enough for the set-up above, and keeps this package free of
// a Redis client.
func command(addr string, args ...string) (string, error) {
	c, err := net.DialTimeout("tcp", addr, time.Second)
	if err != nil {
		return "", err
	}
	defer c.Close()
	_ = c.SetDeadline(time.Now().Add(2 * time.Second))
	var b strings.Builder
	fmt.Fprintf(&b, "*%d\r\n", len(args))
	for _, a := range args {
		fmt.Fprintf(&b, "$%d\r\n%s\r\n", len(a), a)
	}
	if _, err := io.WriteString(c, b.String()); err != nil {
		return "", err
	}
	r := bufio.NewReader(c)
	line, err := r.ReadString('\n')
	if err != nil {
		return "", err
	}
	line = strings.TrimRight(line, "\r\n")
	if line == "" {
		return "", errors.New("empty reply")
	}
	switch line[0] {
	case '+':
		return line[1:], nil
	case '-':
		return "", errors.New(line[1:])
	case '$':
		n, err := strconv.Atoi(line[1:])
		if err != nil || n < 0 {
			return "", fmt.Errorf("bad bulk reply %q", line)
		}
		buf := make([]byte, n+2)
		if _, err := io.ReadFull(r, buf); err != nil {
			return "", err
		}
		return string(buf[:n]), nil
	}
	return "", fmt.Errorf("unexpected reply %q", line)
}
