package bot

import (
	"strings"

	"github.com/secours/secours/flows"
)

// Langs tells a reply's session language from its labels: flows.Reply
// carries no language, and the channels that add words of their own (a
// hint under a numbered list, a list's button, a template's language)
// must use the person's. Build it once with NewLangs; it is read-only
// after, and safe for concurrent use.
type Langs struct {
	labels map[string]flows.Lang // catalogue label → its language; "" if in both
}

// NewLangs indexes the answer and escape-row labels (keys "a.…" and
// "nav.…") of the conversation's catalogues.
func NewLangs(cats map[flows.Lang]flows.Catalog) *Langs {
	l := &Langs{labels: map[string]flows.Lang{}}
	for lang, cat := range cats {
		for k, label := range cat {
			if label == "" || !strings.HasPrefix(k, "a.") && !strings.HasPrefix(k, "nav.") {
				continue
			}
			if had, ok := l.labels[label]; ok && had != lang {
				l.labels[label] = "" // "WhatsApp", "Français": the same in both
				continue
			}
			l.labels[label] = lang
		}
	}
	return l
}

// Of is the language of the first label of r that belongs to one
// catalogue only; "" when none does (the bilingual language question, a
// reply without choices): never a wrong guess.
func (l *Langs) Of(r *flows.Reply) flows.Lang {
	for _, cs := range [2][]flows.Choice{r.Choices, r.Nav} {
		for _, c := range cs {
			if lang := l.labels[c.Label]; lang != "" {
				return lang
			}
		}
	}
	return ""
}
