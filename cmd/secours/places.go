package main

import (
	"flag"
	"fmt"
	"io"
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
  secours places coverage [-country BE|FR] [-profile P] [-need N] [-lang L] [-localities] [-csv] [-redis-url URL]
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

// placesFlagsOK prints the first of errs (checks of cmd's flags); false
// if there was one.
func placesFlagsOK(stderr io.Writer, cmd string, errs ...error) bool {
	for _, e := range errs {
		if e != nil {
			fmt.Fprintf(stderr, "%s: %v\n", cmd, e)
			return false
		}
	}
	return true
}

// placesOpen opens the embedded directory for cmd; false (the error
// printed) if it cannot.
func placesOpen(stderr io.Writer, cmd string) (*geo.Directory, bool) {
	d, err := geo.Open(configs.FS)
	if err != nil {
		fmt.Fprintf(stderr, "%s: %v\n", cmd, err)
		return nil, false
	}
	return d, true
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
	if !placesFlagsOK(stderr, "places near",
		placesOneOf("profile", q.Profile, "autonome", "proche_autonomie", "grand_debutant", "besoin_assistance"),
		placesOneOf("need", q.Need, "procedure", "banking", "job", "health", "family", "learning", "other"),
		placesOneOf("lang", q.Lang, "fr", "nl"),
		placesOneOf("barrier", q.Barrier, "none", "body", "memory", "skip"),
	) {
		return 2
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
	d, ok := placesOpen(stderr, "places near")
	if !ok {
		return 1
	}
	return geoimport.Near(stdout, stderr, d, strings.Join(pos, " "), *commune, q, now)
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
	return geoimport.ImportFiles(stdout, stderr, *out, *fresh, *strict, files)
}

func placesCheck(args []string, stdout, stderr io.Writer) int {
	if len(args) > 0 {
		fmt.Fprintf(stderr, "places check: takes no arguments\n")
		return 2
	}
	start := time.Now()
	d, ok := placesOpen(stderr, "places check")
	if !ok {
		return 1
	}
	fmt.Fprintf(stdout, "loaded in %v\n", time.Since(start).Round(time.Millisecond))
	// flows decides who receives a referral; an offline check knows no linked chat.
	return geoimport.Check(stdout, stderr, d, flows.Linked(nil).Receives)
}
