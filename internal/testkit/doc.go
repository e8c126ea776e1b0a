// Package testkit holds what tests across the repository share and no
// production code needs: the one fake clock (Clock), a buffer that a
// server's goroutines may write while the test reads it (SyncBuffer), a
// bounded wait for what has no signal of its own (WaitFor), a port that
// nothing listens on (FreeAddr), and the one Chromium harness for the
// pages' browser tests.
package testkit
