package main

import (
	"bufio"
	"encoding/json"
	"errors"
	"flag"
	"fmt"
	"io"
	"slices"
	"strconv"
	"strings"

	"github.com/secours/secours/flows"
	"github.com/secours/secours/geo"
)

// Keys besides the questions: the urgent need (docs/diagnostic.md A) and the
// country, which chooses the preferred programmes and labels of D.2. They
// are not diagnostic questions, so flows.Classify ignores them.
const (
	diagnoseNeed    = "need"
	diagnoseCountry = "country"
)

// diagnoseLine is one result line of `secours diagnose`.
type diagnoseLine struct {
	Line         int              `json:"line,omitempty"` // input line, in stdin mode
	Profile      string           `json:"profile"`
	Rule         string           `json:"rule"`
	Why          string           `json:"why"`
	Confidence   string           `json:"confidence"`
	Flags        []string         `json:"flags"`
	Scores       diagnoseScores   `json:"scores"`
	ByAidant     bool             `json:"by_aidant"`
	Need         string           `json:"need"`
	Country      string           `json:"country,omitempty"`
	Services     diagnoseServices `json:"services"`
	Modalities   []string         `json:"modalities"`
	SpecificCare []string         `json:"specific_care"`
	Programmes   []string         `json:"programmes"`
	Labels       []string         `json:"labels"`
	Note         string           `json:"note,omitempty"`
}

// diagnoseScores names the scores by the letters of docs/diagnostic.md B.
type diagnoseScores struct {
	E int `json:"E"`
	C int `json:"C"`
	S int `json:"S"`
	A int `json:"A"`
	F int `json:"F"`
	R int `json:"R"`
	B int `json:"B"`
}

// diagnoseServices are the services wanted (docs/diagnostic.md D.2).
type diagnoseServices struct {
	Base   string   `json:"base"`
	Need   []string `json:"need"`
	AddOns []string `json:"add_ons"`
}

// diagnoseError is the answer to a stdin line that cannot be classified.
type diagnoseError struct {
	Line  int    `json:"line"`
	Error string `json:"error"`
}

