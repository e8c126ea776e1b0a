package flows

import (
	"crypto/sha256"
	"encoding/base32"
	"regexp"
	"strings"
)

// ShareCode is the code of a place in its share links (Telegram
// t.me/<bot>?start=<code>, WhatsApp wa.me/<number>?text=<code>): "s" and
// ten base32 letters of a hash of the place id. It is derived, not
// stored, so every instance knows every code, and a place id (which may
// hold "/") never appears in a link.
func ShareCode(placeID string) string {
	h := sha256.Sum256([]byte("secours-share:" + placeID))
	return "s" + strings.ToLower(base32.StdEncoding.EncodeToString(h[:])[:10])
}

// shareRE finds a share code in a first message typed from a wa.me link,
// whatever the words around it.
var shareRE = regexp.MustCompile(`(?:^|[^a-z0-9])(s[a-z2-7]{10})(?:$|[^a-z0-9])`)

// maxShareText bounds a text read for a share code: a wa.me link's text
// is one short line, anything longer is a hostile paste.
const maxShareText = 200

// shareIn returns the share code a text carries, if any.
func shareIn(text string) string {
	if len(text) > maxShareText {
		return "" // a hostile paste: not a share link
	}
	if m := shareRE.FindStringSubmatch(strings.ToLower(text)); m != nil {
		return m[1]
	}
	return ""
}

// shareTextRE is the whole text a wa.me share link types: a short
// greeting that ends with the word "code" ("Bonjour Secours ! Code
// <code>", "Hallo Secours! Code <code>"), or the code alone.
var shareTextRE = regexp.MustCompile(`^(?:[\pL !,.:'’-]{0,40}\bcode[\s:]+)?(s[a-z2-7]{10})[\s.!]*$`)

// shareText returns the share code of a text that is nothing but a share
// link's text. Unlike shareIn, which reads a first message whatever the
// words around the code, it is used in the middle of a conversation, so
// an answer that merely holds the word "code" is never taken for one.
func shareText(text string) string {
	if len(text) > maxShareText {
		return ""
	}
	if m := shareTextRE.FindStringSubmatch(strings.ToLower(strings.TrimSpace(text))); m != nil {
		return m[1]
	}
	return ""
}
