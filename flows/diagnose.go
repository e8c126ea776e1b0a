package flows

import (
	"errors"
	"slices"
	"strconv"
)

// The diagnose phase: the questions of docs/diagnostic.md A and B, then
// the result with its first tips (Classify, in diagnostic.go, scores
// the answers).

// answerQuestion applies an answer to a question of docs/diagnostic.md
// A or B.
func (t *turn) answerQuestion(q, a string) {
	s := t.s
	switch s.State {
	case StateLang:
		s.Lang = Lang(a)
		if s.Paused != "" {
			t.say(kLangChanged)
			t.leaveLang()
			return
		}
		if c := t.m.Country; c == "BE" || c == "FR" {
			s.Answers["country"] = c
		} else if s.Lang == NL {
			// Dutch is asked in Belgium only (docs/diagnostic.md A, "NL button (BE)").
			s.Answers["country"] = "BE"
		}
		if s.Answers["country"] != "" {
			t.goTo(StateWho)
			return
		}
		t.goTo(StateCountry)
	case StateWho:
		s.Answers["who"] = a
		if a != "self" {
			t.say(kAidantIntro)
		}
		t.goTo(StateNeed)
	case "feeling":
		s.Answers[q] = a
		if s.Retries == 1 && s.Answers["reading"] != "" && s.Answers["barrier"] != "" {
			// Redo of Q4–Q6 only: the other answers stand.
			s.Retries = 2
			t.result()
			return
		}
		t.goTo(next(s.State))
	case "barrier":
		s.Answers[q] = a
		t.result()
	default:
		s.Answers[q] = a
		t.goTo(next(s.State))
	}
}

// notMe is "Ce n'est pas moi" after the result (docs/diagnostic.md C.3):
// Q4–Q6 again, once; the second time, a person to talk to.
func (t *turn) notMe() {
	s := t.s
	if s.Retries == 0 {
		s.Retries = 1
		for _, k := range []string{"skills", "online_done", "feeling"} {
			delete(s.Answers, k)
		}
		t.say(kRedoIntro)
		t.goTo("skills")
		return
	}
	t.human()
	t.ask()
}

// result classifies, shows the profile and the first tips, then asks where
// the person is (docs/diagnostic.md C, E).
func (t *turn) result() {
	s := t.s
	r, err := Classify(s.Answers)
	if err != nil {
		// A question is missing (an old session): ask it again.
		var ae *AnswerError
		if errors.As(err, &ae) && len(ae.Missing) > 0 {
			t.goTo(ae.Missing[0])
			return
		}
		t.event = "classify_error"
		t.say(kErrorGeneric)
		t.restart()
		return
	}
	t.profile = r.Profile
	t.event = "result_" + r.Rule
	s.Answers["profile"] = r.Profile
	country := t.countryOr("FR")
	// At most four lines before the postcode question (issue 21): the
	// result and why, the first tip, and one more: the tip of this
	// profile or situation if there is one, else the safety tip (the
	// hand-over card says it again).
	if t.aidant() {
		t.out = append(t.out, Reply{Text: t.t(kResultAidant, "profile", t.t(kProfilePrefix+r.Profile)) + " " +
			t.t(kConfPrefix+r.Confidence) + "\n" + t.t(r.Why)})
	} else {
		// No profile name for the person (docs/diagnostic.md F.8).
		t.out = append(t.out, Reply{Text: t.t(kResultSelf) + "\n" + t.t(r.Why+kWhySelfSuffix)})
	}
	if t.tipsShown() == 0 {
		s.Answers["tips"] = "1"
		t.say(tipKey(s.Answers["need"], country, 1))
	}
	switch {
	case r.Profile == "besoin_assistance":
		t.say(t.aidantKey(kTipAssistance + country))
	case slices.Contains(r.Flags, "c_self_no_smartphone"):
		t.say(kTipBorrowed)
	default:
		t.say(kTipSafety + country)
	}
	t.goTo(StateLocation)
}

func (t *turn) tipsShown() int {
	n, _ := strconv.Atoi(t.s.Answers["tips"])
	return n
}

// askQuestion renders a question of docs/diagnostic.md A or B.
func (t *turn) askQuestion() {
	s := t.s
	key := "q." + s.State
	if t.aidant() && s.State != StateWho && s.State != StateLang && s.State != StateCountry {
		key += ".aidant"
	}
	text := t.t(key)
	switch s.State {
	case "online_done":
		text += "\n" + t.t(kOnlineExample+t.countryOr("FR"))
	case "barrier":
		text += "\n" + t.t(kBarrierNote)
	}
	r := Reply{Text: text, Choices: t.choices(s.State, t.answers()), Question: s.State}
	r.Nav = t.nav()
	if s.State == StateLang && s.Paused == "" {
		// The first screen: nothing to go back to, and in both
		// languages, as its question is.
		r.Nav = []Choice{{Key: navHelp, Label: t.t("nav.help.lang")}, {Key: navHuman, Label: t.t("nav.human.lang")}}
	}
	t.out = append(t.out, r)
}

// diagnoseMoves is the diagnose phase's transition table.
func diagnoseMoves() []transition {
	ts := []transition{
		{StateStart, StateLang},    // the first message: welcome, then the language
		{StateLang, StateWho},      // the language or the channel tells the country
		{"feeling", StateLocation}, // the redo of Q4–Q6 only: the other answers stand
		{StateLocation, "skills"},  // "Ce n'est pas moi": Q4–Q6 again
	}
	// Each question to the next, the last one to the result and the
	// question of where the person is.
	for i := range slices.Index(sequence, StateLocation) {
		ts = append(ts, transition{sequence[i], sequence[i+1]})
	}
	// A session saved before a question existed lacks its answer: the
	// result asks it again, from each step that classifies (the last
	// question, the redo, the places, the referral).
	for _, from := range []string{"feeling", "barrier", StateLocation, StateCommune, StateContact, StatePhone} {
		for _, q := range Questions {
			if before(q.Key, from) {
				ts = append(ts, transition{from, q.Key})
			}
		}
	}
	return ts
}
