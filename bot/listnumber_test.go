package bot

import (
	"strconv"
	"testing"
)

// FuzzListNumber: no input panics, a number accepted is a list entry's,
// and every entry's number reads back.
func FuzzListNumber(f *testing.F) {
	for _, s := range []string{"2", "2.", "12)", "2️⃣", "2\u20e3", "0", "02", "100", "", ".", "1️⃣0", "deux", " 3 "} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, s string) {
		n := ListNumber(s)
		if n < 0 || n > 99 {
			t.Fatalf("ListNumber(%q) = %d, out of 1–99", s, n)
		}
		if n > 0 {
			if back := ListNumber(strconv.Itoa(n)); back != n {
				t.Fatalf("ListNumber(%q) = %d, but %d reads as %d", s, n, n, back)
			}
		}
	})
}
