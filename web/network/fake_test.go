package network

import (
	"context"
	"errors"
	"fmt"
	"maps"
	"slices"
	"strings"
	"sync"
	"time"

	nw "github.com/secours/secours/network"
)

// fakeService is an in-memory Service for the page's tests. It reads a
// tiny CSV (id;nom;commune;horaires, a header first), reports a line
// whose horaires is "n'importe quand" as blocking and one with no commune
// as a warning, previews against its places, and keeps the publish and
// undo rules of the real one: a draft computed on an older revision is a
// conflict, and undo needs a publish to undo.
type fakeService struct {
	now func() time.Time

	mu       sync.Mutex // guards everything below
	tokens   map[string]string
	entries  []nw.Entry
	hours    map[string]string // place id → horaires, for the preview
	history  []nw.Change       // newest first
	drafts   map[string]nw.Draft
	files    map[string][]row // a draft's rows
	rev      int64
	undo     []snapshot
	err      error // every call but Network fails with it when set
	checks   int
	lastLang string
}

type row struct{ id, name, commune, hours string }

type snapshot struct {
	entries []nw.Entry
	hours   map[string]string
}

var _ Service = (*fakeService)(nil)

func newFake(now func() time.Time) *fakeService {
	return &fakeService{now: now, tokens: map[string]string{}, hours: map[string]string{},
		drafts: map[string]nw.Draft{}, files: map[string][]row{}}
}

func (f *fakeService) Network(token string) (string, bool) {
	f.mu.Lock()
	defer f.mu.Unlock()
	n, ok := f.tokens[token]
	return n, ok
}

func (f *fakeService) Check(_ context.Context, network, name string, data []byte, lang string) (nw.Draft, error) {
	f.mu.Lock()
	defer f.mu.Unlock()
	if f.err != nil {
		return nw.Draft{}, f.err
	}
	f.checks++
	f.lastLang = lang
	d := nw.Draft{ID: fmt.Sprintf("d%d", len(f.drafts)+1), Network: network, File: name, BaseRev: f.rev, Created: f.now()}
	var rows []row
	lines := strings.Split(strings.TrimSpace(string(data)), "\n")
	if len(lines) == 0 || strings.TrimSpace(lines[0]) != "id;nom;commune;horaires" {
		d.Problems = append(d.Problems, nw.Problem{Line: 1, What: "La première ligne n'est pas celle du modèle.",
			Fix: "Copiez la première ligne du modèle.", Blocking: true})
	}
	for i, l := range lines[1:] {
		c := strings.Split(strings.TrimSpace(l), ";")
		for len(c) < 4 {
			c = append(c, "")
		}
		r := row{c[0], c[1], c[2], c[3]}
		if r.hours == "n'importe quand" {
			d.Problems = append(d.Problems, nw.Problem{Line: i + 2, Field: "horaires", What: "Ces horaires ne se lisent pas.",
				Fix: "Écrivez par exemple Mo-Fr 09:00-12:00.", Blocking: true})
		}
		if r.commune == "" {
			d.Problems = append(d.Problems, nw.Problem{Line: i + 2, Field: "commune", What: "La commune manque.",
				Fix: "Ajoutez la commune du lieu."})
		}
		rows = append(rows, r)
	}
	d.Places = len(rows)
	seen := map[string]bool{}
	for _, r := range rows {
		seen[r.id] = true
		i := slices.IndexFunc(f.entries, func(e nw.Entry) bool { return e.ID == r.id })
		if i < 0 {
			d.Changes = append(d.Changes, nw.PlaceChange{ID: r.id, Name: r.name, Kind: "added",
				Fields: []nw.FieldChange{{Field: "nom", New: r.name}, {Field: "horaires", New: r.hours}}})
			continue
		}
		var fc []nw.FieldChange
		if old := f.entries[i].Name; old != r.name {
			fc = append(fc, nw.FieldChange{Field: "nom", Old: old, New: r.name})
		}
		if old := f.hours[r.id]; old != r.hours {
			fc = append(fc, nw.FieldChange{Field: "horaires", Old: old, New: r.hours})
		}
		if fc != nil {
			d.Changes = append(d.Changes, nw.PlaceChange{ID: r.id, Name: r.name, Kind: "changed", Fields: fc})
		}
	}
	for _, e := range f.entries {
		if !seen[e.ID] {
			d.Changes = append(d.Changes, nw.PlaceChange{ID: e.ID, Name: e.Name, Kind: "removed"})
		}
	}
	f.drafts[d.ID], f.files[d.ID] = d, rows
	return d, nil
}

func (f *fakeService) Draft(_ context.Context, network, id string) (nw.Draft, error) {
	f.mu.Lock()
	defer f.mu.Unlock()
	return f.draft(network, id)
}

// draft is the network's draft id, or ErrNoDraft: another network's is
// not found either. f.mu must be held.
func (f *fakeService) draft(network, id string) (nw.Draft, error) {
	if f.err != nil {
		return nw.Draft{}, f.err
	}
	d, ok := f.drafts[id]
	if !ok || d.Network != network {
		return nw.Draft{}, nw.ErrNoDraft
	}
	return d, nil
}

func (f *fakeService) Publish(_ context.Context, network, id string) (nw.Draft, error) {
	f.mu.Lock()
	defer f.mu.Unlock()
	d, err := f.draft(network, id)
	switch {
	case err != nil:
		return nw.Draft{}, err
	case d.BaseRev != f.rev:
		return nw.Draft{}, nw.ErrConflict
	case !d.Publishable():
		return nw.Draft{}, errors.New("fake: a blocked draft published")
	}
	f.undo = append(f.undo, snapshot{slices.Clone(f.entries), maps.Clone(f.hours)})
	f.entries, f.hours = nil, map[string]string{}
	for _, r := range f.files[id] {
		f.entries = append(f.entries, nw.Entry{ID: r.id, Name: r.name, Commune: r.commune, Confirmed: f.now()})
		f.hours[r.id] = r.hours
	}
	for _, c := range d.Changes {
		f.history = slices.Insert(f.history, 0, nw.Change{At: f.now(), PlaceID: c.ID, By: "network:" + network, What: "publish", Fields: c.Fields})
	}
	f.rev++
	return d, nil
}

func (f *fakeService) Undo(_ context.Context, network string) error {
	f.mu.Lock()
	defer f.mu.Unlock()
	if f.err != nil {
		return f.err
	}
	if len(f.undo) == 0 {
		return nw.ErrNothingToUndo
	}
	last := f.undo[len(f.undo)-1]
	f.undo = f.undo[:len(f.undo)-1]
	f.entries, f.hours = last.entries, last.hours
	f.history = slices.Insert(f.history, 0, nw.Change{At: f.now(), By: "network:" + network, What: "undo"})
	f.rev++
	return nil
}

func (f *fakeService) Places(context.Context, string) ([]nw.Entry, error) {
	f.mu.Lock()
	defer f.mu.Unlock()
	if f.err != nil {
		return nil, f.err
	}
	return slices.Clone(f.entries), nil
}

func (f *fakeService) History(_ context.Context, _ string, limit int) ([]nw.Change, error) {
	f.mu.Lock()
	defer f.mu.Unlock()
	if f.err != nil {
		return nil, f.err
	}
	return slices.Clone(f.history[:min(limit, len(f.history))]), nil
}

func (f *fakeService) fail(err error) {
	f.mu.Lock()
	defer f.mu.Unlock()
	f.err = err
}

func (f *fakeService) names() []string {
	f.mu.Lock()
	defer f.mu.Unlock()
	var n []string
	for _, e := range f.entries {
		n = append(n, e.Name)
	}
	return n
}
