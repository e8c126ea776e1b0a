package bot

import "strings"

// ListNumber reads the number of a list entry as people type it: "2",
// "2.", "2)", or the keycap emoji "2️⃣" (with or without U+FE0F); 0 if
// text is none of these. Number words ("deux") are left to the engine,
// which reads them for its own lists: here they would be a second
// dictionary. The channels that show a push's list as numbered text
// (WhatsApp) read the typed answer with it.
func ListNumber(text string) int {
	t := strings.TrimSpace(text)
	if rest, ok := strings.CutSuffix(t, "\u20e3"); ok {
		t = strings.TrimSuffix(rest, "\ufe0f")
		if len(t) != 1 {
			return 0
		}
	} else if len(t) > 1 && (t[len(t)-1] == '.' || t[len(t)-1] == ')') {
		t = t[:len(t)-1]
	}
	if len(t) == 0 || len(t) > 2 || t[0] == '0' {
		return 0
	}
	n := 0
	for i := 0; i < len(t); i++ {
		if t[i] < '0' || t[i] > '9' {
			return 0
		}
		n = n*10 + int(t[i]-'0')
	}
	return n
}
