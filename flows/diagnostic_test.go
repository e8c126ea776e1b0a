package flows

import (
	"errors"
	"fmt"
	"maps"
	"slices"
	"strings"
	"testing"
)

// The helpers below restate docs/diagnostic.md B and C from the document's
// text, independently of diagnostic.go, so that the exhaustive test
// compares two readings of the document rather than the code with itself.

// docKeys are the question keys of B, Q1..Q8.
func docKeys() []string {
	return []string{"who", "device", "internet", "skills", "online_done", "feeling", "reading", "barrier"}
}

// docAnswers are the answer keys of each question of B, in table order.
func docAnswers() map[string][]string {
	return map[string][]string{
		"who":         {"self", "relative", "pro"},
		"device":      {"computer", "smartphone", "basic_phone", "none"},
		"internet":    {"home", "mobile", "rarely", "dk"},
		"skills":      {"calls", "apps", "web", "dk"},
		"online_done": {"alone", "with_help", "never", "other_does"},
		"feeling":     {"ease", "fear", "lost", "dk"},
		"reading":     {"text", "short", "voice", "reader"},
		"barrier":     {"none", "body", "memory", "skip"},
	}
}

// docScores reads the score columns of B.
func docScores(a map[string]string) Scores {
	e := map[string]int{"computer": 2, "smartphone": 1, "basic_phone": 0, "none": 0}
	c := map[string]int{"home": 2, "mobile": 1, "rarely": 0, "dk": 1}
	s := map[string]int{"calls": 0, "apps": 1, "web": 2, "dk": 1}
	ad := map[string]int{"alone": 2, "with_help": 1, "never": 0, "other_does": 0}
	f := map[string]int{"ease": 2, "fear": 1, "lost": 0, "dk": 1}
	r := map[string]int{"text": 0, "short": 0, "voice": 1, "reader": 2}
	b := map[string]int{"none": 0, "body": 1, "memory": 1, "skip": 0}
	return Scores{
		E: e[a["device"]], C: c[a["internet"]], S: s[a["skills"]], A: ad[a["online_done"]],
		F: f[a["feeling"]], R: r[a["reading"]], B: b[a["barrier"]],
	}
}

// diagDocRule is one rule of C.1 as the document writes it.
type diagDocRule struct {
	name, profile, why string
	match              func(a map[string]string, sc Scores) bool
}

func docRules() []diagDocRule {
	soft := func(sc Scores) bool { return sc.R == 1 || sc.B == 1 }
	return []diagDocRule{
		{"R1", "besoin_assistance", "why.reading_support", func(_ map[string]string, sc Scores) bool {
			return sc.R == 2
		}},
		{"R2", "besoin_assistance", "why.barrier_no_practice", func(_ map[string]string, sc Scores) bool {
			return soft(sc) && sc.S <= 1 && sc.A == 0
		}},
		{"R3", "besoin_assistance", "why.delegated_no_tools", func(a map[string]string, sc Scores) bool {
			return a["online_done"] == "other_does" && sc.S == 0 && sc.E == 0
		}},
		{"R4", "grand_debutant", "why.basics_missing", func(_ map[string]string, sc Scores) bool {
			return sc.S == 0
		}},
		{"R5", "grand_debutant", "why.no_device_basics", func(_ map[string]string, sc Scores) bool {
			return sc.E == 0 && sc.S <= 1
		}},
		{"R6", "grand_debutant", "why.never_and_lost", func(_ map[string]string, sc Scores) bool {
			return sc.S == 1 && sc.A == 0 && sc.F == 0
		}},
		{"R7", "autonome", "why.autonomous", func(_ map[string]string, sc Scores) bool {
			return sc.S == 2 && sc.A == 2 && sc.F == 2
		}},
		{"R8", "proche_autonomie", "why.needs_boost", func(map[string]string, Scores) bool {
			return true
		}},
	}
}

