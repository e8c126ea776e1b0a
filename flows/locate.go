package flows

import (
	"errors"
	"math"
	"strconv"
	"strings"

	"github.com/secours/secours/geo"
	"github.com/secours/secours/text"
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
	case StatePick, StateConsent, StateCommune:
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
	loc, err := t.e.dir.LocateIn(text, geo.Country(t.country()))
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
	if !t.fire(dst) {
		return false
	}
	for i := len(s.Trail) - 1; i >= 0; i-- {
		if s.Trail[i] == dst {
			s.Trail = s.Trail[:i+1]
			return true
		}
	}
	s.Trail = append(s.Trail, dst)
	return true
}

// why says why a card's place is there: the wanted services it offers
// and, for a partial fit, those it does not (D.3.7 a, issue 15 item 4);
// empty when the place offers none of them by name.
func (t *turn) why(m geo.Match) string {
	var offers, lacks []string
	if r, err := Classify(t.s.Answers); err == nil {
		offers, lacks = geo.Want(t.query(geo.Location{Country: geo.Country(t.country())}, r)).Split(m.Place)
	}
	switch {
	case m.Fit == geo.FitPartial && len(lacks) > 0 && len(offers) > 0:
		return t.t(kAboutPartial, "offers", t.services(offers), "lacks", t.services(lacks))
	case m.Fit == geo.FitPartial && len(lacks) > 0:
		return t.t(kAboutLacks, "lacks", t.services(lacks))
	case len(offers) > 0:
		return t.t(kAboutHelps, "offers", t.services(offers))
	}
	return ""
}

// services names services in plain words.
func (t *turn) services(ss []string) string {
	words := make([]string, 0, len(ss))
	for _, s := range ss {
		if k, ok := serviceKeys[s]; ok {
			words = append(words, t.t(kServicePrefix+k))
		}
	}
	return strings.Join(words, t.t(kListSep))
}

// noStreet is the card of a place whose point is only its commune's seat
// (a CPAS/OCMW no open source gives an address for): no distance, no
// map, and where to ask the address (issue 15 item 2).
func (t *turn) noStreet(c *PlaceCard, p *geo.Place) {
	if !p.NoPoint {
		return
	}
	c.Distance, c.MapURL, c.MapLabel = "", "", ""
	c.Address = t.t(kCPASAddress, "commune", p.Commune)
}

// query is the person's search for places at loc (docs/diagnostic.md D).
func (t *turn) query(loc geo.Location, r Result) geo.Query {
	return geo.Query{
		At: loc, Profile: r.Profile, Need: t.s.Answers["need"],
		Equipment: r.Scores.E, Connectivity: r.Scores.C, Reading: r.Scores.R,
		Barrier: t.s.Answers["barrier"], Lang: string(t.s.Lang),
	}
}

// ownCPASShown: a card of res is the person's own CPAS/OCMW.
func ownCPASShown(res geo.Result) bool {
	for _, m := range res.Matches {
		if m.Place.Kind() == geo.KindCPAS && m.Place.Country == geo.BE {
			return true
		}
	}
	return false
}

// The suggestions of the last unknown name, kept in Session.Answers
// until the next location: they are directory names, never the person's
// text.
const (
	suggestKey    = "suggest"
	suggestSep    = "|"
	suggestAnswer = "s" // + 1…3: the choice of a suggestion
)

// suggestChoices are the suggestions as buttons, labelled with the names
// themselves ("1000 Bruxelles").
func (t *turn) suggestChoices() []choiceDef {
	v := t.s.Answers[suggestKey]
	if v == "" {
		return nil
	}
	var out []choiceDef
	for i, name := range strings.Split(v, suggestSep) {
		out = append(out, choiceDef{answer: suggestAnswer + strconv.Itoa(i+1), label: name})
	}
	return out
}

// suggestion is the name behind the answer of a suggestion button.
func (t *turn) suggestion(a string) (string, bool) {
	n, err := strconv.Atoi(strings.TrimPrefix(a, suggestAnswer))
	if err != nil || !strings.HasPrefix(a, suggestAnswer) {
		return "", false
	}
	names := strings.Split(t.s.Answers[suggestKey], suggestSep)
	if t.s.Answers[suggestKey] == "" || n < 1 || n > len(names) {
		return "", false
	}
	return names[n-1], true
}

