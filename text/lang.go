package text

import (
	"slices"
	"strconv"
	"strings"
)

// PlaceLang is the one language to address a place in, from its country
// ("BE", "FR") and the languages it lists, in its order: Dutch if it lists
// Dutch first, or is in Belgium and lists Dutch but not French; French
// otherwise, and when it lists none. So a bilingual Brussels place that
// lists French first is written to in French, and a French place listing
// Dutch but not French (none does: the import gives French places "fr")
// stays French, as docs/diagnostic.md treats Dutch as a Belgian language
// (D, matching, 5: "in Brussels"). The structure's page and mails, and the poster of
// a place that serves one language, all follow it.
func PlaceLang(country string, langs []string) Lang {
	if len(langs) == 0 {
		return FR
	}
	if langs[0] == string(NL) {
		return NL
	}
	if country == "BE" && slices.Contains(langs, string(NL)) && !slices.Contains(langs, string(FR)) {
		return NL
	}
	return FR
}

// Bilingual reports whether a place serves both French and Dutch (most of
// Brussels): what it prints is printed in both.
func Bilingual(langs []string) bool {
	return slices.Contains(langs, string(FR)) && slices.Contains(langs, string(NL))
}

// AcceptLang picks French or Dutch from an HTTP Accept-Language header,
// by weight then order; French if it names neither. The pages opened by a
// link (the observatory, a network's page) start in the reader's language.
func AcceptLang(h string) Lang {
	best, bestQ := FR, -1.0
	for part := range strings.SplitSeq(h, ",") {
		tag, params, _ := strings.Cut(strings.TrimSpace(part), ";")
		q := 1.0
		if v, ok := strings.CutPrefix(strings.TrimSpace(params), "q="); ok {
			if f, err := strconv.ParseFloat(v, 64); err == nil {
				q = f
			}
		}
		primary, _, _ := strings.Cut(strings.ToLower(tag), "-")
		if (primary == "fr" || primary == "nl") && q > bestQ && q > 0 {
			best, bestQ = Lang(primary), q
		}
	}
	return best
}
