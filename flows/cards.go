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
