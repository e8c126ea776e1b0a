// Package diagnose is "secours diagnose": it classifies answer sets with
// flows.Classify and gives, for each, the profile and the services
// wanted (docs/diagnostic.md C and D.2), so that a whole answer table can
// be checked in one run.
package diagnose

import (
	"bufio"
	"encoding/json"
	"errors"
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
	NeedKey    = "need"
	CountryKey = "country"
)

// Line is one result line of `secours diagnose`.
type Line struct {
	Line         int      `json:"line,omitempty"` // input line, in stdin mode
	Profile      string   `json:"profile"`
	Rule         string   `json:"rule"`
	Why          string   `json:"why"`
	Confidence   string   `json:"confidence"`
	Flags        []string `json:"flags"`
	Scores       Scores   `json:"scores"`
	ByAidant     bool     `json:"by_aidant"`
	Need         string   `json:"need"`
	Country      string   `json:"country,omitempty"`
	Services     Services `json:"services"`
	Modalities   []string `json:"modalities"`
	SpecificCare []string `json:"specific_care"`
	Programmes   []string `json:"programmes"`
	Labels       []string `json:"labels"`
	Note         string   `json:"note,omitempty"`
}

// Scores names the scores by the letters of docs/diagnostic.md B.
type Scores struct {
	E int `json:"E"`
	C int `json:"C"`
	S int `json:"S"`
	A int `json:"A"`
	F int `json:"F"`
	R int `json:"R"`
	B int `json:"B"`
}

// Services are the services wanted (docs/diagnostic.md D.2).
type Services struct {
	Base   string   `json:"base"`
	Need   []string `json:"need"`
	AddOns []string `json:"add_ons"`
}

// Error is the answer to a stdin line that cannot be classified.
type Error struct {
	Line  int    `json:"line"`
	Error string `json:"error"`
}

// Stream answers each JSON object of in, one per line, with a Line or
// an Error (blank lines and # comments are skipped), and returns 1 if a
// line had an error, else 0; err is a failure to read in or to encode.
func Stream(in io.Reader, enc *json.Encoder) (code int, err error) {
	sc := bufio.NewScanner(in)
	sc.Buffer(make([]byte, 0, 4096), 1<<20) // an answer set is well under 1 KiB
	n := 0
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
		var out Line
		if err == nil {
			out, err = One(a)
		}
		var v any
		if err == nil {
			out.Line = n
			v = out
		} else {
			v, code = Error{Line: n, Error: err.Error()}, 1
		}
		if err := enc.Encode(v); err != nil {
			return code, err
		}
	}
	if err := sc.Err(); err != nil {
		return code, fmt.Errorf("reading line %d: %w", n+1, err)
	}
	return code, nil
}

// ParseAnswers parses "who=pro,device=none,…".
func ParseAnswers(s string) (map[string]string, error) {
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

// One classifies one answer set and looks up the services it
// wants. Unlike flows.Classify, it rejects keys that are neither a
// question nor need or country: in a hand-written table a misspelt key
// is a mistake, not an extra.
func One(a map[string]string) (Line, error) {
	var problems []string
	var extra []string
	for k := range a {
		if k != NeedKey && k != CountryKey && !slices.ContainsFunc(flows.Questions, func(q flows.Question) bool { return q.Key == k }) {
			extra = append(extra, strconv.Quote(k))
		}
	}
	if extra != nil {
		slices.Sort(extra)
		problems = append(problems, "unknown keys "+strings.Join(extra, ", "))
	}
	var notes []string
	need := a[NeedKey]
	switch {
	case need == "":
		// D.2 maps "other" to general help, the neutral choice.
		need = "other"
		notes = append(notes, "need absent: services computed for need=other")
	case !slices.Contains(flows.Needs, need):
		problems = append(problems, fmt.Sprintf("unknown need %q (want %s)", need, strings.Join(flows.Needs, ", ")))
	}
	country := geo.Country(a[CountryKey])
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
			problems = append(problems, fmt.Sprintf("unknown answer %s=%q (want %s)", q, ans, strings.Join(answerKeys(q), ", ")))
		}
	} else if err != nil {
		problems = append(problems, err.Error())
	}
	if problems != nil {
		return Line{}, errors.New(strings.Join(problems, "; "))
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
	return Line{
		Profile:      r.Profile,
		Rule:         r.Rule,
		Why:          r.Why,
		Confidence:   r.Confidence,
		Flags:        nonNil(r.Flags),
		Scores:       Scores{E: s.E, C: s.C, S: s.S, A: s.A, F: s.F, R: s.R, B: s.B},
		ByAidant:     r.ByAidant,
		Need:         need,
		Country:      string(country),
		Services:     Services{Base: w.Base, Need: nonNil(w.NeedServices), AddOns: nonNil(w.AddOns)},
		Modalities:   nonNil(w.Modalities),
		SpecificCare: nonNil(w.SpecificCare),
		Programmes:   nonNil(w.Programmes),
		Labels:       nonNil(w.Labels),
		Note:         strings.Join(notes, "; "),
	}, nil
}

// answerKeys returns the answer keys of question q.
func answerKeys(q string) []string {
	for _, x := range flows.Questions {
		if x.Key == q {
			return x.Answers
		}
	}
	return nil
}

// nonNil makes empty lists print as [] rather than null, so every line
// of the output has the same shape.
func nonNil(s []string) []string {
	if s == nil {
		return []string{}
	}
	return s
}
