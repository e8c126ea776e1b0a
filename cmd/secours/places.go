package main

import (
	"cmp"
	"errors"
	"flag"
	"fmt"
	"io"
	"io/fs"
	"maps"
	"os"
	"slices"
	"strings"
	"time"

	"github.com/secours/secours/configs"
	"github.com/secours/secours/flows"
	"github.com/secours/secours/geo"
	"github.com/secours/secours/geo/geoimport"
)

const placesUsage = `usage:
  secours places near <postcode|commune|lat,lon> [-profile P] [-need N] [-lang L]
                      [-e 0..2] [-c 0..2] [-r 0..2] [-barrier B] [-at RFC3339] [-commune NIS]
  secours places import [-out DIR] [-new] [-strict] FILE...
  secours places check
  secours places coverage [-country BE|FR] [-profile P] [-need N] [-lang L] [-localities] [-csv]
`

// runPlaces is "secours places …": look up, import and check the place
// directory. It returns the process exit code.
func runPlaces(args []string, stdout, stderr io.Writer) int {
	if len(args) == 0 {
		fmt.Fprint(stderr, placesUsage)
		return 2
	}
	switch args[0] {
	case "near":
		return placesNear(args[1:], stdout, stderr)
	case "import":
		return placesImport(args[1:], stdout, stderr)
	case "check":
		return placesCheck(args[1:], stdout, stderr)
	case "coverage":
		return placesCoverage(args[1:], stdout, stderr)
	case "help", "-h", "-help", "--help":
		fmt.Fprint(stdout, placesUsage)
		return 0
	}
	fmt.Fprintf(stderr, "places: unknown command %q\n%s", args[0], placesUsage)
	return 2
}

// placesParseArgs lets flags come after the positional arguments
// ("near 1000 -lang nl"), which the flag package alone does not.
func placesParseArgs(fset *flag.FlagSet, args []string) ([]string, error) {
	var pos []string
	for {
		if err := fset.Parse(args); err != nil {
			return nil, err
		}
		if fset.NArg() == 0 {
			return pos, nil
		}
		pos = append(pos, fset.Arg(0))
		args = fset.Args()[1:]
	}
}

func placesOneOf(name, v string, allowed ...string) error {
	if slices.Contains(allowed, v) {
		return nil
	}
	return fmt.Errorf("-%s %q: want one of %s", name, v, strings.Join(allowed, ", "))
}

