package redis

import (
	"crypto/tls"
	"errors"
	"fmt"
	"net"
	"net/url"
	"strconv"
	"strings"

	goredis "github.com/redis/go-redis/v9"
)

// Default ports, when a host of the URL has none.
const (
	defaultPort         = "6379"
	defaultSentinelPort = "26379"
)

// ParseURL parses a Redis URL into options for goredis.NewUniversalClient,
// so that one setting, REDIS_URL, picks a single server, Sentinel or
// Cluster:
//
//	redis://[[user]:password@]host[:port][/db]
//	rediss://[[user]:password@]host[:port][/db]
//	redis+sentinel://[[user]:password@]host1[:port],host2[:port]/master[/db]
//	rediss+sentinel://…
//	redis+cluster://[[user]:password@]host1[:port],host2[:port]
//	rediss+cluster://…
//	redis://[[user]:password@]host1[:port],host2[:port]?cluster=1
//
// rediss uses TLS 1.2 or later and checks each server's certificate
// against its own host name. A missing port is 6379, or 26379 for a
// Sentinel; IPv6 hosts go in brackets ("[::1]:6379"). For Sentinel, the
// user and password are the master's (and replicas'), and the path names
// the master; a Sentinel that needs a password of its own gets it from the
// sentinel_password parameter. Cluster has database 0 only.
//
// Query parameters: cluster=1 (or true), client_name, pool_size, and
// sentinel_password. Any other parameter is an error, so that a typo does
// not go unnoticed. Timeouts come from Options, not from the URL.
//
// Examples:
//
//	redis://127.0.0.1:6379/0
//	rediss://:s3cret@redis.example.org:6380/2
//	redis+sentinel://:s3cret@10.0.0.1,10.0.0.2,10.0.0.3/secours/1
//	redis+cluster://10.0.1.1:7000,10.0.1.2:7000,10.0.1.3:7000
//
// Errors never quote the URL, since it may hold a password.
func ParseURL(rawURL string) (*goredis.UniversalOptions, error) {
	scheme, rest, ok := strings.Cut(rawURL, "://")
	if !ok {
		return nil, errors.New("redis url: missing scheme (redis://, rediss://, redis+sentinel://, redis+cluster://)")
	}
	base, mode, _ := strings.Cut(scheme, "+")
	if base != "redis" && base != "rediss" {
		return nil, fmt.Errorf("redis url: unknown scheme %q", scheme)
	}
	switch mode {
	case "", "sentinel", "cluster":
	default:
		return nil, fmt.Errorf("redis url: unknown scheme %q", scheme)
	}

	// url.Parse takes one host only: cut the host list out and parse the
	// rest with a placeholder host.
	end := strings.IndexAny(rest, "/?#")
	if end < 0 {
		end = len(rest)
	}
	authority := rest[:end]
	if strings.Contains(rest[end:], "@") {
		// A password holding "/", "?" or "#" cut the URL short: say so
		// without quoting any of it.
		return nil, errors.New(`redis url: "@" after the host; percent-encode "/", "?", "#" and "@" in the password`)
	}
	userinfo, hostlist := "", authority
	if at := strings.LastIndex(authority, "@"); at >= 0 {
		userinfo, hostlist = authority[:at+1], authority[at+1:]
	}
	u, err := url.Parse("redis://" + userinfo + "host" + rest[end:])
	if err != nil {
		if ue, ok := errors.AsType[*url.Error](err); ok {
			err = ue.Err // ue.Error() quotes the URL, password included
		}
		return nil, fmt.Errorf("redis url: %w", err)
	}
	if u.Fragment != "" {
		return nil, errors.New("redis url: unexpected fragment")
	}

	o := &goredis.UniversalOptions{}
	if u.User != nil {
		o.Username = u.User.Username()
		o.Password, _ = u.User.Password()
	}
	if base == "rediss" {
		// No ServerName: crypto/tls then checks each server against the
		// host it dialled, which a Cluster or a Sentinel setup needs.
		o.TLSConfig = &tls.Config{MinVersion: tls.VersionTLS12}
	}

	q := u.Query()
	cluster, err := queryBool(q, "cluster")
	if err != nil {
		return nil, err
	}
	if cluster {
		if mode == "sentinel" {
			return nil, errors.New("redis url: cluster=1 with redis+sentinel://")
		}
		mode = "cluster"
	}
	o.ClientName = q.Get("client_name")
	if s := q.Get("pool_size"); s != "" {
		if o.PoolSize, err = strconv.Atoi(s); err != nil || o.PoolSize < 1 {
			return nil, fmt.Errorf("redis url: pool_size %q is not a positive number", s)
		}
	}
	if q.Has("sentinel_password") {
		if mode != "sentinel" {
			return nil, errors.New("redis url: sentinel_password without redis+sentinel://")
		}
		o.SentinelPassword = q.Get("sentinel_password")
	}
	for k := range q {
		switch k {
		case "cluster", "client_name", "pool_size", "sentinel_password":
		default:
			return nil, fmt.Errorf("redis url: unknown parameter %q", k)
		}
	}

	port := defaultPort
	if mode == "sentinel" {
		port = defaultSentinelPort
	}
	for h := range strings.SplitSeq(hostlist, ",") {
		addr, err := hostPort(h, port)
		if err != nil {
			return nil, err
		}
		o.Addrs = append(o.Addrs, addr)
	}

	path := strings.Split(strings.Trim(u.Path, "/"), "/")
	if path[0] == "" {
		path = nil
	}
	switch mode {
	case "":
		if len(o.Addrs) > 1 {
			return nil, errors.New("redis url: several hosts need redis+sentinel://, redis+cluster:// or cluster=1")
		}
		if len(path) > 1 {
			return nil, errors.New("redis url: path must be /db")
		}
	case "sentinel":
		if len(path) == 0 || len(path) > 2 {
			return nil, errors.New("redis url: sentinel path must be /master or /master/db")
		}
		o.MasterName, path = path[0], path[1:]
	case "cluster":
		if len(path) > 1 || len(path) == 1 && path[0] != "0" {
			return nil, errors.New("redis url: cluster has database 0 only")
		}
		o.IsClusterMode = true
		path = nil
	}
	if len(path) == 1 {
		if o.DB, err = strconv.Atoi(path[0]); err != nil || o.DB < 0 {
			return nil, fmt.Errorf("redis url: database %q is not a number", path[0])
		}
	}
	return o, nil
}

