// Package testkit holds what tests across the repository share and no
// production code needs: the one fake clock (Clock) and the one Chromium
// harness for the pages' browser tests.
package testkit
