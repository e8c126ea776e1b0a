package flows

import (
	"context"
	"errors"
	"slices"

	"github.com/looplab/fsm"
)

// Conversation states. Question states carry the question key of
// docs/diagnostic.md as their name.
const (
	StateStart    = "start"
	StateLang     = "lang"
	StateCountry  = "country"
	StateWho      = "who"
	StateNeed     = "need"
	StateLocation = "location"
	StateCommune  = "commune" // which commune, when the postcode may lie in several (issue 15)
	StatePick     = "pick"    // which of the places shown
	StateConsent  = "consent" // may the chosen place contact the person
	StateContact  = "contact" // how: here by message, or by phone
	StatePhone    = "phone"   // the number, when by phone
	StateDone     = "done"
	StateResume   = "resume"
	// StateMenu is the menu of an open referral's relay mode, shown only
	// when asked ("menu"), so that in relay mode a typed "1" is a message
	// to the structure and never a button (issue 17).
	StateMenu = "menu"
	// StateConfirm asks "are you sure?" before a step that loses
	// something: cancelling the referral, leaving relay mode, /start in
	// the middle of the questions. Session.Answers["confirm"] says which,
	// Session.Paused where "no" goes back to.
	StateConfirm = "confirm"
)

// sequence is the forward order of the conversation (docs/diagnostic.md A, B,
// then location, places and consent).
var sequence = []string{
	StateLang, StateCountry, StateWho, StateNeed,
	"device", "internet", "skills", "online_done", "feeling", "reading", "barrier",
	StateLocation, StateCommune, StatePick, StateConsent, StateContact, StatePhone, StateDone,
}

// states is the set of valid states, for decoding stored sessions.
var states = func() map[string]bool {
	m := map[string]bool{}
	for _, s := range allStates {
		m[s] = true
	}
	return m
}()

// transition is one move of the conversation, from src to dst, as a
// phase declares it.
type transition struct{ src, dst string }

// allStates is every state: the forward order and the asides.
var allStates = append([]string{StateStart, StateResume, StateMenu, StateConfirm}, sequence...)

// transitions is the union of the phases' tables (diagnose.go,
// locate.go, refer.go, navigate.go). A move in none of them is refused.
var transitions = func() []transition {
	steps := slices.Concat(diagnoseMoves(), locateMoves(), referMoves())
	return slices.Concat(steps, navigateMoves(steps))
}()

// events are the FSM's events, one "to_<dst>" per destination with the
// sources the tables give it; eventTo names the event of each
// destination, so that a step builds no string.
var events, eventTo = buildEvents(transitions)

func buildEvents(ts []transition) (fsm.Events, map[string]string) {
	src := map[string][]string{}
	var dsts []string
	for _, tr := range ts {
		if _, ok := src[tr.dst]; !ok {
			dsts = append(dsts, tr.dst)
		}
		if !slices.Contains(src[tr.dst], tr.src) {
			src[tr.dst] = append(src[tr.dst], tr.src)
		}
	}
	ev := make(fsm.Events, 0, len(dsts))
	to := make(map[string]string, len(dsts))
	for _, dst := range dsts {
		to[dst] = "to_" + dst
		ev = append(ev, fsm.EventDesc{Name: to[dst], Src: src[dst], Dst: dst})
	}
	return ev, to
}

// before reports whether state a comes before state b in the forward
// order; the asides come before nothing.
func before(a, b string) bool {
	i, j := slices.Index(sequence, a), slices.Index(sequence, b)
	return i >= 0 && j >= 0 && i < j
}

// fire moves the session to dst through the FSM. It reports false, and
// leaves the session where it is, when no table has that move.
func (t *turn) fire(dst string) bool {
	s := t.s
	f := t.e.pool.Get().(*fsm.FSM)
	f.SetState(s.State)
	err := f.Event(context.Background(), eventTo[dst])
	cur := f.Current()
	t.e.pool.Put(f)
	if _, same := errors.AsType[fsm.NoTransitionError](err); err != nil && !same {
		return false
	}
	s.State = cur
	return true
}

// isQuestion reports whether the state waits for an answer of the person
// (the states that a long pause interrupts).
func isQuestion(state string) bool {
	return state != StateStart && state != StateDone && state != StateResume
}

// next returns the state after s in the forward order.
func next(s string) string {
	for i, x := range sequence {
		if x == s && i+1 < len(sequence) {
			return sequence[i+1]
		}
	}
	return StateDone
}