// communesKey keeps, in Session.Answers, the communes a location may be
// in while the person is asked which one: "nis=fr=nl=de=region=province"
// joined by "|". They are directory names, never the person's text.
const communesKey = "communes"

// askCommune asks "Vous habitez à … ?" when loc may lie in several
// communes (issue 15 item 1): the CPAS/OCMW is the commune's, so the
// bot never guesses. It reports whether it asked.
func (t *turn) askCommune(loc geo.Location) bool {
	if loc.NIS != "" || len(loc.Communes) < 2 {
		return false
	}
	s := t.s
	parts := make([]string, len(loc.Communes))
	for i, c := range loc.Communes {
		parts[i] = strings.Join([]string{c.NIS, c.NameFR, c.NameNL, c.NameDE, c.Region, c.Province}, "=")
	}
	s.Answers[communesKey] = strings.Join(parts, suggestSep)
	s.Postcode = loc.Postcode
	s.Lat, s.Lon = round3(loc.Point.Lat), round3(loc.Point.Lon)
	s.Answers["country"] = string(loc.Country)
	t.event = "commune_asked"
	t.goTo(StateCommune)
	return true
}

// communes are the communes of the open question.
func (t *turn) communes() []geo.Commune {
	v := t.s.Answers[communesKey]
	if v == "" {
		return nil
	}
	var out []geo.Commune
	for _, part := range strings.Split(v, suggestSep) {
		f := strings.Split(part, "=")
		if len(f) != 6 {
			continue // a damaged session: that commune is not offered
		}
		out = append(out, geo.Commune{NIS: f[0], NameFR: f[1], NameNL: f[2], NameDE: f[3], Region: f[4], Province: f[5]})
	}
	return out
}

// communeChoices are the communes as buttons, named in the person's
// language ("Bruxelles" / "Brussel").
func (t *turn) communeChoices() []choiceDef {
	cs := t.communes()
	out := make([]choiceDef, len(cs))
	for i, c := range cs {
		out[i] = choiceDef{answer: c.NIS, label: c.Name(string(t.s.Lang))}
	}
	return out
}

// communeTyped answers the question with a commune's name typed in any
// of its languages.
func (t *turn) communeTyped(folded string) bool {
	for _, c := range t.communes() {
		for _, n := range []string{c.NameFR, c.NameNL, c.NameDE} {
			if n != "" && fold(n) == folded {
				t.event, t.key = "answer", StateCommune+":"+c.NIS
				t.communeChosen(c.NIS)
				return true
			}
		}
	}
	return false
}

// communeChosen narrows the location to the commune nis, then shows its
// places.
func (t *turn) communeChosen(nis string) {
	s := t.s
	var chosen geo.Commune
	for _, c := range t.communes() {
		if c.NIS == nis {
			chosen = c
		}
	}
	loc := geo.Location{Point: geo.Point{Lat: s.Lat, Lon: s.Lon}, Country: geo.Country(t.country()),
		Postcode: s.Postcode, Commune: chosen.Name(string(s.Lang)), Approx: true, Communes: t.communes()}
	loc, err := t.e.dir.InCommune(loc, nis)
	if err != nil || chosen.NIS == "" {
		t.event = "stale_choice"
		t.reask()
		return
	}
	t.located(loc, nil)
}

// wordError is a location typed as a word the directory does not know,
// with no name close enough to suggest.
type wordError struct{ err error }

func (e *wordError) Error() string { return "flows: unknown place name: " + e.err.Error() }
func (e *wordError) Unwrap() error { return e.err }

// needTyped reads a word typed at the location step after the "Autre
// chose" tip, which asks what blocks in one word, as what the person
// meant: a need of the menu ("impôts" is the procedures need). The
// person then gets that need's first tip and the same question; their
// word itself is not kept. It reports whether it handled the text.
func (t *turn) needTyped(folded string) bool {
	s := t.s
	if s.Answers["need"] != "other" {
		return false
	}
	need := t.needIn(folded)
	if need == "" || need == "other" {
		return false
	}
	t.event, t.key = "need_typed", StateNeed+":"+need
	s.Answers["need"] = need
	s.Answers["tips"] = "1"
	t.say(kNeedTaken, "need", text.Bare(t.t("a.need."+need)))
	t.say(tipKey(need, t.countryOr("FR"), 1))
	t.ask()
	return true
}

