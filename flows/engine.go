package flows

import (
	"errors"
	"fmt"
	"maps"
	"slices"
	"strings"
	"sync"
	"time"

	"github.com/looplab/fsm"
	"github.com/secours/secours/geo"
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

// shareID is the place of a share code. A live directory (geo.Live)
// answers itself, as networks publish and remove places; otherwise the
// map NewEngine made of the directory's places.
func (e *Engine) shareID(code string) (string, bool) {
	if a, ok := e.dir.(interface{ ByAlias(string) (string, bool) }); ok {
		return a.ByAlias(code)
	}
	id, ok := e.share[code]
	return id, ok
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
	e.prepareChoices()
	e.prepareNav()
	return e, nil
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
		// From the copy's arrival: a copy that arrived while its twin
		// was being answered, then waited its turn behind other updates,
		// is no redelivery however late its step runs (issue 17).
		if s.lastSeen(m.ID) && (m.Redelivered || now.Add(-m.Waited).Sub(s.Updated) >= redeliveredAfter) {
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
			if _, ok := t.e.shareID(code); ok {
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
	case t.s.State == StateLocation && t.needTyped(folded):
		return
	case t.s.State == StateLocation:
		loc, err := t.e.dir.LocateIn(text, geo.Country(t.country()))
		if err != nil && !postcodeLike(text) {
			err = &wordError{err}
		}
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

func (t *turn) country() string {
	return t.s.Answers["country"]
}

func (t *turn) countryOr(def string) string {
	if c := t.country(); c != "" {
		return c
	}
	return def
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
	if s.State != dst && !t.fire(dst) {
		// A move no phase declares is a bug: say so kindly and stay
		// where we are.
		t.event = "invalid_transition"
		t.say(kErrorGeneric)
		return false
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

// answer applies a valid answer key to the current state; each phase
// applies its own.
func (t *turn) answer(a string) {
	q := t.question()
	t.event, t.key = "answer", q+":"+a
	switch t.s.State {
	case StateResume:
		t.answerResume(a)
	case StateLocation, StateCommune, StatePick:
		t.answerLocate(a)
	case StateConsent, StateContact, StateMenu, StateConfirm, StateDone:
		t.answerRefer(a)
	default:
		t.answerQuestion(q, a)
	}
}

// ask renders the current state's question; each phase asks its own.
func (t *turn) ask() {
	switch t.s.State {
	case StateStart:
		t.say(kWelcome)
	case StateResume:
		t.askResume()
	case StateLocation, StatePick, StateCommune:
		t.askLocate()
	case StateDone, StateMenu, StateConfirm, StateConsent, StateContact, StatePhone:
		t.askRefer()
	default:
		t.askQuestion()
	}
}
