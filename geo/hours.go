package geo

import (
	"errors"
	"fmt"
	"regexp"
	"slices"
	"strconv"
	"strings"
	"time"
	_ "time/tzdata" // Europe/Brussels must resolve in a static binary with no zoneinfo

	"github.com/secours/secours/text"
)

// Span is an opening interval in minutes since midnight, From < To ≤ 1440
// (text.Span: text writes hours in words without importing geo).
type Span = text.Span

// Week is one normalised week of opening hours, Monday first, each day's
// spans sorted and merged: the common form of the standard's OSM
// opening_hours and the France services weekday columns. Equal weeks
// compare equal day by day (slices.Equal).
type Week [7][]Span

// Week returns the place's opening hours, ok false if they are unknown
// or could not be read (then Hours holds the text as published). Its days
// share the directory's memory: read them, do not change them.
func (p *Place) Week() (w Week, ok bool) {
	if p.sched != nil {
		return *p.sched, true
	}
	if p.Hours == "" {
		return Week{}, false
	}
	w, err := ParseHours(p.Hours)
	return w, err == nil
}

// dayCodes are the OSM weekday codes, Monday first, two letters each.
const dayCodes = "MoTuWeThFrSaSu"

func dayCode(d int) string { return dayCodes[2*d : 2*d+2] }

// looseSep matches a range dash or a list comma with spaces around it.
var looseSep = regexp.MustCompile(`\s*([-,])\s*`)

// errHours is wrapped by every opening-hours syntax error.
var errHours = errors.New("bad opening hours")

func hoursErr(format string, a ...any) error {
	return fmt.Errorf("%w: %s", errHours, fmt.Sprintf(format, a...))
}

// ParseHours reads opening hours in the OSM-like form of Place.Hours
// ("Mo-Fr 09:00-12:00,14:00-17:00; Sa 09:00-12:00"): the subset of the
// OSM opening_hours syntax that the standard's examples and real files
// use: weekday selectors and ranges,
// several time ranges, ";" rules where a later rule replaces the days it
// names, "off"/"closed", "24/7", and public-holiday rules, which are
// accepted and ignored (we cannot know the holidays of every commune).
// Anything else (months, weeks, comments, "||") is an error so the raw
// text is shown instead of a wrong schedule.
func ParseHours(s string) (Week, error) {
	var w Week
	s = strings.TrimSpace(s)
	if s == "" {
		return w, hoursErr("empty")
	}
	if len(s) > 1000 {
		return w, hoursErr("too long")
	}
	if strings.Contains(s, "||") {
		return w, hoursErr("fallback rules (||) are not supported")
	}
	// Hand-typed files space their ranges and lists ("Mo - Fr 09:00 -
	// 12:00"): the same hours, so read them the same.
	s = looseSep.ReplaceAllString(s, "$1")
	seen := false
	for rule := range strings.SplitSeq(s, ";") {
		rule = strings.TrimSpace(rule)
		if rule == "" {
			continue
		}
		if rule == "24/7" {
			for d := range w {
				w[d] = []Span{{From: 0, To: 1440}}
			}
			seen = true
			continue
		}
		days, rest, holiday, err := parseDaySelector(rule)
		if err != nil {
			return Week{}, err
		}
		var spans []Span
		rest = strings.TrimSpace(rest)
		switch strings.ToLower(rest) {
		case "off", "closed":
		case "", "open":
			spans = []Span{{From: 0, To: 1440}}
		default:
			spans, err = parseTimeList(rest)
			if err != nil {
				return Week{}, err
			}
		}
		seen = true
		if holiday && days == 0 {
			continue // "PH off", "PH 10:00-12:00": accepted, ignored
		}
		if days == 0 {
			days = 0x7f
		}
		var next [7][]Span
		for d := range 7 {
			if days&(1<<d) == 0 {
				continue
			}
			w[d] = nil
		}
		for d := range 7 {
			if days&(1<<d) == 0 {
				continue
			}
			for _, sp := range spans {
				if sp.To <= 1440 {
					w[d] = append(w[d], sp)
					continue
				}
				// Past midnight: the rest belongs to the next morning.
				w[d] = append(w[d], Span{From: sp.From, To: 1440})
				next[(d+1)%7] = append(next[(d+1)%7], Span{From: 0, To: sp.To - 1440})
			}
		}
		for d := range next {
			w[d] = append(w[d], next[d]...)
		}
	}
	if !seen {
		return Week{}, hoursErr("no rule")
	}
	w.normalise()
	return w, nil
}

