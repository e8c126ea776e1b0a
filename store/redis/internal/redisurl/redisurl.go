// Package redisurl parses the Redis URLs of REDIS_URL. It is
// store/redis.ParseURL (documented there), in a package of its own so that
// the test helper store/redis/redistest reads the same URLs without
// importing the store, whose own tests use that helper.
package redisurl

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

// Parse parses a Redis URL into options for goredis.NewUniversalClient:
// see store/redis.ParseURL for the forms and parameters. Errors never
// quote the URL, since it may hold a password.
func Parse(rawURL string) (*goredis.UniversalOptions, error) {
	base, mode, rest, err := parseScheme(rawURL)
	if err != nil {
		return nil, err
	}
	hostlist, u, err := splitHosts(rest)
	if err != nil {
		return nil, err
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
	if mode, err = parseQuery(u.Query(), mode, o); err != nil {
		return nil, err
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
	if err := parsePath(u.Path, mode, o); err != nil {
		return nil, err
	}
	return o, nil
}

// parseScheme splits "redis+sentinel://rest" into its base scheme (redis
// or rediss), its mode ("", sentinel or cluster) and the rest.
func parseScheme(rawURL string) (base, mode, rest string, err error) {
	scheme, rest, ok := strings.Cut(rawURL, "://")
	if !ok {
		return "", "", "", errors.New("redis url: missing scheme (redis://, rediss://, redis+sentinel://, redis+cluster://)")
	}
	base, mode, _ = strings.Cut(scheme, "+")
	if base != "redis" && base != "rediss" {
		return "", "", "", fmt.Errorf("redis url: unknown scheme %q", scheme)
	}
	switch mode {
	case "", "sentinel", "cluster":
	default:
		return "", "", "", fmt.Errorf("redis url: unknown scheme %q", scheme)
	}
	return base, mode, rest, nil
}

// splitHosts cuts the host list out of what follows the scheme, since
// url.Parse takes one host only, and parses the rest (user, path, query)
// with a placeholder host.
func splitHosts(rest string) (hostlist string, u *url.URL, err error) {
	end := strings.IndexAny(rest, "/?#")
	if end < 0 {
		end = len(rest)
	}
	authority := rest[:end]
	if strings.Contains(rest[end:], "@") {
		// A password holding "/", "?" or "#" cut the URL short: say so
		// without quoting any of it.
		return "", nil, errors.New(`redis url: "@" after the host; percent-encode "/", "?", "#" and "@" in the password`)
	}
	userinfo, hostlist := "", authority
	if at := strings.LastIndex(authority, "@"); at >= 0 {
		userinfo, hostlist = authority[:at+1], authority[at+1:]
	}
	u, err = url.Parse("redis://" + userinfo + "host" + rest[end:])
	if err != nil {
		if ue, ok := errors.AsType[*url.Error](err); ok {
			err = ue.Err // ue.Error() quotes the URL, password included
		}
		return "", nil, fmt.Errorf("redis url: %w", err)
	}
	if u.Fragment != "" {
		return "", nil, errors.New("redis url: unexpected fragment")
	}
	return hostlist, u, nil
}

// parseQuery sets o from the query parameters, rejecting any unknown one,
// and returns the mode, which cluster=1 may change.
func parseQuery(q url.Values, mode string, o *goredis.UniversalOptions) (string, error) {
	cluster, err := queryBool(q, "cluster")
	if err != nil {
		return "", err
	}
	if cluster {
		if mode == "sentinel" {
			return "", errors.New("redis url: cluster=1 with redis+sentinel://")
		}
		mode = "cluster"
	}
	o.ClientName = q.Get("client_name")
	if s := q.Get("pool_size"); s != "" {
		if o.PoolSize, err = strconv.Atoi(s); err != nil || o.PoolSize < 1 {
			return "", fmt.Errorf("redis url: pool_size %q is not a positive number", s)
		}
	}
	if q.Has("sentinel_password") {
		if mode != "sentinel" {
			return "", errors.New("redis url: sentinel_password without redis+sentinel://")
		}
		o.SentinelPassword = q.Get("sentinel_password")
	}
	for k := range q {
		switch k {
		case "cluster", "client_name", "pool_size", "sentinel_password":
		default:
			return "", fmt.Errorf("redis url: unknown parameter %q", k)
		}
	}
	return mode, nil
}

// parsePath reads the path: /db for a server, /master[/db] for Sentinel,
// nothing (or /0) for Cluster; it also checks the number of hosts.
func parsePath(p, mode string, o *goredis.UniversalOptions) error {
	path := strings.Split(strings.Trim(p, "/"), "/")
	if path[0] == "" {
		path = nil
	}
	switch mode {
	case "":
		if len(o.Addrs) > 1 {
			return errors.New("redis url: several hosts need redis+sentinel://, redis+cluster:// or cluster=1")
		}
		if len(path) > 1 {
			return errors.New("redis url: path must be /db")
		}
	case "sentinel":
		if len(path) == 0 || len(path) > 2 {
			return errors.New("redis url: sentinel path must be /master or /master/db")
		}
		o.MasterName, path = path[0], path[1:]
	case "cluster":
		if len(path) > 1 || len(path) == 1 && path[0] != "0" {
			return errors.New("redis url: cluster has database 0 only")
		}
		o.IsClusterMode = true
		path = nil
	}
	if len(path) == 1 {
		var err error
		if o.DB, err = strconv.Atoi(path[0]); err != nil || o.DB < 0 {
			return fmt.Errorf("redis url: database %q is not a number", path[0])
		}
	}
	return nil
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
