package flows

import (
	"context"
	"errors"
	"strings"

	"github.com/looplab/fsm"
)

// relocate reads a postcode typed at the place list (or after it, with no
// referral open) as a new location: a person who sees places far away
// types another postcode, and a 4- or 5-digit number there is not a PIN
// (issue 15, "fix on the way"). It reports whether it handled the text.
// Only a postcode the directory knows counts: anything else goes on to
// the sensitive-number guard as before.
func (t *turn) relocate(text string) bool {
	s := t.s
	switch s.State {
	case StatePick, StateConsent:
	case StateDone:
		if s.Ref != "" {
			return false // what follows a referral is a message to the structure
		}
	default:
		return false
	}
	if !postcodeLike(text) {
		return false
	}
	loc, err := t.e.dir.Locate(text)
	if err != nil {
		return false
	}
	if !t.jump(StateLocation) {
		return false
	}
	t.event = "relocated"
	t.located(loc, nil)
	return true
}

// postcodeLike: the first word is 4 or 5 digits, with an optional B- or
// F- prefix ("75001", "B-1000", "4000 Liège").
func postcodeLike(text string) bool {
	f := strings.Fields(text)
	if len(f) == 0 || len(f) > 4 {
		return false
	}
	w := strings.TrimPrefix(strings.TrimPrefix(strings.ToUpper(f[0]), "B-"), "F-")
	if len(w) != 4 && len(w) != 5 {
		return false
	}
	for i := 0; i < len(w); i++ {
		if !isDigit(w[i]) {
			return false
		}
	}
	return true
}

// jump moves to an earlier state dst without asking its question, as
// "retour" would (the trail is cut back to dst), when the transition
// table allows it.
func (t *turn) jump(dst string) bool {
	s := t.s
	f := t.e.pool.Get().(*fsm.FSM)
	f.SetState(s.State)
	err := f.Event(context.Background(), "to_"+dst)
	cur := f.Current()
	t.e.pool.Put(f)
	if _, ok := errors.AsType[fsm.NoTransitionError](err); err != nil && !ok {
		return false
	}
	s.State = cur
	for i := len(s.Trail) - 1; i >= 0; i-- {
		if s.Trail[i] == dst {
			s.Trail = s.Trail[:i+1]
			return true
		}
	}
	s.Trail = append(s.Trail, dst)
	return true
}
