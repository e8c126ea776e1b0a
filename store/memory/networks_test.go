package memory

import (
	"testing"
	"time"

	"github.com/secours/secours/internal/testkit"
	"github.com/secours/secours/store/storetest"
)

// TestNetworksContract runs the network.Store contract on a fresh Networks.
func TestNetworksContract(t *testing.T) {
	storetest.RunNetworks(t, func(t *testing.T) storetest.NetworkStores {
		c := testkit.NewClock(time.Date(2026, 3, 1, 12, 0, 0, 0, time.UTC))
		return storetest.NetworkStores{Store: NewNetworks(c.Now), Advance: c.Add}
	})
}
