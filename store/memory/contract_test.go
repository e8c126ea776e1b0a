package memory

import (
	"testing"
	"time"

	"github.com/secours/secours/flows"
	"github.com/secours/secours/store/storetest"
)

// TestContracts runs every storetest contract on a fresh Store.
func TestContracts(t *testing.T) {
	t.Run("sessions", func(t *testing.T) {
		storetest.Run(t, func(t *testing.T) (flows.SessionStore, storetest.Corrupt) {
			s := New(time.Hour, nil)
			return s, func(t *testing.T, id flows.ChatID, rev int64, raw []byte) {
				s.put(id, rev, raw)
			}
		})
	})
	t.Run("referrals", func(t *testing.T) {
		storetest.RunReferrals(t, func(t *testing.T) storetest.ReferralStores {
			s, c := clocked(time.Hour)
			return storetest.ReferralStores{
				Referrals:  s,
				Structures: s,
				Now:        c.Now,
				Advance:    c.Add,
				Corrupt:    func(t *testing.T, id string, raw []byte) { s.putReferral(id, raw) },
			}
		})
	})
	t.Run("stats", func(t *testing.T) {
		storetest.RunStats(t, func(t *testing.T) flows.StatsStore { return New(time.Hour, nil) })
	})
	t.Run("window", func(t *testing.T) {
		storetest.RunWindow(t, func(t *testing.T) storetest.WindowStores {
			s, c := clocked(time.Hour)
			return storetest.WindowStores{Store: s, Now: c.Now, Advance: c.Add}
		})
	})
	t.Run("secrets", func(t *testing.T) {
		storetest.RunSecrets(t, func(t *testing.T) storetest.SecretStore { return New(time.Hour, nil) })
	})
}