func placesNear(args []string, stdout, stderr io.Writer) int {
	fset := flag.NewFlagSet("places near", flag.ContinueOnError)
	fset.SetOutput(stderr)
	var q geo.Query
	at := fset.String("at", "", "time for opening hours, RFC 3339 (default now)")
	fset.StringVar(&q.Profile, "profile", "proche_autonomie", "autonome | proche_autonomie | grand_debutant | besoin_assistance")
	fset.StringVar(&q.Need, "need", "procedure", "procedure | banking | job | health | family | learning | other")
	fset.StringVar(&q.Lang, "lang", "fr", "fr | nl")
	fset.IntVar(&q.Equipment, "e", 2, "equipment score E, 0..2")
	fset.IntVar(&q.Connectivity, "c", 2, "connectivity score C, 0..2")
	fset.IntVar(&q.Reading, "r", 0, "reading support score R, 0..2")
	fset.StringVar(&q.Barrier, "barrier", "none", "none | body | memory | skip")
	commune := fset.String("commune", "", "NIS code of the commune, when the postcode lies in several")
	pos, err := placesParseArgs(fset, args)
	if err != nil {
		return 2
	}
	now := time.Now()
	if *at != "" {
		if now, err = time.Parse(time.RFC3339, *at); err != nil {
			fmt.Fprintf(stderr, "places near: -at: want RFC 3339, e.g. 2025-03-04T10:00:00+01:00\n")
			return 2
		}
	}
	for _, e := range []error{
		placesOneOf("profile", q.Profile, "autonome", "proche_autonomie", "grand_debutant", "besoin_assistance"),
		placesOneOf("need", q.Need, "procedure", "banking", "job", "health", "family", "learning", "other"),
		placesOneOf("lang", q.Lang, "fr", "nl"),
		placesOneOf("barrier", q.Barrier, "none", "body", "memory", "skip"),
	} {
		if e != nil {
			fmt.Fprintf(stderr, "places near: %v\n", e)
			return 2
		}
	}
	for _, s := range []int{q.Equipment, q.Connectivity, q.Reading} {
		if s < 0 || s > 2 {
			fmt.Fprintf(stderr, "places near: -e, -c and -r are scores from 0 to 2\n")
			return 2
		}
	}
	if len(pos) == 0 {
		fmt.Fprintf(stderr, "places near: give a postcode, a commune or lat,lon\n")
		return 2
	}
	d, err := geo.Open(configs.FS)
	if err != nil {
		fmt.Fprintf(stderr, "places near: %v\n", err)
		return 1
	}
	input := strings.Join(pos, " ")
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
			return 1
		}
		if errors.Is(err, geo.ErrOutside) {
			fmt.Fprintf(stderr, "places near: %q is in the sea or outside Belgium and France\n", input)
			return 1
		}
		fmt.Fprintf(stderr, "places near: %v\n", err)
		return 1
	}
	if len(loc.Communes) >= 2 {
		// The bot asks "Vous habitez à … ?"; here -commune answers.
		var names []string
		for _, c := range loc.Communes {
			names = append(names, c.NIS+" "+c.Name(q.Lang))
		}
		if *commune == "" {
			fmt.Fprintf(stdout, "%s %s lies in several communes: %s; choose one with -commune NIS\n", loc.Country, loc.Postcode, strings.Join(names, " · "))
			return 0
		}
		if loc, err = d.InCommune(loc, *commune); err != nil {
			fmt.Fprintf(stderr, "places near: -commune %s: not one of %s\n", *commune, strings.Join(names, " · "))
			return 2
		}
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
		fmt.Fprintf(stdout, "%d. %s  [score %d, %s]\n", i+1, p.Name, m.Score, km)
		fmt.Fprintf(stdout, "   id: %s\n", p.ID) // for secours structure link and secours share
		fmt.Fprintf(stdout, "   %s\n", addr)
		for _, c := range []struct{ k, v string }{{"phone", p.Phone}, {"e-mail", p.Email}, {"web", p.Website}} {
			if c.v != "" {
				fmt.Fprintf(stdout, "   %s: %s\n", c.k, c.v)
			}
		}
		fmt.Fprintf(stdout, "   hours: %s\n", placesHours(p, now))
		fmt.Fprintf(stdout, "   services (%s): %s\n", p.TagSource, strings.Join(p.Services, " | "))
		if m.Fit != geo.FitFull {
			fmt.Fprintf(stdout, "   %s\n", placesFit(w, m))
		}
	}
	return 0
}

