package network

import (
	"cmp"
	"context"
	"crypto/rand"
	"crypto/sha256"
	"crypto/subtle"
	"encoding/hex"
	"encoding/json"
	"errors"
	"fmt"
	"log/slog"
	"regexp"
	"slices"
	"strings"
	"sync"
	"time"

	"github.com/secours/secours/geo"
	"github.com/secours/secours/text"
)

// ErrBlocked: the draft has blocking problems; nothing was published.
var ErrBlocked = errors.New("network: the file has problems to fix first")

// StaleAfter is how long a place may go unconfirmed before its network's
// page flags it.
const StaleAfter = 12 // months

// RefreshEvery is how often Run polls the global revision.
const RefreshEvery = 500 * time.Millisecond

// Options configure New. Store, Base and Texts are required.
type Options struct {
	Store Store
	Base  *geo.Directory // the embedded directory
	// Live is the directory the bot reads; nil: a new one over Base.
	Live  *geo.Live
	Texts text.Catalogs // LoadTexts
	// Tokens maps each network's name to the SHA-256 (hex) of its page's
	// token (NETWORK_TOKENS, ParseTokens).
	Tokens map[string]string
	Now    func() time.Time // nil: time.Now
	Log    *slog.Logger     // nil: discard
}

// Service checks, publishes and undoes a network's places, keeps the
// structures' card edits, and keeps Live up to date with the store. It is
// safe for concurrent use.
type Service struct {
	st     Store
	base   *geo.Directory
	live   *geo.Live
	texts  text.Catalogs
	tokens map[string][]byte // name → SHA-256
	now    func() time.Time
	log    *slog.Logger

	// removed is told the places a publish or an undo took off the
	// directory (OnRemoved).
	removed func(ctx context.Context, ids []string)

	mu     sync.Mutex // serialises Refresh, so an older rebuild never replaces a newer one
	loaded bool       // Refresh has built the directory once
}

// New returns a Service; call Refresh (or Run) to serve what the store
// holds.
func New(o Options) (*Service, error) {
	if o.Store == nil || o.Base == nil || o.Texts == nil {
		return nil, errors.New("network: new service: store, base and texts are required")
	}
	s := &Service{st: o.Store, base: o.Base, live: o.Live, texts: o.Texts, now: o.Now, log: o.Log,
		tokens: map[string][]byte{}}
	if s.live == nil {
		s.live = geo.NewLive(o.Base, nil)
	}
	if s.now == nil {
		s.now = time.Now
	}
	if s.log == nil {
		s.log = slog.New(slog.DiscardHandler)
	}
	for name, sum := range o.Tokens {
		b, err := hex.DecodeString(sum)
		if err != nil || len(b) != sha256.Size || !ValidName(name) {
			return nil, fmt.Errorf("network: new service: bad token of network %q", name)
		}
		s.tokens[name] = b
	}
	return s, nil
}

// Live is the directory the service keeps up to date.
func (s *Service) Live() *geo.Live { return s.live }

var nameRE = regexp.MustCompile(`^[a-z0-9][a-z0-9-]{1,39}$`)

// ValidName says whether name can name a network: lower-case letters,
// digits and dashes, 2 to 40 of them. It is its places' Source and the
// start of their ids.
func ValidName(name string) bool { return nameRE.MatchString(name) }

// ParseTokens reads NETWORK_TOKENS: "name:sha256hex,name:sha256hex".
func ParseTokens(s string) (map[string]string, error) {
	out := map[string]string{}
	for part := range strings.SplitSeq(s, ",") {
		part = strings.TrimSpace(part)
		if part == "" {
			continue
		}
		name, sum, ok := strings.Cut(part, ":")
		b, err := hex.DecodeString(sum)
		if !ok || err != nil || len(b) != sha256.Size || !ValidName(name) {
			return nil, fmt.Errorf("NETWORK_TOKENS: %q is not name:sha256 (64 hex digits)", name)
		}
		if _, dup := out[name]; dup {
			return nil, fmt.Errorf("NETWORK_TOKENS: network %q twice", name)
		}
		out[name] = strings.ToLower(sum)
	}
	return out, nil
}

// NewToken makes a network page's token and its SHA-256 (hex), the form
// NETWORK_TOKENS keeps.
func NewToken() (token, sum string) {
	b := make([]byte, 32)
	rand.Read(b)
	token = hex.EncodeToString(b)
	h := sha256.Sum256([]byte(token))
	return token, hex.EncodeToString(h[:])
}

