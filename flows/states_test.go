package flows_test

import (
	"testing"

	"github.com/secours/secours/configs"
	"github.com/secours/secours/flows"
)

// tableMoves is every move the phases' tables declare.
func tableMoves(t *testing.T) map[[2]string]bool {
	t.Helper()
	known := map[string]bool{}
	for _, s := range flows.AllStates() {
		known[s] = true
	}
	moves := map[[2]string]bool{}
	for _, p := range flows.Phases() {
		if len(p.Moves) == 0 {
			t.Errorf("phase %s declares no move", p.Name)
		}
		for _, m := range p.Moves {
			if !known[m[0]] || !known[m[1]] || m[0] == m[1] {
				t.Errorf("phase %s: move %s → %s names an unknown state or stays", p.Name, m[0], m[1])
			}
			moves[m] = true
		}
	}
	return moves
}

// TestTransitionTablesWalk makes every move of every phase's table
// through the step's FSM: each is allowed, lands on its destination and
// enters the trail unless it is an aside.
func TestTransitionTablesWalk(t *testing.T) {
	e := newEngine(t)
	moves := tableMoves(t)
	dsts := map[string]bool{}
	for m := range moves {
		s := flows.NewSession("cli:test", t0)
		s.State, s.Lang = m[0], flows.FR
		out, ok := e.MoveTo(s, m[1], t0)
		if !ok || out.Session.State != m[1] || out.Event != "" || len(out.Replies) != 0 {
			t.Errorf("move %s → %s: ok %v, state %q, event %q, %d replies", m[0], m[1], ok, out.Session.State, out.Event, len(out.Replies))
		}
		aside := m[1] == flows.StateResume || m[1] == flows.StateMenu || m[1] == flows.StateConfirm
		if inTrail := len(out.Session.Trail) > 0 && out.Session.Trail[len(out.Session.Trail)-1] == m[1]; inTrail == aside {
			t.Errorf("move %s → %s: trail %v", m[0], m[1], out.Session.Trail)
		}
		dsts[m[1]] = true
	}
	for _, s := range flows.AllStates() {
		if !dsts[s] && s != flows.StateStart {
			t.Errorf("no move reaches %s", s)
		}
	}
}

// TestMoveOutsideTablesRefused tries every move no table declares: the
// FSM refuses it, the session stays where it was, and the person gets
// the kind generic error, never a panic.
func TestMoveOutsideTablesRefused(t *testing.T) {
	e := newEngine(t)
	cats, err := flows.LoadCatalogs(configs.FS)
	if err != nil {
		t.Fatal(err)
	}
	moves := tableMoves(t)
	refused := 0
	for _, src := range flows.AllStates() {
		for _, dst := range append(flows.AllStates(), "nowhere") {
			if src == dst || moves[[2]string{src, dst}] {
				continue
			}
			s := flows.NewSession("cli:test", t0)
			s.State, s.Lang, s.Trail = src, flows.FR, []string{src}
			out, ok := e.MoveTo(s, dst, t0)
			if ok || out.Session.State != src || out.Event != "invalid_transition" ||
				len(out.Replies) != 1 || out.Replies[0].Text != cats[flows.FR]["error.generic"] || len(out.Session.Trail) != 1 {
				t.Errorf("move %s → %s: ok %v, state %q, event %q, replies %v, trail %v", src, dst, ok, out.Session.State, out.Event, out.Replies, out.Session.Trail)
			}
			refused++
		}
	}
	// Start → done skips the whole conversation: no phase allows it.
	if moves[[2]string{flows.StateStart, flows.StateDone}] || refused == 0 {
		t.Errorf("start → done allowed, or nothing refused (%d)", refused)
	}
}
