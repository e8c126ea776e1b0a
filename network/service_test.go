package network_test

import (
	"errors"
	"slices"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/secours/secours/geo"
	"github.com/secours/secours/internal/testkit"
	"github.com/secours/secours/network"
	"github.com/secours/secours/store/memory"
)

var t0 = time.Date(2026, 12, 1, 10, 0, 0, 0, time.UTC)

// newService is a Service on st (nil: a memory store) and the shipped
// directory.
func newService(t testing.TB, st network.Store, clock *testkit.Clock) *network.Service {
	t.Helper()
	if st == nil {
		st = memory.NewNetworks(clock.Now)
	}
	s, err := network.New(network.Options{Store: st, Base: network.Shipped(t), Texts: network.Texts(t), Now: clock.Now,
		Live: geo.NewLive(network.Shipped(t), nil)})
	if err != nil {
		t.Fatal(err)
	}
	if err := s.Refresh(t.Context()); err != nil {
		t.Fatal(err)
	}
	return s
}

// near is a query of a person at the Rue de la Loi, Brussels.
func near(t testing.TB, s *network.Service) geo.Query {
	t.Helper()
	loc, err := s.Live().LocatePoint(geo.Point{Lat: 50.8466, Lon: 4.3655})
	if err != nil {
		t.Fatal(err)
	}
	return geo.Query{At: loc, Profile: "proche_autonomie", Need: "procedure", Equipment: 2, Connectivity: 2, Barrier: "none", Lang: "fr"}
}

func matched(s *network.Service, q geo.Query, id string) bool {
	for _, m := range s.Live().Match(q).Matches {
		if m.Place.ID == id {
			return true
		}
	}
	return false
}

func publish(t *testing.T, s *network.Service, data []byte) network.Draft {
	t.Helper()
	d, err := s.Check(t.Context(), "epn", "lieux.csv", data, "fr")
	if err != nil {
		t.Fatal(err)
	}
	if !d.Publishable() {
		t.Fatalf("draft not publishable: %+v", d.Problems)
	}
	if _, err := s.Publish(t.Context(), "epn", d.ID); err != nil {
		t.Fatalf("Publish: %v", err)
	}
	return d
}

func TestPublishUndo(t *testing.T) {
	ctx := t.Context()
	clock := testkit.NewClock(t0)
	s := newService(t, nil, clock)
	q := near(t, s)

	d, err := s.Check(ctx, "epn", "lieux.csv", network.CSVFile(t, network.Epn("1"), network.Epn("2")), "nl")
	if err != nil {
		t.Fatal(err)
	}
	if d.Places != 2 || len(d.Changes) != 2 || d.Changes[0].Kind != "added" || d.Changes[0].ID != "epn/1" {
		t.Fatalf("draft = %+v", d)
	}
	if matched(s, q, "epn/1") {
		t.Fatal("a checked file is live before its publish")
	}
	if got, err := s.Draft(ctx, "epn", d.ID); err != nil || got.ID != d.ID {
		t.Errorf("Draft = %+v, %v", got, err)
	}
	if _, err := s.Draft(ctx, "caban", d.ID); !errors.Is(err, network.ErrNoDraft) {
		t.Errorf("another network reads the draft: %v", err)
	}
	if _, err := s.Publish(ctx, "epn", d.ID); err != nil {
		t.Fatal(err)
	}
	if !matched(s, q, "epn/1") {
		t.Fatal("a published place is not proposed")
	}
	// The same draft again: its base moved.
	if _, err := s.Publish(ctx, "epn", d.ID); !errors.Is(err, network.ErrConflict) {
		t.Errorf("second Publish of one draft = %v, want ErrConflict", err)
	}

	// The second file removes epn/1 and changes epn/2's hours.
	clock.Add(time.Hour)
	d2 := publish(t, s, network.CSVFile(t, network.With(network.Epn("2"), "horaires", "Mo-Sa 09:00-18:00")))
	var kinds []string
	for _, c := range d2.Changes {
		kinds = append(kinds, c.Kind+" "+c.ID)
	}
	if !slices.Equal(kinds, []string{"changed epn/2", "removed epn/1"}) {
		t.Errorf("changes = %v", kinds)
	}
	if f := d2.Changes[0].Fields; len(f) != 1 || f[0].Field != "horaires" || f[0].Old != "Mo-Fr 09:00-12:00" {
		t.Errorf("changed fields = %+v", f)
	}
	if matched(s, q, "epn/1") {
		t.Error("a removed place is still proposed")
	}
	if _, ok := s.Live().Place("epn/1"); ok {
		t.Error("a removed place is still in the directory")
	}

	if err := s.Undo(ctx, "epn"); err != nil {
		t.Fatal(err)
	}
	if !matched(s, q, "epn/1") {
		t.Error("undo did not bring the removed place back")
	}
	if p, _ := s.Live().Place("epn/2"); p.Hours != "Mo-Fr 09:00-12:00" {
		t.Errorf("undo left hours %q", p.Hours)
	}
	if err := s.Undo(ctx, "epn"); !errors.Is(err, network.ErrNothingToUndo) {
		t.Errorf("second Undo = %v, want ErrNothingToUndo", err)
	}

	h, err := s.History(ctx, "epn", 0)
	if err != nil {
		t.Fatal(err)
	}
	var whats []string
	for _, c := range h {
		whats = append(whats, c.What+" "+c.Kind+" "+c.PlaceID)
	}
	// Newest first: a publish's entries too, in reverse of its preview.
	want := []string{"undo changed epn/2", "undo added epn/1", "publish removed epn/1", "publish changed epn/2",
		"publish added epn/2", "publish added epn/1"}
	if !slices.Equal(whats, want) {
		t.Errorf("history = %v\nwant %v", whats, want)
	}
	if h[0].By != "network:epn" {
		t.Errorf("By = %q", h[0].By)
	}
}

