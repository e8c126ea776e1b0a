//go:build !unix

package spool

import "os"

// lockFile does nothing where flock does not exist: the folder is then
// kept apart by its configuration only.
func lockFile(*os.File) error { return nil }
