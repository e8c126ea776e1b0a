package geoimport

import (
	"encoding/csv"
	"fmt"
	"io"
	"strconv"
	"strings"
	"text/tabwriter"

	"github.com/secours/secours/geo"
)

// Coverage is "secours places coverage" once its flags are read: for
// each country, what a person of every postcode (or locality) gets for
// q, as a table by profile, region and province or, asCSV, one CSV row
// per case.
func Coverage(w io.Writer, d *geo.Directory, countries []geo.Country, q geo.CoverageQuery, asCSV bool) error {
	var cw *csv.Writer
	if asCSV {
		cw = csv.NewWriter(w)
		cw.Write([]string{"country", "postcode", "name", "region", "province", "profile", "reach", "km", "place", "email"})
	}
	for _, c := range countries {
		q.Country = c
		cases := d.Coverage(q)
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
		coverageTable(w, c, q.Need, q.Localities, geo.TallyCoverage(cases))
	}
	if cw != nil {
		cw.Flush()
		return cw.Error()
	}
	return nil
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
