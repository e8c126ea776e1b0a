package main

import (
	"bytes"
	"crypto/hmac"
	"crypto/sha256"
	"encoding/hex"
	"regexp"
	"strings"
	"testing"

	"github.com/secours/secours/flows"
	"github.com/secours/secours/store/redis/redistest"
)

var chatAttr = regexp.MustCompile(`msg="update handled" chat=([0-9a-f]+) channel=cli`)

// chatHash runs a short terminal chat with env and returns the hash its
// log lines give the chat.
func chatHash(t *testing.T, env map[string]string) string {
	t.Helper()
	env["LOG_LEVEL"] = "info"
	env["HTTP_ADDR"] = "127.0.0.1:0"
	var stdout, stderr bytes.Buffer
	if code := run(nil, strings.NewReader("1\n"), &stdout, &stderr, envOf(env)); code != 0 {
		t.Fatalf("exit %d: %s", code, stderr.String())
	}
	m := chatAttr.FindStringSubmatch(stderr.String())
	if m == nil {
		t.Fatalf("no update line with a chat in:\n%s", stderr.String())
	}
	if strings.Contains(stderr.String(), "cli:local") {
		t.Errorf("the raw chat id is logged:\n%s", stderr.String())
	}
	return m[1]
}

// TestLogKeyWired: the process hashes chats in its logs with LOG_KEY, or
// else with the key the store keeps, the same after a restart; never
// with plain SHA-256, which a list of phone numbers reverses.
func TestLogKeyWired(t *testing.T) {
	const id = "cli:local"
	plain := sha256.Sum256([]byte(id))
	unkeyed := hex.EncodeToString(plain[:6])
	keyed := func(key string) string {
		m := hmac.New(sha256.New, []byte(key))
		m.Write([]byte(id))
		return hex.EncodeToString(m.Sum(nil)[:6])
	}

	const key = "a deployment's LOG_KEY, 32 chars"
	if got := chatHash(t, map[string]string{"LOG_KEY": key}); got != keyed(key) {
		t.Errorf("with LOG_KEY: chat=%s, want HMAC-SHA256 %s", got, keyed(key))
	}

	u, prefix := redistest.New(t)
	env := func() map[string]string { return map[string]string{"REDIS_URL": u, "REDIS_PREFIX": prefix} }
	first := chatHash(t, env())
	// Another process would start with a key of its own: the store's
	// must come back.
	if err := flows.SetLogKey([]byte("what a fresh process would have")); err != nil {
		t.Fatal(err)
	}
	again := chatHash(t, env())
	if first != again {
		t.Errorf("restarted on the same Redis: chat=%s, then %s: the kept key was not used", first, again)
	}
	for _, h := range []string{first, keyed(key)} {
		if h == unkeyed {
			t.Errorf("chat=%s is sha256(id)[:6]", h)
		}
	}
	if first == keyed(key) {
		t.Error("the store's key is LOG_KEY of an earlier run")
	}
	if got := chatHash(t, map[string]string{"REDIS_URL": u, "REDIS_PREFIX": prefix, "LOG_KEY": key}); got != keyed(key) {
		t.Errorf("LOG_KEY beside a kept key: chat=%s, want %s (the setting wins)", got, keyed(key))
	}
	var stderr bytes.Buffer
	if code := run(nil, strings.NewReader(""), &bytes.Buffer{}, &stderr, envOf(map[string]string{"LOG_KEY": "tiny-7x"})); code != 2 ||
		!strings.Contains(stderr.String(), "LOG_KEY") || strings.Contains(stderr.String(), "tiny-7x") {
		t.Errorf("a short LOG_KEY: exit %d, %s", code, stderr.String())
	}
}