// parseDaySelector splits "Mo-Fr,Su 09:00-12:00" into a weekday bit set
// (bit 0 = Monday) and the rest. holiday is set when PH/SH was named.
func parseDaySelector(rule string) (days uint8, rest string, holiday bool, err error) {
	sel, rest, _ := strings.Cut(rule, " ")
	if sel == "" || !isLetter(sel[0]) {
		return 0, rule, false, nil // no selector: every day
	}
	for part := range strings.SplitSeq(sel, ",") {
		if part == "" {
			return 0, "", false, hoursErr("empty weekday in %q", sel)
		}
		if strings.EqualFold(part, "PH") {
			holiday = true
			continue
		}
		a, b, isRange := strings.Cut(part, "-")
		da, ok := weekday(a)
		if !ok {
			if strings.EqualFold(part, "SH") {
				return 0, "", false, hoursErr("school holidays are not supported")
			}
			if strings.EqualFold(a, "off") || strings.EqualFold(a, "closed") || strings.EqualFold(a, "open") {
				return 0, rule, false, nil
			}
			return 0, "", false, hoursErr("unknown selector %q", part)
		}
		if !isRange {
			days |= 1 << da
			continue
		}
		db, ok := weekday(b)
		if !ok {
			return 0, "", false, hoursErr("unknown weekday %q", b)
		}
		for d := da; ; d = (d + 1) % 7 {
			days |= 1 << d
			if d == db {
				break
			}
		}
	}
	return days, rest, holiday, nil
}

func isLetter(c byte) bool { return c >= 'a' && c <= 'z' || c >= 'A' && c <= 'Z' }

func weekday(s string) (int, bool) {
	for i := range 7 {
		if strings.EqualFold(s, dayCode(i)) {
			return i, true
		}
	}
	return 0, false
}

// parseTimeList reads "09:00-12:00,14:00-18:30"; an end past 24:00 (or
// before the start) runs into the next day.
func parseTimeList(s string) ([]Span, error) {
	var out []Span
	for part := range strings.SplitSeq(s, ",") {
		part = strings.TrimSpace(part)
		a, b, ok := strings.Cut(part, "-")
		if !ok {
			return nil, hoursErr("time range %q has no '-'", part)
		}
		from, err := parseClock(strings.TrimSpace(a), 24*60-1)
		if err != nil {
			return nil, err
		}
		to, err := parseClock(strings.TrimSpace(b), 48*60)
		if err != nil {
			return nil, err
		}
		if to <= from {
			to += 1440
		}
		if to-from > 1440 {
			return nil, hoursErr("time range %q is longer than a day", part)
		}
		out = append(out, Span{From: from, To: to})
	}
	return out, nil
}

// parseClock reads "9:00", "09:00" or "09h00" as minutes, at most max.
func parseClock(s string, max int) (int, error) {
	h, m, ok := strings.Cut(s, ":")
	if !ok {
		h, m, ok = strings.Cut(strings.ToLower(s), "h")
	}
	if !ok || len(h) < 1 || len(h) > 2 || len(m) != 2 {
		return 0, hoursErr("bad time %q", s)
	}
	hh, err1 := strconv.Atoi(h)
	mm, err2 := strconv.Atoi(m)
	if err1 != nil || err2 != nil || h[0] == '+' || h[0] == '-' || m[0] == '+' || m[0] == '-' || mm > 59 {
		return 0, hoursErr("bad time %q", s)
	}
	v := hh*60 + mm
	if v > max {
		return 0, hoursErr("time %q out of range", s)
	}
	return v, nil
}

