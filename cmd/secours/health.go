package main

import (
	"io"

	"github.com/secours/secours/web/ops"
)

// healthTimeout bounds one probe of "secours healthcheck"; the deploy
// files' health check timeouts must stay above it.
const healthTimeout = ops.HealthTimeout

// runHealthcheck is "secours healthcheck" (web/ops).
func runHealthcheck(args []string, stdout, stderr io.Writer, getenv func(string) string) int {
	return ops.Healthcheck(args, stdout, stderr, getenv)
}