// hostPort checks one host of the URL and adds the default port if it has
// none.
func hostPort(h, port string) (string, error) {
	if h == "" {
		return "", errors.New("redis url: empty host")
	}
	host, p := h, port
	switch {
	case strings.HasPrefix(h, "["): // IPv6 literal
		end := strings.Index(h, "]")
		if end < 0 {
			return "", fmt.Errorf("redis url: host %q: missing ]", h)
		}
		host = h[1:end]
		if after := h[end+1:]; after != "" {
			var ok bool
			if p, ok = strings.CutPrefix(after, ":"); !ok {
				return "", fmt.Errorf("redis url: host %q: unexpected text after ]", h)
			}
		}
	case strings.Count(h, ":") > 1:
		return "", fmt.Errorf("redis url: host %q: IPv6 addresses go in brackets", h)
	case strings.Contains(h, ":"):
		host, p, _ = strings.Cut(h, ":")
	}
	if host == "" || strings.ContainsFunc(host, badHostRune) {
		return "", fmt.Errorf("redis url: host %q: bad host name", h)
	}
	if n, err := strconv.Atoi(p); err != nil || n < 1 || n > 65535 {
		return "", fmt.Errorf("redis url: host %q: bad port", h)
	}
	return net.JoinHostPort(host, p), nil
}

func queryBool(q url.Values, name string) (bool, error) {
	switch v := q.Get(name); v {
	case "", "0", "false":
		return false, nil
	case "1", "true":
		return true, nil
	default:
		return false, fmt.Errorf("redis url: %s=%q, want 1 or 0", name, v)
	}
}

// badHostRune reports a rune that is in no host name, IPv4 or IPv6
// address (with a zone).
func badHostRune(r rune) bool {
	switch {
	case 'a' <= r && r <= 'z', 'A' <= r && r <= 'Z', '0' <= r && r <= '9':
		return false
	}
	return !strings.ContainsRune(".-_:%", r)
}
