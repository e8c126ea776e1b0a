package testkit

import (
	"io"
	"net/http"
	"net/http/httptest"
	"regexp"
	"strings"
	"testing"
)

// Get fetches u and returns its body, failing the test unless the server
// answers 200 OK; the failure shows the status and the body.
func Get(t testing.TB, u string) string {
	t.Helper()
	resp, err := http.Get(u)
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	b, _ := io.ReadAll(resp.Body)
	if resp.StatusCode != http.StatusOK {
		t.Fatalf("GET %s: %d\n%s", u, resp.StatusCode, b)
	}
	return string(b)
}

// BenchServe serves req with h in b's loop, failing unless h answers 200 OK,
// and returns the size of the last body (for a B/page metric).
func BenchServe(b *testing.B, h http.Handler, req *http.Request) int {
	b.Helper()
	size := 0
	for b.Loop() {
		rec := httptest.NewRecorder()
		h.ServeHTTP(rec, req)
		if rec.Code != http.StatusOK {
			b.Fatal(rec.Code)
		}
		size = rec.Body.Len()
	}
	return size
}

// Holds checks that body (what: "page", "poster") holds every string of
// want and none of not.
func Holds(t testing.TB, what, body string, want, not []string) {
	t.Helper()
	for _, s := range want {
		if !strings.Contains(body, s) {
			t.Errorf("%s lacks %q", what, s)
		}
	}
	for _, s := range not {
		if strings.Contains(body, s) {
			t.Errorf("%s holds %q", what, s)
		}
	}
}

// markup is what PageText takes out: the style sheet and the tags.
var markup = regexp.MustCompile(`(?s)<style>.*?</style>|<[^>]+>`)

// PageText is a page's text without its tags and style sheet, its
// entities read and its spaces collapsed: what a person reads, for checks
// that do not hang on the markup.
func PageText(body string) string {
	s := markup.ReplaceAllString(body, " ")
	s = strings.NewReplacer("&#39;", "'", "&amp;", "&", "&lt;", "<", "&gt;", ">", "&#34;", `"`, "&quot;", `"`).Replace(s)
	return strings.Join(strings.Fields(s), " ")
}

// WantText checks that the page's text (PageText) holds every string of
// wants; a failure shows that text.
func WantText(t testing.TB, body string, wants ...string) {
	t.Helper()
	got := PageText(body)
	for _, w := range wants {
		if !strings.Contains(got, w) {
			t.Errorf("page lacks %q\npage: %s", w, got)
		}
	}
}
