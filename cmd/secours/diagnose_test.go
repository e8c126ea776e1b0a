package main

import (
	"bytes"
	"encoding/json"
	"slices"
	"strings"
	"testing"
)

// diagnoseRun runs `secours diagnose` and returns its exit code and output.
func diagnoseRun(t *testing.T, stdin string, args ...string) (code int, stdout, stderr string) {
	t.Helper()
	var out, errOut bytes.Buffer
	code = runDiagnose(args, strings.NewReader(stdin), &out, &errOut)
	return code, out.String(), errOut.String()
}

// diagnoseDecode decodes the JSON lines of stdout.
func diagnoseDecode(t *testing.T, stdout string) []map[string]any {
	t.Helper()
	var lines []map[string]any
	for l := range strings.Lines(stdout) {
		var m map[string]any
		if err := json.Unmarshal([]byte(l), &m); err != nil {
			t.Fatalf("output line %q is not a JSON object: %v", l, err)
		}
		lines = append(lines, m)
	}
	return lines
}

// diagnoseStrings reads a JSON list of strings.
func diagnoseStrings(v any) []string {
	var s []string
	for _, x := range v.([]any) {
		s = append(s, x.(string))
	}
	return s
}

const diagnoseR3 = "who=pro,device=none,internet=rarely,skills=calls,online_done=other_does,feeling=lost,reading=text,barrier=none"

func TestDiagnoseAnswers(t *testing.T) {
	code, stdout, stderr := diagnoseRun(t, "", "-answers", diagnoseR3+",need=health,country=BE")
	if code != 0 {
		t.Fatalf("exit %d, stderr %q", code, stderr)
	}
	lines := diagnoseDecode(t, stdout)
	if len(lines) != 1 {
		t.Fatalf("got %d lines, want 1: %s", len(lines), stdout)
	}
	m := lines[0]
	for k, want := range map[string]any{
		"profile": "besoin_assistance", "rule": "R3", "why": "why.delegated_no_tools",
		"confidence": "high", "need": "health", "country": "BE", "by_aidant": true,
	} {
		if m[k] != want {
			t.Errorf("%s = %v, want %v", k, m[k], want)
		}
	}
	if _, ok := m["line"]; ok {
		t.Errorf("line = %v in -answers mode, want none", m["line"])
	}
	if _, ok := m["note"]; ok {
		t.Errorf("note = %v with a need and a country, want none", m["note"])
	}
	if f, ok := m["flags"].([]any); !ok || len(f) != 0 {
		t.Errorf("flags = %#v, want []", m["flags"])
	}
	sc := m["scores"].(map[string]any)
	for k, want := range map[string]float64{"E": 0, "C": 0, "S": 0, "A": 0, "F": 0, "R": 0, "B": 0} {
		if sc[k] != want {
			t.Errorf("scores.%s = %v, want %v", k, sc[k], want)
		}
	}
	// D.2: base service of besoin_assistance, the health service, and
	// both material add-ons for E = 0.
	sv := m["services"].(map[string]any)
	if got, want := sv["base"], "Aide aux démarches administratives"; got != want {
		t.Errorf("services.base = %v, want %v", got, want)
	}
	if got := diagnoseStrings(sv["need"]); !slices.Contains(got, "Aide aux démarches administratives") {
		t.Errorf("services.need = %v, want the procedure service", got)
	}
	addOns := diagnoseStrings(sv["add_ons"])
	for _, want := range []string{"Accès internet et matériel informatique", "Acquisition de matériel informatique à prix solidaire"} {
		if !slices.Contains(addOns, want) {
			t.Errorf("services.add_ons = %v, want %q", addOns, want)
		}
	}
}

func TestDiagnoseNoNeed(t *testing.T) {
	code, stdout, stderr := diagnoseRun(t, "", "-answers", strings.ReplaceAll(diagnoseR3, ",", " , "))
	if code != 0 {
		t.Fatalf("exit %d, stderr %q", code, stderr)
	}
	m := diagnoseDecode(t, stdout)[0]
	if m["need"] != "other" || !strings.Contains(m["note"].(string), "need") {
		t.Errorf("need = %v, note = %v; want other and a note", m["need"], m["note"])
	}
}

