package main

import (
	"context"
	"flag"
	"fmt"
	"io"
	"log/slog"
	"strings"

	"github.com/secours/secours/geo"
	"github.com/secours/secours/geo/geoimport"
	"github.com/secours/secours/network"
	"github.com/secours/secours/store/redis"
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
	// Not from REDIS_URL: a URL may hold a password, and the usage prints defaults.
	redisURL := fset.String("redis-url", "", "Redis URL of the bot's store: count the places networks published, "+
		"and list each network's places with when each was last confirmed [REDIS_URL]")
	prefix := fset.String("redis-prefix", "", "key prefix of the bot's store, if not the default [REDIS_PREFIX]")
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
	if !placesFlagsOK(stderr, "places coverage",
		placesOneOf("country", string(countries[0]), "BE", "FR"),
		placesOneOf("profile", profiles[0], coverageProfiles...),
		placesOneOf("need", *need, "procedure", "banking", "job", "health", "family", "learning", "other"),
		placesOneOf("lang", *lang, "fr", "nl"),
	) {
		return 2
	}
	d, ok := placesOpen(stderr, "places coverage")
	if !ok {
		return 1
	}
	var st network.Store
	var svc *network.Service
	if *redisURL != "" {
		ctx := context.Background()
		rs, err := redis.Open(ctx, *redisURL, redis.Options{Prefix: *prefix})
		if err != nil {
			fmt.Fprintf(stderr, "places coverage: %v\n", err)
			return 1
		}
		defer rs.Close()
		live := geo.NewLive(d, nil)
		if svc, err = newNetworks(ctx, rs, d, live, nil, slog.New(slog.DiscardHandler)); err != nil {
			fmt.Fprintf(stderr, "places coverage: %v\n", err)
			return 1
		}
		st, d = rs, live.Dir()
	}
	q := geo.CoverageQuery{Profiles: profiles, Need: *need, Lang: *lang, Localities: *localities}
	if err := geoimport.Coverage(stdout, d, countries, q, *asCSV); err != nil {
		fmt.Fprintf(stderr, "places coverage: %v\n", err)
		return 1
	}
	if svc != nil && !*asCSV {
		if err := printNetworkCoverage(context.Background(), stdout, st, svc); err != nil {
			fmt.Fprintf(stderr, "places coverage: %v\n", err)
			return 1
		}
	}
	return 0
}
