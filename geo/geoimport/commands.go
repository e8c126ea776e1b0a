package geoimport

import (
	"errors"
	"fmt"
	"io"
	"io/fs"
	"maps"
	"os"
	"slices"

	"github.com/secours/secours/geo"
)

// ImportFiles is "secours places import": it imports files into the
// directory in out (or, fresh, into an empty one), writes it there, and
// prints the issues and counts. strict makes a rejected row exit 1. It
// returns the command's exit code.
func ImportFiles(stdout, stderr io.Writer, out string, fresh, strict bool, files []string) int {
	var base *geo.Directory
	if !fresh {
		var err error
		base, err = geo.OpenDir(os.DirFS(out), ".")
		if err != nil && !errors.Is(err, fs.ErrNotExist) {
			fmt.Fprintf(stderr, "places import: %v\n", err)
			return 1
		}
	}
	var src []SourceFile
	for _, f := range files {
		b, err := os.ReadFile(f)
		if err != nil {
			fmt.Fprintf(stderr, "places import: %v\n", err)
			return 1
		}
		src = append(src, SourceFile{Name: f, Data: b})
	}
	d, issues, err := Import(base, src)
	if err != nil {
		printIssues(stderr, issues)
		fmt.Fprintf(stderr, "places import: %v (nothing written)\n", err)
		return 1
	}
	errs, warns := printIssues(stderr, issues)
	if err := WriteDir(d, out); err != nil {
		fmt.Fprintf(stderr, "places import: %v\n", err)
		return 1
	}
	printCounts(stdout, d)
	fmt.Fprintf(stdout, "%d rows rejected, %d warnings; written to %s\n", errs, warns, out)
	if strict && errs > 0 {
		return 1
	}
	return 0
}

// Check is "secours places check" once d is open: Validate's issues, the
// counts, and per country and source the places that receives (a
// referral channel) says no referral reaches. It returns the exit code:
// 1 if a row was rejected.
func Check(stdout, stderr io.Writer, d *geo.Directory, receives func(*geo.Place) bool) int {
	errs, warns := printIssues(stderr, Validate(d))
	printCounts(stdout, d)
	printChannels(stdout, d, receives)
	fmt.Fprintf(stdout, "%d rows rejected, %d warnings\n", errs, warns)
	if errs > 0 {
		return 1
	}
	return 0
}

// printIssues prints every issue and counts rejected rows (a row can have
// several errors) and warnings.
func printIssues(w io.Writer, issues []geo.Issue) (rejected, warns int) {
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

func printCounts(w io.Writer, d *geo.Directory) {
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
		for _, k := range slices.Sorted(maps.Keys(m)) {
			fmt.Fprintf(w, "  %-60s %6d\n", k, m[k])
		}
	}
	section("postcodes per country", pcs)
	section("places per country", byCountry)
	section("places per source", bySource)
	section("places per service (country, service)", byService)
	section("service tags from", byTag)
}

// printChannels counts, per country and source, the places that cannot
// receive a referral by e-mail (issue 15). Only a Telegram chat linked
// with "/structure CODE", which the store knows and this command does
// not read, can reach them; until then the bot gives their persons the
// hand-over card instead of a referral.
func printChannels(w io.Writer, d *geo.Directory, receives func(*geo.Place) bool) {
	none, all := map[string]int{}, map[string]int{}
	for _, p := range d.Places() {
		k := string(p.Country) + "  " + p.Source
		all[k]++
		if !receives(p) {
			none[k]++
		}
	}
	fmt.Fprintln(w, "places without a referral channel (no e-mail; a chat linked with /structure still receives), of all:")
	for _, k := range slices.Sorted(maps.Keys(all)) {
		fmt.Fprintf(w, "  %-60s %6d of %d\n", k, none[k], all[k])
	}
}