// docFlags reads the contradiction flags of C.3, in its order.
func docFlags(a map[string]string) []string {
	noDevice := a["device"] == "basic_phone" || a["device"] == "none"
	var fl []string
	if a["online_done"] == "alone" && a["skills"] == "calls" {
		fl = append(fl, "c_alone_no_skills")
	}
	if a["feeling"] == "ease" && a["skills"] == "calls" {
		fl = append(fl, "c_ease_no_skills")
	}
	if a["online_done"] == "alone" && a["feeling"] == "lost" {
		fl = append(fl, "c_alone_lost")
	}
	if noDevice && a["skills"] == "web" {
		fl = append(fl, "c_no_device_web")
	}
	if a["who"] == "self" && noDevice {
		fl = append(fl, "c_self_no_smartphone")
	}
	return fl
}

// docConfidence reads the u count of C.3.
func docConfidence(a map[string]string) string {
	u := len(docFlags(a))
	for _, q := range []string{"internet", "skills", "feeling"} {
		if a[q] == "dk" {
			u++
		}
	}
	if a["barrier"] == "skip" {
		u++
	}
	switch {
	case u == 0:
		return "high"
	case u == 1:
		return "medium"
	}
	return "low"
}

// support ranks profiles by how much human help they send (C.1 principle 1).
func diagSupport(profile string) int {
	return map[string]int{"autonome": 0, "proche_autonomie": 1, "grand_debutant": 2, "besoin_assistance": 3}[profile]
}

// diagEachCombination calls fn with every one of the 3 × 4⁷ answer sets. The
// map is reused: fn must copy it to keep it.
func diagEachCombination(fn func(a map[string]string)) {
	keys, ans := docKeys(), docAnswers()
	a := make(map[string]string, len(keys))
	var rec func(i int)
	rec = func(i int) {
		if i == len(keys) {
			fn(a)
			return
		}
		for _, v := range ans[keys[i]] {
			a[keys[i]] = v
			rec(i + 1)
		}
	}
	rec(0)
}

// answers builds an answer set from "key=value" pairs over a neutral
// base (R8, high confidence) so each case states only what it is about.
func diagSet(pairs ...string) map[string]string {
	a := map[string]string{
		"who": "self", "device": "smartphone", "internet": "mobile", "skills": "apps",
		"online_done": "with_help", "feeling": "fear", "reading": "text", "barrier": "none",
	}
	for _, p := range pairs {
		k, v, _ := strings.Cut(p, "=")
		a[k] = v
	}
	return a
}

func diagMustClassify(t *testing.T, a map[string]string) Result {
	t.Helper()
	r, err := Classify(a)
	if err != nil {
		t.Fatalf("Classify(%v) error: %v", a, err)
	}
	return r
}

func TestQuestionTables(t *testing.T) {
	if got, want := Needs, []string{"procedure", "banking", "job", "health", "family", "learning", "other"}; !slices.Equal(got, want) {
		t.Errorf("Needs = %v, want %v", got, want)
	}
	var keys []string
	for _, q := range Questions {
		keys = append(keys, q.Key)
		if want := docAnswers()[q.Key]; !slices.Equal(q.Answers, want) {
			t.Errorf("Questions[%s].Answers = %v, want %v", q.Key, q.Answers, want)
		}
		// B: "3–4 buttons".
		if n := len(q.Answers); n < 3 || n > 4 {
			t.Errorf("Questions[%s] has %d answers, want 3–4", q.Key, n)
		}
	}
	if want := docKeys(); !slices.Equal(keys, want) {
		t.Errorf("Questions keys = %v, want %v", keys, want)
	}
}

