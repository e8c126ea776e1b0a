package bot_test

import (
	"bytes"
	"log/slog"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/secours/secours/bot"
	"github.com/secours/secours/configs"
	"github.com/secours/secours/flows"
	"github.com/secours/secours/store/memory"
)

// TestLogsHoldNoPersonalData runs a conversation and checks that the log
// never shows the raw chat id, the typed text or the postcode.
func TestLogsHoldNoPersonalData(t *testing.T) {
	e, err := configs.Engine()
	if err != nil {
		t.Fatal(err)
	}
	var logs bytes.Buffer
	r := &bot.Runner{Engine: e, Store: memory.New(time.Hour, nil), Log: slog.New(slog.NewJSONHandler(&logs, nil))}
	chat := flows.ChatID("wa:32470123456@s.whatsapp.net")
	for i, txt := range []string{"Bonjour Marie", "1", "1", "1", "1", "1", "1", "3", "1", "1", "1", "1", "1040", "85.07.30-033.28"} {
		r.Handle(t.Context(), flows.Msg{Chat: chat, ID: string(rune('a' + i)), Kind: flows.KindText, Text: txt})
	}
	for _, secret := range []string{"32470123456", "Marie", "1040", "85.07.30"} {
		if strings.Contains(logs.String(), secret) {
			t.Errorf("log contains %q:\n%s", secret, logs.String())
		}
	}
	if !strings.Contains(logs.String(), `"chat":"`) {
		t.Errorf("log does not follow the chat at all:\n%s", logs.String())
	}
}

// TestSerializerOrdersOneChat checks that one chat's functions never run
// at the same time while other chats run in parallel.
func TestSerializerOrdersOneChat(t *testing.T) {
	var s bot.Serializer
	var mu sync.Mutex
	inside := map[flows.ChatID]int{}
	var wg sync.WaitGroup
	for i := range 200 {
		id := flows.ChatID([]string{"a", "b", "c"}[i%3])
		wg.Go(func() {
			s.Do(id, func() {
				mu.Lock()
				inside[id]++
				if inside[id] > 1 {
					t.Errorf("chat %s runs twice at once", id)
				}
				mu.Unlock()
				time.Sleep(100 * time.Microsecond)
				mu.Lock()
				inside[id]--
				mu.Unlock()
			})
		})
	}
	wg.Wait()
}
