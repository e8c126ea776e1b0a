package redis

import (
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/secours/secours/flows"
	"github.com/secours/secours/store/redis/redistest"
	"github.com/secours/secours/store/storetest"
)

// TestSentinel runs the contract through a Sentinel of the test's own, with
// the redis+sentinel:// form of ParseURL.
func TestSentinel(t *testing.T) {
	const pw = "Zq7-hunter2"
	master := redistest.NewServer(t, pw)

	sentinel := redistest.NewServerWith(t, "", func(port string) []string {
		dir := t.TempDir()
		conf := filepath.Join(dir, "sentinel.conf") // Sentinel rewrites it: writable
		err := os.WriteFile(conf, []byte(strings.Join([]string{
			"port " + port,
			"bind 127.0.0.1",
			"dir " + dir,
			"sentinel monitor mymaster 127.0.0.1 " + master.Port + " 1",
			"sentinel auth-pass mymaster " + pw,
			"",
		}, "\n")), 0o600)
		if err != nil {
			t.Fatal(err)
		}
		return []string{conf, "--sentinel"}
	})

	u := "redis+sentinel://:" + pw + "@" + sentinel.Addr() + "/mymaster/0"
	storetest.Run(t, func(t *testing.T) (flows.SessionStore, storetest.Corrupt) {
		return openCorruptible(t, u)
	})
}

// TestCluster runs the contract on a three-node Cluster of the test's own,
// with the redis+cluster:// form of ParseURL. Keys of many chats spread
// over the nodes; the hash tag keeps each chat's keys on one.
func TestCluster(t *testing.T) {
	ctx := t.Context()
	u := redistest.NewCluster(t)
	storetest.Run(t, func(t *testing.T) (flows.SessionStore, storetest.Corrupt) {
		return openCorruptible(t, u)
	})

	// The contract's chats must have used more than one node, or the test
	// proves nothing about routing.
	s := openStore(t, u)
	used := map[string]bool{}
	for i := range 30 {
		id := flows.ChatID("tg:" + strconv.Itoa(812345678+i))
		if err := s.Save(ctx, flows.NewSession(id, time.Now())); err != nil {
			t.Fatalf("Save on cluster: %v", err)
		}
		slot, err := s.c.ClusterKeySlot(ctx, s.sessionKey(id)).Result()
		if err != nil {
			t.Fatal(err)
		}
		used[strconv.FormatInt(slot*redistest.ClusterNodes/16384, 10)] = true
	}
	if len(used) < 2 {
		t.Errorf("30 chats landed on %d node(s), want several", len(used))
	}
}

func openCorruptible(t *testing.T, rawURL string) (flows.SessionStore, storetest.Corrupt) {
	s := openStore(t, rawURL)
	return s, corruptHook(s)
}
