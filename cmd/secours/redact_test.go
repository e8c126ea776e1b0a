package main

import (
	"bytes"
	"net"
	"strings"
	"testing"

	"github.com/secours/secours/internal/testkit"
)

// closedPort returns a loopback address nothing listens on.
func closedPort(t *testing.T) string {
	t.Helper()
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	addr := ln.Addr().String()
	ln.Close()
	return addr
}

// TestNoPasswordPrinted runs the commands the ways a password could come
// out (help, whose defaults come from the environment; the usage after a
// typo; a URL that does not parse; a server that does not answer) and
// looks for it in all they print.
func TestNoPasswordPrinted(t *testing.T) {
	// Not "secret": the usage speaks of the webhook secret.
	const pw = "pw-5f3a9c"
	down := testkit.FreeAddr(t)
	secrets := map[string]string{
		"REDIS_URL":   "redis://u:" + pw + "@h/0",
		"WHATSAPP_DB": "postgres://u:" + pw + "@h/wa",
		"SMTP_URL":    "smtp://u:" + pw + "@mail.example:587?from=secours@example.org",
	}
	with := func(extra map[string]string) map[string]string {
		env := map[string]string{}
		for k, v := range secrets {
			env[k] = v
		}
		for k, v := range extra {
			env[k] = v
		}
		return env
	}
	tests := []struct {
		name string
		args []string
		env  map[string]string
	}{
		{"help", []string{"-h"}, secrets},
		{"help command", []string{"help"}, secrets},
		{"bad flag", []string{"-nope"}, secrets},
		{"bad flag value", []string{"-redis-wait", "soon"}, secrets},
		{"structure help", []string{"structure", "link", "-h"}, secrets},
		{"structure bad flag", []string{"structure", "link", "-nope"}, secrets},
		{"whatsapp help", []string{"whatsapp", "link", "-h"}, secrets},
		{"whatsapp bad flag", []string{"whatsapp", "-nope"}, secrets},
		{"stats help", []string{"stats", "-h"}, secrets},
		{"bad redis url", nil, with(map[string]string{"REDIS_URL": "redis://u:" + pw + "@h:port/0"})},
		{"bad redis url flag", []string{"-redis-url", "redis://u:" + pw + "@h/0?nope=1"}, nil},
		{"bad smtp url", nil, with(map[string]string{"REDIS_URL": "", "WHATSAPP_DB": "", "SMTP_URL": "smtp://u:" + pw + "@h:587/path"})},
		{"bad postgres url", nil, with(map[string]string{"REDIS_URL": "", "WHATSAPP_DB": "postgres://u:" + pw + "@[::1/wa"})},
		{"redis down", nil, with(map[string]string{"REDIS_URL": "redis://u:" + pw + "@" + down + "/0", "WHATSAPP_DB": ""})},
		{"postgres down", nil, with(map[string]string{"REDIS_URL": "", "WHATSAPP_DB": "postgres://u:" + pw + "@" + down + "/wa?sslmode=disable"})},
		{"structure link, redis down", []string{"structure", "link", "x"}, with(map[string]string{"REDIS_URL": "redis://u:" + pw + "@" + down + "/0"})},
		{"stats, redis down", []string{"stats"}, with(map[string]string{"REDIS_URL": "redis://u:" + pw + "@" + down + "/0"})},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			var stdout, stderr bytes.Buffer
			env := map[string]string{"HTTP_ADDR": "127.0.0.1:0"}
			for k, v := range tt.env {
				env[k] = v
			}
			code := run(tt.args, strings.NewReader(""), &stdout, &stderr, envOf(env))
			out := stdout.String() + stderr.String()
			if out == "" {
				t.Fatalf("exit %d and nothing printed: the case tests nothing", code)
			}
			if strings.Contains(out, pw) {
				t.Errorf("exit %d; the password is printed:\n%s", code, out)
			}
		})
	}
}
