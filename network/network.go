// Package network lets a network of places (EPN de Wallonie, CABAN,
// Digipunten, a department's France services) and each structure keep
// their own places in the directory, live: a network uploads its list,
// reads a line-by-line report, previews what would change, publishes
// and can undo its last publish; a structure corrects its own card from
// its page. What they publish is an overlay kept in the store over the
// embedded directory (the base and the default); every instance applies
// it as soon as its revision moves, and every change leaves an audit
// entry (who, what, when, old and new values).
//
// This file is the seam between the package and the pages that use it
// (web/network, web/structure): the types both sides read.
package network

import (
	"errors"
	"time"
)

// ErrConflict: another publish or undo landed since the draft was made
// (its base revision is no longer the network's). Nothing was published;
// the page asks the person to check the file again.
var ErrConflict = errors.New("network: the places changed since this check")

// ErrNoDraft: the draft id is unknown or has expired.
var ErrNoDraft = errors.New("network: no such draft")

// ErrNothingToUndo: the network has no publish left to undo.
var ErrNothingToUndo = errors.New("network: nothing to undo")

// ErrNotOwner: a place id belongs to another network or to the embedded
// directory's source that this network does not keep.
var ErrNotOwner = errors.New("network: this place is not yours")

// Problem is one line of a validation report, in plain words in the
// reader's language.
type Problem struct {
	Line  int    // 1 = the header; 0 = the whole file
	Field string // the column, "" for the whole line or file
	What  string // what is wrong
	Fix   string // how to fix it
	// Blocking problems keep the whole file from being published; the
	// others are warnings (the line is published without that value, or
	// left out and said).
	Blocking bool
}

// FieldChange is one field of a place that a publish or an edit changes.
type FieldChange struct {
	Field    string // the standard's column name (horaires, telephone, …)
	Old, New string
}

// PlaceChange is one place a draft adds, changes or removes.
type PlaceChange struct {
	ID, Name string
	Kind     string // "added", "changed", "removed"
	Fields   []FieldChange
}

// Draft is a checked file waiting to be published: its report and its
// preview. It is kept in the store for a short time (an hour) under ID.
type Draft struct {
	ID       string
	Network  string
	File     string // the uploaded file's name
	Problems []Problem
	Changes  []PlaceChange
	Places   int   // places the file would publish
	BaseRev  int64 // the network's revision the preview was computed on
	Created  time.Time
}

// Publishable: no blocking problem.
func (d Draft) Publishable() bool {
	for _, p := range d.Problems {
		if p.Blocking {
			return false
		}
	}
	return true
}

// Entry is one of a network's places as its page lists it.
type Entry struct {
	ID, Name, Commune string
	Confirmed         time.Time // last publish or card edit that touched or confirmed it
	Stale             bool      // not confirmed for 12 months: flagged on the page
	Closed            bool      // temporarily closed
	EditedByPlace     bool      // the structure corrected its card since the last publish
}

// Change is one audit entry.
type Change struct {
	At      time.Time
	PlaceID string
	By      string // "network:<name>" or "structure:<place id>"
	What    string // "publish", "undo", "edit"
	Kind    string // of a publish or undo: "added", "changed", "removed"
	Fields  []FieldChange
}

// Closure is a period a place is closed, both days included.
type Closure struct {
	From, To time.Time // dates at midnight, Europe/Brussels
	Note     string    // as the structure wrote it, e.g. "congés d'hiver"
}

// Card is what a structure may correct on its own card.
type Card struct {
	Hours         string // in the standard's horaires form (OSM opening_hours)
	Closures      []Closure
	Phone, Email  string // Email: where referrals are sent
	Services      []string
	Langs         []string
	Accessibility []string // prise_en_charge_specifique values
	TempClosed    bool
}

// EditError is a card edit refused for its problems (Line is 0, Field the
// card's field): nothing of the edit was saved.
type EditError struct{ Problems []Problem }

func (e *EditError) Error() string {
	if len(e.Problems) == 0 {
		return "network: card edit refused"
	}
	return "network: card edit refused: " + e.Problems[0].Field + ": " + e.Problems[0].What
}