// placesFit says why a place that does not fit is shown (D.3.7).
func placesFit(w geo.Wants, m geo.Match) string {
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

func placesHours(p *geo.Place, now time.Time) string {
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

func placesImport(args []string, stdout, stderr io.Writer) int {
	fset := flag.NewFlagSet("places import", flag.ContinueOnError)
	fset.SetOutput(stderr)
	out := fset.String("out", "configs/places", "directory to merge into and write")
	fresh := fset.Bool("new", false, "start from an empty directory instead of merging into -out")
	strict := fset.Bool("strict", false, "exit 1 if any row was rejected")
	files, err := placesParseArgs(fset, args)
	if err != nil {
		return 2
	}
	if len(files) == 0 {
		fmt.Fprintf(stderr, "places import: give at least one file\n")
		return 2
	}
	var base *geo.Directory
	if !*fresh {
		base, err = geo.OpenDir(os.DirFS(*out), ".")
		if err != nil && !errors.Is(err, fs.ErrNotExist) {
			fmt.Fprintf(stderr, "places import: %v\n", err)
			return 1
		}
	}
	var src []geoimport.SourceFile
	for _, f := range files {
		b, err := os.ReadFile(f)
		if err != nil {
			fmt.Fprintf(stderr, "places import: %v\n", err)
			return 1
		}
		src = append(src, geoimport.SourceFile{Name: f, Data: b})
	}
	d, issues, err := geoimport.Import(base, src)
	if err != nil {
		placesPrintIssues(stderr, issues)
		fmt.Fprintf(stderr, "places import: %v (nothing written)\n", err)
		return 1
	}
	errs, warns := placesPrintIssues(stderr, issues)
	if err := geoimport.WriteDir(d, *out); err != nil {
		fmt.Fprintf(stderr, "places import: %v\n", err)
		return 1
	}
	placesPrintCounts(stdout, d)
	fmt.Fprintf(stdout, "%d rows rejected, %d warnings; written to %s\n", errs, warns, *out)
	if *strict && errs > 0 {
		return 1
	}
	return 0
}

// placesPrintIssues prints every issue and counts rejected rows (a row can have
// several errors) and warnings.
func placesPrintIssues(w io.Writer, issues []geo.Issue) (rejected, warns int) {
	type row struct {
		file string
		line int
	}
	seen := make(map[row]bool)
	for _, is := range issues {
		fmt.Fprintln(w, is)
		if is.Warning {
			warns++
			continue
		}
		if k := (row{is.File, is.Line}); !seen[k] || is.Line == 0 {
			seen[k] = true
			rejected++
		}
	}
	return rejected, warns
}

func placesCheck(args []string, stdout, stderr io.Writer) int {
	if len(args) > 0 {
		fmt.Fprintf(stderr, "places check: takes no arguments\n")
		return 2
	}
	start := time.Now()
	d, err := geo.Open(configs.FS)
	if err != nil {
		fmt.Fprintf(stderr, "places check: %v\n", err)
		return 1
	}
	fmt.Fprintf(stdout, "loaded in %v\n", time.Since(start).Round(time.Millisecond))
	errs, warns := placesPrintIssues(stderr, geoimport.Validate(d))
	placesPrintCounts(stdout, d)
	placesPrintChannels(stdout, d)
	fmt.Fprintf(stdout, "%d rows rejected, %d warnings\n", errs, warns)
	if errs > 0 {
		return 1
	}
	return 0
}

func placesPrintCounts(w io.Writer, d *geo.Directory) {
	byCountry := map[string]int{}
	bySource := map[string]int{}
	byService := map[string]int{}
	byTag := map[string]int{}
	for _, p := range d.Places() {
		byCountry[string(p.Country)]++
		bySource[p.Source]++
		byTag[p.TagSource]++
		for _, s := range p.Services {
			byService[string(p.Country)+"  "+s]++
		}
	}
	pcs := map[string]int{}
	for c, n := range d.PostcodeCount() {
		pcs[string(c)] = n
	}
	section := func(title string, m map[string]int) {
		fmt.Fprintf(w, "%s:\n", title)
		for _, k := range slices.SortedFunc(maps.Keys(m), func(a, b string) int { return cmp.Compare(a, b) }) {
			fmt.Fprintf(w, "  %-60s %6d\n", k, m[k])
		}
	}
	section("postcodes per country", pcs)
	section("places per country", byCountry)
	section("places per source", bySource)
	section("places per service (country, service)", byService)
	section("service tags from", byTag)
}

// placesPrintChannels counts, per country and source, the places that
// cannot receive a referral by e-mail (issue 15). Only a Telegram chat
// linked with "/structure CODE", which the store knows and this command
// does not read, can reach them; until then the bot gives their persons
// the hand-over card instead of a referral.
func placesPrintChannels(w io.Writer, d *geo.Directory) {
	none, all := map[string]int{}, map[string]int{}
	for _, p := range d.Places() {
		k := string(p.Country) + "  " + p.Source
		all[k]++
		if !flows.Linked(nil).Receives(p) {
			none[k]++
		}
	}
	fmt.Fprintln(w, "places without a referral channel (no e-mail; a chat linked with /structure still receives), of all:")
	for _, k := range slices.Sorted(maps.Keys(all)) {
		fmt.Fprintf(w, "  %-60s %6d of %d\n", k, none[k], all[k])
	}
}
