package storetest

import (
	"errors"
	"slices"
	"sync"
	"testing"
	"time"

	"github.com/secours/secours/geo"
	"github.com/secours/secours/network"
)

// NetworkStores is a network.Store under test with the clock of its
// drafts' expiry.
type NetworkStores struct {
	Store   network.Store
	Advance func(time.Duration) // moves the store's clock
}

// RunNetworks runs the contract of network.Store against the stores
// newStore returns, each empty and of its own.
func RunNetworks(t *testing.T, newStore func(t *testing.T) NetworkStores) {
	runCases(t, newStore, []contractCase[NetworkStores]{
		{"Empty", testNetEmpty},
		{"PublishUndo", testNetPublishUndo},
		{"Conflict", testNetConflict},
		{"ConcurrentPublish", testNetConcurrent},
		{"Drafts", testNetDrafts},
		{"EditsAndAudit", testNetEdits},
		{"Prune", testNetPrune},
	})
}

var netT0 = time.Date(2026, 3, 2, 10, 0, 0, 0, time.UTC)

func netState(at time.Time, ids ...string) network.State {
	st := network.State{At: at, Confirmed: map[string]time.Time{}}
	for _, id := range ids {
		st.Places = append(st.Places, geo.Place{ID: id, Name: "Lieu " + id, Country: geo.BE, Postcode: "1000",
			Point: geo.Point{Lat: 50.85, Lon: 4.35}, Services: []string{geo.ServiceProcedures},
			Closures: []geo.Closure{{From: at, To: at.AddDate(0, 0, 3), Note: "congés"}}})
		st.Confirmed[id] = at
	}
	return st
}

func placeIDs(st network.State) []string {
	var out []string
	for _, p := range st.Places {
		out = append(out, p.ID)
	}
	return out
}

func testNetEmpty(t *testing.T, s NetworkStores) {
	ctx := t.Context()
	st := s.Store
	if rev, err := st.Rev(ctx); err != nil || rev != 0 {
		t.Errorf("Rev = %d, %v; want 0", rev, err)
	}
	if owners, err := st.Owners(ctx); err != nil || len(owners) != 0 {
		t.Errorf("Owners = %v, %v; want none", owners, err)
	}
	cur, can, err := st.State(ctx, "epn")
	if err != nil || can || cur.Rev != 0 || cur.Published() || len(cur.Places) != 0 {
		t.Errorf("State(none) = %+v, %v, %v", cur, can, err)
	}
	if _, err := st.Undo(ctx, "epn", 0, nil); !errors.Is(err, network.ErrNothingToUndo) {
		t.Errorf("Undo(none) = %v, want ErrNothingToUndo", err)
	}
	if _, ok, err := st.Previous(ctx, "epn"); ok || err != nil {
		t.Errorf("Previous(none) = %v, %v", ok, err)
	}
}

