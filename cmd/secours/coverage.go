package main

import (
	"encoding/csv"
	"flag"
	"fmt"
	"io"
	"strconv"
	"strings"
	"text/tabwriter"

	"github.com/secours/secours/configs"
	"github.com/secours/secours/geo"
)

var coverageProfiles = []string{"autonome", "proche_autonomie", "grand_debutant", "besoin_assistance"}

// placesCoverage is "secours places coverage": what a person of every
// postcode gets, by profile, region and province (issue 15 item 7).
func placesCoverage(args []string, stdout, stderr io.Writer) int {
	fset := flag.NewFlagSet("places coverage", flag.ContinueOnError)
	fset.SetOutput(stderr)
	country := fset.String("country", "", "BE | FR (default both)")
	profile := fset.String("profile", "", "one profile (default all four)")
	need := fset.String("need", "procedure", "procedure | banking | job | health | family | learning | other")
	lang := fset.String("lang", "fr", "fr | nl")
	localities := fset.Bool("localities", false, "one case per locality (France: per commune) instead of per postcode")
	asCSV := fset.Bool("csv", false, "one CSV row per case instead of the table")
	if pos, err := placesParseArgs(fset, args); err != nil {
		return 2
	} else if len(pos) > 0 {
		fmt.Fprintf(stderr, "places coverage: unexpected argument %q\n", pos[0])
		return 2
	}
	countries := []geo.Country{geo.BE, geo.FR}
	if *country != "" {
		countries = []geo.Country{geo.Country(strings.ToUpper(*country))}
	}
	profiles := coverageProfiles
	if *profile != "" {
		profiles = []string{*profile}
	}
	for _, e := range []error{
		placesOneOf("country", string(countries[0]), "BE", "FR"),
		placesOneOf("profile", profiles[0], coverageProfiles...),
		placesOneOf("need", *need, "procedure", "banking", "job", "health", "family", "learning", "other"),
		placesOneOf("lang", *lang, "fr", "nl"),
	} {
		if e != nil {
			fmt.Fprintf(stderr, "places coverage: %v\n", e)
			return 2
		}
	}
	d, err := geo.Open(configs.FS)
	if err != nil {
		fmt.Fprintf(stderr, "places coverage: %v\n", err)
		return 1
	}
	var cw *csv.Writer
	if *asCSV {
		cw = csv.NewWriter(stdout)
		cw.Write([]string{"country", "postcode", "name", "region", "province", "profile", "reach", "km", "place", "email"})
	}
	for _, c := range countries {
		cases := d.Coverage(geo.CoverageQuery{Country: c, Profiles: profiles, Need: *need, Lang: *lang, Localities: *localities})
		if cw != nil {
			for _, k := range cases {
				id, km := "", ""
				if k.Place != nil {
					id = k.Place.ID
					if !k.Place.NoPoint {
						km = strconv.FormatFloat(k.KM, 'f', 1, 64)
					}
				}
				cw.Write([]string{string(c), k.Postcode, k.Name, k.Region, k.Province, k.Profile, k.Reach.String(), km, id, strconv.FormatBool(k.Email)})
			}
			continue
		}
		coverageTable(stdout, c, *need, *localities, geo.TallyCoverage(cases))
	}
	if cw != nil {
		cw.Flush()
		if err := cw.Error(); err != nil {
			fmt.Fprintf(stderr, "places coverage: %v\n", err)
			return 1
		}
	}
	return 0
}

// coverageTable prints the tally of one country: counts for each
// province, then each region's and the country's totals with shares.
func coverageTable(w io.Writer, c geo.Country, need string, localities bool, rows []geo.CoverageRow) {
	unit := "postcodes"
	if localities {
		unit = "localities"
	}
	fmt.Fprintf(w, "%s, need %s, by %s. fits: a place (not a CPAS/OCMW) passing the hard filter within 5/15/30 km;\n", c, need, unit)
	fmt.Fprintf(w, "partial: only a partial fit; own: only the commune's CPAS/OCMW or France services; e-mail: a place shown\n")
	fmt.Fprintf(w, "has an e-mail address for referrals (chats linked to a structure are not known offline).\n")
	tw := tabwriter.NewWriter(w, 0, 0, 2, ' ', tabwriter.AlignRight)
	fmt.Fprintln(tw, "profile\tregion\tprovince\ttotal\t≤5 km\t≤15 km\t≤30 km\tpartial\town\tnothing\te-mail\t")
	for _, r := range rows {
		region, province := r.Region, r.Province
		if region == "" {
			region = "all"
		}
		if province == "" {
			province = "all"
		}
		cells := []string{r.Profile, region, province, strconv.Itoa(r.Total)}
		for _, n := range r.Reach {
			cells = append(cells, coverageCell(n, r.Total, r.Province == ""))
		}
		cells = append(cells, coverageCell(r.Email, r.Total, r.Province == ""))
		fmt.Fprintln(tw, strings.Join(cells, "\t")+"\t")
	}
	tw.Flush()
	fmt.Fprintln(w)
}

// coverageCell is a count, with its share of the total on total rows.
func coverageCell(n, total int, share bool) string {
	if !share || total == 0 {
		return strconv.Itoa(n)
	}
	return fmt.Sprintf("%d (%.1f%%)", n, 100*float64(n)/float64(total))
}