// parseDayColumn reads one France services weekday column, e.g.
// "09:00 - 12:00 / 14:00 - 17:00". It tolerates the variants of the real
// file ("08 :30", "09:00-12:00,14:00-17:00", "09:00-12:00 14:00-16:30",
// "09:00-12:30-13:30-17:00") but not times that go backwards. Empty and
// "-" mean closed.
func parseDayColumn(s string) ([]Span, error) {
	s = strings.TrimSpace(s)
	if s == "" || s == "-" || strings.EqualFold(s, "fermé") {
		return nil, nil
	}
	var times []int
	i := 0
	sepOK := true
	for i < len(s) {
		c := s[i]
		switch {
		case c >= '0' && c <= '9':
			if !sepOK {
				return nil, hoursErr("missing separator in %q", s)
			}
			j := i
			for j < len(s) && s[j] >= '0' && s[j] <= '9' {
				j++
			}
			k := j
			for k < len(s) && s[k] == ' ' {
				k++
			}
			if k >= len(s) || (s[k] != ':' && s[k] != 'h' && s[k] != 'H') {
				return nil, hoursErr("bad time in %q", s)
			}
			k++
			for k < len(s) && s[k] == ' ' {
				k++
			}
			l := k
			for l < len(s) && s[l] >= '0' && s[l] <= '9' {
				l++
			}
			v, err := parseClock(s[i:j]+":"+s[k:l], 24*60)
			if err != nil {
				return nil, err
			}
			times = append(times, v)
			i = l
			sepOK = false
		case c == ' ' || c == '\n' || c == '\r' || c == '\t':
			i++
			if len(times) > 0 {
				sepOK = true
			}
		case c == '-' || c == '/' || c == ',' || c == ';':
			if sepOK && len(times) > 0 && i > 0 && s[i-1] != ' ' {
				return nil, hoursErr("double separator in %q", s)
			}
			i++
			sepOK = true
		default:
			return nil, hoursErr("unexpected %q in %q", c, s)
		}
	}
	if len(times) == 0 || len(times)%2 != 0 {
		return nil, hoursErr("%q needs pairs of times", s)
	}
	var out []Span
	for k := 0; k < len(times); k += 2 {
		sp := Span{From: times[k], To: times[k+1]}
		switch {
		case sp.From == 0 && sp.To == 0:
			continue // "00:00 - 00:00": the list's way of writing "closed"
		case len(out) > 0 && out[len(out)-1] == sp:
			continue // the same range typed twice
		case sp.To <= sp.From || (len(out) > 0 && sp.From < out[len(out)-1].To):
			return nil, hoursErr("times go backwards in %q", s)
		}
		out = append(out, sp)
	}
	return out, nil
}

// normalise sorts and merges each day's spans so equal weeks compare equal.
func (w *Week) normalise() {
	for d := range w {
		sp := w[d]
		slices.SortFunc(sp, func(a, b Span) int { return a.From - b.From })
		var out []Span
		for _, s := range sp {
			if s.To <= s.From {
				continue
			}
			if n := len(out); n > 0 && s.From <= out[n-1].To {
				out[n-1].To = max(out[n-1].To, s.To)
				continue
			}
			out = append(out, s)
		}
		w[d] = out
	}
}

func (w *Week) empty() bool {
	for _, d := range w {
		if len(d) > 0 {
			return false
		}
	}
	return true
}

// Always reports whether the week is open round the clock, every day.
func (w Week) Always() bool {
	for _, d := range w {
		if len(d) != 1 || d[0] != (Span{From: 0, To: 1440}) {
			return false
		}
	}
	return true
}

// DayRun is consecutive days with the same hours: First to Last, 0 is
// Monday (text.DayRun).
type DayRun = text.DayRun

// Runs groups the open days into runs of consecutive days with the same
// hours, Monday first, for writing a week in words ("lun–ven 9 h–12 h");
// closed days are left out.
func (w Week) Runs() []DayRun {
	var runs []DayRun
	for d := 0; d < 7; {
		e := d
		for e+1 < 7 && slices.Equal(w[e+1], w[d]) {
			e++
		}
		if len(w[d]) > 0 {
			runs = append(runs, DayRun{First: d, Last: e, Spans: w[d]})
		}
		d = e + 1
	}
	return runs
}

// String gives the normalised OSM form, consecutive equal days grouped:
// "Mo-Fr 09:00-12:00,14:00-17:00; Sa 09:00-12:00".
func (w Week) String() string {
	if w.Always() {
		return "24/7"
	}
	if w.empty() {
		return "Mo-Su off"
	}
	return strings.Join(osmWords().Lines(w.Runs()), "; ")
}

// osmWords write a week in the OSM form, the directory's own.
func osmWords() text.HoursWords {
	return text.HoursWords{
		Day:   dayCode,
		Days:  func(first, last string) string { return first + "-" + last },
		Clock: clock,
		Span:  func(from, to string) string { return from + "-" + to },
		Line:  func(days, times string) string { return days + " " + times },
		Sep:   ",",
	}
}

func clock(m int) string { return fmt.Sprintf("%02d:%02d", m/60, m%60) }

// Opening is a place's state at a given time.
type Opening struct {
	Known bool      // hours parsed
	Open  bool      // open at the asked time
	Next  time.Time // if Open: when it closes; else when it next opens (zero if never)
}

