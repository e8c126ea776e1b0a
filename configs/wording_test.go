package configs_test

import (
	"bufio"
	"fmt"
	"maps"
	"os"
	"slices"
	"strings"
	"testing"

	"github.com/secours/secours/configs"
	"github.com/secours/secours/text"
)

// The wording check (issue 21, docs/diagnostic.md F): every text a
// person or a structure reads in the chat or on its pages keeps to the
// plain-language rules, and a new text that breaks one fails CI. The
// counting rules (what a sentence, a word and a label's width are) are
// text.Sentences, text.Words and text.Width. The screens of the golden
// transcripts are checked in flows (TestScreens).
//
// wording_allow.txt lists the few texts that may break a rule, one a
// line, each with why: "<catalogue>:<key> <reason>", "chat" naming the
// conversation's catalogue. At most maxAllowed.

const (
	maxSentences = 2  // F.1
	maxWords     = 15 // F.1, per sentence
	maxButton    = 20 // F.3; Telegram buttons and WhatsApp reply buttons (20), list rows (24)
	maxAllowed   = 5
)

// catalogues are every catalogue a person or a structure reads: the
// conversation ("chat"), each channel's words, the structures' page,
// mails and chat summaries, and the share posters. The observatory's is
// not among them: its readers are the coordinators of a network, and its
// notes are the definitions of its counts, which must stay exact.
var catalogues = []string{"chat", "telegram", "whatsapp", "wacloud", "structure", "share"}

// isButton: the keys of the conversation shown on a button or a list row
// (answers, the escape row, the location button), and the Cloud API's
// list button and section titles (20 and 24 characters at most).
func isButton(cat, key string) bool {
	switch cat {
	case "chat":
		return strings.HasPrefix(key, "a.") || strings.HasPrefix(key, "nav.") || key == "location.button"
	case "wacloud":
		return key == "list" || key == "answers" || key == "more"
	}
	return false
}

type violation struct{ id, why string }

// wording measures every catalogue; it does not consult the allow-list.
func wording(t *testing.T) (texts, buttons int, bad []violation) {
	t.Helper()
	for _, name := range catalogues {
		file := name
		if name == "chat" {
			file = ""
		}
		// text.Load checks FR = NL keys and placeholders (and no empty text).
		cats, err := text.Load(configs.FS, file, text.Spec{})
		if err != nil {
			t.Fatalf("%s: %v", name, err)
		}
		t2, b2, bad2 := measure(name, cats)
		texts, buttons, bad = texts+t2, buttons+b2, append(bad, bad2...)
	}
	return texts, buttons, bad
}

// measure checks one catalogue, in both languages, against the rules.
func measure(name string, cats text.Catalogs) (texts, buttons int, bad []violation) {
	for _, l := range text.Langs {
		for _, k := range slices.Sorted(maps.Keys(cats[l])) {
			s, id := cats[l][k], name+":"+k
			if isButton(name, k) {
				buttons++
				if w := text.Width(s); w > maxButton {
					bad = append(bad, violation{id, fmt.Sprintf("%s button %q is %d characters, want ≤ %d", l, s, w, maxButton)})
				}
				continue
			}
			texts++
			ss := text.Sentences(s)
			if len(ss) > maxSentences {
				bad = append(bad, violation{id, fmt.Sprintf("%s has %d sentences, want ≤ %d: %q", l, len(ss), maxSentences, s)})
			}
			for _, sen := range ss {
				if n := text.Words(sen); n > maxWords {
					bad = append(bad, violation{id, fmt.Sprintf("%s sentence of %d words, want ≤ %d: %q", l, n, maxWords, sen)})
				}
			}
		}
	}
	return texts, buttons, bad
}

// TestMeasure: the check sees each kind of break, and lets a plain text
// and a short button through.
func TestMeasure(t *testing.T) {
	cats := text.Catalogs{
		text.FR: {"a.x": "📍 Partager ma position", "a.ok": "🙋 Une personne", "ok": "Bonjour. Ça va ?",
			"three": "Un. Deux. Trois.", "long": "Un deux trois quatre cinq six sept huit neuf dix onze douze treize quatorze quinze seize."},
		text.NL: {"a.x": "Kort", "a.ok": "Kort", "ok": "Dag.", "three": "Een.", "long": "Kort."},
	}
	_, _, bad := measure("chat", cats)
	var got []string
	for _, v := range bad {
		got = append(got, v.id)
	}
	if want := []string{"chat:a.x", "chat:long", "chat:three"}; !slices.Equal(got, want) {
		t.Errorf("breaks %v, want %v", got, want)
	}
}

// allowed reads wording_allow.txt: id → reason.
func allowed(t *testing.T) map[string]string {
	t.Helper()
	f, err := os.Open("wording_allow.txt")
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	out := map[string]string{}
	sc := bufio.NewScanner(f)
	for sc.Scan() {
		line := strings.TrimSpace(sc.Text())
		if line == "" || strings.HasPrefix(line, "#") {
			continue
		}
		id, why, _ := strings.Cut(line, " ")
		if strings.TrimSpace(why) == "" {
			t.Errorf("wording_allow.txt: %s says no why", id)
		}
		out[id] = why
	}
	if err := sc.Err(); err != nil {
		t.Fatal(err)
	}
	return out
}

// TestWording fails on a text or a button that breaks a rule and is not
// in the allow-list, on more than maxAllowed entries, and on an entry
// that no longer breaks anything (so the list only shrinks).
func TestWording(t *testing.T) {
	texts, buttons, bad := wording(t)
	allow := allowed(t)
	if len(allow) > maxAllowed {
		t.Errorf("wording_allow.txt has %d entries, want ≤ %d", len(allow), maxAllowed)
	}
	used := map[string]bool{}
	ids := map[string]bool{}
	for _, v := range bad {
		ids[v.id] = true
		if _, ok := allow[v.id]; ok {
			used[v.id] = true
			continue
		}
		t.Errorf("%s: %s", v.id, v.why)
	}
	for id := range allow {
		if !used[id] {
			t.Errorf("wording_allow.txt: %s breaks no rule any more; take it out", id)
		}
	}
	t.Logf("%d texts and %d buttons (FR and NL); %d break a rule, %d allowed", texts, buttons, len(ids), len(used))
}
