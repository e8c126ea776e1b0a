// Package redistest is the one Redis helper of the tests and the load
// tool: the test server (URL, ClusterURL), a key prefix of a test's own
// that is cleared when the test ends (New, CleanPrefix), and the clearing
// itself (Cleanup). The bot never links it.
package redistest

import (
	"context"
	"crypto/rand"
	"fmt"
	"strings"
	"testing"
	"time"

	goredis "github.com/redis/go-redis/v9"

	"github.com/secours/secours/store/redis/internal/redisurl"
)

// New returns the test Redis (URL: REDIS_URL, or a private server; one
// that does not answer fails tb, never skips it) and a key prefix that no
// other test uses (CleanPrefix), whose keys are deleted when tb ends.
func New(tb testing.TB) (url, prefix string) {
	tb.Helper()
	url = URL(tb)
	return url, CleanPrefix(tb, url)
}

// CleanPrefix returns a fresh key prefix (Prefix) and deletes its keys on
// the Redis at url when tb ends: for a test on another server than URL's,
// such as ClusterURL's.
func CleanPrefix(tb testing.TB, url string) string {
	prefix := Prefix()
	tb.Cleanup(func() {
		// tb.Context is done by now.
		ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
		defer cancel()
		if err := Cleanup(ctx, url, prefix); err != nil {
			tb.Error(err)
		}
	})
	return prefix
}

// Prefix returns a fresh key prefix for a test or a load run: "secours-test-"
// and random letters, which hold no { or } (a Cluster hash tag).
func Prefix() string { return "secours-test-" + strings.ToLower(rand.Text()[:12]) }

// ping checks that the Redis at redisURL answers.
func ping(ctx context.Context, redisURL string) error {
	c, err := client(redisURL)
	if err != nil {
		return err
	}
	defer c.Close()
	ctx, cancel := context.WithTimeout(ctx, 5*time.Second)
	defer cancel()
	return c.Ping(ctx).Err()
}

// Cleanup deletes every key under prefix: a run's sessions expire by
// themselves, but its referrals are kept for their retention (90 days).
// It walks the keyspace with SCAN, on every master of a Cluster: a tool's
// job, never the bot's.
func Cleanup(ctx context.Context, redisURL, prefix string) error {
	c, err := client(redisURL)
	if err != nil {
		return err
	}
	defer c.Close()
	clean := func(ctx context.Context, node goredis.UniversalClient) error {
		iter := node.Scan(ctx, 0, prefix+":*", 1000).Iterator()
		pipe := c.Pipeline() // a Cluster pipeline sends each DEL to its key's node
		for iter.Next(ctx) {
			pipe.Del(ctx, iter.Val())
		}
		if err := iter.Err(); err != nil {
			return err
		}
		_, err := pipe.Exec(ctx)
		return err
	}
	if cc, ok := c.(*goredis.ClusterClient); ok {
		err = cc.ForEachMaster(ctx, func(ctx context.Context, m *goredis.Client) error { return clean(ctx, m) })
	} else {
		err = clean(ctx, c)
	}
	if err != nil {
		return fmt.Errorf("redistest: clean up prefix %s: %w", prefix, err)
	}
	return nil
}

// client opens a client of redisURL, in any of the store's URL forms.
func client(redisURL string) (goredis.UniversalClient, error) {
	o, err := redisurl.Parse(redisURL)
	if err != nil {
		return nil, err
	}
	return goredis.NewUniversalClient(o), nil
}