// needIn is the one need a typed text names, in any of its words or runs
// of up to three words ("mes impôts" names the procedures), or "" if it
// names none or several.
func (t *turn) needIn(folded string) string {
	words := strings.Fields(folded)
	found := ""
	for i := range words {
		for n := 1; n <= 3 && i+n <= len(words); n++ {
			run := strings.Join(words[i:i+n], " ")
			for c, forms := range t.e.forms[StateNeed] {
				for _, f := range forms {
					if f.text != run {
						continue
					}
					need := t.e.sets[StateNeed][c].answer
					if found != "" && found != need {
						return ""
					}
					found = need
				}
			}
		}
	}
	return found
}

// locationChoices offers another tip while there is one, and "Ce n'est
// pas moi" (docs/diagnostic.md C.3).
func (t *turn) locationChoices() []choiceDef {
	out := t.suggestChoices()
	if t.tipsShown() < tipCount(t.s.Answers["need"], t.countryOr("FR")) {
		out = append(out, choiceDef{answer: "more", labels: []string{"a.location.more"}})
	}
	return append(out, choiceDef{answer: "not_me", labels: []string{"a.location.not_me"}})
}

// pickChoices offers the places shown, by name, and "none".
func (t *turn) pickChoices() []choiceDef {
	out := make([]choiceDef, 0, len(t.s.Places)+1)
	for i, id := range t.s.Places {
		out = append(out, choiceDef{answer: strconv.Itoa(i + 1), label: t.placeName(id)})
	}
	return append(out, t.answers()...)
}

// located shows the places matching the person at loc, or why the place
// could not be found.
func (t *turn) located(loc geo.Location, err error) {
	s := t.s
	delete(s.Answers, suggestKey)
	if s.State == StateLocation {
		delete(s.Answers, communesKey) // a new place: an old question is gone
	}
	if err != nil {
		t.event = "location_unknown"
		var nf *geo.NotFoundError
		switch {
		case errors.As(err, &nf) && len(nf.Suggestions) > 0:
			// The closest names as buttons (issue 15 item 6).
			s.Answers[suggestKey] = strings.Join(nf.Suggestions, suggestSep)
			t.say(kLocSuggest)
		case errors.Is(err, geo.ErrOutside):
			t.event = "location_outside"
			t.say(t.aidantKey(kLocOutside))
		case errors.Is(err, geo.ErrBadPoint):
			t.event = "location_bad_point"
			t.say(kLocBadPoint)
		case errors.As(err, new(*wordError)):
			// A word that is no place: never "ce code postal", which the
			// person did not write (issue 21).
			t.say(kLocUnknownWord)
		default:
			t.say(kLocUnknown)
		}
		t.ask()
		return
	}
	r, err := Classify(s.Answers)
	if err != nil {
		t.result()
		return
	}
	if t.askCommune(loc) {
		return
	}
	s.Postcode = loc.Postcode
	s.Lat, s.Lon = round3(loc.Point.Lat), round3(loc.Point.Lon)
	s.Answers["country"] = string(loc.Country)
	if s.Area == "" {
		// Counted once per conversation, where the person said they are.
		s.Area = string(loc.Country) + ":" + loc.Commune
		t.finished(r.Profile)
	}
	res := t.e.dir.Match(t.query(loc, r))
	s.Places = s.Places[:0]
	if res.Fallback || len(res.Matches) == 0 {
		t.event = "places_none"
		t.say(t.aidantKey(kFallback + string(loc.Country)))
		if t.aidant() {
			t.handOver(kCardTitle)
		}
		t.goTo(StateDone)
		return
	}
	t.event = "places_shown"
	best := kPlacesBest
	if res.Partial {
		t.event, best = "places_partial", kPlacesPartial
	}
	// One card a message: each fits a small phone's screen, and comes
	// with its own pin on the channels that draw one.
	for i, m := range res.Matches {
		s.Places = append(s.Places, m.Place.ID)
		r := Reply{Places: []PlaceCard{t.card(m)}}
		switch i {
		case 0:
			r.Text = t.t(t.aidantKey(best))
		case 1:
			r.Text = t.t(kPlacesOthers)
		}
		t.out = append(t.out, r)
	}
	if res.Partial && !ownCPASShown(res) {
		// D.3.7 (c): remote help and the phone lines come last. In
		// Belgium that line is the CPAS/OCMW's, already on a card.
		t.say(kPartialRemote, "help", t.t(t.aidantKey(kHumanPrefix+string(loc.Country))))
	}
	s.Pick = 0
	if len(s.Places) == 1 {
		t.goTo(StateConsent)
	} else {
		t.goTo(StatePick)
	}
	// What the cards share is said once, at the head of the question
	// that follows them: one message fewer on a paced channel.
	if notes := t.cardNotes(res.Matches); len(notes) > 0 {
		if last := &t.out[len(t.out)-1]; last.Question != "" && len(last.Places) == 0 {
			last.Text = strings.Join(notes, "\n") + "\n" + last.Text
		} else {
			t.out = append(t.out, Reply{Text: strings.Join(notes, "\n")})
		}
	}
}

