package text

import (
	"encoding/json"
	"fmt"
	"io/fs"
	"maps"
	"regexp"
	"slices"
	"strings"
	"unicode"
)

// Lang is a catalogue language.
type Lang string

// The languages of the catalogues. The keys are those of docs/diagnostic.md.
const (
	FR Lang = "fr"
	NL Lang = "nl"
)

// Langs lists the catalogue languages, French first.
var Langs = []Lang{FR, NL}

// Catalog maps a message key to its text in one language. Texts may hold
// named placeholders such as {place}.
type Catalog map[string]string

// Catalogs is one catalogue in every language of Langs.
type Catalogs map[Lang]Catalog

// Spec is what the code needs of a catalogue; Load checks it so that a
// wrong file stops the start instead of showing a key to someone.
type Spec struct {
	// Keys are the keys the code names or builds: each must be in the
	// catalogue.
	Keys []string
	// Only makes any key beyond Keys an error. Catalogues whose templates
	// name keys of their own leave it false; the templates check theirs.
	Only bool
	// Holes gives, for the keys the code fills, exactly the placeholders
	// each text must hold, sorted ("{days}", "{times}"); nil for none.
	Holes map[string][]string
}

// Path is where catalogue name's text in language l lives in the fs.FS
// given to Load: i18n/<lang>.json for the conversation's (name ""),
// i18n/<name>.<lang>.json for the others ("observatory", "share",
// "structure", "telegram", "whatsapp"). Every file is one flat, sorted
// key → text object.
func Path(name string, l Lang) string {
	if name == "" {
		return "i18n/" + string(l) + ".json"
	}
	return "i18n/" + name + "." + string(l) + ".json"
}

// Load reads catalogue name in every language from fsys and checks it:
// each file a flat object of texts, none empty, the same keys and the same
// placeholders in every language, and what spec asks. A missing or
// malformed file is an error naming it, never a panic.
func Load(fsys fs.FS, name string, spec Spec) (Catalogs, error) {
	if fsys == nil {
		return nil, fmt.Errorf("catalogue %s: no files", label(name))
	}
	cats := make(Catalogs, len(Langs))
	for _, l := range Langs {
		p := Path(name, l)
		b, err := fs.ReadFile(fsys, p)
		if err != nil {
			return nil, fmt.Errorf("catalogue %s: %w", label(name), err)
		}
		var c Catalog
		if err := json.Unmarshal(b, &c); err != nil {
			return nil, fmt.Errorf("catalogue %s: %s: %w", label(name), p, err)
		}
		if c == nil {
			return nil, fmt.Errorf("catalogue %s: %s: not an object of texts", label(name), p)
		}
		cats[l] = c
	}
	if err := cats.Check(name, spec); err != nil {
		return nil, err
	}
	return cats, nil
}

// Check checks catalogues already in memory as Load does; name only
// labels the error. It lists every problem at once, so that one start
// tells a translator all that is wrong.
func (cats Catalogs) Check(name string, spec Spec) error {
	var bad []string
	for _, l := range Langs {
		if cats[l] == nil {
			bad = append(bad, string(l)+": whole catalogue")
		}
	}
	if len(bad) > 0 {
		return fmt.Errorf("catalogue %s: missing %s", label(name), strings.Join(bad, ", "))
	}
	fr := cats[FR]
	for _, l := range Langs {
		c := cats[l]
		for _, k := range slices.Sorted(maps.Keys(c)) {
			switch {
			case strings.TrimSpace(c[k]) == "":
				bad = append(bad, fmt.Sprintf("%s: empty %s", l, k))
			case l != FR && !hasKey(fr, k):
				bad = append(bad, fmt.Sprintf("fr lacks %s", k))
			case l != FR && !slices.Equal(Placeholders(fr[k]), Placeholders(c[k])):
				bad = append(bad, fmt.Sprintf("placeholders differ in %s", k))
			}
			if _, filled := spec.Holes[k]; spec.Only && !filled && !slices.Contains(spec.Keys, k) {
				bad = append(bad, fmt.Sprintf("%s: unknown key %s", l, k))
			}
		}
		if l != FR {
			for _, k := range slices.Sorted(maps.Keys(fr)) {
				if !hasKey(c, k) {
					bad = append(bad, fmt.Sprintf("%s lacks %s", l, k))
				}
			}
		}
		for _, k := range spec.Keys {
			if _, filled := spec.Holes[k]; !filled && !hasKey(c, k) {
				bad = append(bad, fmt.Sprintf("%s: missing %s", l, k))
			}
		}
		for _, k := range slices.Sorted(maps.Keys(spec.Holes)) {
			switch {
			case !hasKey(c, k):
				bad = append(bad, fmt.Sprintf("%s: missing %s", l, k))
			case !slices.Equal(Placeholders(c[k]), spec.Holes[k]):
				bad = append(bad, fmt.Sprintf("%s: %s must hold exactly %v", l, k, spec.Holes[k]))
			}
		}
	}
	if len(bad) > 0 {
		return fmt.Errorf("catalogue %s: %s", label(name), strings.Join(bad, ", "))
	}
	return nil
}

func hasKey(c Catalog, k string) bool {
	_, ok := c[k]
	return ok
}

// label names a catalogue in errors by its French file, which a
// translator opens first.
func label(name string) string { return Path(name, FR) }

var placeholder = regexp.MustCompile(`\{[a-z_]+\}`)

// Placeholders returns a text's {names}, sorted and once each, so that two
// languages compare whatever their word order.
func Placeholders(s string) []string {
	p := placeholder.FindAllString(s, -1)
	slices.Sort(p)
	return slices.Compact(p)
}

// Text returns the text of key with its placeholders filled from name,
// value pairs. Load checked the keys the code names; the key itself is
// the last resort, so that a gap shows rather than hides.
func (c Catalog) Text(key string, args ...string) string {
	if s, ok := c[key]; ok {
		return Fill(s, args...)
	}
	return key
}

// Bare returns a label without the emoji and punctuation before its first
// letter or digit ("🏦 Banque, argent" is "Banque, argent"), for a page
// that lists what the bot shows as buttons: an old PC may show an emoji
// as a box. A label with nothing else is returned as it is.
func Bare(label string) string {
	if out := strings.TrimLeftFunc(label, func(r rune) bool { return !unicode.IsLetter(r) && !unicode.IsDigit(r) }); out != "" {
		return out
	}
	return label
}

// Fill replaces {name} placeholders: args are name, value pairs; a
// placeholder with no value is left as it is. It scans once and builds
// no strings.Replacer: a page of 500 referrals fills thousands of texts.
func Fill(text string, args ...string) string {
	if len(args) < 2 || !strings.Contains(text, "{") {
		return text
	}
	var b strings.Builder
	b.Grow(len(text) + 32)
	for {
		i := strings.IndexByte(text, '{')
		if i < 0 {
			break
		}
		j := strings.IndexByte(text[i:], '}')
		if j < 0 {
			break
		}
		name, found := text[i+1:i+j], false
		b.WriteString(text[:i])
		for k := 0; k+1 < len(args); k += 2 {
			if args[k] == name {
				b.WriteString(args[k+1])
				found = true
				break
			}
		}
		if !found {
			b.WriteString(text[i : i+j+1])
		}
		text = text[i+j+1:]
	}
	b.WriteString(text)
	return b.String()
}