// TestClassifyVectors runs the test vectors of docs/diagnostic.md C.4.
func TestClassifyVectors(t *testing.T) {
	tests := []struct {
		row                 string // who device internet skills online_done feeling reading barrier
		profile, rule, conf string // conf empty where the table gives none
		equipment           bool   // "+ equipment": E = 0 brings material add-ons (D.2)
	}{
		{"self smartphone mobile web alone ease reader none", "besoin_assistance", "R1", "", false},
		{"relative none rarely calls other_does lost voice body", "besoin_assistance", "R2", "", true},
		{"pro none rarely calls other_does lost text none", "besoin_assistance", "R3", "", true},
		{"self smartphone mobile calls alone ease text none", "grand_debutant", "R4", "low", false},
		{"relative basic_phone home apps with_help fear text none", "grand_debutant", "R5", "", true},
		{"self smartphone rarely apps never lost text none", "grand_debutant", "R6", "", true},
		{"self none rarely web alone ease text none", "autonome", "R7", "low", true},
		{"self smartphone mobile apps alone ease voice none", "proche_autonomie", "R8", "", false},
		{"self computer home web alone dk text none", "proche_autonomie", "R8", "", false},
	}
	for _, tt := range tests {
		t.Run(tt.rule+"/"+tt.row, func(t *testing.T) {
			f := strings.Fields(tt.row)
			a := make(map[string]string)
			for i, k := range docKeys() {
				a[k] = f[i]
			}
			r := diagMustClassify(t, a)
			if r.Profile != tt.profile || r.Rule != tt.rule {
				t.Errorf("Classify(%s) = %s %s, want %s %s", tt.row, r.Profile, r.Rule, tt.profile, tt.rule)
			}
			if tt.conf != "" && r.Confidence != tt.conf {
				t.Errorf("Classify(%s).Confidence = %s (flags %v), want %s", tt.row, r.Confidence, r.Flags, tt.conf)
			}
			if got := r.Scores.E == 0 || r.Scores.C == 0; got != tt.equipment {
				t.Errorf("Classify(%s): E=%d C=%d, material add-ons %v, want %v", tt.row, r.Scores.E, r.Scores.C, got, tt.equipment)
			}
		})
	}
}

// TestClassifyRules has one case for each rule of C.1, each matching that
// rule first.
func TestClassifyRules(t *testing.T) {
	tests := []struct {
		name, rule, profile, why string
		a                        map[string]string
	}{
		{"reader", "R1", "besoin_assistance", "why.reading_support", diagSet("reading=reader")},
		{"voice and never", "R2", "besoin_assistance", "why.barrier_no_practice", diagSet("reading=voice", "online_done=never")},
		{"memory and other does", "R2", "besoin_assistance", "why.barrier_no_practice", diagSet("barrier=memory", "online_done=other_does", "skills=dk")},
		{"delegated no tools", "R3", "besoin_assistance", "why.delegated_no_tools", diagSet("device=basic_phone", "skills=calls", "online_done=other_does")},
		{"calls only", "R4", "grand_debutant", "why.basics_missing", diagSet("skills=calls")},
		{"no device, apps", "R5", "grand_debutant", "why.no_device_basics", diagSet("device=none", "skills=apps")},
		{"never and lost", "R6", "grand_debutant", "why.never_and_lost", diagSet("online_done=never", "feeling=lost")},
		{"web alone ease", "R7", "autonome", "why.autonomous", diagSet("skills=web", "online_done=alone", "feeling=ease")},
		{"otherwise", "R8", "proche_autonomie", "why.needs_boost", diagSet()},
	}
	for _, tt := range tests {
		t.Run(tt.rule+"/"+tt.name, func(t *testing.T) {
			r := diagMustClassify(t, tt.a)
			if r.Rule != tt.rule || r.Profile != tt.profile || r.Why != tt.why {
				t.Errorf("Classify(%v) = %s %s %s, want %s %s %s", tt.a, r.Rule, r.Profile, r.Why, tt.rule, tt.profile, tt.why)
			}
		})
	}
}

