package flows

import (
	"strings"
)

// The answers offered at each step, and how a typed word or a button
// names one.

// prepareChoices builds every choice set and the typed forms that name
// each of its answers, in every language.
func (e *Engine) prepareChoices() {
	for _, set := range e.choiceSets() {
		e.sets[set.name] = set.choices
		var forms [][]form
		for _, c := range set.choices {
			var fs []form
			for _, l := range Langs {
				for _, label := range c.labels {
					fs = append(fs, newForm(e.cats[l][label]))
					if v, ok := e.cats[l][label+aidantSuffix]; ok {
						// Either label names the answer, whoever answers.
						fs = append(fs, newForm(v))
					}
				}
			}
			fs = append(fs, newForm(c.answer), newForm(strings.ReplaceAll(c.answer, "_", " ")))
			for _, w := range c.words {
				fs = append(fs, newForm(w))
			}
			forms = append(forms, fs)
		}
		e.forms[set.name] = forms
	}
}

// choiceSet is one set of answers offered together.
type choiceSet struct {
	name    string
	q       string // question key of the payload
	choices []choiceDef
}

type choiceDef struct {
	answer string
	labels []string // catalogue keys of its labels
	words  []string // extra typed words that name it
	label  string   // a literal label (a place name) instead of labels
}

func (e *Engine) choiceSets() []choiceSet {
	simple := func(q string, answers ...string) choiceSet {
		cs := choiceSet{name: q, q: q}
		for _, a := range answers {
			cs.choices = append(cs.choices, choiceDef{answer: a, labels: []string{"a." + q + "." + a}, words: answerWords[q+":"+a]})
		}
		return cs
	}
	sets := []choiceSet{
		simple(StateLang, "fr", "nl"),
		simple(StateCountry, "BE", "FR"),
		simple(StateNeed, Needs...),
		simple(StateLocation, "more", "not_me"),
		simple(StateDone, "cancel", "card", "restart", "about"),
		{name: StatePick, q: StatePick, choices: []choiceDef{
			{answer: "none", labels: []string{"a.pick.none"}, words: []string{"aucun", "geen", "non merci", "nee bedankt"}},
		}},
		{name: StateContact, q: StateContact, choices: []choiceDef{
			{answer: ContactRelay, labels: []string{"a.contact.relay"}, words: []string{"ici", "message", "par message", "hier", "bericht", "chat"}},
			{answer: ContactPhone, labels: []string{"a.contact.phone"}, words: []string{"telephone", "par telephone", "appel", "telefoon", "per telefoon", "bellen"}},
		}},
		simple(StateResume, "continue", "restart"),
		{name: StateMenu, q: StateMenu, choices: []choiceDef{
			{answer: "write", labels: []string{"a.menu.write"}},
			{answer: "card", labels: []string{"a.done.card"}},
			{answer: "restart", labels: []string{"a.done.restart"}},
			{answer: "about", labels: []string{"a.done.about"}},
			{answer: "cancel", labels: []string{"a.done.cancel"}},
		}},
		{name: StateConsent, q: StateConsent, choices: []choiceDef{
			{answer: "yes", labels: []string{"a.consent.yes"}, words: []string{"oui", "ja", "ok", "d accord", "akkoord"}},
			{answer: "no", labels: []string{"a.consent.no"}, words: []string{"non", "nee", "neen"}},
			{answer: "what", labels: []string{"a.consent.what"}},
		}},
		{name: StateConsent + ".aidant", q: StateConsent, choices: []choiceDef{
			{answer: "yes", labels: []string{"a.consent.yes.aidant"}, words: []string{"oui", "ja", "ok", "d accord", "akkoord"}},
			{answer: "no", labels: []string{"a.consent.no.aidant"}, words: []string{"non", "nee", "neen"}},
			{answer: "aidant", labels: []string{"a.consent.aidant"}},
		}},
	}
	for _, act := range confirmActions {
		// "No" first: a hurried "1" keeps what the person has.
		sets = append(sets, choiceSet{name: StateConfirm + "." + act, q: StateConfirm, choices: []choiceDef{
			{answer: "no", labels: []string{"a.confirm." + act + ".no"}, words: []string{"non", "nee", "neen"}},
			{answer: "yes", labels: []string{"a.confirm." + act + ".yes"}, words: []string{"oui", "ja", "ok"}},
		}})
	}
	sets[0].choices[0].words = []string{"francais", "french", "frans"}
	sets[0].choices[1].words = []string{"nederlands", "dutch", "neerlandais", "vlaams"}
	sets[1].choices[0].words = []string{"belgique", "belgie", "be"}
	sets[1].choices[1].words = []string{"france", "frankrijk", "fr"}
	for _, q := range Questions {
		sets = append(sets, simple(q.Key, q.Answers...))
	}
	return sets
}