func TestPublishRefusesBlocking(t *testing.T) {
	s := newService(t, nil, testkit.NewClock(t0))
	d, err := s.Check(t.Context(), "epn", "lieux.csv", network.CSVFile(t, network.Epn("1"), network.Epn("1")), "fr")
	if err != nil {
		t.Fatal(err)
	}
	if d.Publishable() {
		t.Fatal("a file with duplicate ids is publishable")
	}
	if _, err := s.Publish(t.Context(), "epn", d.ID); !errors.Is(err, network.ErrBlocked) {
		t.Errorf("Publish = %v, want ErrBlocked", err)
	}
	if _, ok := s.Live().Place("epn/1"); ok {
		t.Error("half a file was published")
	}
	if _, err := s.Publish(t.Context(), "epn", "nope"); !errors.Is(err, network.ErrNoDraft) {
		t.Errorf("Publish(unknown) = %v, want ErrNoDraft", err)
	}
	if strings.Contains(d.Problems[0].What, "p.") {
		t.Errorf("problem has no words: %+v", d.Problems[0])
	}
}

// TestConcurrentPublish: two publishes at once, one wins, the other is
// told.
func TestConcurrentPublish(t *testing.T) {
	s := newService(t, nil, testkit.NewClock(t0))
	ctx := t.Context()
	a, _ := s.Check(ctx, "epn", "a.csv", network.CSVFile(t, network.Epn("a")), "fr")
	b, _ := s.Check(ctx, "epn", "b.csv", network.CSVFile(t, network.Epn("b")), "fr")
	var wg sync.WaitGroup
	errs := make([]error, 2)
	for i, id := range []string{a.ID, b.ID} {
		wg.Go(func() { _, errs[i] = s.Publish(ctx, "epn", id) })
	}
	wg.Wait()
	if (errs[0] == nil) == (errs[1] == nil) {
		t.Fatalf("errors %v, %v: want exactly one publish to win", errs[0], errs[1])
	}
	for _, err := range errs {
		if err != nil && !errors.Is(err, network.ErrConflict) {
			t.Errorf("loser got %v, want ErrConflict", err)
		}
	}
	_, okA := s.Live().Place("epn/a")
	_, okB := s.Live().Place("epn/b")
	if okA == okB {
		t.Errorf("live has a %v, b %v: want the winner's only", okA, okB)
	}
}

func TestPlacesEntries(t *testing.T) {
	ctx := t.Context()
	clock := testkit.NewClock(t0)
	s := newService(t, nil, clock)
	publish(t, s, network.CSVFile(t, network.Epn("1"), network.Epn("2")))
	clock.Add(13 * 30 * 24 * time.Hour)
	if _, err := s.Edit(ctx, "epn/2", network.Card{Hours: "Mo 10:00-12:00", TempClosed: true}); err != nil {
		t.Fatal(err)
	}
	es, err := s.Places(ctx, "epn")
	if err != nil {
		t.Fatal(err)
	}
	if len(es) != 2 || es[0].ID != "epn/1" || es[0].Name != "EPN 1" || es[0].Commune != "Bruxelles" {
		t.Fatalf("entries = %+v", es)
	}
	if !es[0].Stale || !es[0].Confirmed.Equal(t0) || es[0].EditedByPlace || es[0].Closed {
		t.Errorf("epn/1 = %+v: want stale, confirmed at the publish", es[0])
	}
	if es[1].Stale || !es[1].EditedByPlace || !es[1].Closed {
		t.Errorf("epn/2 = %+v: want confirmed by its edit, closed", es[1])
	}
	// A network that never published lists the embedded places of its
	// dataset, confirmed at their date_maj.
	fs, err := s.Places(ctx, geo.SourceFranceServices)
	if err != nil || len(fs) < 1000 {
		t.Fatalf("france-services entries: %d, %v", len(fs), err)
	}
}

