package geoimport

import (
	"errors"
	"fmt"
	"io"
	"strings"
	"time"

	"github.com/secours/secours/geo"
)

// Near is "secours places near": it locates input as the bot does, asks
// for commune (a NIS code) when the postcode lies in several, and prints
// the places matched for q, with their opening at now. It returns the
// command's exit code.
func Near(stdout, stderr io.Writer, d *geo.Directory, input, commune string, q geo.Query, now time.Time) int {
	loc, code, ok := nearLocate(stdout, stderr, d, input, commune, q.Lang)
	if !ok {
		return code
	}
	q.At = loc
	approx := ""
	if loc.Approx {
		approx = ", centroid"
	}
	fmt.Fprintf(stdout, "%s %s %s (%.4f, %.4f%s)\n", loc.Country, loc.Postcode, loc.Commune, loc.Point.Lat, loc.Point.Lon, approx)
	res := d.Match(q)
	w := geo.Want(q)
	fmt.Fprintf(stdout, "wants: base %q, modalities %s\n", w.Base, strings.Join(w.Modalities, " > "))
	switch {
	case res.Partial && res.Filtered > 0:
		fmt.Fprintf(stdout, "%d %s within %.0f km, none offering %q\n", res.Filtered, map[bool]string{true: "place", false: "places"}[res.Filtered == 1], res.RadiusKM, w.Base)
	case res.Partial:
		fmt.Fprintf(stdout, "no place within %.0f km\n", res.RadiusKM)
	}
	switch {
	case res.Fallback:
		fmt.Fprintf(stdout, "offer remote help (À distance) and the phone lines\n")
		return 0
	case res.Partial:
		fmt.Fprintf(stdout, "the nearest help we know, not a perfect fit (then remote help and the phone lines):\n")
	default:
		fmt.Fprintf(stdout, "within %.0f km:\n", res.RadiusKM)
	}
	for i, m := range res.Matches {
		printMatch(stdout, i+1, w, m, now)
	}
	return 0
}

// nearLocate geocodes input, narrowed to commune when it lies in several.
// ok is false when the command ends here, with exit code code.
func nearLocate(stdout, stderr io.Writer, d *geo.Directory, input, commune, lang string) (loc geo.Location, code int, ok bool) {
	loc, err := d.Locate(input)
	if err != nil {
		if nf, ok := errors.AsType[*geo.NotFoundError](err); ok {
			what := "unknown postcode or commune"
			if nf.Ambiguous {
				what = "several communes have this name"
			}
			fmt.Fprintf(stderr, "places near: %s: %q\n", what, input)
			if len(nf.Suggestions) > 0 {
				fmt.Fprintf(stderr, "  did you mean: %s\n", strings.Join(nf.Suggestions, " · "))
			}
			return loc, 1, false
		}
		if errors.Is(err, geo.ErrOutside) {
			fmt.Fprintf(stderr, "places near: %q is in the sea or outside Belgium and France\n", input)
			return loc, 1, false
		}
		fmt.Fprintf(stderr, "places near: %v\n", err)
		return loc, 1, false
	}
	if len(loc.Communes) < 2 {
		return loc, 0, true
	}
	// The bot asks "Vous habitez à … ?"; here -commune answers.
	var names []string
	for _, c := range loc.Communes {
		names = append(names, c.NIS+" "+c.Name(lang))
	}
	if commune == "" {
		fmt.Fprintf(stdout, "%s %s lies in several communes: %s; choose one with -commune NIS\n", loc.Country, loc.Postcode, strings.Join(names, " · "))
		return loc, 0, false
	}
	if loc, err = d.InCommune(loc, commune); err != nil {
		fmt.Fprintf(stderr, "places near: -commune %s: not one of %s\n", commune, strings.Join(names, " · "))
		return loc, 2, false
	}
	return loc, 0, true
}

// printMatch prints the n-th place matched.
func printMatch(w io.Writer, n int, want geo.Wants, m geo.Match, now time.Time) {
	p := m.Place
	km := fmt.Sprintf("%.1f km", m.KM)
	if m.Approx {
		km = "≈ " + km
	}
	if m.CrossBorder {
		km += ", across the border"
	}
	addr := fmt.Sprintf("%s, %s %s", p.Address, p.Postcode, p.Commune)
	if p.NoPoint {
		// Its point is only the commune's seat: no distance, no street.
		km = "the person's commune"
		addr = "no street known: the commune's reception gives the address (" + p.Commune + ")"
	}
	fmt.Fprintf(w, "%d. %s  [score %d, %s]\n", n, p.Name, m.Score, km)
	fmt.Fprintf(w, "   id: %s\n", p.ID) // for secours structure link and secours share
	fmt.Fprintf(w, "   %s\n", addr)
	for _, c := range []struct{ k, v string }{{"phone", p.Phone}, {"e-mail", p.Email}, {"web", p.Website}} {
		if c.v != "" {
			fmt.Fprintf(w, "   %s: %s\n", c.k, c.v)
		}
	}
	fmt.Fprintf(w, "   hours: %s\n", hours(p, now))
	fmt.Fprintf(w, "   services (%s): %s\n", p.TagSource, strings.Join(p.Services, " | "))
	if m.Fit != geo.FitFull {
		fmt.Fprintf(w, "   %s\n", fit(want, m))
	}
}

// fit says why a place that does not fit is shown (D.3.7).
func fit(w geo.Wants, m geo.Match) string {
	offers, lacks := w.Split(m.Place)
	why := map[geo.Fit]string{geo.FitPartial: "partial fit", geo.FitOwnCPAS: "the commune's own CPAS/OCMW",
		geo.FitFranceServices: "the nearest France services"}[m.Fit]
	if len(offers) > 0 {
		why += "; offers " + strings.Join(offers, ", ")
	}
	if len(lacks) > 0 {
		why += "; not " + strings.Join(lacks, ", ")
	}
	return why
}

// hours is a place's hours and whether it is open at now.
func hours(p *geo.Place, now time.Time) string {
	if p.Hours == "" {
		return "unknown"
	}
	o := p.OpeningAt(now)
	switch {
	case !o.Known:
		return p.Hours + " (as given)"
	case o.Open && o.Next.IsZero():
		return p.Hours + " (open now)"
	case o.Open:
		return fmt.Sprintf("%s (open now, closes %s)", p.Hours, o.Next.Format("Mon 15:04"))
	case o.Next.IsZero():
		return p.Hours + " (closed)"
	}
	return fmt.Sprintf("%s (closed now, opens %s)", p.Hours, o.Next.Format("Mon 15:04"))
}