func round3(x float64) float64 { return math.Round(x*1000) / 1000 }

// finished counts the conversation in the observatory once the person
// said where they are.
func (t *turn) finished(profile string) {
	s := t.s
	m := []string{MetricFinished, MetricProfile + profile, MetricNeed + s.Answers["need"]}
	if t.aidant() {
		m = append(m, MetricAidant)
	}
	if s.SharedBy != "" {
		m = append(m, MetricShared)
	}
	t.count(s.Area, m...)
}

// askLocate renders the questions of the locate phase.
func (t *turn) askLocate() {
	s := t.s
	switch s.State {
	case StateLocation:
		key := "q.location"
		if t.aidant() {
			key += ".aidant"
		}
		t.out = append(t.out, Reply{Text: t.t(key), Choices: t.choices(StateLocation, t.locationChoices()),
			Nav: t.nav(), AskLocation: true, LocationBtn: t.t(kLocationBtn), Question: StateLocation})
	case StatePick:
		t.out = append(t.out, Reply{Text: t.t(kPick), Choices: t.choices(StatePick, t.pickChoices()), Nav: t.nav(), Question: StatePick})
	case StateCommune:
		t.out = append(t.out, Reply{Text: t.t(t.aidantKey(kCommuneAsk)), Choices: t.choices(StateCommune, t.communeChoices()),
			Nav: t.nav(), Question: StateCommune})
	}
}

// answerLocate applies an answer at the location, the commune or the
// place list.
func (t *turn) answerLocate(a string) {
	s := t.s
	switch s.State {
	case StateLocation:
		if in, ok := t.suggestion(a); ok {
			loc, err := t.e.dir.LocateIn(in, geo.Country(t.country()))
			t.located(loc, err)
			return
		}
		switch a {
		case "more":
			n := t.tipsShown() + 1
			s.Answers["tips"] = strconv.Itoa(n)
			t.say(tipKey(s.Answers["need"], t.countryOr("FR"), n))
			t.ask()
		case "not_me":
			t.notMe()
		}
	case StateCommune:
		t.communeChosen(a)
	case StatePick:
		if a == "none" {
			t.say(kConsentNo)
			t.endTips()
			t.goTo(StateDone)
			return
		}
		n, _ := strconv.Atoi(a)
		s.Pick = n - 1
		t.goTo(StateConsent)
	}
}

// locateMoves is the locate phase's transition table.
func locateMoves() []transition {
	ts := []transition{
		{StateLocation, StateCommune}, // the postcode may lie in several communes
		{StatePick, StateConsent},     // a place chosen
		{StatePick, StateDone},        // "aucun", or the chosen place cannot receive
	}
	// The places found, at the location or in the chosen commune: a list
	// to pick from, one place straight to the consent, none (or one that
	// cannot receive a referral) to the end.
	for _, from := range []string{StateLocation, StateCommune} {
		ts = append(ts, transition{from, StatePick}, transition{from, StateConsent}, transition{from, StateDone})
	}
	// A postcode typed at the places, or after them with no referral
	// open, is a new location (relocate).
	for _, from := range []string{StateCommune, StatePick, StateConsent, StateDone} {
		ts = append(ts, transition{from, StateLocation})
	}
	return ts
}
