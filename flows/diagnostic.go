package flows

import (
	"slices"
	"strconv"
	"strings"
)

// This file is the reference diagnostic of docs/diagnostic.md A–C: the question
// table and the classifier. It is pure: no I/O, no clock, and no
// allocation beyond the result's flags on the success path, because the
// engine calls Classify on every step that reaches the result screen.

// Needs lists the urgent-need keys of docs/diagnostic.md A in menu order. The
// keys are stable; labels live in the catalogues.
//
// Needs is a read-only table (the one kind of package variable the house
// style allows besides sentinels): do not modify it.
var Needs = []string{"procedure", "banking", "job", "health", "family", "learning", "other"}

// Question is one diagnostic question (docs/diagnostic.md A and B): its stable
// key and its answer keys in document order, which is also button order.
type Question struct {
	Key     string
	Answers []string // answer keys in document order
}

// Questions lists Q1–Q8 of docs/diagnostic.md B in the order they are asked.
// Classify reads it, and the answer order fixes the scores, so it is a
// read-only table: do not modify it.
var Questions = []Question{
	{"who", []string{"self", "relative", "pro"}},
	{"device", []string{"computer", "smartphone", "basic_phone", "none"}},
	{"internet", []string{"home", "mobile", "rarely", "dk"}},
	{"skills", []string{"calls", "apps", "web", "dk"}},
	{"online_done", []string{"alone", "with_help", "never", "other_does"}},
	{"feeling", []string{"ease", "fear", "lost", "dk"}},
	{"reading", []string{"text", "short", "voice", "reader"}},
	{"barrier", []string{"none", "body", "memory", "skip"}},
}

// Positions in Questions, and of the few answers the rules name by key
// rather than by score. The diag prefix keeps them clear of the engine's
// names in this package.
const (
	diagWho = iota
	diagDevice
	diagInternet
	diagSkills
	diagOnlineDone
	diagFeeling
	diagReading
	diagBarrier
	diagQuestions // number of questions
)

const (
	diagSelf      = 0 // who=self
	diagAlone     = 0 // online_done=alone
	diagOtherDoes = 3 // online_done=other_does
	diagCalls     = 0 // skills=calls
	diagWeb       = 2 // skills=web
	diagEase      = 0 // feeling=ease
	diagLost      = 2 // feeling=lost
	diagDK        = 3 // internet, skills and feeling: dk
	diagSkip      = 3 // barrier=skip
)

// Scores are the dimension scores of docs/diagnostic.md B: E equipment, C
// connectivity, S basic skills, A autonomy/practice, F confidence, R
// reading support (all 0–2) and B the barrier flag (0/1). A dk answer
// scores 1, the middle.
type Scores struct{ E, C, S, A, F, R, B int }

// Result is the outcome of the diagnostic (docs/diagnostic.md C).
type Result struct {
	Profile    string   // autonome | proche_autonomie | grand_debutant | besoin_assistance
	Rule       string   // the first matching rule of C.1, "R1".."R8"
	Why        string   // catalogue key of C.2, "why.reading_support" …
	Confidence string   // "high" | "medium" | "low" (C.3)
	Flags      []string // contradiction flags of C.3, in the order C.3 lists them; nil if none
	Scores     Scores
	ByAidant   bool // who != self: the answers describe someone else
}

// AnswerError reports answers Classify cannot use. Missing holds question
// keys (in question order) with no answer or an empty one; Unknown holds
// "question=answer" for answer keys the question does not offer.
type AnswerError struct {
	Missing []string
	Unknown []string // "question=answer"
}

// Error names every missing question and unknown answer. Answers are
// button payloads, not typed text, but a client can send anything, so
// unknown ones are quoted: a log line cannot be forged through them.
func (e *AnswerError) Error() string {
	var b strings.Builder
	b.WriteString("flows: ")
	if len(e.Missing) > 0 {
		b.WriteString("missing answers to ")
		b.WriteString(strings.Join(e.Missing, ", "))
	}
	if len(e.Unknown) > 0 {
		if len(e.Missing) > 0 {
			b.WriteString("; ")
		}
		b.WriteString("unknown answers ")
		for i, u := range e.Unknown {
			if i > 0 {
				b.WriteString(", ")
			}
			q, a, _ := strings.Cut(u, "=")
			b.WriteString(q)
			b.WriteByte('=')
			b.WriteString(strconv.Quote(a))
		}
	}
	return b.String()
}

// Classify applies docs/diagnostic.md C to the answers (question key → answer
// key; extra keys such as "need" are ignored). It returns an *AnswerError
// naming every missing question and every unknown answer key.
//
// An empty answer counts as missing, not unknown: a session stores ""
// for a question that was asked but not answered (B: "If the person
// leaves halfway, nothing is classified").
func Classify(answers map[string]string) (Result, error) {
	var ix [diagQuestions]int
	var missing, unknown []string
	for qi, q := range Questions {
		a := answers[q.Key]
		if a == "" {
			missing = append(missing, q.Key)
			continue
		}
		i := slices.Index(q.Answers, a)
		if i < 0 {
			unknown = append(unknown, q.Key+"="+a)
			continue
		}
		ix[qi] = i
	}
	if missing != nil || unknown != nil {
		return Result{}, &AnswerError{Missing: missing, Unknown: unknown}
	}
	return classify(ix), nil
}

