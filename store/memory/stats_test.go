package memory

import (
	"testing"
	"time"

	"github.com/secours/secours/flows"
	"github.com/secours/secours/store/storetest"
)

func TestStatsContract(t *testing.T) {
	storetest.RunStats(t, func(t *testing.T) flows.StatsStore {
		return New(time.Hour, nil)
	})
}
