package memory

import (
	"context"
	"crypto/rand"
)

// LogKey returns the secret key of the chat hashes in logs
// (flows.SetLogKey), made on the first call: it lives as long as the
// store, which is the process's.
func (s *Store) LogKey(context.Context) ([]byte, error) {
	s.logKeyOnce.Do(func() { s.logKey = []byte(rand.Text() + rand.Text()) })
	return append([]byte(nil), s.logKey...), nil
}
