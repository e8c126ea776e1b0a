package redis

import (
	"context"
	"errors"
	"sync"
	"testing"
	"time"

	"github.com/secours/secours/configs"
	"github.com/secours/secours/geo"
	"github.com/secours/secours/internal/testkit"
	"github.com/secours/secours/network"
)

// netFile is a network's file of one made-up Brussels place of id.
func netFile(id string) []byte {
	return []byte("id,nom,commune,code_postal,adresse,latitude,longitude,services,langues\n" +
		id + ",EPN " + id + ",Bruxelles,1000,Rue de la Loi 16,50.8466,4.3655,Aide aux démarches administratives,fr\n")
}

// instances are n services, as n processes run them: each with its own
// client of the same Redis and its own live directory.
func instances(t *testing.T, n int) []*network.Service {
	t.Helper()
	base, err := geo.Open(configs.FS)
	if err != nil {
		t.Fatal(err)
	}
	texts, err := network.LoadTexts(configs.FS)
	if err != nil {
		t.Fatal(err)
	}
	var out []*network.Service
	for _, st := range processes(t, make([]Options, n)...) {
		s, err := network.New(network.Options{Store: st, Base: base, Texts: texts, Live: geo.NewLive(base, nil)})
		if err != nil {
			t.Fatal(err)
		}
		if err := s.Refresh(t.Context()); err != nil {
			t.Fatal(err)
		}
		out = append(out, s)
	}
	return out
}

// TestPublishReachesOtherInstance: a publish on one instance is used by
// the other, whose refresher polls the revision, within a second.
func TestPublishReachesOtherInstance(t *testing.T) {
	in := instances(t, 2)
	ctx := t.Context()
	var wg sync.WaitGroup
	t.Cleanup(wg.Wait)
	runCtx, stop := context.WithCancel(ctx)
	t.Cleanup(stop)
	wg.Go(func() { in[1].Run(runCtx) })

	d, err := in[0].Check(ctx, "epn", "lieux.csv", netFile("1"), "fr")
	if err != nil || !d.Publishable() {
		t.Fatalf("Check = %+v, %v", d, err)
	}
	if _, err := in[0].Publish(ctx, "epn", d.ID); err != nil {
		t.Fatal(err)
	}
	published := time.Now()
	testkit.WaitFor(t, "the other instance to serve the published place", func() bool {
		_, ok := in[1].Live().Place("epn/1")
		return ok
	})
	if took := time.Since(published); took > time.Second {
		t.Errorf("the other instance served it after %v, want within a second", took)
	}
	// And an undo.
	if err := in[0].Undo(ctx, "epn"); err != nil {
		t.Fatal(err)
	}
	testkit.WaitFor(t, "the other instance to drop the undone place", func() bool {
		_, ok := in[1].Live().Place("epn/1")
		return !ok
	})
}

// TestConcurrentPublishInstances: two instances publish drafts of the
// same revision at once; one wins, the other gets ErrConflict.
func TestConcurrentPublishInstances(t *testing.T) {
	in := instances(t, 2)
	ctx := t.Context()
	var ids [2]string
	for i, id := range []string{"a", "b"} {
		d, err := in[i].Check(ctx, "epn", id+".csv", netFile(id), "fr")
		if err != nil {
			t.Fatal(err)
		}
		ids[i] = d.ID
	}
	var wg sync.WaitGroup
	var errs [2]error
	for i := range 2 {
		wg.Go(func() { _, errs[i] = in[i].Publish(ctx, "epn", ids[i]) })
	}
	wg.Wait()
	if (errs[0] == nil) == (errs[1] == nil) {
		t.Fatalf("errors %v, %v: want one winner", errs[0], errs[1])
	}
	for _, err := range errs {
		if err != nil && !errors.Is(err, network.ErrConflict) {
			t.Errorf("loser: %v, want ErrConflict", err)
		}
	}
}
