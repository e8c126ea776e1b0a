package testkit

import "testing"

// Build applies edits to the options o in order and builds with them,
// failing tb if build does: the fixtures' "default options, then the
// test's changes to them".
func Build[O, T any](tb testing.TB, build func(O) (T, error), o O, edits ...func(*O)) T {
	tb.Helper()
	for _, e := range edits {
		e(&o)
	}
	v, err := build(o)
	if err != nil {
		tb.Fatal(err)
	}
	return v
}