// TestClassifyPrinciples checks the six tie-break principles of C.1, each
// by its example and over every answer combination.
func TestClassifyPrinciples(t *testing.T) {
	t.Run("1_more_supportive_reading_wins", func(t *testing.T) {
		// The document's example: did it alone, at ease, but calls only.
		r := diagMustClassify(t, diagSet("online_done=alone", "feeling=ease", "skills=calls"))
		if r.Profile != "grand_debutant" || r.Rule != "R4" {
			t.Errorf("alone, ease, calls = %s %s, want grand_debutant R4", r.Profile, r.Rule)
		}
		// No matching rule ever gives more help than the chosen one. R8
		// is "otherwise", not a reading of the answers, so it never
		// conflicts: R7 before it is not a tie-break.
		diagEachCombination(func(a map[string]string) {
			r, sc := diagMustClassify(t, a), docScores(a)
			for _, dr := range docRules() {
				if dr.name != "R8" && dr.match(a, sc) && diagSupport(dr.profile) > diagSupport(r.Profile) {
					t.Fatalf("Classify(%v) = %s, but %s also matches and gives %s", a, r.Profile, dr.name, dr.profile)
				}
			}
		})
	})
	t.Run("2_reading_support_before_everything", func(t *testing.T) {
		r := diagMustClassify(t, diagSet("reading=reader", "device=computer", "internet=home", "skills=web", "online_done=alone", "feeling=ease"))
		if r.Profile != "besoin_assistance" || r.Rule != "R1" {
			t.Errorf("skilled web user needing a reader = %s %s, want besoin_assistance R1", r.Profile, r.Rule)
		}
		diagEachCombination(func(a map[string]string) {
			if a["reading"] != "reader" {
				return
			}
			if r := diagMustClassify(t, a); r.Rule != "R1" {
				t.Fatalf("Classify(%v).Rule = %s, want R1", a, r.Rule)
			}
		})
	})
	t.Run("3_barrier_counts_only_without_practice", func(t *testing.T) {
		tests := []struct {
			a    map[string]string
			want string
		}{
			{diagSet("barrier=body", "online_done=with_help"), "proche_autonomie"},
			{diagSet("barrier=body", "online_done=never", "skills=web"), "proche_autonomie"},
			{diagSet("barrier=body", "online_done=never"), "besoin_assistance"},
		}
		for _, tt := range tests {
			if r := diagMustClassify(t, tt.a); r.Profile != tt.want {
				t.Errorf("Classify(%v) = %s, want %s", tt.a, r.Profile, tt.want)
			}
		}
		// A barrier with practice (A ≥ 1) or web use (S = 2) never gives
		// besoin_assistance, unless reading support does (principle 2).
		diagEachCombination(func(a map[string]string) {
			sc := docScores(a)
			if sc.B != 1 || sc.R == 2 || (sc.A < 1 && sc.S != 2) {
				return
			}
			if r := diagMustClassify(t, a); r.Profile == "besoin_assistance" {
				t.Fatalf("Classify(%v) = besoin_assistance (%s), want less", a, r.Rule)
			}
		})
	})
	t.Run("4_dont_know_never_promotes", func(t *testing.T) {
		// dk scores the middle: it classifies exactly like the middle
		// answer, and never better than the top answer.
		middle := map[string]string{"internet": "mobile", "skills": "apps", "feeling": "fear"}
		top := map[string]string{"internet": "home", "skills": "web", "feeling": "ease"}
		diagEachCombination(func(a map[string]string) {
			for q := range middle {
				if a[q] != "dk" {
					continue
				}
				r := diagMustClassify(t, a)
				if q != "internet" && r.Profile == "autonome" {
					t.Fatalf("Classify(%v) = autonome with %s=dk", a, q)
				}
				b := maps.Clone(a)
				b[q] = middle[q]
				if m := diagMustClassify(t, b); m.Rule != r.Rule {
					t.Fatalf("%s=dk gives %s, %s=%s gives %s (answers %v)", q, r.Rule, q, middle[q], m.Rule, a)
				}
				b[q] = top[q]
				if p := diagMustClassify(t, b); diagSupport(p.Profile) > diagSupport(r.Profile) {
					t.Fatalf("%s=dk gives %s, less help than %s=%s (%s), answers %v", q, r.Profile, q, top[q], p.Profile, a)
				}
			}
		})
	})
	t.Run("5_equipment_sets_profile_only_at_bottom", func(t *testing.T) {
		// The document's "only needs resources" case.
		r := diagMustClassify(t, diagSet("device=none", "internet=rarely", "skills=web", "online_done=alone", "feeling=ease"))
		if r.Profile != "autonome" || r.Scores.E != 0 || r.Scores.C != 0 {
			t.Errorf("no device, web, alone, ease = %s E=%d C=%d, want autonome E=0 C=0", r.Profile, r.Scores.E, r.Scores.C)
		}
		// Connection never changes the result; equipment only through R3
		// or R5.
		diagEachCombination(func(a map[string]string) {
			if a["internet"] != "home" || a["device"] != "computer" {
				return // vary both from one base
			}
			base := diagMustClassify(t, a)
			b := maps.Clone(a)
			for _, c := range docAnswers()["internet"] {
				b["internet"] = c
				if r := diagMustClassify(t, b); r.Rule != base.Rule {
					t.Fatalf("internet=%s changes %s to %s (answers %v)", c, base.Rule, r.Rule, a)
				}
			}
			b["internet"] = a["internet"]
			for _, d := range docAnswers()["device"] {
				b["device"] = d
				r := diagMustClassify(t, b)
				if r.Profile != base.Profile && r.Rule != "R3" && r.Rule != "R5" {
					t.Fatalf("device=%s changes %s to %s by %s (answers %v)", d, base.Profile, r.Profile, r.Rule, a)
				}
			}
		})
	})
	t.Run("6_who_never_changes_profile", func(t *testing.T) {
		diagEachCombination(func(a map[string]string) {
			if a["who"] != "self" {
				return
			}
			base := diagMustClassify(t, a)
			b := maps.Clone(a)
			for _, w := range []string{"relative", "pro"} {
				b["who"] = w
				r := diagMustClassify(t, b)
				if r.Profile != base.Profile || r.Rule != base.Rule || r.Why != base.Why {
					t.Fatalf("who=%s gives %s %s %s, who=self %s %s %s (answers %v)", w, r.Profile, r.Rule, r.Why, base.Profile, base.Rule, base.Why, a)
				}
				if !r.ByAidant || base.ByAidant {
					t.Fatalf("ByAidant: who=%s %v, who=self %v", w, r.ByAidant, base.ByAidant)
				}
			}
		})
	})
}