// TestDiagnoseCountry checks that country chooses the programmes of D.2
// (besoin_assistance in FR: Aidants Connect, then France Services).
func TestDiagnoseCountry(t *testing.T) {
	tests := []struct {
		name, args string
		programmes []string
		note       string // substring; empty means no note
	}{
		{"FR", diagnoseR3 + ",need=health,country=FR", []string{"Aidants Connect", "France Services"}, ""},
		{"absent", diagnoseR3 + ",need=health", []string{}, "country absent"},
		{"absent, not needed", "who=self,device=computer,internet=home,skills=web,online_done=alone,feeling=ease,reading=text,barrier=none,need=job", []string{}, ""},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			code, stdout, stderr := diagnoseRun(t, "", "-answers", tt.args)
			if code != 0 {
				t.Fatalf("exit %d, stderr %q", code, stderr)
			}
			m := diagnoseDecode(t, stdout)[0]
			if got := diagnoseStrings(m["programmes"]); !slices.Equal(got, tt.programmes) {
				t.Errorf("programmes = %v, want %v", got, tt.programmes)
			}
			note, _ := m["note"].(string)
			if (tt.note == "") != (note == "") || !strings.Contains(note, tt.note) {
				t.Errorf("note = %q, want %q", note, tt.note)
			}
		})
	}
}

func TestDiagnoseAnswerErrors(t *testing.T) {
	tests := []struct {
		name string
		args []string
		want []string // substrings of stderr
	}{
		{"missing", []string{"-answers", "who=self,device=computer"}, []string{"missing answers to internet, skills, online_done, feeling, reading, barrier"}},
		{"empty", []string{"-answers", ""}, []string{"missing answers to who, device"}},
		{"unknown answer", []string{"-answers", strings.Replace(diagnoseR3, "internet=rarely", "internet=wifi", 1)},
			[]string{`unknown answer internet="wifi"`, "home, mobile, rarely, dk"}},
		{"unknown key", []string{"-answers", diagnoseR3 + ",skils=web"}, []string{`unknown keys "skils"`}},
		{"unknown need", []string{"-answers", diagnoseR3 + ",need=food"}, []string{`unknown need "food"`, "procedure, banking"}},
		{"everything at once", []string{"-answers", "who=me,colour=blue,need=x"},
			[]string{`"colour"`, `need "x"`, "missing answers to device", `who="me"`}},
		{"unknown country", []string{"-answers", diagnoseR3 + ",country=DE"}, []string{`unknown country "DE"`, "BE, FR"}},
		{"not a pair", []string{"-answers", "who"}, []string{`"who" is not key=answer`}},
		{"twice", []string{"-answers", diagnoseR3 + ",who=self"}, []string{"who given twice"}},
		{"argument", []string{"-answers", diagnoseR3, "extra"}, []string{`unexpected argument "extra"`}},
		{"bad flag", []string{"-answer", diagnoseR3}, []string{"-answer"}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			code, stdout, stderr := diagnoseRun(t, "", tt.args...)
			if code != 2 {
				t.Errorf("exit %d, want 2", code)
			}
			if stdout != "" {
				t.Errorf("stdout = %q, want nothing", stdout)
			}
			for _, w := range tt.want {
				if !strings.Contains(stderr, w) {
					t.Errorf("stderr = %q, want it to contain %q", stderr, w)
				}
			}
		})
	}
}

func TestDiagnoseHelp(t *testing.T) {
	code, stdout, stderr := diagnoseRun(t, "", "-h")
	if code != 0 {
		t.Errorf("exit %d, want 0", code)
	}
	for _, w := range []string{"usage: secours diagnose", "-answers", "Examples:", "online_done", "other_does", "need", "learning", "country"} {
		if !strings.Contains(stderr+stdout, w) {
			t.Errorf("help does not mention %q:\n%s", w, stderr)
		}
	}
}