func TestCardEdit(t *testing.T) {
	ctx := t.Context()
	clock := testkit.NewClock(t0)
	s := newService(t, nil, clock)
	publish(t, s, network.CSVFile(t, network.Epn("1")))
	q := near(t, s)
	c, err := s.Card(ctx, "epn/1")
	if err != nil || c.Hours != "Mo-Fr 09:00-12:00" || c.Phone != "02 555 12 34" || !slices.Equal(c.Langs, []string{"fr", "nl"}) {
		t.Fatalf("Card = %+v, %v", c, err)
	}

	bad := c
	bad.Hours = "le matin"
	bad.Phone = "12"
	bad.Email = "nobody"
	bad.Services = []string{"Tout"}
	bad.Closures = []network.Closure{{From: t0.AddDate(0, 0, 5), To: t0}}
	_, err = s.Edit(ctx, "epn/1", bad)
	ee, ok := errors.AsType[*network.EditError](err)
	if !ok {
		t.Fatalf("Edit(bad) = %v, want an EditError", err)
	}
	var fields []string
	for _, p := range ee.Problems {
		fields = append(fields, p.Field)
		if p.What == "" || p.Fix == "" || strings.HasPrefix(p.What, "p.") {
			t.Errorf("problem without words: %+v", p)
		}
	}
	if !slices.Equal(fields, []string{"horaires", "telephone", "courriels", "services", "fermetures"}) {
		t.Errorf("problem fields = %v", fields)
	}
	if p, _ := s.Live().Place("epn/1"); p.Hours != "Mo-Fr 09:00-12:00" {
		t.Error("a refused edit changed the card")
	}

	// Fermé du 24/12 au 2/1, new hours, another phone.
	good := c
	good.Hours = "Mo-Sa 10:00-16:00"
	good.Phone = "+32 2 555 00 00"
	good.Closures = []network.Closure{{From: time.Date(2026, 12, 24, 0, 0, 0, 0, time.UTC), To: time.Date(2027, 1, 2, 0, 0, 0, 0, time.UTC), Note: "congés"}}
	changes, err := s.Edit(ctx, "epn/1", good)
	if err != nil {
		t.Fatal(err)
	}
	var changed []string
	for _, f := range changes {
		changed = append(changed, f.Field)
	}
	if !slices.Equal(changed, []string{"horaires", "fermetures", "telephone"}) {
		t.Errorf("changes = %v", changed)
	}
	p, _ := s.Live().Place("epn/1")
	if p.Hours != "Mo-Sa 10:00-16:00" || p.Phone != "02 555 00 00" {
		t.Errorf("the bot's place: hours %q phone %q", p.Hours, p.Phone)
	}
	if o := p.OpeningAt(time.Date(2026, 12, 28, 11, 0, 0, 0, time.UTC)); !o.Known || o.Open {
		t.Errorf("open during the closure: %+v", o)
	}
	// The network sees it.
	h, _ := s.History(ctx, "epn", 1)
	if len(h) != 1 || h[0].By != "structure:epn/1" || h[0].What != "edit" {
		t.Errorf("history = %+v", h)
	}
	// Temporarily closed: never proposed.
	good.TempClosed = true
	if _, err := s.Edit(ctx, "epn/1", good); err != nil {
		t.Fatal(err)
	}
	if matched(s, q, "epn/1") {
		t.Error("a temporarily closed place is proposed")
	}
	// A publish keeps the structure's own card over the network's.
	clock.Add(time.Hour)
	publish(t, s, network.CSVFile(t, network.Epn("1"), network.Epn("2")))
	if p, _ := s.Live().Place("epn/1"); p.Hours != "Mo-Sa 10:00-16:00" || !p.TempClosed {
		t.Errorf("after a publish: %q closed %v", p.Hours, p.TempClosed)
	}
	// An embedded place's card too.
	var fsID string
	for _, p := range s.Live().Places() {
		if p.Source == geo.SourceFranceServices {
			fsID = p.ID
			break
		}
	}
	fc, err := s.Card(ctx, fsID)
	if err != nil {
		t.Fatal(err)
	}
	fc.TempClosed = true
	if _, err := s.Edit(ctx, fsID, fc); err != nil {
		t.Fatal(err)
	}
	if p, _ := s.Live().Place(fsID); !p.TempClosed {
		t.Error("an embedded place's edit is not live")
	}
	if _, err := s.Edit(ctx, "nowhere/1", fc); err == nil {
		t.Error("Edit of an unknown place succeeded")
	}
}

func TestNetworkToken(t *testing.T) {
	token, sum := network.NewToken()
	tokens, err := network.ParseTokens("epn-wallonie:" + sum + ", caban:" + strings.Repeat("ab", 32))
	if err != nil {
		t.Fatal(err)
	}
	s, err := network.New(network.Options{Store: memory.NewNetworks(nil), Base: network.Shipped(t), Texts: network.Texts(t), Tokens: tokens})
	if err != nil {
		t.Fatal(err)
	}
	if name, ok := s.Network(token); !ok || name != "epn-wallonie" {
		t.Errorf("Network(token) = %q, %v", name, ok)
	}
	for _, bad := range []string{"", sum, token + "x"} {
		if _, ok := s.Network(bad); ok {
			t.Errorf("Network(%q) accepted", bad)
		}
	}
	for _, bad := range []string{"epn", "Bad Name:" + sum, "x:" + sum, "epn:" + sum + ",epn:" + sum} {
		if _, err := network.ParseTokens(bad); err == nil {
			t.Errorf("ParseTokens(%q) accepted", bad)
		}
	}
}
