package redis

import (
	"testing"
	"time"

	"github.com/secours/secours/flows"
	"github.com/secours/secours/internal/testkit"
	"github.com/secours/secours/store/redis/redistest"
	"github.com/secours/secours/store/storetest"
)

// TestContracts runs the referral, stats, secrets, window and network contracts on a Store
// of the shared test Redis, and on a Cluster of the test's own: a command
// or a script over keys of two slots would fail there with CROSSSLOT, and
// Counts' pipeline must reach the months' hashes on every node. (The
// sessions' contract runs in TestContract and TestCluster.)
func TestContracts(t *testing.T) {
	for _, topo := range []struct {
		name string
		open func(t *testing.T) func(t *testing.T) *Store // the topology, then a Store a case
	}{
		{"single", func(*testing.T) func(t *testing.T) *Store {
			return func(t *testing.T) *Store { return newStore(t, Options{}) }
		}},
		{"cluster", func(t *testing.T) func(t *testing.T) *Store {
			u := redistest.NewCluster(t)
			return func(t *testing.T) *Store { return openStore(t, u) }
		}},
	} {
		t.Run(topo.name, func(t *testing.T) {
			open := topo.open(t)
			t.Run("referrals", func(t *testing.T) {
				storetest.RunReferrals(t, func(t *testing.T) storetest.ReferralStores { return referralStores(open(t)) })
			})
			t.Run("stats", func(t *testing.T) {
				storetest.RunStats(t, func(t *testing.T) flows.StatsStore { return open(t) })
			})
			t.Run("secrets", func(t *testing.T) {
				storetest.RunSecrets(t, func(t *testing.T) storetest.SecretStore { return open(t) })
			})
			t.Run("window", func(t *testing.T) {
				storetest.RunWindow(t, func(t *testing.T) storetest.WindowStores {
					s := open(t)
					c := testkit.NewClock(time.Now())
					s.now = c.Now
					return storetest.WindowStores{Store: s, Now: c.Now, Advance: c.Add}
				})
			})
			t.Run("networks", func(t *testing.T) {
				storetest.RunNetworks(t, func(t *testing.T) storetest.NetworkStores {
					s := open(t)
					c := testkit.NewClock(time.Now())
					s.now = c.Now
					return storetest.NetworkStores{Store: s, Advance: c.Add}
				})
			})
		})
	}
}
