package redis

import (
	goredis "github.com/redis/go-redis/v9"

	"github.com/secours/secours/store/redis/internal/redisurl"
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
	return redisurl.Parse(rawURL)
}
