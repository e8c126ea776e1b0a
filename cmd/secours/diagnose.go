package main

import (
	"encoding/json"
	"flag"
	"fmt"
	"io"
	"strings"

	"github.com/secours/secours/flows"
	"github.com/secours/secours/flows/diagnose"
	"github.com/secours/secours/geo"
	"github.com/secours/secours/internal/cli"
)

// runDiagnose runs `secours diagnose`: it classifies answer sets with
// diagnose.One and prints, for each, one JSON line with the profile and
// the services wanted, so that a whole answer table can be checked in one
// run. It returns the exit code: 0, 1 if a stdin line had an error (the
// other lines are still answered), 2 for a usage error or bad -answers.
func runDiagnose(args []string, stdin io.Reader, stdout, stderr io.Writer) int {
	fs := flag.NewFlagSet("diagnose", flag.ContinueOnError)
	fs.SetOutput(stderr)
	answers := fs.String("answers", "", "comma-separated `key=answer` pairs; without it, read JSON lines from standard input")
	fs.Usage = func() { diagnoseUsage(fs) }
	if code, ok := cli.Parse(fs, args, 2); !ok {
		return code
	}
	if fs.NArg() > 0 {
		fmt.Fprintf(stderr, "secours diagnose: unexpected argument %q (answers go in -answers or on standard input)\n", fs.Arg(0))
		return 2
	}
	set := false
	fs.Visit(func(f *flag.Flag) { set = set || f.Name == "answers" })

	enc := json.NewEncoder(stdout)
	enc.SetEscapeHTML(false) // read by people and jq, never embedded in HTML
	if set {
		a, err := diagnose.ParseAnswers(*answers)
		if err == nil {
			var out diagnose.Line
			if out, err = diagnose.One(a); err == nil {
				if err := enc.Encode(out); err != nil {
					fmt.Fprintf(stderr, "secours diagnose: %v\n", err)
					return 1
				}
				return 0
			}
		}
		fmt.Fprintf(stderr, "secours diagnose: %v\n", err)
		return 2
	}

	code, err := diagnose.Stream(stdin, enc)
	if err != nil {
		fmt.Fprintf(stderr, "secours diagnose: %v\n", err)
		return 1
	}
	return code
}

// diagnoseUsage prints the help of `secours diagnose`.
func diagnoseUsage(fs *flag.FlagSet) {
	w := fs.Output()
	fmt.Fprint(w, `usage: secours diagnose [-answers key=answer,...] [< answers.jsonl]

Classifies diagnostic answers (docs/diagnostic.md C) and prints one JSON object
per answer set: profile, rule, why, confidence, flags, scores and the
services wanted (D.2).

With -answers, it classifies one answer set. Without it, it reads JSON
objects from standard input, one per line, and answers each line with a
result or {"line":N,"error":"..."}; blank lines and lines starting with #
are skipped.

Keys and answers (all questions are required; need is optional and
defaults to other; country is optional and only chooses the preferred
programmes and labels):
`)
	for _, q := range flows.Questions {
		fmt.Fprintf(w, "  %-12s %s\n", q.Key, strings.Join(q.Answers, " | "))
	}
	fmt.Fprintf(w, "  %-12s %s\n", diagnose.NeedKey, strings.Join(flows.Needs, " | "))
	fmt.Fprintf(w, "  %-12s %s | %s\n", diagnose.CountryKey, geo.BE, geo.FR)
	fmt.Fprint(w, `
Examples:
  secours diagnose -answers who=pro,device=none,internet=rarely,skills=calls,online_done=other_does,feeling=lost,reading=text,barrier=none,need=health,country=FR
  echo '{"who":"self","device":"computer","internet":"home","skills":"web","online_done":"alone","feeling":"dk","reading":"text","barrier":"none"}' | secours diagnose

Exit status: 0 if every answer set was classified; 1 if a line of standard
input had an error (the other lines are still answered); 2 for a usage
error or a bad -answers.
`)
}
