// Package texttest builds catalogue files for tests: the shipped ones with
// an edit, to prove that a loader refuses what would show a key. It must
// not import geo, flows, bot or configs (the test passes configs.FS).
package texttest

import (
	"encoding/json"
	"io/fs"
	"testing"
	"testing/fstest"

	"github.com/secours/secours/text"
)

// Read returns catalogue name's files from fsys parsed, but not checked,
// so that a test can break them.
func Read(tb testing.TB, fsys fs.FS, name string) text.Catalogs {
	tb.Helper()
	cats := text.Catalogs{}
	for _, l := range text.Langs {
		b, err := fs.ReadFile(fsys, text.Path(name, l))
		if err != nil {
			tb.Fatal(err)
		}
		var c text.Catalog
		if err := json.Unmarshal(b, &c); err != nil {
			tb.Fatalf("%s: %v", text.Path(name, l), err)
		}
		cats[l] = c
	}
	return cats
}

// FS holds cats as catalogue name's files; a language cats lacks has no
// file.
func FS(tb testing.TB, name string, cats text.Catalogs) fstest.MapFS {
	tb.Helper()
	m := fstest.MapFS{}
	for l, c := range cats {
		b, err := json.Marshal(c)
		if err != nil {
			tb.Fatal(err)
		}
		m[text.Path(name, l)] = &fstest.MapFile{Data: b}
	}
	return m
}

// Edited is catalogue name of fsys after edit changed its French and
// Dutch texts.
func Edited(tb testing.TB, fsys fs.FS, name string, edit func(fr, nl text.Catalog)) fstest.MapFS {
	tb.Helper()
	cats := Read(tb, fsys, name)
	edit(cats[text.FR], cats[text.NL])
	return FS(tb, name, cats)
}

// Raw holds catalogue name's files as written, JSON or not: fr and nl are
// the French and Dutch files' contents.
func Raw(name, fr, nl string) fstest.MapFS {
	return fstest.MapFS{
		text.Path(name, text.FR): {Data: []byte(fr)},
		text.Path(name, text.NL): {Data: []byte(nl)},
	}
}
