package flows

import (
	"slices"
	"strings"
)

// The refer phase (docs/diagnostic.md G): consent, how the place gets
// back to the person (here or by phone), the end of the conversation,
// relay mode with its menu, and "are you sure?" before losing something.

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

// endTips closes a conversation for an aidant with the hand-over card
// and the self-training links of their country.
func (t *turn) endTips() {
	if t.aidant() {
		t.handOver(kCardTitle)
		t.say(kTipAidantLinks + t.countryOr("FR"))
	}
}

// handOver is the card an aidant forwards or shows to the person, and
// that a person may keep ("Garder ce résumé"): why this help, the chosen
// place with its hours and phone, and what to bring, in at most six lines
// (issue 21). It speaks of the person in the third person for an aidant,
// and never of a profile name: the person reads it (docs/diagnostic.md
// F.8). title is its first line: kCardTitle, or kCardShow when the person
// is to show it at the reception.
func (t *turn) handOver(title string) {
	s := t.s
	r, err := Classify(s.Answers)
	if err != nil {
		return
	}
	country := t.countryOr("FR")
	lines := []string{t.t(t.aidantKey(title))}
	if t.aidant() {
		lines = append(lines, t.t(r.Why))
	} else {
		lines = append(lines, t.t(r.Why+kWhySelfSuffix))
	}
	if p := t.place(); p.ID != "" {
		addr := strings.TrimSpace(p.Address + ", " + p.Postcode + " " + p.Commune)
		if p.Address == "" {
			// A CPAS with no known street: where its address is given,
			// never an empty ", ".
			addr = t.t(kCPASAddress, "commune", p.Commune)
		}
		lines = append(lines, t.t(kCardPlace, "place", p.Name, "address", addr), t.t(kCardHours, "hours", t.weekHours(&p)))
		if p.Phone != "" {
			lines = append(lines, t.t(kCardPhone, "phone", p.Phone))
		}
	} else {
		lines = append(lines, t.t(t.aidantKey(kHumanPrefix+country)))
	}
	lines = append(lines, t.t(t.aidantKey(kCardBring)))
	t.out = append(t.out, Reply{Text: strings.Join(lines, "\n"), HandOver: true})
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

// askRefer renders the questions of the refer phase.
func (t *turn) askRefer() {
	s := t.s
	switch s.State {
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
		t.out = append(t.out, Reply{Text: t.t(key), Choices: t.choices(StateDone, t.shown()), Nav: t.navOut(), Question: StateDone})
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
	case StateConsent:
		key := "q.consent"
		if t.aidant() {
			key += ".aidant"
		}
		t.out = append(t.out, Reply{Text: t.t(key, "place", t.place().Name), Choices: t.choices(StateConsent, t.answers()), Nav: t.nav(), Question: StateConsent})
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
	}
}

// answerRefer applies an answer of the refer phase.
func (t *turn) answerRefer(a string) {
	switch t.s.State {
	case StateConsent:
		t.consent(a)
	case StateContact:
		if a == ContactRelay {
			t.refer(ContactRelay, "")
			return
		}
		t.goTo(StatePhone)
	case StateMenu:
		t.menuChosen(a)
	case StateConfirm:
		t.confirmed(a)
	case StateDone:
		switch a {
		case "restart":
			t.restart()
		case "cancel":
			t.cancel()
		case "card":
			t.handOver(kCardTitle)
			t.ask()
		default:
			t.navigate("nav:about")
		}
	}
}

// menuChosen applies a choice of relay mode's menu: what loses something
// is confirmed first, the rest goes back to writing.
func (t *turn) menuChosen(a string) {
	switch a {
	case "cancel":
		t.confirm("cancel")
	case "restart":
		t.confirm("restart")
	case "card":
		t.move(StateDone)
		t.handOver(kCardTitle)
		t.ask()
	case "about":
		t.move(StateDone)
		t.navigate("nav:about")
	default:
		t.goTo(StateDone)
	}
}

// referMoves is the refer phase's transition table.
func referMoves() []transition {
	ts := []transition{
		{StateConsent, StateContact}, // yes: how the place gets back to the person
		{StateConsent, StateDone},    // "non merci", or the place can no longer receive
		{StateContact, StatePhone},
		{StateContact, StateDone}, // by message: the referral is made
		{StatePhone, StateDone},
		{StateDone, StateConsent}, // the structure declined or let it expire: the next place (Notify)
		{StateDone, StateMenu},    // "menu" in relay mode
		{StateMenu, StateDone},    // back to writing
		{StateMenu, StateConfirm}, // cancel or restart from the menu
	}
	// "Are you sure?" from any step (cancelling the referral is an escape
	// of every step; /start midway), and "no" goes back to that step. Not
	// from the resume question: "annuler" there is refused, as before.
	for _, s := range sequence {
		ts = append(ts, transition{s, StateConfirm}, transition{StateConfirm, s})
	}
	return ts
}
