package flows

import (
	"context"
	"strconv"
	"time"
)

// Tally is one event's contribution to the anonymous needs observatory
// (issue 9): counts per area and month, added at write time. No
// per-person record is kept for it.
type Tally struct {
	Month  string         // "2026-11"
	Area   string         // "BE:Antwerpen", "FR:Lille"; "" before the person says where
	Counts map[string]int // metric → increment
}

// Metrics of the observatory.
const (
	MetricStarted     = "started"       // a conversation began (its area is not known yet)
	MetricFinished    = "finished"      // the place list or the fallback was shown
	MetricShared      = "shared"        // a finished conversation began from a structure's share code
	MetricAidant      = "aidant"        // a finished conversation answered by an aidant
	MetricProfile     = "profile."      // + profile key
	MetricNeed        = "need."         // + need key
	MetricRefSent     = "ref.sent"      // a referral was sent
	MetricRefAccepted = "ref.accepted"  // a structure accepted one
	MetricRefClosed   = "ref.closed"    // one reached closed
	MetricAcceptAfter = "ref.accept_h." // + upper bound of the hours bucket of the time to acceptance
)

// AcceptBuckets are the upper bounds, in hours, of the time-to-acceptance
// buckets; the last bucket holds everything longer.
var AcceptBuckets = []int{1, 4, 24, 72, 168, 336}

// AcceptBucket names the bucket of a time to acceptance.
func AcceptBucket(d time.Duration) string {
	h := d.Hours()
	for _, b := range AcceptBuckets {
		if h <= float64(b) {
			return MetricAcceptAfter + strconv.Itoa(b)
		}
	}
	return MetricAcceptAfter + "more"
}

// MonthOf is the tally month of a time, in Brussels time (Paris keeps the
// same clock).
func MonthOf(t time.Time) string {
	return t.In(brussels).Format("2006-01")
}

var brussels = func() *time.Location {
	l, err := time.LoadLocation("Europe/Brussels")
	if err != nil {
		return time.UTC // no tz database: months may cut an hour early
	}
	return l
}()

// Cell is one stored count.
type Cell struct {
	Month, Area, Metric string
	N                   int
}

// StatsStore keeps the observatory's counts. Record adds a tally in one
// pipelined round trip. Counts returns every cell of the months from
// through to ("2026-01"), inclusive.
type StatsStore interface {
	Record(ctx context.Context, t Tally) error
	Counts(ctx context.Context, from, to string) ([]Cell, error)
}
