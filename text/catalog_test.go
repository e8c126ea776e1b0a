package text_test

import (
	"strings"
	"testing"
	"testing/fstest"

	"github.com/secours/secours/text"
)

// files is a catalogue "t" in two files, as configs/i18n holds them.
func files(fr, nl string) fstest.MapFS {
	m := fstest.MapFS{}
	if fr != "" {
		m["i18n/t.fr.json"] = &fstest.MapFile{Data: []byte(fr)}
	}
	if nl != "" {
		m["i18n/t.nl.json"] = &fstest.MapFile{Data: []byte(nl)}
	}
	return m
}

// TestLoad: the checks every catalogue gets (the same keys and
// placeholders in French and Dutch, no empty text, a clear error for a
// missing or malformed file, never a panic) and those a Spec asks.
func TestLoad(t *testing.T) {
	ok := files(`{"a": "x {n}", "b": "y"}`, `{"a": "{n} x", "b": "z"}`)
	cats, err := text.Load(ok, "t", text.Spec{Keys: []string{"a", "b"}, Only: true, Holes: map[string][]string{"a": {"{n}"}}})
	if err != nil {
		t.Fatal(err)
	}
	if got := cats[text.NL].Text("a", "n", "3"); got != "3 x" {
		t.Errorf("Text = %q, want %q", got, "3 x")
	}
	tests := []struct {
		name string
		fsys fstest.MapFS
		spec text.Spec
		want string // in the error
	}{
		{"no nl file", files(`{"a": "x"}`, ""), text.Spec{}, "i18n/t.nl.json"},
		{"not JSON", files(`{`, `{}`), text.Spec{}, "i18n/t.fr.json"},
		{"not an object", files(`["a"]`, `{}`), text.Spec{}, "i18n/t.fr.json"},
		{"null", files(`null`, `{}`), text.Spec{}, "not an object"},
		{"nested", files(`{"a": {"b": "c"}}`, `{"a": {"b": "c"}}`), text.Spec{}, "i18n/t.fr.json"},
		{"nl lacks a key", files(`{"a": "x", "b": "y"}`, `{"a": "x"}`), text.Spec{}, "nl lacks b"},
		{"fr lacks a key", files(`{"a": "x"}`, `{"a": "x", "b": "y"}`), text.Spec{}, "fr lacks b"},
		{"placeholders differ", files(`{"a": "x {n}"}`, `{"a": "x"}`), text.Spec{}, "placeholders differ in a"},
		{"empty text", files(`{"a": " "}`, `{"a": "x"}`), text.Spec{}, "fr: empty a"},
		{"key the code names", files(`{"a": "x"}`, `{"a": "x"}`), text.Spec{Keys: []string{"a", "c"}}, "missing c"},
		{"unknown key", files(`{"a": "x", "d": "y"}`, `{"a": "x", "d": "y"}`), text.Spec{Keys: []string{"a"}, Only: true}, "unknown key d"},
		{"hole missing", files(`{"a": "x"}`, `{"a": "x"}`), text.Spec{Holes: map[string][]string{"a": {"{n}"}}}, "a must hold exactly [{n}]"},
		{"extra hole", files(`{"a": "x {n} {m}"}`, `{"a": "x {n} {m}"}`), text.Spec{Holes: map[string][]string{"a": {"{n}"}}}, "a must hold exactly"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			_, err := text.Load(tt.fsys, "t", tt.spec)
			if err == nil || !strings.Contains(err.Error(), tt.want) {
				t.Errorf("Load = %v, want an error with %q", err, tt.want)
			}
		})
	}
	if _, err := text.Load(nil, "t", text.Spec{}); err == nil {
		t.Error("Load(nil) accepted")
	}
}

func TestPath(t *testing.T) {
	if got := text.Path("", text.NL); got != "i18n/nl.json" {
		t.Errorf("Path(\"\", nl) = %q", got)
	}
	if got := text.Path("share", text.FR); got != "i18n/share.fr.json" {
		t.Errorf("Path(share, fr) = %q", got)
	}
}

func TestCheckInMemory(t *testing.T) {
	if err := (text.Catalogs{text.FR: {"a": "x"}}).Check("", text.Spec{}); err == nil || !strings.Contains(err.Error(), "nl: whole catalogue") {
		t.Errorf("Check without nl = %v", err)
	}
}

func TestFill(t *testing.T) {
	for _, tt := range []struct {
		in   string
		args []string
		want string
	}{
		{"{a} et {b}", []string{"a", "1", "b", "2"}, "1 et 2"},
		{"{a} et {c}", []string{"a", "1"}, "1 et {c}"},
		{"{a}", []string{"a", "{a}"}, "{a}"}, // a value is not filled again
		{"no hole", []string{"a", "1"}, "no hole"},
		{"{a", []string{"a", "1"}, "{a"},
		{"{a}", nil, "{a}"},
	} {
		if got := text.Fill(tt.in, tt.args...); got != tt.want {
			t.Errorf("Fill(%q, %q) = %q, want %q", tt.in, tt.args, got, tt.want)
		}
	}
	if got := (text.Catalog{}).Text("missing.key"); got != "missing.key" {
		t.Errorf("Text of a missing key = %q, want the key", got)
	}
}

func TestPlaceholders(t *testing.T) {
	got := text.Placeholders("{b} {a} {b} {Not} {}")
	if strings.Join(got, ",") != "{a},{b}" {
		t.Errorf("Placeholders = %v", got)
	}
}

func TestAcceptLang(t *testing.T) {
	for h, want := range map[string]text.Lang{
		"":                        text.FR,
		"nl-BE,nl;q=0.9,fr;q=0.8": text.NL,
		"fr-BE,nl;q=0.9":          text.FR,
		"en-GB,en;q=0.9,nl;q=0.5": text.NL,
		"de,en":                   text.FR,
		"nl;q=0, fr;q=0.1":        text.FR,
		"fr;q=0.2,nl;q=0.7":       text.NL,
	} {
		if got := text.AcceptLang(h); got != want {
			t.Errorf("AcceptLang(%q) = %s, want %s", h, got, want)
		}
	}
}
