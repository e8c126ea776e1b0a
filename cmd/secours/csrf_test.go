package main

import (
	"io"
	"log/slog"
	"net/http"
	"net/http/httptest"
	"net/url"
	"regexp"
	"strings"
	"testing"
	"time"

	"github.com/secours/secours/bot"
	"github.com/secours/secours/configs"
	"github.com/secours/secours/store/memory"
	"github.com/secours/secours/store/redis"
	"github.com/secours/secours/store/redis/redistest"
)

// TestFormPostedToAnotherInstance: a structure's page served by one
// instance, its form posted to another on the same store (a second
// replica, or the same one after a restart). The forms' secret comes from
// the store, so the post is accepted; with CSRF_SECRET set, from it.
func TestFormPostedToAnotherInstance(t *testing.T) {
	const place = "france-services/1"
	backs := map[string]func(t *testing.T) (allStores, allStores){
		"memory": func(t *testing.T) (allStores, allStores) {
			st := memory.New(time.Hour, nil)
			return st, st // two handlers on one store
		},
		"redis": func(t *testing.T) (allStores, allStores) {
			u, prefix := redistest.New(t)
			var two [2]allStores
			for i := range two {
				st, err := redis.Open(t.Context(), u, redis.Options{Prefix: prefix})
				if err != nil {
					t.Fatal(err)
				}
				t.Cleanup(func() { st.Close() })
				two[i] = st
			}
			return two[0], two[1]
		},
	}
	for name, open := range backs {
		for _, secret := range []string{"", strings.Repeat("s", 40) + "," + strings.Repeat("o", 40)} {
			t.Run(name+map[bool]string{true: "/stored", false: "/CSRF_SECRET"}[secret == ""], func(t *testing.T) {
				a, b := open(t)
				cfg, err := parseConfig(nil, envOf(map[string]string{"CSRF_SECRET": secret}), io.Discard)
				if err != nil {
					t.Fatal(err)
				}
				log := slog.New(slog.DiscardHandler)
				var pages [2]http.Handler
				var link string
				for i, st := range []allStores{a, b} {
					engine, dir, err := configs.EngineAndPlaces()
					if err != nil {
						t.Fatal(err)
					}
					desk, page, err := newReferrals(t.Context(), cfg, engine, st, dir, nil, bot.Senders{}, log, false, nil)
					if err != nil {
						t.Fatal(err)
					}
					pages[i] = page
					if i == 0 {
						if link, err = desk.IssueLink(t.Context(), place); err != nil {
							t.Fatal(err)
						}
					}
				}
				path := link[strings.Index(link, "/s/"):]
				rec := httptest.NewRecorder()
				pages[0].ServeHTTP(rec, httptest.NewRequest(http.MethodGet, path, nil))
				field := regexp.MustCompile(`action="([^"]+)" class="telegram"><input type="hidden" name="csrf" value="([0-9a-f]+)"`).FindStringSubmatch(rec.Body.String())
				if rec.Code != http.StatusOK || field == nil {
					t.Fatalf("page from the first instance: %d\n%s", rec.Code, rec.Body.String())
				}
				r := httptest.NewRequest(http.MethodPost, field[1], strings.NewReader(url.Values{"csrf": {field[2]}}.Encode()))
				r.Header.Set("Content-Type", "application/x-www-form-urlencoded")
				rec = httptest.NewRecorder()
				pages[1].ServeHTTP(rec, r)
				if rec.Code != http.StatusOK || !strings.Contains(rec.Body.String(), "/structure ") {
					t.Errorf("form posted to the second instance: %d, want the Telegram code\n%s", rec.Code, rec.Body.String())
				}
			})
		}
	}
}
