package flows

import (
	"context"
	"errors"
	"fmt"
	"maps"
	"math"
	"slices"
	"strconv"
	"strings"
	"sync"
	"time"

	"github.com/looplab/fsm"

	"github.com/secours/secours/geo"
	"github.com/secours/secours/text"
)

// Profiles lists the profile keys of docs/diagnostic.md, from the most to the
// least supported.
var Profiles = []string{"besoin_assistance", "grand_debutant", "proche_autonomie", "autonome"}

// WhyKeys lists the why keys of docs/diagnostic.md C.2, in rule order.
var WhyKeys = []string{
	"why.reading_support", "why.barrier_no_practice", "why.delegated_no_tools",
	"why.basics_missing", "why.no_device_basics", "why.never_and_lost",
	"why.autonomous", "why.needs_boost",
}

// pauseAfter is how long a conversation may rest before the person is
// asked to continue or restart.
const pauseAfter = time.Hour

// seenWindow is how long handled message ids are remembered (channels
// redeliver within a day).
const seenWindow = 24 * time.Hour

// Places is what the engine needs of the place directory.
type Places interface {
	// LocateIn geocodes what the person typed, reading names in their
	// country (BE, FR, or "") first.
	LocateIn(input string, country geo.Country) (geo.Location, error)
	LocatePoint(p geo.Point) (geo.Location, error)
	// InCommune narrows a location with several communes (Communes) to
	// the one the person chose.
	InCommune(loc geo.Location, nis string) (geo.Location, error)
	Match(q geo.Query) geo.Result
	Place(id string) (*geo.Place, bool)
	Credits() string
}

// Engine runs the conversation. It holds read-only data and is safe for
// concurrent use.
type Engine struct {
	cats  map[Lang]Catalog
	dir   Places
	sets  map[string][]choiceDef // choice set name → its answers, in order
	forms map[string][][]form    // choice set → per choice, the forms that name it
	nav   map[string]string      // folded escape word → nav action
	share map[string]string      // share code → place id
	pool  sync.Pool              // *fsm.FSM, rebuilt state each step

	// Policy is the referrals' time limits; set it before use.
	Policy Policy
	// NewID makes referral ids; set it before use (tests make them
	// predictable). The default is 128 random bits.
	NewID func() string
}