// answerWords are typed words that name an answer whose label does not
// hold them: the labels say "Je m'y perds", "Oui, sans aide" (no
// bracketed gender marks, issue 21), people still write "perdu", "seule";
// and the words of a need typed after the "Autre chose" tip (needTyped).
var answerWords = map[string][]string{
	"need:procedure": {"impots", "impot", "impots gouv", "taxes", "belastingen", "belasting", "tax on web", "formulaire", "formulier",
		"papiers", "papieren", "demarche", "demarches", "itsme", "eid", "carte d identite", "identiteitskaart", "pension", "pensioen",
		"franceconnect", "ants", "permis", "rijbewijs", "commune", "gemeente"},
	"need:banking":      {"banque", "bank", "argent", "geld", "virement", "overschrijving", "carte bancaire", "bankkaart", "arnaque", "oplichting"},
	"need:job":          {"emploi", "travail", "werk", "job", "cv", "chomage", "werkloosheid", "france travail", "forem", "actiris", "vdab"},
	"need:health":       {"sante", "gezondheid", "medecin", "dokter", "ameli", "mutuelle", "mutualite", "ziekenfonds", "mutualiteit", "hopital", "ziekenhuis"},
	"need:family":       {"famille", "gezin", "ecole", "school", "caf", "allocations", "kinderbijslag", "groeipakket", "pronote", "smartschool"},
	"need:learning":     {"apprendre", "leren", "ordinateur", "computer", "cours", "lessen", "atelier", "informatique"},
	"feeling:lost":      {"perdu", "perdue", "perdu e", "verloren"},
	"online_done:alone": {"seul", "seule", "seul e", "oui seul", "oui seule", "alleen", "ja alleen"},
	"online_done:never": {"nooit"},
	"feeling:ease":      {"a l aise", "aise"},
}

// choiceSet names the answers offered at the current state.
func (t *turn) choiceSet() string {
	switch t.s.State {
	case StateConsent:
		if t.aidant() {
			return StateConsent + ".aidant"
		}
		return StateConsent
	case StateStart:
		return ""
	case StateConfirm:
		return StateConfirm + "." + t.s.Answers["confirm"]
	}
	return t.s.State
}

func (t *turn) question() string {
	if t.s.State == StateConsent {
		return StateConsent
	}
	return t.s.State
}

func (t *turn) answers() []choiceDef {
	return t.e.sets[t.choiceSet()]
}

// shown lists the answers offered on the current screen, in order.
func (t *turn) shown() []choiceDef {
	switch t.s.State {
	case StateLocation:
		return t.locationChoices()
	case StatePick:
		return t.pickChoices()
	case StateCommune:
		return t.communeChoices()
	case StateDone, StateMenu:
		if t.relaying() {
			return nil // no buttons: a typed number is a message (issue 17)
		}
		var out []choiceDef
		for _, c := range t.answers() {
			switch {
			case c.answer == "cancel" && t.s.Ref == "": // nothing to cancel
			case c.answer == "card" && t.s.Answers["profile"] == "": // nothing to sum up
			default:
				out = append(out, c)
			}
		}
		return out
	}
	return t.answers()
}

func (t *turn) offered(a string) bool {
	for _, c := range t.shown() {
		if c.answer == a {
			return true
		}
	}
	return false
}

func (t *turn) nav() []Choice {
	return []Choice{
		{Key: navBack, Label: t.t("nav.back")},
		{Key: navHelp, Label: t.t("nav.help")},
		{Key: navHuman, Label: t.t("nav.human")},
	}
}

// navOut is the escape row of a screen with nothing before it to go back
// to (the first one, the last one): help and a person (F.5).
func (t *turn) navOut() []Choice {
	return t.nav()[1:]
}

func (t *turn) choices(q string, defs []choiceDef) []Choice {
	out := make([]Choice, len(defs))
	for i, d := range defs {
		label := d.label
		if label == "" {
			label = t.t(t.aidantKey(d.labels[0]))
		}
		out[i] = Choice{Key: q + ":" + d.answer, Label: label}
	}
	return out
}
