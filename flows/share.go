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

// shareIn returns the share code a text carries, if any.
func shareIn(text string) string {
	if len(text) > 200 {
		return "" // a hostile paste: not a share link
	}
	if m := shareRE.FindStringSubmatch(strings.ToLower(text)); m != nil {
		return m[1]
	}
	return ""
}
