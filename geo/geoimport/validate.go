package geoimport

import (
	"fmt"

	"github.com/secours/secours/geo"
)

// Validate redoes on a loaded directory the checks that Open skips for
// speed: every place within 25 km of a known postcode, in the country of
// its postcode, and a known postcode. It returns Open's issues too.
func Validate(d *geo.Directory) []geo.Issue {
	issues := d.Issues()
	for _, p := range d.Contents().Places {
		add := func(field, format string, a ...any) {
			issues = append(issues, geo.Issue{File: p.Source, Field: field, Msg: p.ID + ": " + fmt.Sprintf(format, a...)})
		}
		if c, known := d.PostcodeCountry(p.Postcode); !known {
			// A warning, as at import: the France services list has INSEE
			// codes in a few postcode cells, and the point is still right.
			issues = append(issues, geo.Issue{File: p.Source, Field: "code_postal", Warning: true,
				Msg: fmt.Sprintf("%s: postcode %s is not in the postcode table", p.ID, p.Postcode)})
		} else if c != p.Country {
			add("code_postal", "postcode %s is in %s, the place in %s", p.Postcode, c, p.Country)
		}
		if loc, err := d.LocatePoint(p.Point); err != nil {
			add("latitude/longitude", "more than %d km from every known postcode", geo.OutsideKM)
		} else if loc.Country != p.Country {
			issues = append(issues, geo.Issue{File: p.Source, Field: "latitude/longitude", Warning: true,
				Msg: fmt.Sprintf("%s: the point is in %s, the postcode in %s", p.ID, loc.Country, p.Country)})
		}
	}
	return issues
}