// Network is the network whose page token is token.
func (s *Service) Network(token string) (string, bool) {
	if token == "" {
		return "", false
	}
	h := sha256.Sum256([]byte(token))
	for name, sum := range s.tokens {
		if subtle.ConstantTimeCompare(h[:], sum) == 1 {
			return name, true
		}
	}
	return "", false
}

// storedDraft is a draft as the store keeps it: with the places to publish.
type storedDraft struct {
	Draft  Draft       `json:"draft"`
	Places []geo.Place `json:"places"`
}

// Check validates a network's file and previews what publishing it would
// change; the draft is kept DraftTTL. lang ("fr", "nl") is the report's.
func (s *Service) Check(ctx context.Context, network, fileName string, data []byte, lang string) (Draft, error) {
	if !ValidName(network) {
		return Draft{}, fmt.Errorf("network check: bad network name")
	}
	cur, _, err := s.st.State(ctx, network)
	if err != nil {
		return Draft{}, fmt.Errorf("network check: %w", err)
	}
	c := check(s.base, network, fileName, data)
	d := Draft{ID: newID(), Network: network, File: fileName, BaseRev: cur.Rev, Created: s.now(),
		Problems: words(s.texts, lang, c.probs), Places: len(c.places)}
	if len(c.places) == 0 && d.Publishable() {
		// A file with no place would remove them all: never by accident.
		d.Problems = append(d.Problems, words(s.texts, lang, []problem{{kind: "empty", blocking: true}})...)
	}
	old := s.current(cur, network)
	d.Changes = diff(old, c.places)
	sd := storedDraft{Draft: d}
	for _, p := range c.places {
		sd.Places = append(sd.Places, *p)
	}
	b, err := json.Marshal(sd)
	if err != nil {
		return Draft{}, fmt.Errorf("network check: %w", err)
	}
	if err := s.st.PutDraft(ctx, network, d.ID, b, DraftTTL); err != nil {
		return Draft{}, fmt.Errorf("network check: %w", err)
	}
	return d, nil
}

// current is the network's places now: its published list, or the base
// places of its dataset if it never published.
func (s *Service) current(cur State, network string) []*geo.Place {
	if cur.Published() {
		out := make([]*geo.Place, len(cur.Places))
		for i := range cur.Places {
			out[i] = &cur.Places[i]
		}
		return out
	}
	var out []*geo.Place
	for _, p := range s.base.Places() {
		if p.Source == network {
			out = append(out, p)
		}
	}
	return out
}

// Draft returns a checked file by its id: ErrNoDraft if unknown or expired.
func (s *Service) Draft(ctx context.Context, network, id string) (Draft, error) {
	sd, err := s.draft(ctx, network, id)
	return sd.Draft, err
}

func (s *Service) draft(ctx context.Context, network, id string) (storedDraft, error) {
	b, err := s.st.Draft(ctx, network, id)
	if err != nil {
		return storedDraft{}, fmt.Errorf("network draft: %w", err)
	}
	var sd storedDraft
	if err := json.Unmarshal(b, &sd); err != nil || sd.Draft.Network != network {
		return storedDraft{}, fmt.Errorf("network draft: %w", ErrNoDraft)
	}
	return sd, nil
}

// Publish makes a draft the network's places: ErrNoDraft, ErrBlocked, or
// ErrConflict when another publish or undo landed since the check.
func (s *Service) Publish(ctx context.Context, network, draftID string) (Draft, error) {
	sd, err := s.draft(ctx, network, draftID)
	if err != nil {
		return Draft{}, err
	}
	if !sd.Draft.Publishable() {
		return sd.Draft, ErrBlocked
	}
	now := s.now()
	next := State{Places: sd.Places, Confirmed: make(map[string]time.Time, len(sd.Places)), At: now}
	keep := make(map[string]bool, len(sd.Places))
	for _, p := range sd.Places {
		next.Confirmed[p.ID] = now
		keep[p.ID] = true
	}
	audit := auditOf(sd.Draft.Changes, now, "network:"+network, "publish")
	if _, err := s.st.Publish(ctx, network, sd.Draft.BaseRev, next, audit); err != nil {
		return sd.Draft, fmt.Errorf("network publish: %w", err)
	}
	s.log.Info("network published", "network", network, "places", len(sd.Places), "changes", len(sd.Draft.Changes))
	if err := s.st.PruneAudit(ctx, network, now.Add(-AuditRetention), func(id string) bool { return keep[id] }); err != nil {
		s.log.Warn("network audit prune", "network", network, "err", err)
	}
	if err := s.Refresh(ctx); err != nil {
		// Published: another poll will serve it.
		s.log.Warn("network refresh", "network", network, "err", err)
	}
	s.tellRemoved(ctx, sd.Draft.Changes)
	return sd.Draft, nil
}

