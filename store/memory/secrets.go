package memory

import (
	"context"
	"errors"
	"fmt"
	"slices"
)

// Secret returns the secret kept under name, keeping fresh first if
// there is none. It lasts as long as the Store: processes sharing a
// memory store are the goroutines of one.
func (s *Store) Secret(ctx context.Context, name string, fresh []byte) ([]byte, error) {
	if err := ctx.Err(); err != nil {
		return nil, fmt.Errorf("memory secret: %w", err)
	}
	if name == "" || len(fresh) == 0 {
		return nil, errors.New("memory secret: empty name or value")
	}
	s.rmu.Lock()
	defer s.rmu.Unlock()
	if v, ok := s.secrets[name]; ok {
		return slices.Clone(v), nil
	}
	s.secrets[name] = slices.Clone(fresh)
	return slices.Clone(fresh), nil
}
