package redis

import (
	"context"
	"errors"
	"fmt"

	goredis "github.com/redis/go-redis/v9"
)

// Secret keys:
//
//	<prefix>:secret:{<name>}   string: the secret, no TTL
//
// Every instance on one Redis reads the same one, and a restart keeps it.

func (s *Store) secretKey(name string) string { return s.prefix + ":secret:{" + name + "}" }

// Secret returns the secret kept under name, keeping fresh first if there
// is none, in one round trip: SET NX then GET of the same key, which run
// in order on its node, so that of racing instances all read the winner's.
// (SET NX GET would do it in one command, but only from Redis 7.)
func (s *Store) Secret(ctx context.Context, name string, fresh []byte) ([]byte, error) {
	if name == "" || len(fresh) == 0 {
		return nil, errors.New("redis secret: empty name or value")
	}
	ctx, cancel := context.WithTimeout(ctx, s.timeout)
	defer cancel()
	key := s.secretKey(name)
	var get *goredis.StringCmd
	_, err := s.c.Pipelined(ctx, func(p goredis.Pipeliner) error {
		p.SetNX(ctx, key, fresh, 0)
		get = p.Get(ctx, key)
		return nil
	})
	if err != nil {
		return nil, fmt.Errorf("redis secret: %w", err)
	}
	return []byte(get.Val()), nil
}