// OnRemoved sets fn to be told, after a publish or an undo, the ids of the
// places it removed (referral.Service.PlacesRemoved re-offers their
// pending referrals). Set it before the pages are served.
func (s *Service) OnRemoved(fn func(ctx context.Context, ids []string)) { s.removed = fn }

func (s *Service) tellRemoved(ctx context.Context, changes []PlaceChange) {
	if s.removed == nil {
		return
	}
	var ids []string
	for _, c := range changes {
		if c.Kind == "removed" {
			ids = append(ids, c.ID)
		}
	}
	if len(ids) > 0 {
		s.removed(context.WithoutCancel(ctx), ids)
	}
}

// Undo restores the network's places before its last publish:
// ErrNothingToUndo if there is none to restore.
func (s *Service) Undo(ctx context.Context, network string) error {
	cur, can, err := s.st.State(ctx, network)
	if err != nil {
		return fmt.Errorf("network undo: %w", err)
	}
	if !can {
		return ErrNothingToUndo
	}
	prev, ok, err := s.st.Previous(ctx, network)
	if err != nil {
		return fmt.Errorf("network undo: %w", err)
	}
	if !ok {
		return ErrNothingToUndo
	}
	now := s.now()
	changes := diff(s.current(cur, network), s.current(prev, network))
	audit := auditOf(changes, now, "network:"+network, "undo")
	if _, err := s.st.Undo(ctx, network, cur.Rev, audit); err != nil {
		return fmt.Errorf("network undo: %w", err)
	}
	s.log.Info("network undone", "network", network)
	if err := s.Refresh(ctx); err != nil {
		s.log.Warn("network refresh", "network", network, "err", err)
	}
	s.tellRemoved(ctx, changes)
	return nil
}

// Places lists the network's places as its page shows them, by id.
func (s *Service) Places(ctx context.Context, network string) ([]Entry, error) {
	cur, _, err := s.st.State(ctx, network)
	if err != nil {
		return nil, fmt.Errorf("network places: %w", err)
	}
	edits, err := s.st.Edits(ctx, network)
	if err != nil {
		return nil, fmt.Errorf("network places: %w", err)
	}
	limit := s.now().AddDate(0, -StaleAfter, 0)
	var out []Entry
	for _, p := range s.current(cur, network) {
		if lp, ok := s.live.Place(p.ID); ok {
			p = lp // with its card edits
		}
		e := Entry{ID: p.ID, Name: p.Name, Commune: p.Commune, Closed: p.TempClosed, Confirmed: cur.Confirmed[p.ID]}
		if e.Confirmed.IsZero() && !cur.Published() {
			e.Confirmed, _ = time.Parse(time.DateOnly, p.Updated) // the embedded file's date_maj
		}
		if ed, ok := edits[p.ID]; ok {
			e.EditedByPlace = ed.At.After(cur.At)
			if ed.At.After(e.Confirmed) {
				e.Confirmed = ed.At
			}
		}
		e.Stale = e.Confirmed.Before(limit)
		out = append(out, e)
	}
	slices.SortFunc(out, func(a, b Entry) int { return cmp.Compare(a.ID, b.ID) })
	return out, nil
}

// History is the audit trail of the network's places, newest first:
// publishes, undos and their structures' card edits.
func (s *Service) History(ctx context.Context, network string, limit int) ([]Change, error) {
	ch, err := s.st.Audit(ctx, network, limit)
	if err != nil {
		return nil, fmt.Errorf("network history: %w", err)
	}
	return ch, nil
}

// Refresh rebuilds Live from the store if the global revision moved.
func (s *Service) Refresh(ctx context.Context) error {
	s.mu.Lock()
	defer s.mu.Unlock()
	rev, err := s.st.Rev(ctx)
	if err != nil {
		return fmt.Errorf("network refresh: %w", err)
	}
	if s.loaded && rev == s.live.Rev() {
		return nil
	}
	d, err := s.build(ctx)
	if err != nil {
		return fmt.Errorf("network refresh: %w", err)
	}
	s.live.Swap(d, rev)
	s.loaded = true
	return nil
}