// TestDiagnoseStdin checks a whole table in one run: the vectors of
// docs/diagnostic.md C.4, with errors on some lines.
func TestDiagnoseStdin(t *testing.T) {
	in := `{"who":"self","device":"smartphone","internet":"mobile","skills":"web","online_done":"alone","feeling":"ease","reading":"reader","barrier":"none"}
{"who":"relative","device":"none","internet":"rarely","skills":"calls","online_done":"other_does","feeling":"lost","reading":"voice","barrier":"body","need":"banking"}
{"who":"pro","device":"none","internet":"rarely","skills":"calls","online_done":"other_does","feeling":"lost","reading":"text","barrier":"none"}

# R4 has low confidence
{"who":"self","device":"smartphone","internet":"mobile","skills":"calls","online_done":"alone","feeling":"ease","reading":"text","barrier":"none"}
{"who":"relative","device":"basic_phone","internet":"home","skills":"apps","online_done":"with_help","feeling":"fear","reading":"text","barrier":"none"}
{"who":"self","device":"smartphone","internet":"rarely","skills":"apps","online_done":"never","feeling":"lost","reading":"text","barrier":"none"}
{"who":"self","device":"none","internet":"rarely","skills":"web","online_done":"alone","feeling":"ease","reading":"text","barrier":"none"}
{"who":"self","device":"smartphone","internet":"mobile","skills":"apps","online_done":"alone","feeling":"ease","reading":"voice","barrier":"none"}
{"who":"self","device":"computer","internet":"home","skills":"web","online_done":"alone","feeling":"dk","reading":"text","barrier":"none"}
{"who":"self"}
not json
{"who":1}
null
{"who":"self","device":"computer","internet":"home","skills":"web","online_done":"alone","feeling":"ease","reading":"text","barrier":"none","need":"job"}
`
	type want struct {
		line                int
		profile, rule, conf string
		err                 string
	}
	wants := []want{
		{1, "besoin_assistance", "R1", "high", ""},
		{2, "besoin_assistance", "R2", "high", ""},
		{3, "besoin_assistance", "R3", "high", ""},
		{6, "grand_debutant", "R4", "low", ""},
		{7, "grand_debutant", "R5", "high", ""},
		{8, "grand_debutant", "R6", "high", ""},
		{9, "autonome", "R7", "low", ""},
		{10, "proche_autonomie", "R8", "high", ""},
		{11, "proche_autonomie", "R8", "medium", ""},
		{12, "", "", "", "missing answers to device"},
		{13, "", "", "", "JSON"},
		{14, "", "", "", "JSON"},
		{15, "", "", "", "null"},
		{16, "autonome", "R7", "high", ""},
	}
	code, stdout, stderr := diagnoseRun(t, in)
	if code != 1 {
		t.Errorf("exit %d, want 1 (stderr %q)", code, stderr)
	}
	lines := diagnoseDecode(t, stdout)
	if len(lines) != len(wants) {
		t.Fatalf("got %d lines, want %d:\n%s", len(lines), len(wants), stdout)
	}
	for i, w := range wants {
		m := lines[i]
		if m["line"] != float64(w.line) {
			t.Errorf("output %d: line = %v, want %d", i, m["line"], w.line)
			continue
		}
		if w.err != "" {
			if e, _ := m["error"].(string); !strings.Contains(e, w.err) || len(m) != 2 {
				t.Errorf("line %d = %v, want only an error containing %q", w.line, m, w.err)
			}
			continue
		}
		if m["profile"] != w.profile || m["rule"] != w.rule || m["confidence"] != w.conf {
			t.Errorf("line %d = %v %v %v, want %s %s %s", w.line, m["profile"], m["rule"], m["confidence"], w.profile, w.rule, w.conf)
		}
	}
}

func TestDiagnoseStdinAllGood(t *testing.T) {
	line := `{"who":"self","device":"computer","internet":"home","skills":"web","online_done":"alone","feeling":"ease","reading":"text","barrier":"none","need":"learning"}` + "\n"
	code, stdout, stderr := diagnoseRun(t, line+line)
	if code != 0 || stderr != "" {
		t.Errorf("exit %d, stderr %q; want 0 and nothing", code, stderr)
	}
	if n := len(diagnoseDecode(t, stdout)); n != 2 {
		t.Errorf("got %d lines, want 2", n)
	}
}
