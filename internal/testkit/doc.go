// Package testkit holds what tests across the repository share and no
// production code needs: the one fake clock (Clock), a buffer that a
// server's goroutines may write while the test reads it (SyncBuffer), a
// bounded wait for what has no signal of its own (WaitFor) and for a call
// that must return (Returns), a port that nothing listens on (FreeAddr),
// a fixture built from default options and a test's edits (Build), the
// checks of a page's text (Get, Holds, PageText, WantText) and its
// benchmark loop (BenchServe), and the one Chromium harness for the pages'
// browser tests (Browser, Phone, Text, Eval, WaitJS, NoSideScroll).
package testkit
