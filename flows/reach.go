package flows

import (
	"slices"

	"github.com/secours/secours/geo"
)

// Linked tells Step which places have a Telegram chat linked with
// "/structure CODE": place id → linked. A place absent from it was not
// looked up.
//
// A referral is offered only to a place that can receive it (issue 15):
// one with an e-mail address, known from the directory, or with a linked
// chat, known only to the store. Step stays pure, so it cannot ask the
// store; and the caller cannot know beforehand which places a step will
// consider (the location step finds them). So Step answers from what it
// is told, treats a place it was not told about as unlinked, and names it
// in Outcome.Lookup; Handle looks those up and runs the step again, which
// gives the same places since a step is deterministic. Only places
// without an e-mail address are ever asked about, so most steps need no
// look-up at all. Notify knows the places beforehand (the referral's
// list) and fills Notice.Linked instead.
type Linked map[string]bool

// Receives reports whether p can receive a referral: by e-mail, or in a
// chat linked to it.
func (l Linked) Receives(p *geo.Place) bool {
	return p.Email != "" || l[p.ID]
}

// receives is Linked.Receives on what the turn was told, noting the
// places it was not told about for Handle to look up.
func (t *turn) receives(p geo.Place) bool {
	if p.ID == "" || p.Email != "" {
		return true // no place: the referral step says so itself
	}
	linked, known := t.linked[p.ID]
	if !known && !slices.Contains(t.lookup, p.ID) {
		t.lookup = append(t.lookup, p.ID)
	}
	return linked
}

// noChannel is the answer for a place that cannot receive a referral:
// no consent is asked, nothing is said to be sent. The person is told
// plainly to call or go there, and gets the hand-over card to show at the
// reception.
func (t *turn) noChannel() {
	p := t.place()
	key := kNoChannelVisit
	if p.Phone != "" {
		key = kNoChannelPhone
	}
	t.say(t.aidantKey(key), "place", p.Name, "phone", p.Phone)
	t.handOver(kCardShow)
	if t.aidant() {
		t.say(kTipAidantLinks + t.countryOr("FR"))
	}
	t.event = "no_channel"
	t.goTo(StateDone)
}
