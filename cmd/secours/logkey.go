package main

import (
	"context"
	"crypto/rand"
	"fmt"

	"github.com/secours/secours/flows"
)

// checkLogKey names what is wrong with LOG_KEY, without quoting it.
func checkLogKey(key string) []string {
	if key != "" && len(key) < flows.MinLogKey {
		return []string{fmt.Sprintf("LOG_KEY: shorter than %d characters (openssl rand -hex 32 makes one)", flows.MinLogKey)}
	}
	return nil
}

// useLogKey sets the key of the chat hashes in logs (flows.SetLogKey):
// LOG_KEY when set, or else the secret "logkey" the store keeps for the
// deployment (the same mechanism as the forms' CSRF secret), made at its
// first start. serve calls it before any channel runs, so no line names a
// chat with another key.
func useLogKey(ctx context.Context, key string, st any) error {
	k := []byte(key)
	if key == "" {
		ks, ok := st.(interface {
			Secret(ctx context.Context, name string, fresh []byte) ([]byte, error)
		})
		if !ok {
			return nil // LogValue's own random key: this process only
		}
		var err error
		if k, err = ks.Secret(ctx, "logkey", []byte(rand.Text()+rand.Text())); err != nil {
			return fmt.Errorf("log key: %w", err)
		}
	}
	if err := flows.SetLogKey(k); err != nil {
		return fmt.Errorf("LOG_KEY: %w", err)
	}
	return nil
}