// TestClassifyFlags has one case for each contradiction flag of C.3.
func TestClassifyFlags(t *testing.T) {
	tests := []struct {
		name string
		a    map[string]string
		want []string
	}{
		{"none", diagSet(), nil},
		{"c_alone_no_skills", diagSet("online_done=alone", "skills=calls"), []string{"c_alone_no_skills"}},
		{"c_ease_no_skills", diagSet("feeling=ease", "skills=calls"), []string{"c_ease_no_skills"}},
		{"c_alone_lost", diagSet("online_done=alone", "feeling=lost"), []string{"c_alone_lost"}},
		{"c_no_device_web aidant", diagSet("who=pro", "device=none", "skills=web"), []string{"c_no_device_web"}},
		{"c_self_no_smartphone", diagSet("device=basic_phone"), []string{"c_self_no_smartphone"}},
		{"not c_self_no_smartphone for aidant", diagSet("who=relative", "device=basic_phone"), nil},
		{"all in C.3 order", diagSet("device=none", "online_done=alone", "feeling=ease", "skills=calls"),
			[]string{"c_alone_no_skills", "c_ease_no_skills", "c_self_no_smartphone"}},
		{"web without device, self", diagSet("device=basic_phone", "online_done=alone", "feeling=lost", "skills=web"),
			[]string{"c_alone_lost", "c_no_device_web", "c_self_no_smartphone"}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			if r := diagMustClassify(t, tt.a); !slices.Equal(r.Flags, tt.want) {
				t.Errorf("Classify(%v).Flags = %v, want %v", tt.a, r.Flags, tt.want)
			}
		})
	}
}

