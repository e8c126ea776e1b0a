package network

import (
	"context"
	"fmt"
	"slices"
	"strconv"
	"strings"
	"time"

	"github.com/secours/secours/geo"
	"github.com/secours/secours/text"
)

// MaxClosures bounds the closures of one card: a year of holidays and
// works fits.
const MaxClosures = 20

// Card is the place's current correctable fields, as the bot uses them:
// its network's or the embedded directory's, with its own edits.
func (s *Service) Card(ctx context.Context, placeID string) (Card, error) {
	if err := s.Refresh(ctx); err != nil {
		s.log.Warn("network refresh", "err", err)
	}
	p, ok := s.live.Place(placeID)
	if !ok {
		return Card{}, fmt.Errorf("network card: %w", ErrNotOwner)
	}
	return cardOf(p), nil
}

func cardOf(p *geo.Place) Card {
	c := Card{Hours: p.Hours, Phone: p.Phone, Email: p.Email, TempClosed: p.TempClosed,
		Services: slices.Clone(p.Services), Langs: slices.Clone(p.Langs), Accessibility: slices.Clone(p.SpecificCare)}
	for _, cl := range p.Closures {
		c.Closures = append(c.Closures, Closure{From: cl.From, To: cl.To, Note: cl.Note})
	}
	return c
}

// applyCard sets p's correctable fields to c's.
func applyCard(p *geo.Place, c Card) {
	p.Hours, p.Phone, p.Email, p.TempClosed = c.Hours, c.Phone, c.Email, c.TempClosed
	p.Services, p.Langs, p.SpecificCare = slices.Clone(c.Services), slices.Clone(c.Langs), slices.Clone(c.Accessibility)
	p.Closures = nil
	for _, cl := range c.Closures {
		p.Closures = append(p.Closures, geo.Closure{From: cl.From, To: cl.To, Note: cl.Note})
	}
}

// Edit saves a structure's correction of its card and returns what
// changed. A card with problems is refused whole (*EditError, in the
// place's language, text.PlaceLang); the bot uses the new card at once.
func (s *Service) Edit(ctx context.Context, placeID string, c Card) ([]FieldChange, error) {
	p, ok := s.live.Place(placeID)
	if !ok {
		return nil, fmt.Errorf("network edit: %w", ErrNotOwner)
	}
	c, probs := normalise(c, p.Country)
	if len(probs) > 0 {
		lang := text.PlaceLang(string(p.Country), p.Langs)
		return nil, &EditError{Problems: words(s.texts, string(lang), probs)}
	}
	changes := cardChanges(cardOf(p), c)
	now := s.now()
	audit := Change{At: now, PlaceID: placeID, By: "structure:" + placeID, What: "edit", Fields: changes}
	if err := s.st.Edit(ctx, p.Source, placeID, Edited{Card: c, At: now}, audit); err != nil {
		return nil, fmt.Errorf("network edit: %w", err)
	}
	s.log.Info("card edited", "fields", len(changes))
	if err := s.Refresh(ctx); err != nil {
		s.log.Warn("network refresh", "err", err)
	}
	return changes, nil
}

// normalise checks a card and puts it in the form the directory keeps
// (phone spaced, lists deduplicated, closures at midnight, in order).
func normalise(c Card, country geo.Country) (Card, []problem) {
	var probs []problem
	bad := func(field, kind string, args ...string) {
		probs = append(probs, problem{field: field, kind: kind, args: args, blocking: true})
	}
	c.Hours = strings.TrimSpace(c.Hours)
	if c.Hours != "" {
		if _, err := geo.ParseHours(c.Hours); err != nil {
			bad("horaires", "hours", "value", c.Hours)
		}
	}
	if ph, ok := geo.CheckPhone(strings.TrimSpace(c.Phone), country); ok {
		c.Phone = ph
	} else {
		bad("telephone", "phone", "value", c.Phone)
	}
	c.Email = strings.TrimSpace(c.Email)
	if c.Email != "" && !geo.CheckEmail(c.Email) {
		bad("courriels", "email", "value", c.Email)
	}
	list := func(field string, in []string) []string {
		var out []string
		for _, v := range in {
			v = strings.TrimSpace(v)
			switch {
			case v == "" || slices.Contains(out, v):
			case !slices.Contains(geo.Vocabulary(field), v):
				bad(field, "unknown_choice", "value", v)
			default:
				out = append(out, v)
			}
		}
		return out
	}
	c.Services = list("services", c.Services)
	c.Langs = list("langues", c.Langs)
	c.Accessibility = list("prise_en_charge_specifique", c.Accessibility)
	if len(c.Closures) > MaxClosures {
		bad("fermetures", "closures_many", "max", strconv.Itoa(MaxClosures))
	}
	for i, cl := range c.Closures {
		cl.From, cl.To = midnight(cl.From), midnight(cl.To)
		cl.Note = strings.TrimSpace(cl.Note)
		if cl.From.IsZero() || cl.To.Before(cl.From) {
			bad("fermetures", "closure_order")
		}
		c.Closures[i] = cl
	}
	slices.SortFunc(c.Closures, func(a, b Closure) int { return a.From.Compare(b.From) })
	return c, probs
}

func midnight(t time.Time) time.Time {
	if t.IsZero() {
		return t
	}
	return time.Date(t.Year(), t.Month(), t.Day(), 0, 0, 0, 0, time.UTC)
}

// cardChanges names each field of the card that differs, in the
// standard's column names.
func cardChanges(old, next Card) []FieldChange {
	var out []FieldChange
	add := func(field, a, b string) {
		if a != b {
			out = append(out, FieldChange{Field: field, Old: a, New: b})
		}
	}
	add("horaires", old.Hours, next.Hours)
	add("fermetures", closuresText(old.Closures), closuresText(next.Closures))
	add("telephone", old.Phone, next.Phone)
	add("courriels", old.Email, next.Email)
	add("services", strings.Join(old.Services, "|"), strings.Join(next.Services, "|"))
	add("langues", strings.Join(old.Langs, "|"), strings.Join(next.Langs, "|"))
	add("prise_en_charge_specifique", strings.Join(old.Accessibility, "|"), strings.Join(next.Accessibility, "|"))
	add("fermeture_temporaire", strconv.FormatBool(old.TempClosed), strconv.FormatBool(next.TempClosed))
	return out
}

func closuresText(cs []Closure) string {
	var parts []string
	for _, c := range cs {
		s := c.From.Format(time.DateOnly) + "/" + c.To.Format(time.DateOnly)
		if c.Note != "" {
			s += " " + c.Note
		}
		parts = append(parts, s)
	}
	return strings.Join(parts, "|")
}
