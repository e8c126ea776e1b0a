package main

import (
	"bytes"
	"context"
	"io"
	"log/slog"
	"mime/multipart"
	"net/http"
	"net/http/httptest"
	"regexp"
	"strings"
	"sync"
	"testing"

	nw "github.com/secours/secours/network"
	netpage "github.com/secours/secours/web/network"
)

// fakeNetworks is the least of a network service: one token, one place,
// a check that drafts what it is given. It stands in for package
// network's *Service until the process wires it.
type fakeNetworks struct {
	mu     sync.Mutex // guards checks
	checks int
}

var _ netpage.Service = (*fakeNetworks)(nil)

const netToken = "net-token-for-the-mount-test"

func (f *fakeNetworks) Network(token string) (string, bool) { return "CABAN", token == netToken }
func (f *fakeNetworks) Check(_ context.Context, network, name string, _ []byte, _ string) (nw.Draft, error) {
	f.mu.Lock()
	defer f.mu.Unlock()
	f.checks++
	return nw.Draft{ID: "d1", Network: network, File: name}, nil
}
func (f *fakeNetworks) Draft(_ context.Context, network, id string) (nw.Draft, error) {
	if id != "d1" {
		return nw.Draft{}, nw.ErrNoDraft
	}
	return nw.Draft{ID: id, Network: network, File: "lieux.csv"}, nil
}
func (f *fakeNetworks) Publish(context.Context, string, string) (nw.Draft, error) {
	return nw.Draft{}, nw.ErrConflict
}
func (f *fakeNetworks) Undo(context.Context, string) error { return nw.ErrNothingToUndo }
func (f *fakeNetworks) Places(context.Context, string) ([]nw.Entry, error) {
	return []nw.Entry{{ID: "caban/1", Name: "EPN de Molenbeek", Commune: "Molenbeek-Saint-Jean"}}, nil
}
func (f *fakeNetworks) History(context.Context, string, int) ([]nw.Change, error) { return nil, nil }

// TestMountNetwork: the networks' pages answer on the process's mux, a
// form of one instance is accepted by another with the same secrets, and
// a bad token gets the one 404.
func TestMountNetwork(t *testing.T) {
	secrets := [][]byte{[]byte("a secret the instances share, 32+ chars")}
	svc := &fakeNetworks{}
	var muxes [2]*http.ServeMux
	for i := range muxes {
		muxes[i] = http.NewServeMux()
		if err := mountNetwork(muxes[i], svc, Config{}, secrets, slog.New(slog.DiscardHandler)); err != nil {
			t.Fatal(err)
		}
	}
	one, two := httptest.NewServer(muxes[0]), httptest.NewServer(muxes[1])
	defer one.Close()
	defer two.Close()

	resp, err := http.Get(one.URL + "/net/" + netToken)
	if err != nil {
		t.Fatal(err)
	}
	page, _ := io.ReadAll(resp.Body)
	resp.Body.Close()
	if resp.StatusCode != http.StatusOK || !strings.Contains(string(page), "Les lieux du réseau CABAN") || !strings.Contains(string(page), "EPN de Molenbeek") {
		t.Fatalf("network page: %d\n%s", resp.StatusCode, page)
	}
	csrf := regexp.MustCompile(`name="csrf" value="([0-9a-f]+)"`).FindStringSubmatch(string(page))
	if csrf == nil {
		t.Fatal("no csrf field on the page")
	}
	var b bytes.Buffer
	mw := multipart.NewWriter(&b)
	mw.WriteField("csrf", csrf[1])
	fw, _ := mw.CreateFormFile("file", "lieux.csv")
	fw.Write([]byte("id;nom\n"))
	mw.Close()
	client := &http.Client{CheckRedirect: func(*http.Request, []*http.Request) error { return http.ErrUseLastResponse }}
	resp, err = client.Post(two.URL+"/net/"+netToken+"/check", mw.FormDataContentType(), &b)
	if err != nil {
		t.Fatal(err)
	}
	resp.Body.Close()
	if resp.StatusCode != http.StatusSeeOther || resp.Header.Get("Location") != "/net/"+netToken+"/draft/d1" || svc.checks != 1 {
		t.Errorf("upload to the other instance: %d to %q, %d checks", resp.StatusCode, resp.Header.Get("Location"), svc.checks)
	}
	resp, err = http.Get(two.URL + "/net/not-the-token-at-all")
	if err != nil {
		t.Fatal(err)
	}
	resp.Body.Close()
	if resp.StatusCode != http.StatusNotFound {
		t.Errorf("bad token: %d, want 404", resp.StatusCode)
	}
}