// TestClassifyConfidence has a case for each level of C.3 and for each
// kind of uncertainty: every dk answer, barrier=skip and a flag.
func TestClassifyConfidence(t *testing.T) {
	tests := []struct {
		name string
		a    map[string]string
		want string
	}{
		{"high", diagSet(), "high"},
		{"medium internet=dk", diagSet("internet=dk"), "medium"},
		{"medium skills=dk", diagSet("skills=dk"), "medium"},
		{"medium feeling=dk", diagSet("feeling=dk"), "medium"},
		{"medium barrier=skip", diagSet("barrier=skip"), "medium"},
		{"medium one flag", diagSet("device=none"), "medium"},
		{"low two dk", diagSet("internet=dk", "skills=dk"), "low"},
		{"low dk and skip", diagSet("feeling=dk", "barrier=skip"), "low"},
		{"low everything", diagSet("internet=dk", "skills=dk", "feeling=dk", "barrier=skip", "device=none"), "low"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			if r := diagMustClassify(t, tt.a); r.Confidence != tt.want {
				t.Errorf("Classify(%v).Confidence = %s, want %s", tt.a, r.Confidence, tt.want)
			}
		})
	}
}

// TestClassifyDontKnow checks each dk answer's middle score (B) and
// barrier=skip, which is never guessed.
func TestClassifyDontKnow(t *testing.T) {
	tests := []struct {
		answer string
		score  func(Scores) int
	}{
		{"internet=dk", func(s Scores) int { return s.C }},
		{"skills=dk", func(s Scores) int { return s.S }},
		{"feeling=dk", func(s Scores) int { return s.F }},
	}
	for _, tt := range tests {
		t.Run(tt.answer, func(t *testing.T) {
			// Top answers elsewhere: dk alone must keep autonome out.
			a := diagSet("device=computer", "internet=home", "skills=web", "online_done=alone", "feeling=ease", tt.answer)
			r := diagMustClassify(t, a)
			if got := tt.score(r.Scores); got != 1 {
				t.Errorf("%s scores %d, want 1", tt.answer, got)
			}
			// C.1 principle 4: only dk on skills or feeling rules out
			// autonome; C is in no rule, so internet=dk does not (see the
			// comment on R7 in diagnostic.go).
			if wantAuto := tt.answer == "internet=dk"; (r.Profile == "autonome") != wantAuto {
				t.Errorf("%s with top answers elsewhere = %s, want autonome %v", tt.answer, r.Profile, wantAuto)
			}
			if r.Confidence != "medium" {
				t.Errorf("%s: confidence %s, want medium", tt.answer, r.Confidence)
			}
		})
	}
	t.Run("barrier=skip", func(t *testing.T) {
		r := diagMustClassify(t, diagSet("barrier=skip", "online_done=never"))
		if r.Scores.B != 0 || r.Profile == "besoin_assistance" || r.Confidence != "medium" {
			t.Errorf("barrier=skip, never: B=%d %s %s, want B=0, not besoin_assistance, medium", r.Scores.B, r.Profile, r.Confidence)
		}
	})
}

// TestClassifyExhaustive checks every one of the 3 × 4⁷ = 49,152 answer
// combinations against the document's text (C.1, C.3).
func TestClassifyExhaustive(t *testing.T) {
	n := 0
	profiles := map[string]int{}
	rules := docRules()
	diagEachCombination(func(a map[string]string) {
		n++
		r, err := Classify(a)
		if err != nil {
			t.Fatalf("Classify(%v) error: %v (want total)", a, err)
		}
		profiles[r.Profile]++
		sc := docScores(a)
		if r.Scores != sc {
			t.Fatalf("Classify(%v).Scores = %+v, want %+v", a, r.Scores, sc)
		}
		first := -1
		for i, dr := range rules {
			if dr.match(a, sc) {
				first = i
				break
			}
		}
		want := rules[first]
		if r.Rule != want.name || r.Profile != want.profile || r.Why != want.why {
			t.Fatalf("Classify(%v) = %s %s %s, want %s %s %s", a, r.Rule, r.Profile, r.Why, want.name, want.profile, want.why)
		}
		if r.Profile == "autonome" && (a["skills"] == "dk" || a["feeling"] == "dk") {
			t.Fatalf("Classify(%v) = autonome with a dk", a)
		}
		if fl := docFlags(a); !slices.Equal(r.Flags, fl) {
			t.Fatalf("Classify(%v).Flags = %v, want %v", a, r.Flags, fl)
		}
		if c := docConfidence(a); r.Confidence != c {
			t.Fatalf("Classify(%v).Confidence = %s, want %s", a, r.Confidence, c)
		}
		if r.ByAidant != (a["who"] != "self") {
			t.Fatalf("Classify(%v).ByAidant = %v", a, r.ByAidant)
		}
	})
	if n != 3*4*4*4*4*4*4*4 {
		t.Errorf("checked %d combinations, want 49152", n)
	}
	for _, p := range []string{"autonome", "proche_autonomie", "grand_debutant", "besoin_assistance"} {
		if profiles[p] == 0 {
			t.Errorf("profile %s never occurs", p)
		}
	}
	t.Logf("profiles over all combinations: %v", profiles)
}

