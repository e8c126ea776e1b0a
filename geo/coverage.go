package geo

import (
	"cmp"
	"slices"
	"strconv"
)

// Reach is what a person gets from Match, for coverage counts (issue 15
// item 7), from the best to the worst.
type Reach uint8

// The reaches. A place "that fits" passes the hard filter (FitFull) and is
// not a CPAS/OCMW; the person's own CPAS/OCMW and France services shown
// because nothing else helps (FitFranceServices) count as ReachOwn.
const (
	ReachNear5   Reach = iota // a place that fits within 5 km
	ReachNear15               // … within 15 km
	ReachNear30               // … within 30 km
	ReachPartial              // only a partial fit (D.3.7 a)
	ReachOwn                  // only the own CPAS/OCMW, or France services (D.3.7 b)
	ReachNothing              // remote help and the phone lines only
	NumReach
)

var reachNames = [NumReach]string{"5km", "15km", "30km", "partial", "own", "nothing"}

// String is the reach's short name, as the coverage CSV writes it.
func (r Reach) String() string {
	if r < NumReach {
		return reachNames[r]
	}
	return "reach(" + strconv.Itoa(int(r)) + ")"
}

// ReachOf says what a Result gives a person.
func ReachOf(res Result) Reach {
	best := ReachNothing
	for _, m := range res.Matches {
		r := ReachOwn
		switch {
		case m.Place.Kind() == KindCPAS || m.Fit == FitOwnCPAS || m.Fit == FitFranceServices:
		case m.Fit == FitPartial:
			r = ReachPartial
		case m.KM <= 5:
			r = ReachNear5
		case m.KM <= nearKM:
			r = ReachNear15
		default:
			r = ReachNear30
		}
		best = min(best, r)
	}
	return best
}

// CoverageQuery asks what every postcode (or every locality) of one
// country gets, for some profiles and one need.
type CoverageQuery struct {
	Country  Country
	Profiles []string
	Need     string
	Lang     string
	// Localities: one case per locality of the postcode table (at its own
	// point, as "59000 Lille" locates) instead of one per postcode (at
	// the postcode's centre). France's communes are its localities.
	Localities bool
}

// CoverageCase is what one person gets: a postcode (or a locality) and
// a profile, with a default person (equipped, connected, reads text, no
// barrier).
type CoverageCase struct {
	Postcode, Name   string
	Region, Province string
	Profile          string
	Reach            Reach
	Place            *Place  // the first place shown, nil for ReachNothing
	KM               float64 // to Place; 0 when Place.NoPoint
	// Email: one of the places shown has an e-mail address, so it can
	// receive a referral. Chats linked to a structure live in the store,
	// not in the directory: they are not counted.
	Email bool
}

// Coverage runs Match for every postcode (or locality) of q.Country and
// every profile of q.Profiles, in postcode order.
func (d *Directory) Coverage(q CoverageQuery) []CoverageCase {
	var out []CoverageCase
	seen := make(map[string]bool)
	for _, r := range d.pcs {
		if r.Country != q.Country {
			continue
		}
		var loc Location
		if q.Localities {
			loc = Location{Point: r.Point, Country: r.Country, Postcode: r.Postcode, Commune: r.Name, Approx: true}
		} else {
			if seen[r.Postcode] {
				continue
			}
			seen[r.Postcode] = true
			var err error
			if loc, err = d.locatePostcode(r.Postcode, r.Postcode, ""); err != nil {
				continue // a postcode the table lists always locates
			}
		}
		// A location with several communes is asked which one: each
		// answer is a person, and the case is the worst of them.
		locs := []Location{loc}
		if loc.NIS == "" && len(loc.Communes) >= 2 {
			locs = locs[:0]
			for _, cm := range loc.Communes {
				if l, err := d.InCommune(loc, cm.NIS); err == nil {
					locs = append(locs, l)
				}
			}
		}
		region, province := d.areaOf(locs[0])
		for _, p := range q.Profiles {
			c := CoverageCase{Postcode: loc.Postcode, Name: loc.Commune, Region: region, Province: province,
				Profile: p, Reach: ReachNear5}
			for k, l := range locs {
				res := d.Match(Query{At: l, Profile: p, Need: q.Need, Equipment: 2, Connectivity: 2, Barrier: "none", Lang: q.Lang})
				r := ReachOf(res)
				if k > 0 && r <= c.Reach {
					continue
				}
				c.Reach, c.Place, c.KM, c.Email = r, nil, 0, false
				if len(res.Matches) > 0 {
					c.Place, c.KM = res.Matches[0].Place, res.Matches[0].KM
					if c.Place.NoPoint {
						c.KM = 0
					}
				}
				for _, m := range res.Matches {
					c.Email = c.Email || m.Place.Email != ""
				}
			}
			out = append(out, c)
		}
	}
	slices.SortStableFunc(out, func(a, b CoverageCase) int {
		return cmp.Or(cmp.Compare(a.Postcode, b.Postcode), cmp.Compare(a.Name, b.Name))
	})
	return out
}

// CoverageRow counts the cases of one profile in one region and province
// ("" for the region's or the country's total).
type CoverageRow struct {
	Profile, Region, Province string
	Total                     int
	Reach                     [NumReach]int
	Email                     int
}

// TallyCoverage counts cases by profile, region and province, with each
// region's total and the country's total, in profile order (as first
// met), then region and province order, totals last.
func TallyCoverage(cases []CoverageCase) []CoverageRow {
	type key struct{ profile, region, province string }
	rows := make(map[key]*CoverageRow)
	var profiles []string
	add := func(k key, c *CoverageCase) {
		r := rows[k]
		if r == nil {
			r = &CoverageRow{Profile: k.profile, Region: k.region, Province: k.province}
			rows[k] = r
		}
		r.Total++
		r.Reach[c.Reach]++
		if c.Email {
			r.Email++
		}
	}
	for i := range cases {
		c := &cases[i]
		if !slices.Contains(profiles, c.Profile) {
			profiles = append(profiles, c.Profile)
		}
		add(key{c.Profile, c.Region, c.Province}, c)
		add(key{c.Profile, c.Region, ""}, c)
		add(key{c.Profile, "", ""}, c)
	}
	out := make([]CoverageRow, 0, len(rows))
	for _, r := range rows {
		out = append(out, *r)
	}
	last := func(s string) int { // totals after the rows they sum
		if s == "" {
			return 1
		}
		return 0
	}
	slices.SortFunc(out, func(a, b CoverageRow) int {
		return cmp.Or(
			cmp.Compare(slices.Index(profiles, a.Profile), slices.Index(profiles, b.Profile)),
			cmp.Compare(last(a.Region), last(b.Region)), cmp.Compare(a.Region, b.Region),
			cmp.Compare(last(a.Province), last(b.Province)), cmp.Compare(a.Province, b.Province))
	})
	return out
}
