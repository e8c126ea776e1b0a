package flows

import (
	"context"
	"errors"
	"fmt"
	"time"

	"github.com/secours/secours/geo"
)

// Notice is news for the person about their referral, sent by the
// referral service (referral.Service) when a structure or its sweep
// changes it.
type Notice struct {
	Referral Referral // as it is after the change
	Kind     string   // the new Status, or NoticeMessage
	Text     string   // NoticeMessage: what the structure wrote
	// Linked tells which of the referral's next places have a linked
	// chat; Notify fills it, so that only a place that can receive is
	// offered next.
	Linked Linked
}

// NoticeMessage is the kind of a Notice carrying a structure's message.
const NoticeMessage = "message"

// Notify renders a notice in the person's language and, when the
// structure declined or let the request expire, offers the next place of
// the list by moving the ended conversation back to the consent question.
// The returned replies are for the service to send to Referral.Chat; none
// means there is nothing to tell.
func (e *Engine) Notify(ctx context.Context, st Stores, n Notice, now time.Time) (Outcome, error) {
	chat := n.Referral.Chat
	if chat == "" {
		return Outcome{}, nil
	}
	var lerr error // a failed look-up only narrows the next offer to e-mail
	if st.Structures != nil && n.Linked == nil && n.offersNext() {
		var ask []string
		for _, id := range n.Referral.Next {
			if p, ok := e.dir.Place(id); ok && p.Email == "" {
				ask = append(ask, id)
			}
		}
		n.Linked, lerr = lookUp(ctx, st.Structures, nil, ask)
		if lerr != nil {
			lerr = fmt.Errorf("notify: %w", lerr)
		}
	}
	const attempts = 5
	for attempt := 1; ; attempt++ {
		s, err := st.Sessions.Load(ctx, chat)
		have := err == nil
		if err != nil && !errors.Is(err, ErrNoSession) && !errors.Is(err, ErrCorrupt) {
			return Outcome{}, errors.Join(fmt.Errorf("notify: load session: %w", err), lerr)
		}
		out := e.NoticeStep(s, have, n, now)
		if !have || !out.changed {
			return out, lerr
		}
		err = st.Sessions.Save(ctx, out.Session)
		if errors.Is(err, ErrConflict) && attempt < attempts {
			continue
		}
		if err != nil {
			return out, errors.Join(fmt.Errorf("notify: save session: %w", err), lerr)
		}
		out.Session.Rev++
		return out, lerr
	}
}

// offersNext reports whether the notice ends the referral in a way that
// offers the person the next place of their list.
func (n Notice) offersNext() bool {
	r := n.Referral
	return n.Kind == string(StatusDeclined) ||
		(n.Kind == string(StatusClosed) && (r.Reason == ReasonExpired || r.Reason == ReasonUndeliverable || r.Reason == ReasonRemoved))
}

// NoticeStep is the pure part of Notify. have tells whether s is the
// chat's stored session.
func (e *Engine) NoticeStep(s Session, have bool, n Notice, now time.Time) Outcome {
	r := n.Referral
	if !have {
		s = Session{Lang: r.Lang, Answers: map[string]string{}}
	}
	if s.Answers == nil {
		s.Answers = map[string]string{}
	}
	if s.Lang == "" {
		s.Lang = r.Lang
	}
	t := turn{e: e, s: &s, now: now, event: "notice_" + n.Kind, linked: n.Linked}
	name := t.placeName(r.Place)
	mine := have && s.Ref == r.ID
	final := false
	switch n.Kind {
	case NoticeMessage:
		t.say(kNoticePrefix+NoticeMessage, "place", name, "text", n.Text)
	case string(StatusSeen), string(StatusAccepted), string(StatusContacted):
		t.say(kNoticePrefix+n.Kind, "place", name)
	case string(StatusDeclined):
		final = true
		t.say(kNoticePrefix+n.Kind, "place", name, "reason", t.t(kDeclinePrefix+r.Reason))
	case string(StatusClosed):
		final = true
		switch r.Reason {
		case ReasonExpired:
			t.say(kNoticePrefix+"expired", "place", name)
		case ReasonDone:
			t.say(kNoticePrefix+"closed", "place", name)
		case ReasonRemoved:
			t.say(kNoticePrefix + ReasonRemoved) // the place is gone: so is its name
		case ReasonUndeliverable:
			t.say(kNoticePrefix+ReasonUndeliverable, "place", name)
			if p, ok := t.e.dir.Place(r.Place); ok && p.Phone != "" {
				t.say(kHumanPlace, "place", name, "phone", p.Phone)
			}
		default:
			// Withdrawn: the person did it. Unreachable: they cannot hear.
			t.event = "notice_silent"
		}
	default:
		t.event = "notice_unknown"
	}
	changed := false
	if final && mine {
		s.Ref, s.RefPlace = "", ""
		changed = true
		if n.offersNext() {
			t.offerNext(r)
		}
	} else if final && n.offersNext() {
		t.say(kNoticePrefix + "none_left")
	}
	if changed {
		s.Updated = now
	}
	return Outcome{Session: s, Replies: t.out, Event: t.event, changed: changed}
}

// offerNext puts the next place of the referral's list to the person, if
// the conversation ended on that referral and a place is left.
func (t *turn) offerNext(r Referral) {
	s := t.s
	var next []string
	for _, id := range r.Next {
		if p, ok := t.e.dir.Place(id); ok && t.receives(*p) {
			next = append(next, id)
		}
	}
	if s.State != StateDone || len(next) == 0 {
		t.say(kNoticePrefix + "none_left")
		return
	}
	s.Places, s.Pick = next, 0
	p, _ := t.e.dir.Place(next[0])
	m := geo.Match{Place: p, Approx: p.Approx}
	if s.Lat != 0 || s.Lon != 0 {
		m.KM = geo.Distance(geo.Point{Lat: s.Lat, Lon: s.Lon}, p.Point)
	}
	t.out = append(t.out, Reply{Text: t.t(kNoticePrefix + "next"), Places: []PlaceCard{t.card(m)}})
	t.event = "notice_next_offer"
	t.goTo(StateConsent)
}
