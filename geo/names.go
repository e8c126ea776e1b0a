package geo

import (
	"strings"
	"unicode"
	"unicode/utf8"

	"github.com/secours/secours/text"
)

// normName folds a commune name for lookup with text.Fold (lower case,
// no accents, any punctuation as a space), the ligatures written out
// (Fold keeps "œ", which has no decomposition), and "st"/"ste" spelled
// out, because La Poste writes "ST AMAND" where people type
// "Saint-Amand".
func normName(s string) string {
	out := text.Fold(ligatures.Replace(s))
	if !strings.Contains(out, "st") {
		return out
	}
	words := strings.Fields(out)
	for i, w := range words {
		switch w {
		case "st":
			words[i] = "saint"
		case "ste":
			words[i] = "sainte"
		}
	}
	return strings.Join(words, " ")
}

// ligatures are the letters Fold would keep whole that people type as
// two.
var ligatures = strings.NewReplacer("œ", "oe", "Œ", "oe", "æ", "ae", "Æ", "ae", "ß", "ss")

// titleName turns La Poste's upper-case names ("ST AMAND LES EAUX") into
// a readable form ("Saint-Amand-les-Eaux" is not recoverable, so we give
// "Saint Amand les Eaux"). Names already in mixed case are kept.
func titleName(s string) string {
	if strings.ToUpper(s) != s {
		return s
	}
	words := strings.Fields(strings.ToLower(s))
	for i, w := range words {
		switch w {
		case "st":
			w = "saint"
		case "ste":
			w = "sainte"
		}
		small := false
		switch w {
		case "de", "du", "des", "la", "le", "les", "sur", "sous", "en", "et", "aux", "au", "lès", "l", "d":
			small = i > 0
		}
		if !small {
			r, n := utf8.DecodeRuneInString(w)
			w = string(unicode.ToUpper(r)) + w[n:]
		}
		words[i] = w
	}
	return strings.Join(words, " ")
}

// maxNameRunes bounds the input the suggestion search looks at.
const maxNameRunes = 60

// distBuf holds the three rows of the distance table, reused across the
// names of one suggestion search.
type distBuf struct{ prev2, prev, cur []int }

// distance is the optimal-string-alignment distance (insert, delete,
// substitute, swap two neighbours) of ra and rb, giving up above max.
func (d *distBuf) distance(ra, rb []rune, max int) int {
	if abs(len(ra)-len(rb)) > max {
		return max + 1
	}
	n := len(rb) + 1
	if cap(d.cur) < n {
		d.prev2, d.prev, d.cur = make([]int, n), make([]int, n), make([]int, n)
	}
	prev2, prev, cur := d.prev2[:n], d.prev[:n], d.cur[:n]
	for j := range prev {
		prev[j] = j
	}
	for i := 1; i <= len(ra); i++ {
		cur[0] = i
		rowMin := cur[0]
		for j := 1; j <= len(rb); j++ {
			cost := 1
			if ra[i-1] == rb[j-1] {
				cost = 0
			}
			v := min(prev[j]+1, cur[j-1]+1, prev[j-1]+cost)
			if i > 1 && j > 1 && ra[i-1] == rb[j-2] && ra[i-2] == rb[j-1] {
				v = min(v, prev2[j-2]+1)
			}
			cur[j] = v
			rowMin = min(rowMin, v)
		}
		if rowMin > max {
			return max + 1
		}
		prev2, prev, cur = prev, cur, prev2
	}
	return prev[len(rb)]
}

func abs(x int) int {
	if x < 0 {
		return -x
	}
	return x
}