func testNetPublishUndo(t *testing.T, s NetworkStores) {
	ctx := t.Context()
	st := s.Store
	one := netState(netT0, "epn/1", "epn/2")
	rev, err := st.Publish(ctx, "epn", 0, one, []network.Change{{At: netT0, PlaceID: "epn/1", By: "network:epn", What: "publish", Kind: "added"}})
	if err != nil || rev != 1 {
		t.Fatalf("Publish = %d, %v; want 1", rev, err)
	}
	cur, can, err := st.State(ctx, "epn")
	if err != nil || !can || cur.Rev != 1 || !slices.Equal(placeIDs(cur), []string{"epn/1", "epn/2"}) || !cur.At.Equal(netT0) {
		t.Fatalf("State = %+v, %v, %v", cur, can, err)
	}
	if c := cur.Places[0].Closures; len(c) != 1 || c[0].Note != "congés" || !c[0].To.Equal(netT0.AddDate(0, 0, 3)) {
		t.Errorf("closures read back = %+v", c)
	}
	if g, _ := st.Rev(ctx); g != 1 {
		t.Errorf("global Rev = %d, want 1", g)
	}
	if owners, _ := st.Owners(ctx); !slices.Equal(owners, []string{"epn"}) {
		t.Errorf("Owners = %v", owners)
	}
	// Changing what was read changes nothing stored.
	cur.Places[0].Name = "changed"
	if again, _, _ := st.State(ctx, "epn"); again.Places[0].Name != "Lieu epn/1" {
		t.Error("the stored state shares the caller's")
	}
	two := netState(netT0.Add(time.Hour), "epn/2", "epn/3")
	if rev, err := st.Publish(ctx, "epn", 1, two, nil); err != nil || rev != 2 {
		t.Fatalf("second Publish = %d, %v", rev, err)
	}
	prev, ok, err := st.Previous(ctx, "epn")
	if err != nil || !ok || !slices.Equal(placeIDs(prev), []string{"epn/1", "epn/2"}) {
		t.Errorf("Previous = %v, %v, %v", placeIDs(prev), ok, err)
	}
	if rev, err := st.Undo(ctx, "epn", 2, []network.Change{{At: netT0, PlaceID: "epn/3", What: "undo"}}); err != nil || rev != 3 {
		t.Fatalf("Undo = %d, %v", rev, err)
	}
	cur, can, _ = st.State(ctx, "epn")
	if can || cur.Rev != 3 || !slices.Equal(placeIDs(cur), []string{"epn/1", "epn/2"}) {
		t.Errorf("after Undo: %v rev %d canUndo %v", placeIDs(cur), cur.Rev, can)
	}
	if _, err := st.Undo(ctx, "epn", 3, nil); !errors.Is(err, network.ErrNothingToUndo) {
		t.Errorf("second Undo = %v, want ErrNothingToUndo", err)
	}
	if g, _ := st.Rev(ctx); g != 3 {
		t.Errorf("global Rev = %d, want 3", g)
	}
	// Undoing a first publish goes back to never published.
	if _, err := st.Publish(ctx, "other", 0, netState(netT0, "other/1"), nil); err != nil {
		t.Fatal(err)
	}
	if _, err := st.Undo(ctx, "other", 1, nil); err != nil {
		t.Fatal(err)
	}
	if cur, _, _ := st.State(ctx, "other"); cur.Published() || len(cur.Places) != 0 || cur.Rev != 2 {
		t.Errorf("after undoing the first publish: %+v", cur)
	}
	audit, err := st.Audit(ctx, "epn", 0)
	if err != nil || len(audit) != 2 || audit[0].What != "undo" || audit[1].Kind != "added" {
		t.Errorf("Audit = %+v, %v; want the undo then the publish", audit, err)
	}
}

func testNetConflict(t *testing.T, s NetworkStores) {
	ctx := t.Context()
	st := s.Store
	if _, err := st.Publish(ctx, "epn", 0, netState(netT0, "epn/1"), nil); err != nil {
		t.Fatal(err)
	}
	if _, err := st.Publish(ctx, "epn", 0, netState(netT0, "epn/2"), nil); !errors.Is(err, network.ErrConflict) {
		t.Errorf("Publish on a moved base = %v, want ErrConflict", err)
	}
	if _, err := st.Undo(ctx, "epn", 0, nil); !errors.Is(err, network.ErrConflict) {
		t.Errorf("Undo on a moved base = %v, want ErrConflict", err)
	}
	if cur, _, _ := st.State(ctx, "epn"); !slices.Equal(placeIDs(cur), []string{"epn/1"}) {
		t.Errorf("a refused publish changed the state: %v", placeIDs(cur))
	}
	// Another network's revision is its own.
	if _, err := st.Publish(ctx, "caban", 0, netState(netT0, "caban/1"), nil); err != nil {
		t.Errorf("Publish of another network = %v", err)
	}
}

func testNetConcurrent(t *testing.T, s NetworkStores) {
	ctx := t.Context()
	const n = 8
	var wg sync.WaitGroup
	errs := make([]error, n)
	for i := range n {
		wg.Go(func() {
			_, errs[i] = s.Store.Publish(ctx, "epn", 0, netState(netT0, "epn/x"), nil)
		})
	}
	wg.Wait()
	won := 0
	for _, err := range errs {
		switch {
		case err == nil:
			won++
		case !errors.Is(err, network.ErrConflict):
			t.Errorf("Publish = %v, want nil or ErrConflict", err)
		}
	}
	if won != 1 {
		t.Errorf("%d publishes on one base won, want 1", won)
	}
	if cur, _, _ := s.Store.State(ctx, "epn"); cur.Rev != 1 {
		t.Errorf("Rev = %d, want 1", cur.Rev)
	}
}

