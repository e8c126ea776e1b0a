package flows

import (
	"strings"
)

// The navigate phase: the escapes of every step (retour, aide, langue,
// recommencer, oubli, à propos, annuler, menu), /start and the other
// commands, and the pause with its "continue or restart?".

// prepareNav keys every escape word, folded, to its action.
func (e *Engine) prepareNav() {
	for action, words := range navWords {
		for _, w := range words {
			if f := fold(w); f != "" {
				e.nav[f] = action
			}
		}
	}
	e.nav["?"] = navHelp // folds to nothing, so it is keyed as typed
	for _, l := range Langs {
		e.nav[fold(e.cats[l]["nav.back"])] = navBack
		e.nav[fold(e.cats[l]["nav.help"])] = navHelp
		e.nav[fold(e.cats[l]["nav.human"])] = navHuman
		e.nav[fold(e.cats[l]["nav.help.lang"])] = navHelp
		e.nav[fold(e.cats[l]["nav.human.lang"])] = navHuman
		e.nav[fold(e.cats[l]["nav.menu"])] = navMenu
	}
}

// navWords are the typed escapes of every step (docs/diagnostic.md F.5, G.3).
var navWords = map[string][]string{
	navBack:       {"retour", "terug", "back", "precedent", "vorige"},
	navHelp:       {"aide", "hulp", "help", "au secours"},
	navHuman:      {"une personne", "een mens", "parler a quelqu un", "met iemand praten", "humain", "mens"},
	"nav:restart": {"recommencer", "opnieuw", "herbeginnen", "restart", "reset"},
	"nav:forget":  {"oubli", "oublie moi", "oubliez moi", "effacer mes donnees", "mijn gegevens wissen", "vergeet mij", "wis mijn gegevens"},
	"nav:lang":    {"langue", "taal", "language"},
	"nav:about":   {"a propos", "over", "about", "credits"},
	"nav:cancel":  {"annuler ma demande", "aanvraag annuleren", "annuler", "annuleren"},
	navMenu:       {"menu"},
}

// shared records the structure whose share code opened the conversation.
// An unknown code (a place gone from the directory, a typo, a hostile
// payload) starts a normal conversation; the event says so for the log.
func (t *turn) shared(code string) {
	if code == "" {
		return
	}
	if id, ok := t.e.shareID(code); ok {
		t.s.SharedBy = id
		t.event = "start_shared"
		return
	}
	t.event = "share_unknown"
}

func (t *turn) command(cmd, arg string) {
	t.event = "command_" + cmd
	switch cmd {
	case "start":
		switch {
		case arg != "":
			t.restartAll(arg) // a deep link or a share code: a new start on purpose
		case t.s.State == StateResume:
			t.ask() // its question is already "continue or restart?"
		case t.midway():
			t.confirm("start")
		case t.s.Ref != "" && (t.s.State == StateDone || t.s.State == StateMenu):
			t.confirm("restart")
		default:
			t.restartAll("")
		}
	case "aide", "help", "hulp":
		t.navigate(navHelp)
	case "oubli", "forget", "vergeet":
		t.navigate("nav:forget")
	case "langue", "taal", "lang", "language":
		t.navigate("nav:lang")
	case "recommencer", "restart", "opnieuw":
		t.navigate("nav:restart")
	case "apropos", "about", "over":
		t.navigate("nav:about")
	case "annuler", "cancel", "annuleren":
		t.navigate("nav:cancel")
	case "structure", "structuur":
		// A structure's admin links this chat to receive its referrals.
		t.event = "structure_link"
		if code := strings.ToUpper(strings.TrimSpace(arg)); code != "" && len(code) <= 32 {
			t.linkCode = code
			return
		}
		t.say(kStructureUsage)
	default:
		t.event = "command_unknown"
		t.say(kCmdUnknown)
		t.ask()
	}
}

func (t *turn) navigate(action string) {
	s := t.s
	if t.event == "" {
		t.event = strings.Replace(action, ":", "_", 1)
	}
	switch action {
	case navBack:
		switch s.State {
		case StateResume:
			t.resume()
			return
		case StateMenu:
			t.goTo(StateDone)
			return
		case StateConfirm:
			t.confirmed("no")
			return
		case StateLang:
			if s.Paused != "" {
				t.leaveLang()
				return
			}
		}
		if len(s.Trail) >= 2 {
			s.Trail = s.Trail[:len(s.Trail)-1]
			prev := s.Trail[len(s.Trail)-1]
			s.Trail = s.Trail[:len(s.Trail)-1]
			t.goTo(prev)
			return
		}
		t.ask()
	case navHelp:
		t.say(kHelp)
		t.ask()
	case navHuman:
		t.human()
		t.ask()
	case "nav:restart":
		if t.relaying() || s.State == StateMenu && s.Ref != "" {
			t.confirm("restart")
			return
		}
		t.restart()
	case "nav:forget":
		t.forget = true
		t.say(kDeleted)
	case "nav:lang":
		switch s.State {
		case StateConfirm:
			// The question is dropped; the language comes back to where
			// it was asked from.
			delete(s.Answers, "confirm")
		case StateMenu:
			s.Paused = StateDone
		case StateLang, StateStart, StateResume:
		default:
			s.Paused = s.State
		}
		t.goTo(StateLang)
	case "nav:about":
		t.say(kAbout, "credits", t.e.dir.Credits())
		t.ask()
	case "nav:cancel":
		if s.Ref != "" {
			t.confirm("cancel")
			return
		}
		t.cancel()
	case navMenu:
		if t.relaying() {
			t.goTo(StateMenu)
			return
		}
		t.ask() // outside relay mode, every screen shows its buttons
	default:
		t.reask()
	}
}