// localZone is where every place is: Belgium and metropolitan France
// share Europe/Brussels rules. (Overseas France services are off by a few
// hours; they are far from any Secours user.)
func localZone() *time.Location {
	loc, err := time.LoadLocation("Europe/Brussels")
	if err != nil {
		return time.FixedZone("CET", 3600) // unreachable with time/tzdata
	}
	return loc
}

// OpeningAt says whether the place is open at now, in Brussels time. A
// day of one of its Closures is a closed day: Next then skips the closure.
func (p *Place) OpeningAt(now time.Time) Opening {
	w, ok := p.Week()
	if !ok {
		return Opening{}
	}
	loc := p.loc
	if loc == nil {
		loc = localZone()
	}
	t := now.In(loc)
	if len(p.Closures) == 0 {
		return w.at(t)
	}
	// Each pass jumps past one closure; a few cover any real card, and
	// the bound keeps a week with no hours from looping.
	for range len(p.Closures) + 8 {
		end, closed := p.closedOn(t)
		if !closed {
			o := w.at(t)
			if o.Open {
				// Closing at a closure's start is closing.
				if cut, ok := p.nextClosure(t); ok && (o.Next.IsZero() || cut.Before(o.Next)) {
					o.Next = cut
				}
				if t.Equal(now.In(loc)) {
					return o
				}
				return Opening{Known: true, Next: t}
			}
			if o.Next.IsZero() {
				return Opening{Known: true}
			}
			if _, closedThen := p.closedOn(o.Next); !closedThen {
				if t.Equal(now.In(loc)) {
					return o
				}
				return Opening{Known: true, Next: o.Next}
			}
			t = o.Next
			continue
		}
		t = end
	}
	return Opening{Known: true}
}

// closedOn says whether t's day is in one of p's closures, and if so the
// midnight after the closure's last day.
func (p *Place) closedOn(t time.Time) (time.Time, bool) {
	day := time.Date(t.Year(), t.Month(), t.Day(), 0, 0, 0, 0, t.Location())
	for _, c := range p.Closures {
		from := time.Date(c.From.Year(), c.From.Month(), c.From.Day(), 0, 0, 0, 0, t.Location())
		to := time.Date(c.To.Year(), c.To.Month(), c.To.Day(), 0, 0, 0, 0, t.Location())
		if !day.Before(from) && !day.After(to) {
			return to.AddDate(0, 0, 1), true
		}
	}
	return time.Time{}, false
}

// nextClosure is the start of the first closure after t's day.
func (p *Place) nextClosure(t time.Time) (time.Time, bool) {
	var best time.Time
	for _, c := range p.Closures {
		from := time.Date(c.From.Year(), c.From.Month(), c.From.Day(), 0, 0, 0, 0, t.Location())
		if from.After(t) && (best.IsZero() || from.Before(best)) {
			best = from
		}
	}
	return best, !best.IsZero()
}

// ClosedOn says whether the place is closed all day at t for one of its
// Closures.
func (p *Place) ClosedOn(t time.Time) bool {
	loc := p.loc
	if loc == nil {
		loc = localZone()
	}
	_, closed := p.closedOn(t.In(loc))
	return closed
}

// at evaluates the week at t, already in local time. Wall-clock times are
// built with time.Date so DST days come out right.
func (w *Week) at(t time.Time) Opening {
	day := (int(t.Weekday()) + 6) % 7
	m := t.Hour()*60 + t.Minute()
	local := func(offset, min int) time.Time {
		return time.Date(t.Year(), t.Month(), t.Day()+offset, 0, min, 0, 0, t.Location())
	}
	for _, s := range w[day] {
		if s.From <= m && m < s.To {
			// Follow spans that run on past midnight.
			end, off := s.To, 0
			for end == 1440 && off < 7 {
				nd := w[(day+off+1)%7]
				if len(nd) == 0 || nd[0].From != 0 {
					break
				}
				off++
				end = nd[0].To
			}
			if end == 1440 && off >= 7 {
				return Opening{Known: true, Open: true} // 24/7: never closes
			}
			return Opening{Known: true, Open: true, Next: local(off, end)}
		}
	}
	for off := 0; off <= 7; off++ {
		for _, s := range w[(day+off)%7] {
			if off == 0 && s.From <= m {
				continue
			}
			return Opening{Known: true, Next: local(off, s.From)}
		}
	}
	return Opening{Known: true}
}
