// Package redistest has what tests and load tools need of a Redis server
// beside the store itself: clearing a run's keys. The bot never links it.
package redistest

import (
	"context"
	"fmt"

	goredis "github.com/redis/go-redis/v9"

	"github.com/secours/secours/store/redis"
)

// Cleanup deletes every key under prefix: a run's sessions expire by
// themselves, but its referrals are kept for their retention (90 days).
// It walks the keyspace with SCAN, on every master of a Cluster: a tool's
// job, never the bot's.
func Cleanup(ctx context.Context, redisURL, prefix string) error {
	o, err := redis.ParseURL(redisURL)
	if err != nil {
		return err
	}
	c := goredis.NewUniversalClient(o)
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
