package flows

import "time"

// Phase is one phase's transition table, for the tests of the tables.
type Phase struct {
	Name  string
	Moves [][2]string // src, dst
}

// Phases lists the phases' transition tables as states.go assembles
// them.
func Phases() []Phase {
	steps := map[string][]transition{"diagnose": diagnoseMoves(), "locate": locateMoves(), "refer": referMoves()}
	all := append(append(append([]transition{}, steps["diagnose"]...), steps["locate"]...), steps["refer"]...)
	steps["navigate"] = navigateMoves(all)
	var out []Phase
	for _, name := range []string{"diagnose", "locate", "refer", "navigate"} {
		p := Phase{Name: name}
		for _, tr := range steps[name] {
			p.Moves = append(p.Moves, [2]string{tr.src, tr.dst})
		}
		out = append(out, p)
	}
	return out
}

// AllStates is every state of the conversation.
func AllStates() []string { return allStates }

// MoveTo is one move of a step from s.State to dst, through the FSM, as
// the phases make it: whether it was made, and what the step produced.
func (e *Engine) MoveTo(s Session, dst string, now time.Time) (Outcome, bool) {
	if s.Answers == nil {
		s.Answers = map[string]string{}
	}
	t := turn{e: e, s: &s, now: now}
	ok := t.move(dst)
	return Outcome{Session: s, Replies: t.out, Event: t.event}, ok
}