// classify is Classify on valid answer positions (indexes into
// Questions[i].Answers).
func classify(ix [diagQuestions]int) Result {
	// Score tables of B, indexed by answer position. Array literals are
	// static data: no allocation and nothing a caller can change.
	s := Scores{
		E: [...]int{2, 1, 0, 0}[ix[diagDevice]],     // computer, smartphone, basic_phone, none
		C: [...]int{2, 1, 0, 1}[ix[diagInternet]],   // home, mobile, rarely, dk
		S: [...]int{0, 1, 2, 1}[ix[diagSkills]],     // calls, apps, web, dk
		A: [...]int{2, 1, 0, 0}[ix[diagOnlineDone]], // alone, with_help, never, other_does
		F: [...]int{2, 1, 0, 1}[ix[diagFeeling]],    // ease, fear, lost, dk
		R: [...]int{0, 0, 1, 2}[ix[diagReading]],    // text, short, voice, reader
		B: [...]int{0, 1, 1, 0}[ix[diagBarrier]],    // none, body, memory, skip (never guessed)
	}
	r := Result{Scores: s, ByAidant: ix[diagWho] != diagSelf}

	// C.1: first matching rule wins. The order encodes the tie-breaks
	// (more support first), so keep it exactly as the document lists it.
	soft := s.R == 1 || s.B == 1
	switch {
	case s.R == 2:
		r.Profile, r.Rule, r.Why = "besoin_assistance", "R1", "why.reading_support"
	case soft && s.S <= 1 && s.A == 0:
		r.Profile, r.Rule, r.Why = "besoin_assistance", "R2", "why.barrier_no_practice"
	case ix[diagOnlineDone] == diagOtherDoes && s.S == 0 && s.E == 0:
		r.Profile, r.Rule, r.Why = "besoin_assistance", "R3", "why.delegated_no_tools"
	case s.S == 0:
		r.Profile, r.Rule, r.Why = "grand_debutant", "R4", "why.basics_missing"
	case s.E == 0 && s.S <= 1:
		r.Profile, r.Rule, r.Why = "grand_debutant", "R5", "why.no_device_basics"
	case s.S == 1 && s.A == 0 && s.F == 0:
		r.Profile, r.Rule, r.Why = "grand_debutant", "R6", "why.never_and_lost"
	case s.S == 2 && s.A == 2 && s.F == 2:
		// B says a dk answer "can never lead to autonome (see C)", but
		// C.1 principle 4 and R7 only rule it out for skills and
		// feeling: C is in no rule, so internet=dk with top answers
		// elsewhere is autonome (with medium confidence). The rules are
		// the contract, so we follow R7 as written.
		r.Profile, r.Rule, r.Why = "autonome", "R7", "why.autonomous"
	default:
		r.Profile, r.Rule, r.Why = "proche_autonomie", "R8", "why.needs_boost"
	}

	// C.3 contradiction flags, in the order C.3 lists them. The device
	// test uses E == 0, which is exactly device ∈ {basic_phone, none}.
	f := [...]bool{
		ix[diagOnlineDone] == diagAlone && ix[diagSkills] == diagCalls, // c_alone_no_skills
		ix[diagFeeling] == diagEase && ix[diagSkills] == diagCalls,     // c_ease_no_skills
		ix[diagOnlineDone] == diagAlone && ix[diagFeeling] == diagLost, // c_alone_lost
		s.E == 0 && ix[diagSkills] == diagWeb,                          // c_no_device_web
		ix[diagWho] == diagSelf && s.E == 0,                            // c_self_no_smartphone
	}
	n := 0
	for _, on := range f {
		if on {
			n++
		}
	}
	if n > 0 {
		names := [...]string{"c_alone_no_skills", "c_ease_no_skills", "c_alone_lost", "c_no_device_web", "c_self_no_smartphone"}
		r.Flags = make([]string, 0, n)
		for i, on := range f {
			if on {
				r.Flags = append(r.Flags, names[i])
			}
		}
	}

	// C.3: u = dk among internet, skills, feeling + skipped barrier + flags.
	u := n
	for _, q := range [...]int{diagInternet, diagSkills, diagFeeling} {
		if ix[q] == diagDK {
			u++
		}
	}
	if ix[diagBarrier] == diagSkip {
		u++
	}
	switch {
	case u == 0:
		r.Confidence = "high"
	case u == 1:
		r.Confidence = "medium"
	default:
		r.Confidence = "low"
	}
	return r
}