// Run polls the global revision every RefreshEvery until ctx ends,
// rebuilding Live when it moved: how a publish on one instance reaches
// the others. A failed poll is logged and retried.
func (s *Service) Run(ctx context.Context) error {
	t := time.NewTicker(RefreshEvery)
	defer t.Stop()
	failing := false
	for {
		if err := s.Refresh(ctx); err != nil && ctx.Err() == nil {
			if !failing {
				s.log.Warn("network refresh", "err", err)
			}
			failing = true
		} else {
			failing = false
		}
		select {
		case <-ctx.Done():
			return nil
		case <-t.C:
		}
	}
}

// build is the base directory with every owner's published places and
// every card edit.
func (s *Service) build(ctx context.Context) (*geo.Directory, error) {
	owners, err := s.st.Owners(ctx)
	if err != nil {
		return nil, err
	}
	var o geo.Overlay
	byID := map[string]int{}
	edits := map[string]Edited{}
	for _, ow := range owners {
		cur, _, err := s.st.State(ctx, ow)
		if err != nil {
			return nil, err
		}
		if cur.Published() {
			o.Sources = append(o.Sources, ow)
			for i := range cur.Places {
				byID[cur.Places[i].ID] = len(o.Places)
				o.Places = append(o.Places, &cur.Places[i])
			}
		}
		es, err := s.st.Edits(ctx, ow)
		if err != nil {
			return nil, err
		}
		for id, e := range es {
			edits[id] = e
		}
	}
	for _, id := range slices.Sorted(mapsKeys(edits)) {
		if i, ok := byID[id]; ok {
			applyCard(o.Places[i], edits[id].Card)
			continue
		}
		p, ok := s.base.Place(id)
		if !ok || slices.Contains(o.Sources, p.Source) {
			continue // removed since: the edit goes with the place
		}
		q := p.Clone()
		applyCard(q, edits[id].Card)
		o.Places = append(o.Places, q)
	}
	return s.base.With(o), nil
}

func mapsKeys[V any](m map[string]V) func(func(string) bool) {
	return func(yield func(string) bool) {
		for k := range m {
			if !yield(k) {
				return
			}
		}
	}
}

// diff is what replacing old by next changes, by id.
func diff(old, next []*geo.Place) []PlaceChange {
	before := make(map[string]*geo.Place, len(old))
	for _, p := range old {
		before[p.ID] = p
	}
	var out []PlaceChange
	cols := geo.StandardColumns()
	seen := make(map[string]bool, len(next))
	for _, p := range next {
		seen[p.ID] = true
		o, ok := before[p.ID]
		if !ok {
			out = append(out, PlaceChange{ID: p.ID, Name: p.Name, Kind: "added", Fields: fieldsOf(nil, p, cols)})
			continue
		}
		if f := fieldsOf(o, p, cols); len(f) > 0 {
			out = append(out, PlaceChange{ID: p.ID, Name: p.Name, Kind: "changed", Fields: f})
		}
	}
	for _, p := range old {
		if !seen[p.ID] {
			out = append(out, PlaceChange{ID: p.ID, Name: p.Name, Kind: "removed", Fields: fieldsOf(p, nil, cols)})
		}
	}
	slices.SortFunc(out, func(a, b PlaceChange) int { return cmp.Or(cmp.Compare(a.Kind, b.Kind), cmp.Compare(a.ID, b.ID)) })
	return out
}

func fieldsOf(old, next *geo.Place, cols []string) []FieldChange {
	var a, b map[string]string
	if old != nil {
		a = geo.Record(old)
	}
	if next != nil {
		b = geo.Record(next)
	}
	var out []FieldChange
	for _, c := range cols {
		if c == "id" || a[c] == b[c] {
			continue
		}
		out = append(out, FieldChange{Field: c, Old: a[c], New: b[c]})
	}
	return out
}

func auditOf(changes []PlaceChange, at time.Time, by, what string) []Change {
	out := make([]Change, 0, len(changes))
	for _, c := range changes {
		out = append(out, Change{At: at, PlaceID: c.ID, By: by, What: what, Kind: c.Kind, Fields: c.Fields})
	}
	return out
}

func newID() string {
	b := make([]byte, 16)
	rand.Read(b)
	return hex.EncodeToString(b)
}
