package structure_test

import (
	"context"
	"fmt"
	"log/slog"
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"
	"time"

	"github.com/secours/secours/internal/testkit"
	webstructure "github.com/secours/secours/web/structure"
	"github.com/secours/secours/web/webtest"

	"github.com/secours/secours/configs"
	"github.com/secours/secours/flows"
	"github.com/secours/secours/referral"
	"github.com/secours/secours/store/memory"
	"github.com/secours/secours/store/redis"
	"github.com/secours/secours/store/redis/redistest"
)

// stores is what the service needs of a store back-end.
type stores interface {
	flows.SessionStore
	referral.Store
	flows.StructureStore
}

// BenchmarkServicePage is the page a structure opens, served by the real
// service from the store, as issue 8's target counts it: the referrals
// read from the store (memory, then Redis), decoded, and rendered with
// their notes. BenchmarkServicePage/redis-500 against redis-1 is the cost
// of a full page; against memory-500, what the store adds.
func BenchmarkServicePage(b *testing.B) {
	for _, back := range []string{"memory", "redis"} {
		for _, n := range []int{1, 500} {
			b.Run(fmt.Sprintf("%s-%d", back, n), func(b *testing.B) {
				var st stores
				if back == "memory" {
					st = memory.New(24*time.Hour, nil)
				} else {
					st = benchRedis(b)
				}
				servicePage(b, st, n)
			})
		}
	}
}

func benchRedis(b *testing.B) *redis.Store {
	u, prefix := redistest.New(b)
	st, err := redis.Open(b.Context(), u, redis.Options{Prefix: prefix})
	if err != nil {
		b.Fatal(err)
	}
	b.Cleanup(func() { _ = st.Close() })
	return st
}

func servicePage(b *testing.B, st stores, n int) {
	e, dir := webtest.EngineAndPlaces(b)
	cats := webtest.Catalogs(b)
	var page *webstructure.Web
	svc, err := referral.NewService(referral.Options{
		Engine: e, Stores: referral.Stores{Sessions: st, Referrals: st, Structures: st}, Places: dir,
		Sender: nopSender{}, BaseURL: "http://secours.test", Log: slog.New(slog.DiscardHandler),
		Page: func(desk *referral.Service) (referral.Renderer, error) {
			var err error
			page, err = webstructure.NewWeb(webstructure.WebOptions{Desk: desk, Places: dir, Catalogs: cats,
				Texts: configs.FS, Templates: configs.Web})
			return page, err
		},
	})
	if err != nil {
		b.Fatal(err)
	}
	const place = "france-services/2442" // a Lille France services site of the shipped directory
	if _, ok := dir.Place(place); !ok {
		b.Fatalf("%s is not in the directory", place)
	}
	// Every status: opening the page reads and never writes.
	statuses := []flows.Status{flows.StatusSent, flows.StatusSeen, flows.StatusAccepted, flows.StatusContacted, flows.StatusDeclined, flows.StatusClosed}
	now := time.Now()
	for i := range n {
		at := now.Add(-time.Duration(i) * time.Hour)
		r := flows.Referral{V: flows.ReferralVersion, ID: flows.NewReferralID(), Place: place, Lang: flows.FR, Country: "FR",
			Postcode: "59000", Area: "FR:Lille", Need: "procedure", Profile: "proche_autonomie", Why: "why.needs_boost",
			Confidence: "high", ConsentBy: "self", ConsentAt: at, Contact: flows.ContactRelay,
			Chat: flows.ChatID(fmt.Sprintf("tg:%d", 9_000_000+i)), Status: statuses[i%len(statuses)], Created: at, Updated: at,
			History: []flows.Change{{At: at, Status: flows.StatusSent, Actor: flows.ActorPerson}}}
		if r.Status.Open() {
			r.History = append(r.History, flows.Change{At: at, Status: r.Status, Actor: flows.ActorStructure})
		} else {
			r.Reason = flows.ReasonDone
			if r.Status == flows.StatusDeclined {
				r.Reason = flows.DeclineReasons[0]
			}
		}
		for j := range 3 {
			r.AddNote([]string{flows.ActorPerson, flows.ActorStructure}[j%2], strings.Repeat("Un message de test. ", 8), at)
		}
		r.DueAt = e.Policy.Due(&r)
		if err := st.CreateReferral(b.Context(), r); err != nil {
			b.Fatal(err)
		}
	}
	link, err := svc.IssueLink(b.Context(), place)
	if err != nil {
		b.Fatal(err)
	}
	req := httptest.NewRequest(http.MethodGet, strings.TrimPrefix(link, "http://secours.test"), nil)
	h := page
	size := testkit.BenchServe(b, h, req)
	if n > 1 && !strings.Contains(rec(b, h, req), "Un message de test.") {
		b.Fatal("the page does not show the referrals' notes")
	}
	b.ReportMetric(float64(size), "B/page")
}

func rec(b *testing.B, h http.Handler, req *http.Request) string {
	b.Helper()
	w := httptest.NewRecorder()
	h.ServeHTTP(w, req)
	return w.Body.String()
}

type nopSender struct{}

func (nopSender) Send(context.Context, flows.ChatID, []flows.Reply) error { return nil }
