package flows

import (
	"fmt"
	"strconv"
	"strings"
	"time"

	"github.com/secours/secours/geo"
	"github.com/secours/secours/text"
)

// The place cards of the locate phase: what kind of place it is and why
// it fits, how far, its hours now and over the week.

// card renders one place for a person, in at most six short lines:
// what kind of place it is, where and how far (with a decimal comma),
// today's hours in words, the phone, and why it fits. What is said of
// every card alike (where the services come from) is not on it: see
// cardNotes.
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
	if m.CrossBorder {
		dist = t.t(kNoteBorder, "distance", dist)
	}
	addr := strings.TrimSpace(p.Address + ", " + p.Postcode + " " + p.Commune)
	c := PlaceCard{
		ID: p.ID, Name: p.Name, Kind: t.t(t.aidantKey(kKindPrefix + p.Kind())), Why: t.why(m),
		Address: addr, Distance: dist, Hours: t.hours(p), Phone: p.Phone, Loc: p.Point,
		MapURL:   fmt.Sprintf("https://www.openstreetmap.org/directions?route=%%3B%.5f%%2C%.5f", p.Point.Lat, p.Point.Lon),
		MapLabel: t.t(kPlacesMap),
	}
	t.noStreet(&c, p)
	return c
}

// cardNotes are what the cards of a list have in common, said once under
// them: where a place's services come from (France services' official
// list, a CPAS's duties by law), one line per kind of source.
func (t *turn) cardNotes(ms []geo.Match) []string {
	var notes []string
	seen := map[string]bool{}
	for _, m := range ms {
		var n string
		switch m.Place.TagSource {
		case "label":
			n = t.t(kNoteLabel)
		case "legal_mission":
			n = t.t(kNoteMission)
		}
		if n != "" && !seen[n] {
			seen[n] = true
			notes = append(notes, n)
		}
	}
	return notes
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