// NewEngine checks the catalogues and prepares the text matching.
func NewEngine(cats map[Lang]Catalog, dir Places) (*Engine, error) {
	if err := checkCatalogs(cats); err != nil {
		return nil, fmt.Errorf("new engine: %w", err)
	}
	if dir == nil {
		return nil, errors.New("new engine: no place directory")
	}
	e := &Engine{cats: cats, dir: dir, sets: map[string][]choiceDef{}, forms: map[string][][]form{}, nav: map[string]string{},
		Policy: DefaultPolicy, NewID: NewReferralID, share: map[string]string{}}
	if all, ok := dir.(interface{ Places() []*geo.Place }); ok {
		for _, p := range all.Places() {
			e.share[ShareCode(p.ID)] = p.ID
		}
	}
	e.pool.New = func() any { return fsm.NewFSM(StateStart, events, nil) }
	for _, set := range e.choiceSets() {
		e.sets[set.name] = set.choices
		var forms [][]form
		for _, c := range set.choices {
			var fs []form
			for _, l := range Langs {
				for _, label := range c.labels {
					fs = append(fs, newForm(cats[l][label]))
					if v, ok := cats[l][label+aidantSuffix]; ok {
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
	for action, words := range navWords {
		for _, w := range words {
			if f := fold(w); f != "" {
				e.nav[f] = action
			}
		}
	}
	e.nav["?"] = navHelp // folds to nothing, so it is keyed as typed
	for _, l := range Langs {
		e.nav[fold(cats[l]["nav.back"])] = navBack
		e.nav[fold(cats[l]["nav.help"])] = navHelp
		e.nav[fold(cats[l]["nav.human"])] = navHuman
		e.nav[fold(cats[l]["nav.menu"])] = navMenu
	}
	return e, nil
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
			cs.choices = append(cs.choices, choiceDef{answer: a, labels: []string{"a." + q + "." + a}})
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

// Outcome is what one step produced.
type Outcome struct {
	Session Session
	Replies []Reply
	Forget  bool   // the person asked to be forgotten: delete the session
	Dup     bool   // the message was already handled: nothing to save or send
	Event   string // what happened, as a key for logs and metrics
	Key     string // the answer given, "<question>:<answer>", if any
	Profile string // the profile assigned in this step, if any

	// Referral is a referral the person consented to in this step, without
	// its id: Handle stores it (docs/diagnostic.md G).
	Referral *Referral
	// Relay is what the person wrote to the structure of their open
	// referral (Session.Ref); Handle adds it to the referral's thread.
	Relay string
	// Withdraw is the id of a referral the person cancelled.
	Withdraw string
	// LinkCode is the code of "/structure <code>": Handle links the chat
	// to the structure that code was made for.
	LinkCode string
	// Tally is what the step adds to the anonymous observatory.
	Tally *Tally
	// Lookup lists the places without an e-mail address whose linked chat
	// the step needed to know and was not told (see Linked): Handle looks
	// them up and steps again.
	Lookup []string

	changed bool // a notice changed the session: Notify saves it
}

// Step applies one incoming message to a session. It is pure: no I/O, and
// the clock is the now passed in. It is told of no linked chat: use
// StepWith for that.
func (e *Engine) Step(s Session, m Msg, now time.Time) Outcome {
	return e.StepWith(s, m, now, nil)
}

// StepWith is Step told which places have a linked chat (see Linked).
func (e *Engine) StepWith(s Session, m Msg, now time.Time, linked Linked) Outcome {
	if s.seen(m.ID) {
		out := Outcome{Session: s, Dup: true, Event: "duplicate"}
		if s.lastSeen(m.ID) && now.Sub(s.Updated) >= redeliveredAfter {
			// The last update applied, posted again a while later: the
			// channel got no answer for it, so the instance that saved
			// the step may have died before it replied. Answer it again;
			// nothing is saved. Two copies delivered at once come
			// milliseconds apart and stay silent.
			out.Replies, out.Event = e.reanswer(s, m, now), "redelivered"
		}
		return out
	}
	if now.Sub(s.Updated) > seenWindow {
		s.Seen = nil
	}
	s.markSeen(m.ID)
	if s.Lang == "" {
		s.Lang = m.Lang
		if s.Lang != NL {
			s.Lang = FR
		}
	}
	if s.Answers == nil {
		s.Answers = map[string]string{}
	}
	t := turn{e: e, s: &s, m: m, now: now, linked: linked}
	t.run()
	s.Updated = now
	return Outcome{Session: s, Replies: t.out, Forget: t.forget, Event: t.event, Key: t.key, Profile: t.profile,
		Referral: t.referral, Relay: t.relay, Withdraw: t.withdraw, LinkCode: t.linkCode, Tally: t.tally, Lookup: t.lookup}
}

// reanswer is the reply to the step s last applied, m, for a channel that
// never got it: the place list again when m was the location (the list is
// that step's answer, and the same message finds the same places), else
// the open question. It works on a copy: a Session shares its map and
// slices with the caller's.
func (e *Engine) reanswer(s Session, m Msg, now time.Time) []Reply {
	s.Answers, s.Trail, s.Places = maps.Clone(s.Answers), slices.Clone(s.Trail), slices.Clone(s.Places)
	t := turn{e: e, s: &s, m: m, now: now}
	switch n := len(s.Trail); {
	case n >= 2 && s.Trail[n-2] == StateLocation && (s.State == StatePick || s.State == StateConsent):
		s.State, s.Trail = StateLocation, s.Trail[:n-1]
		t.run()
	case isQuestion(s.State) || s.State == StateDone:
		t.ask()
	}
	return t.out
}

// storeFailure is the kind answer when the store is down: nothing was
// written, the person may simply try again.
func (e *Engine) storeFailure(m Msg, err error) (Outcome, error) {
	lang := m.Lang
	if lang != NL {
		lang = FR
	}
	return Outcome{Replies: []Reply{{Text: e.text(lang, kErrorStore)}}, Event: "store_error"}, err
}

func (e *Engine) text(l Lang, key string) string {
	return e.cats[l][key]
}

// turn is the work of one step.
type turn struct {
	e       *Engine
	s       *Session
	m       Msg
	now     time.Time
	out     []Reply
	forget  bool
	event   string
	key     string
	profile string

	referral *Referral
	relay    string
	withdraw string
	linkCode string
	tally    *Tally

	linked Linked   // what the caller knows of linked chats
	lookup []string // places asked about that linked did not cover
}

// count adds to the step's observatory tally.
func (t *turn) count(area string, metrics ...string) {
	if t.tally == nil {
		t.tally = &Tally{Month: MonthOf(t.now), Area: area, Counts: map[string]int{}}
	}
	for _, m := range metrics {
		t.tally.Counts[m]++
	}
}

// shared records the structure whose share code opened the conversation.
// An unknown code (a place gone from the directory, a typo, a hostile
// payload) starts a normal conversation; the event says so for the log.
func (t *turn) shared(code string) {
	if code == "" {
		return
	}
	if id, ok := t.e.share[code]; ok {
		t.s.SharedBy = id
		t.event = "start_shared"
		return
	}
	t.event = "share_unknown"
}

func (t *turn) t(key string, args ...string) string {
	cat := t.e.cats[t.s.Lang]
	if t.short() {
		// Q7 "short" or "voice": the catalogue's short variant where one
		// exists (docs/diagnostic.md B, Q7 side effect).
		if v, ok := cat[key+shortSuffix]; ok {
			return render(v, args...)
		}
	}
	return render(cat[key], args...)
}

func (t *turn) short() bool {
	r := t.s.Answers["reading"]
	return r == "short" || r == "voice"
}

func (t *turn) say(key string, args ...string) {
	t.out = append(t.out, Reply{Text: t.t(key, args...)})
}

func (t *turn) aidant() bool {
	w := t.s.Answers["who"]
	return w != "" && w != "self"
}

// aidantKey is key's aidant variant (keys.go, aidantKeys) when an aidant
// answers and the catalogue has one, else key.
func (t *turn) aidantKey(key string) string {
	if t.aidant() {
		if _, ok := t.e.cats[t.s.Lang][key+aidantSuffix]; ok {
			return key + aidantSuffix
		}
	}
	return key
}

func (t *turn) run() {
	s := t.s
	switch t.m.Kind {
	case KindCommand:
		t.command(strings.ToLower(t.m.Command), t.m.Arg)
		return
	case KindUnsupported:
		t.event = "unsupported"
		t.say(kMedia)
		t.ask()
		return
	}
	if s.State == StateStart && !strings.HasPrefix(strings.TrimSpace(t.m.Text), "/") {
		t.event = "start"
		if t.m.Kind == KindText {
			t.shared(shareIn(t.m.Text)) // the first line of a wa.me share link
		}
		t.count("", MetricStarted)
		t.say(kWelcome)
		t.goTo(StateLang)
		return
	}
	unknownShare := false
	if t.m.Kind == KindText {
		if code := shareText(t.m.Text); code != "" {
			if _, ok := t.e.share[code]; ok {
				// A returning person scanned a structure's wa.me QR code.
				// Sessions last 30 days, so the code would be lost as a
				// wrong answer: it starts a new conversation at any state,
				// as Telegram's /start <code> does.
				t.restartAll(code)
				return
			}
			unknownShare = true
		}
	}
	if isQuestion(s.State) && s.State != StateMenu && s.State != StateConfirm && t.now.Sub(s.Updated) > pauseAfter {
		t.event = "pause"
		s.Paused = s.State
		t.goTo(StateResume)
		return
	}
	switch t.m.Kind {
	case KindChoice:
		q, a, _ := strings.Cut(t.m.Choice, ":")
		if q == "nav" {
			t.navigate("nav:" + a)
			return
		}
		if q != t.question() || !t.offered(a) {
			// A stale button from an earlier message.
			t.event = "stale_choice"
			t.reask()
			return
		}
		t.answer(a)
	case KindLocation:
		if s.State != StateLocation {
			t.event = "unexpected_location"
			t.reask()
			return
		}
		loc, err := t.e.dir.LocatePoint(t.m.Loc)
		t.located(loc, err)
	default:
		t.typed(t.m.Text)
		if unknownShare && t.event == "not_understood" {
			// An unknown or expired code: answered as any text, but the
			// log says why.
			t.event = "share_unknown"
		}
	}
}

// typed handles free text: escapes, numbers and labels of the choices, or
// a postcode at the location step.
func (t *turn) typed(text string) {
	text = strings.TrimSpace(text)
	switch {
	case text == "":
		t.event = "empty"
		t.reask()
		return
	case len(text) > maxText:
		t.event = "too_long"
		t.say(kTooLong)
		t.ask()
		return
	case strings.HasPrefix(text, "/"):
		cmd, arg, _ := strings.Cut(text[1:], " ")
		t.command(strings.ToLower(cmd), strings.TrimSpace(arg))
		return
	}
	if t.s.State == StatePhone {
		if phone, ok := NormalizePhone(text, t.countryOr("")); ok {
			t.refer(ContactPhone, phone)
			return
		}
	}
	if t.relocate(text) {
		return
	}
	if k := sensitive(text, t.s.State == StateLocation); k != sensNone {
		// Neither parsed nor stored (docs/diagnostic.md F.6).
		t.event = "sensitive_" + string(k)
		t.say(kTipDontShare)
		t.ask()
		return
	}
	folded := fold(text)
	if text == "?" {
		folded = "?"
	}
	if t.relaying() {
		// Relay mode: whatever the person writes goes to the structure,
		// digits and short words too ("1", "ok", "annuler"); only "menu"
		// opens the menu, and commands (/annuler) stay commands.
		if t.e.nav[folded] == navMenu {
			t.navigate(navMenu)
			return
		}
		t.relayText(text)
		return
	}
	if action, ok := t.e.nav[folded]; ok {
		t.navigate(action)
		return
	}
	if set := t.choiceSet(); set != "" {
		shown := t.shown()
		if n := choiceNumber(text, folded); n > 0 && n <= len(shown) {
			t.answer(shown[n-1].answer)
			return
		}
		if i := matchForms(folded, t.e.forms[set]); i >= 0 {
			if a := t.e.sets[set][i].answer; t.offered(a) {
				t.answer(a)
				return
			}
		}
	}
	switch {
	case t.s.State == StateLocation:
		loc, err := t.e.dir.LocateIn(text, geo.Country(t.country()))
		t.located(loc, err)
		return
	case t.s.State == StateCommune && t.communeTyped(folded):
		return
	case t.s.State == StatePhone:
		t.event = "phone_invalid"
		t.say(kPhoneInvalid)
		t.ask()
		return
	case t.s.State == StateMenu && t.s.Ref != "":
		// Not a choice of the menu: a message to the structure, written
		// after "menu" by mistake or on second thoughts.
		t.move(StateDone)
		t.relayText(text)
		return
	}
	t.event = "not_understood"
	t.reask()
}

// relaying reports whether the chat is in relay mode: a referral is open
// and the conversation is over, so what the person types is for the
// structure (issue 8, relay).
func (t *turn) relaying() bool {
	return t.s.State == StateDone && t.s.Ref != ""
}

// relayText passes what the person wrote to the structure of their open
// referral: that is how they answer it.
func (t *turn) relayText(text string) {
	t.event = "relay"
	t.relay = text
	t.say(kRelaySent, "place", t.placeName(t.s.RefPlace))
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

// confirmActions are what StateConfirm may ask about: cancelling the open
// referral, restarting the questions while it is open (which leaves relay
// mode), and /start in the middle of the questions.
var confirmActions = []string{"cancel", "restart", "start"}

// confirm asks "are you sure?" before action; "no" goes back to the
// current state.
func (t *turn) confirm(action string) {
	s := t.s
	switch {
	case s.State == StateConfirm:
	case t.detour():
		// Asked from the language or the resume question: "no" goes back
		// to where the person was before it.
	default:
		s.Paused = s.State
	}
	if s.Paused == StateMenu {
		s.Paused = StateDone // "no" goes back to writing, not to the menu
	}
	s.Answers["confirm"] = action
	t.goTo(StateConfirm)
}

// confirmed applies the answer to StateConfirm.
func (t *turn) confirmed(a string) {
	s := t.s
	action, back := s.Answers["confirm"], s.Paused
	delete(s.Answers, "confirm")
	s.Paused = ""
	if back == "" || back == StateConfirm {
		back = StateDone
	}
	if a != "yes" {
		t.event = "confirm_no_" + action
		t.goTo(back)
		return
	}
	t.event = "confirm_yes_" + action
	switch action {
	case "cancel":
		t.move(back)
		t.cancel()
	case "restart":
		t.restart()
	default:
		t.restartAll("")
	}
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

func (t *turn) country() string {
	return t.s.Answers["country"]
}

// place is the chosen place (the best one until the person picks), or an
// empty one before the place list.
func (t *turn) place() geo.Place {
	if i := t.s.Pick; i >= 0 && i < len(t.s.Places) {
		if p, ok := t.e.dir.Place(t.s.Places[i]); ok {
			return *p
		}
	}
	return geo.Place{}
}

// placeName is the name of a place id, or the id if the directory no
// longer has it.
func (t *turn) placeName(id string) string {
	return t.e.placeName(id)
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

// goTo fires the FSM event to dst and asks dst's question.
func (t *turn) goTo(dst string) {
	if dst == StateConsent && !t.receives(t.place()) {
		t.noChannel() // no consent asked for a referral nobody could read
		return
	}
	if t.move(dst) {
		t.ask()
	}
}

// move fires the FSM event to dst and records it in the trail, without
// asking anything; false means the table refused it (a bug, said kindly).
func (t *turn) move(dst string) bool {
	s := t.s
	if s.State != dst {
		f := t.e.pool.Get().(*fsm.FSM)
		f.SetState(s.State)
		err := f.Event(context.Background(), "to_"+dst)
		cur := f.Current()
		t.e.pool.Put(f)
		var noTransition fsm.NoTransitionError
		if err != nil && !errors.As(err, &noTransition) {
			// A transition the table does not allow is a bug: say so kindly
			// and stay where we are.
			t.event = "invalid_transition"
			t.say(kErrorGeneric)
			return false
		}
		s.State = cur
	}
	// The menu and "are you sure?" are asides: "retour" never goes to
	// them.
	if dst != StateResume && dst != StateMenu && dst != StateConfirm {
		if len(s.Trail) == 0 || s.Trail[len(s.Trail)-1] != dst {
			s.Trail = append(s.Trail, dst)
		}
		if len(s.Trail) > 16 {
			s.Trail = s.Trail[len(s.Trail)-16:]
		}
	}
	return true
}

func (t *turn) reask() {
	if t.event == "" {
		t.event = "reask"
	}
	if t.s.State != StateStart {
		t.say(kReask)
	}
	t.ask()
}

func (t *turn) nav() []Choice {
	return []Choice{
		{Key: navBack, Label: t.t("nav.back")},
		{Key: navHelp, Label: t.t("nav.help")},
		{Key: navHuman, Label: t.t("nav.human")},
	}
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

// ask renders the current state's question.
func (t *turn) ask() {
	s := t.s
	switch s.State {
	case StateStart:
		t.say(kWelcome)
	case StateDone:
		key := kEnd
		if t.aidant() {
			key = kEndAidant
		}
		if t.relaying() {
			// No numbered buttons in relay mode: on WhatsApp and in the
			// terminal a typed "1" would be both a message and a choice.
			t.out = append(t.out, Reply{Text: t.t(key) + "\n" + t.t(kRelayHint, "place", t.placeName(s.RefPlace)),
				Nav: []Choice{{Key: navMenu, Label: t.t(kNavMenu)}}, Question: StateDone})
			return
		}
		t.out = append(t.out, Reply{Text: t.t(key), Choices: t.choices(StateDone, t.shown()), Question: StateDone})
	case StateMenu:
		t.out = append(t.out, Reply{Text: t.t(kMenu, "place", t.placeName(s.RefPlace)), Choices: t.choices(StateMenu, t.shown()),
			Nav: t.nav(), Question: StateMenu})
	case StateConfirm:
		act := s.Answers["confirm"]
		if !slices.Contains(confirmActions, act) {
			t.confirmed("no") // nothing known to confirm: back to where it was asked
			return
		}
		t.out = append(t.out, Reply{Text: t.t(kConfirmPrefix+act, "place", t.placeName(s.RefPlace)),
			Choices: t.choices(StateConfirm, t.answers()), Question: StateConfirm})
	case StateResume:
		// Leaving halfway: offer a human too (docs/diagnostic.md B, order).
		t.out = append(t.out, Reply{Text: t.t(kResume), Choices: t.choices(StateResume, t.answers()),
			Nav: []Choice{{Key: navHuman, Label: t.t("nav.human")}}, Question: StateResume})
	case StateLocation:
		key := "q.location"
		if t.aidant() {
			key += ".aidant"
		}
		t.out = append(t.out, Reply{Text: t.t(key), Choices: t.choices(StateLocation, t.locationChoices()),
			Nav: t.nav(), AskLocation: true, LocationBtn: t.t(kLocationBtn), Question: StateLocation})
	case StateConsent:
		key := "q.consent"
		if t.aidant() {
			key += ".aidant"
		}
		t.out = append(t.out, Reply{Text: t.t(key, "place", t.place().Name), Choices: t.choices(StateConsent, t.answers()), Nav: t.nav(), Question: StateConsent})
	case StatePick:
		t.out = append(t.out, Reply{Text: t.t(kPick), Choices: t.choices(StatePick, t.pickChoices()), Nav: t.nav(), Question: StatePick})
	case StateCommune:
		t.out = append(t.out, Reply{Text: t.t(t.aidantKey(kCommuneAsk)), Choices: t.choices(StateCommune, t.communeChoices()),
			Nav: t.nav(), Question: StateCommune})
	case StateContact:
		key := kContact
		if t.aidant() && !s.ContactAidant {
			key += ".aidant"
		}
		t.out = append(t.out, Reply{Text: t.t(key, "place", t.place().Name), Choices: t.choices(StateContact, t.answers()), Nav: t.nav(), Question: StateContact})
	case StatePhone:
		key := kPhonePrefix + t.countryOr("BE")
		if t.aidant() && !s.ContactAidant {
			key += ".aidant"
		}
		t.out = append(t.out, Reply{Text: t.t(key), Nav: t.nav(), Question: StatePhone})
	default:
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
		if s.State != StateLang {
			r.Nav = t.nav()
		}
		t.out = append(t.out, r)
	}
}

func (t *turn) countryOr(def string) string {
	if c := t.country(); c != "" {
		return c
	}
	return def
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

func (t *turn) tipsShown() int {
	n, _ := strconv.Atoi(t.s.Answers["tips"])
	return n
}

// answer applies a valid answer key to the current state.
func (t *turn) answer(a string) {
	s := t.s
	q := t.question()
	t.event, t.key = "answer", q+":"+a
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
	case StateResume:
		if a == "restart" {
			t.restart()
			return
		}
		t.resume()
	case StateWho:
		s.Answers["who"] = a
		if a != "self" {
			t.say(kAidantIntro)
		}
		t.goTo(StateNeed)
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
	case StateConsent:
		t.consent(a)
	case StateMenu:
		switch a {
		case "cancel":
			t.confirm("cancel")
		case "restart":
			t.confirm("restart")
		case "card":
			t.move(StateDone)
			t.handOver()
			t.ask()
		case "about":
			t.move(StateDone)
			t.navigate("nav:about")
		default:
			t.goTo(StateDone)
		}
	case StateConfirm:
		t.confirmed(a)
	case StateContact:
		if a == ContactRelay {
			t.refer(ContactRelay, "")
			return
		}
		t.goTo(StatePhone)
	case StateDone:
		switch a {
		case "restart":
			t.restart()
		case "cancel":
			t.cancel()
		case "card":
			t.handOver()
			t.ask()
		default:
			t.navigate("nav:about")
		}
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

func (t *turn) resume() {
	s := t.s
	p := s.Paused
	s.Paused = ""
	if p == "" || p == StateResume {
		p = StateWho
	}
	t.goTo(p)
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
	if t.aidant() {
		t.out = append(t.out, Reply{Text: t.t(kResultAidant, "profile", t.t(kProfilePrefix+r.Profile)) + "\n" + t.t(r.Why)})
		t.say(kConfPrefix + r.Confidence)
	} else {
		// No profile name for the person (docs/diagnostic.md F.8).
		t.out = append(t.out, Reply{Text: t.t(kResultSelf) + "\n" + t.t(r.Why+kWhySelfSuffix)})
	}
	if t.tipsShown() == 0 {
		s.Answers["tips"] = "1"
		t.say(tipKey(s.Answers["need"], country, 1))
		t.say(kTipSafety + country)
	}
	if r.Profile == "besoin_assistance" {
		t.say(t.aidantKey(kTipAssistance + country))
	}
	for _, f := range r.Flags {
		if f == "c_self_no_smartphone" {
			t.say(kTipBorrowed)
		}
	}
	t.goTo(StateLocation)
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
			t.handOver()
		}
		t.goTo(StateDone)
		return
	}
	t.event = "places_shown"
	best := kPlacesBest
	if res.Partial {
		t.event, best = "places_partial", kPlacesPartial
	}
	for i, m := range res.Matches {
		s.Places = append(s.Places, m.Place.ID)
		card := t.card(m)
		switch i {
		case 0:
			t.out = append(t.out, Reply{Text: t.t(t.aidantKey(best)), Places: []PlaceCard{card}})
		case 1:
			t.out = append(t.out, Reply{Text: t.t(kPlacesOthers), Places: []PlaceCard{card}})
		default:
			last := &t.out[len(t.out)-1]
			last.Places = append(last.Places, card)
		}
	}
	if res.Partial && !ownCPASShown(res) {
		// D.3.7 (c): remote help and the phone lines come last. In
		// Belgium that line is the CPAS/OCMW's, already on a card.
		t.say(kPartialRemote, "help", t.t(t.aidantKey(kHumanPrefix+string(loc.Country))))
	}
	s.Pick = 0
	if len(s.Places) == 1 {
		t.goTo(StateConsent)
		return
	}
	t.goTo(StatePick)
}

func round3(x float64) float64 { return math.Round(x*1000) / 1000 }

// card renders one place for a person: what kind of place it is and why
// it fits, distance with a decimal comma, opening hours in words, and
// where the service tags come from.
func (t *turn) card(m geo.Match) PlaceCard {
	p := m.Place
	km := strings.Replace(strconv.FormatFloat(m.KM, 'f', 1, 64), ".", ",", 1)
	dist := t.t(kPlacesKM, "km", km)
	switch {
	case m.Approx && m.KM < 1:
		// Both points are postcode centroids: "0,0 km" would be false
		// precision.
		dist = t.t(t.aidantKey(kPlacesHere))
	case m.Approx:
		dist = t.t(kPlacesKMApprox, "km", km)
	}
	var notes []string
	switch p.TagSource {
	case "label":
		notes = append(notes, t.t(kNoteLabel))
	case "legal_mission":
		notes = append(notes, t.t(kNoteMission, "commune", p.Commune))
	}
	if m.CrossBorder {
		notes = append(notes, t.t(kNoteBorder))
	}
	addr := strings.TrimSpace(p.Address + ", " + p.Postcode + " " + p.Commune)
	c := PlaceCard{
		ID: p.ID, Name: p.Name, About: t.about(m), Address: addr, Distance: dist, Hours: t.hours(p),
		Phone: p.Phone, Email: p.Email, Website: p.Website, Loc: p.Point,
		MapURL: fmt.Sprintf("https://www.openstreetmap.org/?mlat=%.5f&mlon=%.5f#map=17/%.5f/%.5f",
			p.Point.Lat, p.Point.Lon, p.Point.Lat, p.Point.Lon),
		Note: strings.Join(notes, " · "),
	}
	t.noStreet(&c, p)
	return c
}

// hours says "open now until 17 h" or "opens Monday at 9 h" where the data
// has hours, the raw text where it could not be parsed.
func (t *turn) hours(p *geo.Place) string {
	o := p.OpeningAt(t.now)
	switch {
	case o.Known && o.Open:
		return t.t(kHoursOpen, "time", t.clock(o.Next))
	case o.Known && !o.Next.IsZero():
		now := t.now.In(o.Next.Location())
		y1, m1, d1 := now.Date()
		day0 := time.Date(y1, m1, d1, 0, 0, 0, 0, now.Location())
		switch days := int(o.Next.Sub(day0).Hours() / 24); days {
		case 0:
			return t.t(kHoursToday, "time", t.clock(o.Next))
		case 1:
			return t.t(kHoursTomorrow, "time", t.clock(o.Next))
		default:
			return t.t(kHoursDay, "day", t.t(kDayPrefix+strconv.Itoa(int(o.Next.Weekday()))), "time", t.clock(o.Next))
		}
	case p.Hours != "":
		return t.t(kHoursRaw, "hours", p.Hours)
	}
	return t.t(kHoursUnknown)
}

func (t *turn) clock(at time.Time) string {
	return t.clockMin(at.Hour()*60 + at.Minute())
}

// clockMin writes minutes since midnight as a time of day: "9 h",
// "13 h 30"; 1440 is "24 h".
func (t *turn) clockMin(m int) string {
	if m%60 == 0 {
		return t.t("time.h", "h", strconv.Itoa(m/60))
	}
	return t.t("time.hm", "h", strconv.Itoa(m/60), "m", fmt.Sprintf("%02d", m%60))
}

// weekHours writes a place's opening hours for the week, one run of days
// with the same times after another: "Horaires : lun–ven 9 h–12 h,
// 13 h 30–17 h ; sam 10 h–12 h". The hand-over card is forwarded and read
// days later, so it must not say "open now" (issue 9). Hours geo cannot
// read are shown as written, and no hours as unknown.
func (t *turn) weekHours(p *geo.Place) string {
	week, ok := p.Week()
	if !ok {
		if p.Hours != "" {
			return t.t(kHoursRaw, "hours", p.Hours)
		}
		return t.t(kHoursUnknown)
	}
	if week.Always() {
		return t.t(kHoursRaw, "hours", t.t(kWeekAlways))
	}
	rng := func(from, to string) string { return t.t(kWeekRange, "from", from, "to", to) }
	runs := text.HoursWords{
		Day:   func(d int) string { return t.t(kDayShort + strconv.Itoa((d+1)%7)) }, // Monday first; the keys start on Sunday
		Days:  rng,
		Clock: t.clockMin,
		Span:  rng,
		Line:  func(days, times string) string { return t.t(kWeekLine, "days", days, "times", times) },
		Sep:   ", ",
	}.Lines(week.Runs())
	if len(runs) == 0 {
		return t.t(kHoursUnknown) // "Mo-Su off": closed all week is not worth forwarding
	}
	return t.t(kHoursRaw, "hours", strings.Join(runs, t.t(kWeekSep)))
}

// consent records the answer to the referral question (docs/diagnostic.md
// G.1): with a yes, the person then says how the place gets back to them.
// The question's words (q.consent) say what is really sent: "votre
// besoin, votre code postal et comment vous joindre". G.1's "votre
// prénom, votre téléphone" would be false here: issue 8 keeps no first
// name, and a phone number only when the person chooses "par téléphone".
func (t *turn) consent(a string) {
	s := t.s
	switch a {
	case "what":
		t.say(kConsentWhat)
		t.ask()
		return
	case "yes", "aidant":
		if !t.receives(t.place()) { // a session saved before the place lost its channel
			t.noChannel()
			return
		}
		s.ConsentAt = t.now
		s.ConsentBy = "self"
		if t.aidant() {
			s.ConsentBy = "aidant_for_person"
		}
		// "Me contacter moi": the aidant is the contact (G.2 aidant_contact).
		s.ContactAidant = a == "aidant"
		s.Answers["consent"] = a
		t.goTo(StateContact)
		return
	}
	p := t.place()
	s.Answers["consent"] = "no"
	t.say(kConsentNo)
	if p.Phone != "" {
		t.say(kHumanPlace, "place", p.Name, "phone", p.Phone)
	}
	t.endTips()
	t.goTo(StateDone)
}

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

// endTips closes a conversation for an aidant with the hand-over card
// and the self-training links of their country.
func (t *turn) endTips() {
	if t.aidant() {
		t.handOver()
		t.say(kTipAidantLinks + t.countryOr("FR"))
	}
}

// handOver is the card an aidant forwards or shows to the person, and
// that a person may keep ("Garder ce résumé"): the profile and why, the
// first tip, the chosen place with its hours, and what to bring. It
// speaks of the person in the third person for an aidant, and never of a
// profile name to the person (docs/diagnostic.md F.8).
func (t *turn) handOver() {
	s := t.s
	r, err := Classify(s.Answers)
	if err != nil {
		return
	}
	country := t.countryOr("FR")
	var lines []string
	if t.aidant() {
		lines = append(lines, t.t(kCardTitleAidant), t.t(kCardProfile, "profile", t.t(kProfilePrefix+r.Profile)), t.t(r.Why))
	} else {
		lines = append(lines, t.t(kCardTitle), t.t(r.Why+kWhySelfSuffix))
	}
	lines = append(lines, t.t(kCardTip, "tip", t.t(tipKey(s.Answers["need"], country, 1))))
	if p := t.place(); p.ID != "" {
		if p.Address == "" {
			// A CPAS card with no known street: name the commune, and say
			// where its address is given, never an empty ", ".
			lines = append(lines, t.t(kCardPlace, "place", p.Name, "address", strings.TrimSpace(p.Postcode+" "+p.Commune)),
				t.t(kCPASAddress, "commune", p.Commune))
		} else {
			lines = append(lines, t.t(kCardPlace, "place", p.Name, "address", strings.TrimSpace(p.Address+", "+p.Postcode+" "+p.Commune)))
		}
		lines = append(lines, t.t(kCardHours, "hours", t.weekHours(&p)))
		if p.Phone != "" {
			lines = append(lines, t.t(kCardPhone, "phone", p.Phone))
		}
	} else {
		lines = append(lines, t.t(t.aidantKey(kHumanPrefix+country)))
	}
	if t.aidant() {
		lines = append(lines, t.t(kCardBring+".aidant"))
	} else {
		lines = append(lines, t.t(kCardBring))
	}
	t.out = append(t.out, Reply{Text: strings.Join(lines, "\n")})
	if t.event == "" || t.event == "answer" {
		t.event = "hand_over"
	}
}

// refer builds the referral the person consented to: keys and the contact
// they chose, never their messages (docs/diagnostic.md G.2). Handle gives it its
// id and stores it.
func (t *turn) refer(contact, phone string) {
	s := t.s
	r, err := Classify(s.Answers)
	if err != nil {
		t.result() // an answer is missing: ask it again
		return
	}
	p := t.place()
	if p.ID == "" {
		t.event = "refer_no_place"
		t.say(kErrorGeneric)
		t.goTo(StateDone)
		return
	}
	if !t.receives(p) {
		t.noChannel()
		return
	}
	var next []string
	for i, id := range s.Places {
		if i != s.Pick {
			next = append(next, id)
		}
	}
	t.event = "referral_created"
	t.key = "contact:" + contact
	t.count(s.Area, MetricRefSent)
	t.referral = &Referral{
		V: ReferralVersion, Place: p.ID, Next: next, Lang: s.Lang, Country: t.country(), Postcode: s.Postcode,
		Area: s.Area, SharedBy: s.SharedBy,
		Need: s.Answers["need"], Profile: r.Profile, Why: r.Why, Confidence: r.Confidence,
		Aidant: t.aidant(), ConsentBy: s.ConsentBy, ConsentAt: s.ConsentAt,
		Contact: contact, ContactAidant: s.ContactAidant, Phone: phone, Chat: s.Chat,
		Status: StatusSent, Created: t.now, Updated: t.now,
		History:  []Change{{At: t.now, Status: StatusSent, Actor: ActorPerson}},
		Delivery: Delivery{Queue: []string{MailNew}},
	}
	// Handle puts the real id in place of refPending before saving.
	s.Ref, s.RefPlace = refPending, p.ID
	if contact == ContactPhone {
		t.say(kReferralPhone, "place", p.Name, "phone", FormatPhone(phone))
	} else {
		t.say(kReferralRelay, "place", p.Name)
	}
	t.endTips()
	t.goTo(StateDone)
}

// refPending stands for the id of the referral being created in this step.
const refPending = "new"

// cancel withdraws the open referral ("Annuler ma demande", G.1).
func (t *turn) cancel() {
	s := t.s
	if s.Ref == "" {
		t.event = "cancel_none"
		t.say(kCancelNone)
		t.ask()
		return
	}
	t.event = "referral_withdrawn"
	t.withdraw = s.Ref
	t.say(kReferralWithdrawn, "place", t.placeName(s.RefPlace))
	s.Ref, s.RefPlace = "", ""
	t.ask()
}
