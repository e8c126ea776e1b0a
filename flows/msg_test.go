package flows

import (
	"bytes"
	"crypto/sha256"
	"encoding/hex"
	"log/slog"
	"strings"
	"testing"
)

// logLine is what a text handler writes for one record about chat.
func logLine(chat ChatID) string {
	var b bytes.Buffer
	slog.New(slog.NewTextHandler(&b, nil)).Info("update handled", slog.Any("chat", chat), slog.Any("msg", Msg{Chat: chat}))
	return b.String()
}

// TestChatIDLogValueKeyed: a WhatsApp chat id is a phone number, and the
// numbers of a country are few enough to hash them all. The hash in logs
// is keyed: one log line cannot be matched against sha256 of a number,
// another key gives another hash, and the number itself never shows.
func TestChatIDLogValueKeyed(t *testing.T) {
	const phone = "32470123456"
	id := ChatID("wa:" + phone)
	plain := sha256.Sum256([]byte(id))
	unkeyed := hex.EncodeToString(plain[:6])

	lines := map[string]string{}
	for _, key := range []string{"first key of sixteen+ bytes", "second key, for another deployment"} {
		if err := SetLogKey([]byte(key)); err != nil {
			t.Fatal(err)
		}
		line := logLine(id)
		if strings.Contains(line, phone) {
			t.Errorf("key %q: the number shows: %s", key, line)
		}
		if strings.Contains(line, unkeyed) {
			t.Errorf("key %q: the line holds sha256(id)[:6] %s, which a list of numbers reverses: %s", key, unkeyed, line)
		}
		h := id.LogValue().String()
		if !strings.Contains(line, "chat="+h) || !strings.Contains(line, "msg.chat="+h) {
			t.Errorf("key %q: line %q does not follow the chat as %s", key, line, h)
		}
		if again := logLine(id); !strings.Contains(again, "chat="+h) {
			t.Errorf("key %q: the same chat hashes differently: %s, then %s", key, line, again)
		}
		lines[key] = h
	}
	if lines["first key of sixteen+ bytes"] == lines["second key, for another deployment"] {
		t.Errorf("two keys give the same hash %s", lines["first key of sixteen+ bytes"])
	}
	if err := SetLogKey([]byte("short")); err == nil {
		t.Error("SetLogKey took a 5-byte key")
	}
}
