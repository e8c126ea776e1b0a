package network

import (
	"strings"
	"sync"
	"testing"

	"github.com/secours/secours/configs"
	"github.com/secours/secours/geo"
	"github.com/secours/secours/text"
)

var (
	baseOnce sync.Once
	baseDir  *geo.Directory
	baseErr  error
)

// shipped is the embedded directory, opened once for every test.
func shipped(t testing.TB) *geo.Directory {
	t.Helper()
	baseOnce.Do(func() { baseDir, baseErr = geo.Open(configs.FS) })
	if baseErr != nil {
		t.Fatalf("open places: %v", baseErr)
	}
	return baseDir
}

func texts(t testing.TB) text.Catalogs {
	t.Helper()
	c, err := LoadTexts(configs.FS)
	if err != nil {
		t.Fatalf("LoadTexts: %v", err)
	}
	return c
}

// header is the template's header (configs/places/template-lieux.csv).
func header(t testing.TB) string {
	t.Helper()
	b, err := configs.FS.ReadFile("places/template-lieux.csv")
	if err != nil {
		t.Fatal(err)
	}
	return strings.TrimSpace(string(b))
}

// row is one line of the template with the given values, the rest empty.
func row(t testing.TB, sep string, v map[string]string) string {
	t.Helper()
	var out []string
	for _, h := range strings.Split(header(t), ",") {
		out = append(out, v[h])
	}
	return strings.Join(out, sep)
}

// epn is a valid Brussels place of id (made up for tests).
func epn(id string) map[string]string {
	return map[string]string{"id": id, "nom": "EPN " + id, "commune": "Bruxelles", "code_postal": "1000",
		"adresse": "Rue de la Loi 16", "latitude": "50.8466", "longitude": "4.3655",
		"services": geo.ServiceProcedures + "|" + geo.ServiceEveryday, "horaires": "Mo-Fr 09:00-12:00",
		"langues": "fr|nl", "pivot": "0123456789", "date_maj": "2026-11-30", "telephone": "02 555 12 34"}
}

func with(v map[string]string, kv ...string) map[string]string {
	out := map[string]string{}
	for k, x := range v {
		out[k] = x
	}
	for i := 0; i+1 < len(kv); i += 2 {
		out[kv[i]] = kv[i+1]
	}
	return out
}

// csvFile is the template's header and rows, comma-separated.
func csvFile(t testing.TB, rows ...map[string]string) []byte {
	t.Helper()
	lines := []string{header(t)}
	for _, r := range rows {
		lines = append(lines, row(t, ",", r))
	}
	return []byte(strings.Join(lines, "\n") + "\n")
}

// Exported for the tests of package network_test, which may import the
// stores (package network's own tests may not: the stores import it).
var (
	Shipped = shipped
	Texts   = texts
	Epn     = epn
	With    = with
	CSVFile = csvFile
	Header  = header
)