// leaveLang ends the detour of /langue: back to where the person was,
// with the language question out of the trail, so that "retour" there
// goes to the question before and not to the language again.
func (t *turn) leaveLang() {
	s := t.s
	p := s.Paused
	s.Paused = ""
	if n := len(s.Trail); n > 0 && s.Trail[n-1] == StateLang {
		s.Trail = s.Trail[:n-1]
	}
	t.goTo(p)
}

// human answers "parler à quelqu'un": the chosen place's phone, or the
// national line (docs/diagnostic.md F.5).
func (t *turn) human() {
	if p := t.place(); p.Phone != "" {
		t.say(kHumanPlace, "place", p.Name, "phone", p.Phone)
		return
	}
	switch t.country() {
	case "BE", "FR":
		t.say(t.aidantKey(kHumanPrefix + t.country()))
	default:
		t.say(t.aidantKey(kHumanPrefix + "any"))
	}
}

// reset empties the session for a new conversation, keeping what belongs
// to the chat rather than to one conversation: its id, store revision,
// state (the FSM moves from it), language, handled message ids and the
// open referral, which outlives a new conversation.
func (t *turn) reset() {
	s := t.s
	*s = Session{V: s.V, Chat: s.Chat, Rev: s.Rev, State: s.State, Lang: s.Lang, Seen: s.Seen,
		Created: t.now, Updated: s.Updated, Answers: map[string]string{}, Ref: s.Ref, RefPlace: s.RefPlace}
}

// restartAll is /start: a new conversation, keeping only the deep-link
// payload and the dedup ids.
func (t *turn) restartAll(payload string) {
	s := t.s
	t.reset()
	if t.m.Lang != "" {
		s.Lang = t.m.Lang
	}
	s.Payload = cleanPayload(payload)
	t.shared(s.Payload)
	t.count("", MetricStarted)
	t.say(kWelcome)
	t.goTo(StateLang)
}

// restart is "recommencer": the language and country stay, answers go.
func (t *turn) restart() {
	s := t.s
	country, payload, sharedBy := s.Answers["country"], s.Payload, s.SharedBy
	t.reset()
	s.Payload, s.SharedBy = payload, sharedBy
	t.count("", MetricStarted)
	if country == "" {
		t.goTo(StateLang)
		return
	}
	s.Answers["country"] = country
	t.goTo(StateWho)
}

// cleanPayload keeps a deep-link payload only if it has the shape Telegram
// allows (1–64 of A-Z a-z 0-9 _ -): anything else is ignored.
func cleanPayload(p string) string {
	if len(p) == 0 || len(p) > 64 {
		return ""
	}
	for i := 0; i < len(p); i++ {
		c := p[i]
		if !(c >= 'a' && c <= 'z' || c >= 'A' && c <= 'Z' || c >= '0' && c <= '9' || c == '_' || c == '-') {
			return ""
		}
	}
	return p
}

func (t *turn) resume() {
	s := t.s
	p := s.Paused
	s.Paused = ""
	if p == "" || p == StateResume {
		p = StateWho
	}
	t.goTo(p)
}

// detour reports whether the person is at the language or the resume
// question on the way from another step (Session.Paused).
func (t *turn) detour() bool {
	return (t.s.State == StateLang || t.s.State == StateResume) && t.s.Paused != ""
}

// midway reports whether /start would lose answers: the person is in the
// questions, or on a detour from them, and has answered the first one.
func (t *turn) midway() bool {
	if t.s.State == StateLang && t.s.Paused != "" {
		return t.s.Answers["who"] != ""
	}
	switch t.s.State {
	case StateStart, StateLang, StateCountry, StateWho, StateDone, StateResume, StateMenu, StateConfirm:
		return false
	}
	return t.s.Answers["who"] != ""
}

// askResume asks whether to continue after a long pause.
func (t *turn) askResume() {
	// Leaving halfway: offer a human too (docs/diagnostic.md B, order).
	t.out = append(t.out, Reply{Text: t.t(kResume), Choices: t.choices(StateResume, t.answers()),
		Nav: []Choice{{Key: navHuman, Label: t.t("nav.human")}}, Question: StateResume})
}

// answerResume applies the answer to "continue or restart?".
func (t *turn) answerResume(a string) {
	if a == "restart" {
		t.restart()
		return
	}
	t.resume()
}

// navigateMoves is the navigate phase's transition table, given the
// steps of the other phases.
func navigateMoves(steps []transition) []transition {
	var ts []transition
	// "retour" goes back along the trail: the reverse of a step, and only
	// towards the start of the forward order. So "retour" at skills after
	// "Ce n'est pas moi" (the location before it comes later) is refused,
	// as it was before the tables were split.
	for _, st := range steps {
		if before(st.src, st.dst) {
			ts = append(ts, transition{st.dst, st.src})
		}
	}
	for _, s := range allStates {
		if s != StateLang {
			// "/langue" anywhere, and a new start, or a restart before
			// the country is known.
			ts = append(ts, transition{s, StateLang})
		}
		if s != StateWho && s != StateStart {
			// "recommencer": the language and the country stay.
			ts = append(ts, transition{s, StateWho})
		}
	}
	for _, s := range sequence {
		if s != StateLang {
			ts = append(ts, transition{StateLang, s}) // the language changed: back to where it was asked
		}
		if isQuestion(s) {
			// A long pause, then "continuer".
			ts = append(ts, transition{s, StateResume}, transition{StateResume, s})
		}
	}
	return ts
}