// runDiagnose runs `secours diagnose`: it classifies answer sets with
// flows.Classify and prints, for each, one JSON line with the profile and
// the services wanted, so that a whole answer table can be checked in one
// run. It returns the exit code: 0, 1 if a stdin line had an error (the
// other lines are still answered), 2 for a usage error or bad -answers.
func runDiagnose(args []string, stdin io.Reader, stdout, stderr io.Writer) int {
	fs := flag.NewFlagSet("diagnose", flag.ContinueOnError)
	fs.SetOutput(stderr)
	answers := fs.String("answers", "", "comma-separated `key=answer` pairs; without it, read JSON lines from standard input")
	fs.Usage = func() { diagnoseUsage(fs) }
	if err := fs.Parse(args); err != nil {
		if errors.Is(err, flag.ErrHelp) {
			return 0
		}
		return 2
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
		a, err := parseAnswerFlag(*answers)
		if err == nil {
			var out diagnoseLine
			if out, err = diagnoseOne(a); err == nil {
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

	sc := bufio.NewScanner(stdin)
	sc.Buffer(make([]byte, 0, 4096), 1<<20) // an answer set is well under 1 KiB
	code, n := 0, 0
	for sc.Scan() {
		n++
		text := strings.TrimSpace(sc.Text())
		if text == "" || strings.HasPrefix(text, "#") {
			continue // blank lines and comments keep a table readable
		}
		var a map[string]string
		err := json.Unmarshal([]byte(text), &a)
		if err != nil {
			err = fmt.Errorf("want a JSON object of string answers: %w", err)
		} else if a == nil {
			err = errors.New("want a JSON object of string answers, got null")
		}
		var out diagnoseLine
		if err == nil {
			out, err = diagnoseOne(a)
		}
		var v any
		if err == nil {
			out.Line = n
			v = out
		} else {
			v, code = diagnoseError{Line: n, Error: err.Error()}, 1
		}
		if err := enc.Encode(v); err != nil {
			fmt.Fprintf(stderr, "secours diagnose: %v\n", err)
			return 1
		}
	}
	if err := sc.Err(); err != nil {
		fmt.Fprintf(stderr, "secours diagnose: reading line %d: %v\n", n+1, err)
		return 1
	}
	return code
}

// parseAnswerFlag parses "who=pro,device=none,…".
func parseAnswerFlag(s string) (map[string]string, error) {
	a := make(map[string]string)
	for p := range strings.SplitSeq(s, ",") {
		p = strings.TrimSpace(p)
		if p == "" {
			continue
		}
		k, v, ok := strings.Cut(p, "=")
		k, v = strings.TrimSpace(k), strings.TrimSpace(v)
		if !ok || k == "" {
			return nil, fmt.Errorf("-answers: %q is not key=answer", p)
		}
		if _, dup := a[k]; dup {
			return nil, fmt.Errorf("-answers: %s given twice", k)
		}
		a[k] = v
	}
	return a, nil
}

// diagnoseOne classifies one answer set and looks up the services it
// wants. Unlike flows.Classify, it rejects keys that are neither a
// question nor need or country: in a hand-written table a misspelt key
// is a mistake, not an extra.
func diagnoseOne(a map[string]string) (diagnoseLine, error) {
	var problems []string
	var extra []string
	for k := range a {
		if k != diagnoseNeed && k != diagnoseCountry && !slices.ContainsFunc(flows.Questions, func(q flows.Question) bool { return q.Key == k }) {
			extra = append(extra, strconv.Quote(k))
		}
	}
	if extra != nil {
		slices.Sort(extra)
		problems = append(problems, "unknown keys "+strings.Join(extra, ", "))
	}
	var notes []string
	need := a[diagnoseNeed]
	switch {
	case need == "":
		// D.2 maps "other" to general help, the neutral choice.
		need = "other"
		notes = append(notes, "need absent: services computed for need=other")
	case !slices.Contains(flows.Needs, need):
		problems = append(problems, fmt.Sprintf("unknown need %q (want %s)", need, strings.Join(flows.Needs, ", ")))
	}
	country := geo.Country(a[diagnoseCountry])
	if country != "" && country != geo.BE && country != geo.FR {
		problems = append(problems, fmt.Sprintf("unknown country %q (want %s, %s)", country, geo.BE, geo.FR))
	}
	r, err := flows.Classify(a)
	if ae, ok := errors.AsType[*flows.AnswerError](err); ok {
		if len(ae.Missing) > 0 {
			problems = append(problems, "missing answers to "+strings.Join(ae.Missing, ", "))
		}
		for _, u := range ae.Unknown {
			q, ans, _ := strings.Cut(u, "=")
			problems = append(problems, fmt.Sprintf("unknown answer %s=%q (want %s)", q, ans, strings.Join(diagnoseAnswerKeys(q), ", ")))
		}
	} else if err != nil {
		problems = append(problems, err.Error())
	}
	if problems != nil {
		return diagnoseLine{}, errors.New(strings.Join(problems, "; "))
	}

	q := geo.Query{
		At:           geo.Location{Country: country},
		Profile:      r.Profile,
		Need:         need,
		Equipment:    r.Scores.E,
		Connectivity: r.Scores.C,
		Reading:      r.Scores.R,
		Barrier:      a["barrier"],
	}
	w := geo.Want(q)
	if country == "" {
		// Programmes and labels depend on the country (D.2): say so only
		// when this answer set would get some.
		for _, c := range []geo.Country{geo.BE, geo.FR} {
			q.At.Country = c
			if cw := geo.Want(q); len(cw.Programmes)+len(cw.Labels) > 0 {
				notes = append(notes, "country absent: programmes and labels need country=BE or FR")
				break
			}
		}
	}
	s := r.Scores
	return diagnoseLine{
		Profile:      r.Profile,
		Rule:         r.Rule,
		Why:          r.Why,
		Confidence:   r.Confidence,
		Flags:        diagnoseNonNil(r.Flags),
		Scores:       diagnoseScores{E: s.E, C: s.C, S: s.S, A: s.A, F: s.F, R: s.R, B: s.B},
		ByAidant:     r.ByAidant,
		Need:         need,
		Country:      string(country),
		Services:     diagnoseServices{Base: w.Base, Need: diagnoseNonNil(w.NeedServices), AddOns: diagnoseNonNil(w.AddOns)},
		Modalities:   diagnoseNonNil(w.Modalities),
		SpecificCare: diagnoseNonNil(w.SpecificCare),
		Programmes:   diagnoseNonNil(w.Programmes),
		Labels:       diagnoseNonNil(w.Labels),
		Note:         strings.Join(notes, "; "),
	}, nil
}

// diagnoseAnswerKeys returns the answer keys of question q.
func diagnoseAnswerKeys(q string) []string {
	for _, x := range flows.Questions {
		if x.Key == q {
			return x.Answers
		}
	}
	return nil
}

// nonNil makes empty lists print as [] rather than null, so every line
// of the output has the same shape.
func diagnoseNonNil(s []string) []string {
	if s == nil {
		return []string{}
	}
	return s
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
	fmt.Fprintf(w, "  %-12s %s\n", diagnoseNeed, strings.Join(flows.Needs, " | "))
	fmt.Fprintf(w, "  %-12s %s | %s\n", diagnoseCountry, geo.BE, geo.FR)
	fmt.Fprint(w, `
Examples:
  secours diagnose -answers who=pro,device=none,internet=rarely,skills=calls,online_done=other_does,feeling=lost,reading=text,barrier=none,need=health,country=FR
  echo '{"who":"self","device":"computer","internet":"home","skills":"web","online_done":"alone","feeling":"dk","reading":"text","barrier":"none"}' | secours diagnose

Exit status: 0 if every answer set was classified; 1 if a line of standard
input had an error (the other lines are still answered); 2 for a usage
error or a bad -answers.
`)
}
