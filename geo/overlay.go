package geo

import (
	"slices"
	"sync/atomic"
)

// Overlay is what networks and structures changed over a base directory:
// the places they publish or correct, and the places they took away.
type Overlay struct {
	// Places are added, or replace the base place of the same ID. With
	// copies them: the caller may reuse them.
	Places []*Place
	// Removed are IDs of base places to leave out.
	Removed []string
	// Sources are datasets (Place.Source) a network keeps in full: every
	// base place of theirs not in Places is left out.
	Sources []string
}

// With returns a directory of d's postcodes and communes (shared, not
// copied) whose places are d's changed by o, its place index rebuilt.
// d is not changed and both may serve at once.
func (d *Directory) With(o Overlay) *Directory {
	nd := &Directory{
		pcs: d.pcs, pcGrid: d.pcGrid, byPostcode: d.byPostcode, names: d.names,
		communes: d.communes, byNIS: d.byNIS, sets: d.sets, setIndex: d.setIndex,
		best: d.best, bestData: d.bestData, issues: d.issues, loc: d.loc, vocab: d.vocab,
	}
	drop := make(map[string]bool, len(o.Places)+len(o.Removed))
	for _, id := range o.Removed {
		drop[id] = true
	}
	for _, p := range o.Places {
		drop[p.ID] = true
	}
	places := make([]*Place, 0, len(d.places)+len(o.Places))
	for _, p := range d.places {
		if !drop[p.ID] && !slices.Contains(o.Sources, p.Source) {
			places = append(places, p)
		}
	}
	for _, p := range o.Places {
		places = append(places, p.clone())
	}
	nd.setPlaces(places)
	return nd
}

// clone is a copy of p that shares nothing a caller may change, its
// hours parsed again.
func (p *Place) clone() *Place {
	q := *p
	for _, s := range []*[]string{&q.Services, &q.Modalities, &q.SpecificCare, &q.Programmes, &q.Labels,
		&q.Typologie, &q.Langs, &q.Access, &q.Publics, &q.Fees} {
		*s = slices.Clone(*s)
	}
	q.Closures = slices.Clone(q.Closures)
	q.sched, q.loc = nil, nil
	if q.Hours != "" {
		if w, err := ParseHours(q.Hours); err == nil {
			q.sched = &w
		}
	}
	return &q
}

// Clone returns a copy of p the caller may change (its lists are its
// own), as With stores it.
func (p *Place) Clone() *Place { return p.clone() }

// Live is the directory every chat reads, swapped at once when a network
// publishes or a structure corrects its card: readers never lock, and a
// reader keeps the directory it started a match with.
type Live struct {
	cur   atomic.Pointer[liveDir]
	alias func(id string) string
}

type liveDir struct {
	d       *Directory
	rev     int64
	aliases map[string]string // alias(id) → id
}

// NewLive serves d at revision 0. alias, if not nil, names each place by
// a second key (the bot's share codes) that ByAlias answers.
func NewLive(d *Directory, alias func(id string) string) *Live {
	l := &Live{alias: alias}
	l.Swap(d, 0)
	return l
}

// Swap serves d from now on, as of revision rev (the store's, see
// network.Service).
func (l *Live) Swap(d *Directory, rev int64) {
	ld := &liveDir{d: d, rev: rev}
	if l.alias != nil {
		ld.aliases = make(map[string]string, len(d.places))
		for _, p := range d.places {
			ld.aliases[l.alias(p.ID)] = p.ID
		}
	}
	l.cur.Store(ld)
}

// Dir is the directory served now.
func (l *Live) Dir() *Directory { return l.cur.Load().d }

// Rev is the revision of the directory served now.
func (l *Live) Rev() int64 { return l.cur.Load().rev }

// ByAlias is the place id whose alias is a.
func (l *Live) ByAlias(a string) (string, bool) {
	id, ok := l.cur.Load().aliases[a]
	return id, ok
}

// LocateIn is Directory.LocateIn on the directory served now.
func (l *Live) LocateIn(input string, country Country) (Location, error) {
	return l.Dir().LocateIn(input, country)
}

// LocatePoint is Directory.LocatePoint on the directory served now.
func (l *Live) LocatePoint(p Point) (Location, error) { return l.Dir().LocatePoint(p) }

// InCommune is Directory.InCommune on the directory served now.
func (l *Live) InCommune(loc Location, nis string) (Location, error) {
	return l.Dir().InCommune(loc, nis)
}

// Match is Directory.Match on the directory served now.
func (l *Live) Match(q Query) Result { return l.Dir().Match(q) }

// Place is Directory.Place on the directory served now.
func (l *Live) Place(id string) (*Place, bool) { return l.Dir().Place(id) }

// Places is Directory.Places on the directory served now.
func (l *Live) Places() []*Place { return l.Dir().Places() }

// Credits is the data attribution (the Credits constant).
func (l *Live) Credits() string { return Credits }
