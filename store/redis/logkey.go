package redis

import (
	"context"
	"crypto/rand"
	"fmt"
)

// logKeyKey is the key of the deployment's log key: "<prefix>:logkey", a
// string without TTL.
func (s *Store) logKeyKey() string { return s.prefix + ":logkey" }

// LogKey returns the secret key of the chat hashes in logs
// (flows.SetLogKey), made on the first call of any instance of the
// deployment and kept: every instance, before and after a restart, hashes
// a chat alike. SET NX makes the first one win a race.
func (s *Store) LogKey(ctx context.Context) ([]byte, error) {
	ctx, cancel := context.WithTimeout(ctx, s.timeout)
	defer cancel()
	if err := s.c.SetNX(ctx, s.logKeyKey(), rand.Text()+rand.Text(), 0).Err(); err != nil {
		return nil, fmt.Errorf("redis log key: %w", err)
	}
	k, err := s.c.Get(ctx, s.logKeyKey()).Bytes()
	if err != nil {
		return nil, fmt.Errorf("redis log key: %w", err)
	}
	return k, nil
}