func testNetDrafts(t *testing.T, s NetworkStores) {
	ctx := t.Context()
	st := s.Store
	if err := st.PutDraft(ctx, "epn", "d1", []byte(`{"a":1}`), time.Hour); err != nil {
		t.Fatal(err)
	}
	if b, err := st.Draft(ctx, "epn", "d1"); err != nil || string(b) != `{"a":1}` {
		t.Errorf("Draft = %q, %v", b, err)
	}
	if _, err := st.Draft(ctx, "caban", "d1"); !errors.Is(err, network.ErrNoDraft) {
		t.Errorf("another network's Draft = %v, want ErrNoDraft", err)
	}
	if _, err := st.Draft(ctx, "epn", "nope"); !errors.Is(err, network.ErrNoDraft) {
		t.Errorf("unknown Draft = %v, want ErrNoDraft", err)
	}
	s.Advance(time.Hour + time.Second)
	if _, err := st.Draft(ctx, "epn", "d1"); !errors.Is(err, network.ErrNoDraft) {
		t.Errorf("expired Draft = %v, want ErrNoDraft", err)
	}
}

func testNetEdits(t *testing.T, s NetworkStores) {
	ctx := t.Context()
	st := s.Store
	e := network.Edited{At: netT0, Card: network.Card{Hours: "Mo 09:00-12:00", Phone: "02 555 12 34", TempClosed: true,
		Closures: []network.Closure{{From: netT0, To: netT0.AddDate(0, 0, 9), Note: "travaux"}}}}
	if err := st.Edit(ctx, "france-services", "france-services/12", e, network.Change{At: netT0, PlaceID: "france-services/12",
		By: "structure:france-services/12", What: "edit", Fields: []network.FieldChange{{Field: "horaires", Old: "", New: "Mo 09:00-12:00"}}}); err != nil {
		t.Fatal(err)
	}
	if g, _ := st.Rev(ctx); g != 1 {
		t.Errorf("global Rev after an edit = %d, want 1", g)
	}
	if owners, _ := st.Owners(ctx); !slices.Equal(owners, []string{"france-services"}) {
		t.Errorf("Owners = %v", owners)
	}
	edits, err := st.Edits(ctx, "france-services")
	got := edits["france-services/12"]
	if err != nil || len(edits) != 1 || got.Card.Hours != "Mo 09:00-12:00" || !got.Card.TempClosed ||
		len(got.Card.Closures) != 1 || got.Card.Closures[0].Note != "travaux" || !got.At.Equal(netT0) {
		t.Errorf("Edits = %+v, %v", edits, err)
	}
	audit, _ := st.Audit(ctx, "france-services", 10)
	if len(audit) != 1 || audit[0].By != "structure:france-services/12" || audit[0].Fields[0].New != "Mo 09:00-12:00" {
		t.Errorf("Audit = %+v", audit)
	}
	if cur, _, _ := st.State(ctx, "france-services"); cur.Published() {
		t.Error("an edit published a state")
	}
}

func testNetPrune(t *testing.T, s NetworkStores) {
	ctx := t.Context()
	st := s.Store
	var audit []network.Change
	for i, id := range []string{"epn/old-gone", "epn/old-kept", "epn/new-gone"} {
		audit = append(audit, network.Change{At: netT0.Add(time.Duration(i) * 24 * time.Hour), PlaceID: id, What: "publish"})
	}
	if _, err := st.Publish(ctx, "epn", 0, netState(netT0, "epn/old-kept"), audit); err != nil {
		t.Fatal(err)
	}
	keep := func(id string) bool { return id == "epn/old-kept" }
	if err := st.PruneAudit(ctx, "epn", netT0.Add(36*time.Hour), keep); err != nil {
		t.Fatal(err)
	}
	got, _ := st.Audit(ctx, "epn", 0)
	var ids []string
	for _, c := range got {
		ids = append(ids, c.PlaceID)
	}
	if !slices.Equal(ids, []string{"epn/new-gone", "epn/old-kept"}) {
		t.Errorf("after prune: %v; want the recent entry and the kept place's", ids)
	}
	if got, _ := st.Audit(ctx, "epn", 1); len(got) != 1 || got[0].PlaceID != "epn/new-gone" {
		t.Errorf("Audit(limit 1) = %+v", got)
	}
}
