package flows

import (
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
	m := map[string]bool{StateStart: true, StateResume: true, StateMenu: true, StateConfirm: true}
	for _, s := range sequence {
		m[s] = true
	}
	return m
}()

// events declares every allowed transition, as one event "to_<dst>" per
// destination with its allowed sources: forward steps, the skips (country
// when the language or channel tells it; feeling → location when only Q4–Q6
// are redone; location → done when no place matches), "retour" to any
// earlier step, restarts (to lang or who from anywhere) and pauses.
var events = func() fsm.Events {
	src := map[string][]string{}
	add := func(from, to string) { src[to] = append(src[to], from) }
	for i, s := range sequence {
		if i+1 < len(sequence) {
			add(s, sequence[i+1])
		}
		for _, earlier := range sequence[:i] {
			if earlier != StateLang && earlier != StateWho { // added below for every state
				add(s, earlier)
			}
		}
		add(s, StateResume)
		add(StateResume, s)
	}
	for _, s := range sequence {
		if s != StateLang {
			add(StateLang, s) // back to where the person was after /langue
		}
	}
	add("feeling", StateLocation)
	add(StateLocation, StatePick)   // one commune: no question
	add(StateCommune, StateConsent) // one place only
	add(StateCommune, StateDone)    // no place matches
	add(StateLocation, StateDone)
	add(StateLocation, StateConsent) // one place only: nothing to pick
	add(StatePick, StateDone)        // "aucun"
	add(StateConsent, StateDone)     // "non merci"
	add(StateContact, StateDone)     // by message: nothing more to ask
	add(StateDone, StateConsent)     // the structure declined or let it expire: next place
	add(StateLocation, "skills")
	add(StateDone, StateMenu)
	add(StateMenu, StateDone)
	add(StateMenu, StateConfirm)
	for _, s := range sequence {
		// "Are you sure?" from any step, and back to it.
		add(s, StateConfirm)
		add(StateConfirm, s)
	}
	all := append([]string{StateStart, StateResume, StateMenu, StateConfirm}, sequence...)
	for _, s := range all {
		if s != StateLang {
			add(s, StateLang)
		}
		if s != StateWho && s != StateLang {
			add(s, StateWho)
		}
	}
	var ev fsm.Events
	for _, dst := range append([]string{StateResume, StateMenu, StateConfirm}, sequence...) {
		ev = append(ev, fsm.EventDesc{Name: "to_" + dst, Src: dedup(src[dst]), Dst: dst})
	}
	return ev
}()

func dedup(in []string) []string {
	seen := map[string]bool{}
	out := in[:0:0]
	for _, s := range in {
		if !seen[s] {
			seen[s] = true
			out = append(out, s)
		}
	}
	return out
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
