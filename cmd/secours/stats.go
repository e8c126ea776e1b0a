package main

import (
	"context"
	"flag"
	"fmt"
	"io"
	"time"

	"github.com/secours/secours/configs"
	"github.com/secours/secours/flows"
	"github.com/secours/secours/internal/cli"
	"github.com/secours/secours/store/redis"
	"github.com/secours/secours/web/observatory"
)

const statsUsage = `Usage:
  secours stats [-from 2026-01] [-to 2026-12] [-area BE:Antwerpen] [-csv] [-lang fr]
  secours stats token

The first form prints the needs observatory's anonymous counts per
commune and month, as the observatory's page shows them: counts under 5
are hidden ("<5"), and so is whatever would give one away by subtraction.
Without -from and -to: the last 12 months. -csv writes the CSV of the
page's export (UTF-8 with BOM, ";" separated, for Excel). The counts are
read from Redis (REDIS_URL), where the bot records them.

"secours stats token" prints a new token for the observatory's page,
/obs/<token>, and the line that configures the server with its SHA-256:
the server never holds the token itself. Giving a new hash to the server
stops the old token.

Flags:
`

// runStats is "secours stats …".
func runStats(args []string, stdout, stderr io.Writer, getenv func(string) string) int {
	if len(args) > 0 && args[0] == "token" {
		return runStatsToken(args[1:], stdout, stderr, getenv)
	}
	fs := flag.NewFlagSet("secours stats", flag.ContinueOnError)
	fs.SetOutput(stderr)
	from := fs.String("from", "", "first month, YYYY-MM; default: 11 months before -to")
	to := fs.String("to", "", "last month, YYYY-MM; default: this month")
	area := fs.String("area", "", `one commune: country code, colon, name ("BE:Antwerpen"); default: all`)
	asCSV := fs.Bool("csv", false, "write CSV (for Excel) instead of a table")
	lang := fs.String("lang", "fr", "language of the labels: fr or nl")
	// Not the default of -redis-url: a URL may hold a password, and the
	// usage prints defaults.
	redisURL := fs.String("redis-url", "", "Redis URL of the bot's store [REDIS_URL]")
	// Tests read their own keys; not for people, so not in the usage.
	prefix := fs.String("redis-prefix", "", "")
	fs.Usage = func() {
		fmt.Fprint(stderr, statsUsage)
		shown := flag.NewFlagSet("", flag.ContinueOnError)
		shown.SetOutput(stderr)
		fs.VisitAll(func(f *flag.Flag) {
			if f.Name != "redis-prefix" {
				shown.Var(f.Value, f.Name, f.Usage)
			}
		})
		shown.PrintDefaults()
	}
	if code, ok := cli.Parse(fs, args, 2); !ok {
		return code
	}
	if fs.NArg() > 0 {
		fs.Usage()
		return 2
	}
	l := flows.Lang(*lang)
	if l != flows.FR && l != flows.NL {
		fmt.Fprintf(stderr, "secours stats: -lang %q: want fr or nl\n", *lang)
		return 2
	}
	filter, err := observatory.ParseFilter(*from, *to, *area, time.Now())
	if err != nil {
		fmt.Fprintln(stderr, "secours stats:", observatory.RangeProblem(err))
		return 2
	}
	u := *redisURL
	if u == "" {
		u = getenv("REDIS_URL")
	}
	if u == "" {
		fmt.Fprintln(stderr, "secours stats: REDIS_URL is not set. The counts are kept where the bot runs; "+
			"without Redis they live in the bot process's memory and end with it, so this command would read none.")
		return 2
	}

	ctx, cancel := context.WithTimeout(context.Background(), time.Minute)
	defer cancel()
	st, err := redis.Open(ctx, u, redis.Options{Prefix: *prefix})
	if err != nil {
		fmt.Fprintln(stderr, "secours stats: REDIS_URL:", err)
		return 1
	}
	defer st.Close()
	cells, err := st.Counts(ctx, filter.From, filter.To)
	if err != nil {
		fmt.Fprintln(stderr, "secours stats:", err)
		return 1
	}
	cats, err := flows.LoadCatalogs(configs.FS)
	if err != nil {
		fmt.Fprintln(stderr, "secours stats:", err)
		return 1
	}
	words, err := observatory.LoadWords(configs.FS, cats)
	if err != nil {
		fmt.Fprintln(stderr, "secours stats:", err)
		return 1
	}
	if err := observatory.Print(stdout, cells, filter, words[l], *asCSV); err != nil {
		fmt.Fprintln(stderr, "secours stats:", err)
		return 1
	}
	return 0
}

// runStatsToken is "secours stats token": the token on the first line
// and the server's setting on the second, so that a script can take
// either; the explanation goes to stderr.
func runStatsToken(args []string, stdout, stderr io.Writer, getenv func(string) string) int {
	if len(args) > 0 {
		fmt.Fprint(stderr, statsUsage)
		if args[0] == "help" || args[0] == "-h" || args[0] == "--help" {
			return 0
		}
		return 2
	}
	observatory.PrintToken(stdout, stderr, getenv("BASE_URL"))
	return 0
}
