//go:build unix

package spool

import (
	"errors"
	"fmt"
	"os"
	"syscall"
)

// lockFile takes f's exclusive lock without waiting. The kernel lets it
// go when the process ends, however it ends: a killed process leaves no
// stale lock.
func lockFile(f *os.File) error {
	err := syscall.Flock(int(f.Fd()), syscall.LOCK_EX|syscall.LOCK_NB)
	switch {
	case errors.Is(err, syscall.EWOULDBLOCK):
		return ErrInUse
	case err != nil:
		return fmt.Errorf("spool: lock: %w", err)
	}
	return nil
}