func TestClassifyErrors(t *testing.T) {
	all := docKeys()
	tests := []struct {
		name             string
		a                map[string]string
		missing, unknown []string
		msg              string // substring of Error()
	}{
		{"nil", nil, all, nil, "missing answers to who, device"},
		{"empty answer is missing", diagSet("device=", "skills="), []string{"device", "skills"}, nil, "missing answers to device, skills"},
		{"absent", func() map[string]string { a := diagSet(); delete(a, "barrier"); return a }(), []string{"barrier"}, nil, "barrier"},
		{"unknown", diagSet("internet=wifi"), nil, []string{"internet=wifi"}, `unknown answers internet="wifi"`},
		{"case matters", diagSet("who=Self"), nil, []string{"who=Self"}, `who="Self"`},
		{"key of another question", diagSet("feeling=web"), nil, []string{"feeling=web"}, "feeling"},
		{"both, in question order", diagSet("who=", "reading=audio", "device=tablet"), []string{"who"}, []string{"device=tablet", "reading=audio"},
			`missing answers to who; unknown answers device="tablet", reading="audio"`},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			r, err := Classify(tt.a)
			ae, ok := errors.AsType[*AnswerError](fmt.Errorf("wrapped: %w", err))
			if !ok {
				t.Fatalf("Classify(%v) = %+v, %v; want *AnswerError", tt.a, r, err)
			}
			if !slices.Equal(ae.Missing, tt.missing) || !slices.Equal(ae.Unknown, tt.unknown) {
				t.Errorf("Classify(%v) error missing %v unknown %v, want %v %v", tt.a, ae.Missing, ae.Unknown, tt.missing, tt.unknown)
			}
			if !strings.Contains(err.Error(), tt.msg) {
				t.Errorf("Error() = %q, want it to contain %q", err.Error(), tt.msg)
			}
			if r.Profile != "" {
				t.Errorf("Classify(%v) returned profile %s with an error", tt.a, r.Profile)
			}
		})
	}
	t.Run("extra keys ignored", func(t *testing.T) {
		if _, err := Classify(diagSet("need=health", "lang=nl")); err != nil {
			t.Errorf("Classify with need and lang: %v", err)
		}
	})
}

// TestClassifyAllocs keeps Classify cheap: no allocation without flags,
// one with.
func TestClassifyAllocs(t *testing.T) {
	for _, tt := range []struct {
		a    map[string]string
		want float64
	}{{diagSet(), 0}, {diagSet("device=none", "skills=web"), 1}} {
		if got := testing.AllocsPerRun(100, func() { Classify(tt.a) }); got != tt.want {
			t.Errorf("Classify(%v): %v allocs, want %v", tt.a, got, tt.want)
		}
	}
}

func BenchmarkClassify(b *testing.B) {
	for _, bb := range []struct {
		name string
		a    map[string]string
	}{
		{"no_flags", diagSet()},
		{"flags", diagSet("device=none", "skills=web", "online_done=alone", "feeling=lost")},
	} {
		b.Run(bb.name, func(b *testing.B) {
			b.ReportAllocs()
			for b.Loop() {
				if _, err := Classify(bb.a); err != nil {
					b.Fatal(err)
				}
			}
		})
	}
}
