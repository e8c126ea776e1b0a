package share

import (
	"bytes"
	"crypto/sha256"
	"encoding/base64"
	"errors"
	"fmt"
	"io/fs"
	"maps"
	"regexp"
	"slices"
	"strings"
	"testing"
	"testing/fstest"

	"github.com/secours/secours/configs"
	"github.com/secours/secours/internal/testkit"
	"github.com/secours/secours/text"
	"github.com/secours/secours/text/texttest"
)

const (
	testPlace = "be-epn/marolles"
	testHours = "Mo-Th 09:00-12:00,13:30-17:00; Fr 09:00-12:00; We off; PH off"
)

func poster(t *testing.T, k *Kit, d PosterData) string {
	t.Helper()
	var b strings.Builder
	if err := k.Poster(&b, d); err != nil {
		t.Fatal(err)
	}
	return b.String()
}

func TestPoster(t *testing.T) {
	k := newKit(t)
	fr := []string{"Premiers secours numériques", "Un souci avec le numérique ?",
		"Secours vous pose quelques questions", "Scannez le code avec votre téléphone.", "Nos horaires",
		"Du lundi au mardi : 9:00–12:00, 13:30–17:00", "Jeudi : 9:00–12:00, 13:30–17:00", "Vendredi : 9:00–12:00"}
	nl := []string{"Digitale eerste hulp", "Problemen met de computer of de gsm?",
		"Secours stelt u een paar vragen", "Scan de code met uw gsm.", "Onze openingsuren",
		"Van maandag tot dinsdag: 9:00–12:00, 13:30–17:00", "Donderdag: 9:00–12:00, 13:30–17:00"}
	tests := []struct {
		lang      Lang
		want, not []string
		cols      int
	}{
		{FR, fr, nl, 1},
		{NL, nl, fr, 1},
		{Both, slices.Concat(fr, nl), nil, 2},
	}
	for _, tt := range tests {
		t.Run(string(tt.lang), func(t *testing.T) {
			links := k.For(testPlace, "SecoursBot", "+32 470 12 34 56", tt.lang)
			page := poster(t, k, PosterData{Lang: tt.lang, Name: "EPN des Marolles", Hours: testHours, Links: links})
			for _, s := range slices.Concat(tt.want, []string{"t.me/SecoursBot?start=" + links.Code,
				"wa.me/32470123456?text=", "Code " + links.Code}) {
				if !strings.Contains(page, htmlEscape(s)) {
					t.Errorf("poster lacks %q", s)
				}
			}
			for _, s := range []string{"<h1>EPN des Marolles</h1>", "<title>Secours – EPN des Marolles</title>",
				"<strong>Telegram</strong>", "<strong>WhatsApp</strong>"} {
				if !strings.Contains(page, s) {
					t.Errorf("poster lacks %s", s)
				}
			}
			for _, s := range tt.not {
				if strings.Contains(page, htmlEscape(s)) {
					t.Errorf("poster holds %q of the other language", s)
				}
			}
			if n := strings.Count(page, "<section lang="); n != tt.cols {
				t.Errorf("%d columns, want %d", n, tt.cols)
			}
			if n := strings.Count(page, "<svg "); n != 2 {
				t.Errorf("%d QR codes, want 2", n)
			}
			if strings.Contains(page, "Mercredi") || strings.Contains(page, "Woensdag") {
				t.Error("Wednesday is closed (We off) but printed")
			}
			if want := `<html lang="` + string(tt.lang.langs()[0]) + `">`; !strings.Contains(page, want) {
				t.Errorf("poster lacks %s", want)
			}
			checkSelfContained(t, k, page)
		})
	}
}

// htmlEscape writes s as html/template writes text.
func htmlEscape(s string) string {
	return strings.NewReplacer("'", "&#39;", "&", "&amp;", "<", "&lt;", ">", "&gt;", `"`, "&#34;").Replace(s)
}

// checkSelfContained: no script, nothing fetched, and the CSP's hash is
// the inline style's.
func checkSelfContained(t *testing.T, k *Kit, page string) {
	t.Helper()
	for _, banned := range []string{"<script", "<img", "<link", "<iframe", "src=", "url(", "@import", " style=", "<a "} {
		if strings.Contains(page, banned) {
			t.Errorf("poster holds %q", banned)
		}
	}
	i, j := strings.Index(page, "<style>"), strings.Index(page, "</style>")
	if i < 0 || j < i {
		t.Fatal("no inline style")
	}
	sum := sha256.Sum256([]byte(page[i+len("<style>") : j]))
	if want := "'sha256-" + base64.StdEncoding.EncodeToString(sum[:]) + "'"; !strings.Contains(k.CSP(), want) {
		t.Errorf("CSP %q does not allow the inline style (%s)", k.CSP(), want)
	}
	for _, want := range []string{"default-src 'none'", "frame-ancestors 'none'", "base-uri 'none'", "@page{size:A4"} {
		if !strings.Contains(k.CSP()+page, want) {
			t.Errorf("CSP or style lacks %q", want)
		}
	}
}

func TestPosterOptional(t *testing.T) {
	k := newKit(t)
	tests := []struct {
		name      string
		d         PosterData
		want, not []string
	}{
		{"telegram only, no name, no hours",
			PosterData{Lang: FR, Links: k.For(testPlace, "SecoursBot", "", FR)},
			[]string{"<strong>Telegram</strong>", "<title>Secours</title>"},
			[]string{"WhatsApp", "<h1>", "Nos horaires"}},
		{"whatsapp only",
			PosterData{Lang: NL, Links: k.For(testPlace, "", "+32470123456", NL), Hours: "Mo-Su off"},
			[]string{"<strong>WhatsApp</strong>", "wa.me/32470123456?text=Hallo Secours! Code "},
			[]string{"Telegram", "Onze openingsuren"}},
		{"hours it cannot read are printed as they are",
			PosterData{Lang: FR, Links: k.For(testPlace, "SecoursBot", "", FR), Hours: "sur rendez-vous le mardi"},
			[]string{"Nos horaires", "<li>sur rendez-vous le mardi</li>"}, nil},
		{"a name is text, not markup",
			PosterData{Lang: FR, Links: k.For(testPlace, "SecoursBot", "", FR), Name: `<script>alert("x")</script> & Co`},
			[]string{"&lt;script&gt;alert(&#34;x&#34;)&lt;/script&gt; &amp; Co"}, []string{"<script"}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			testkit.Holds(t, "poster", poster(t, k, tt.d), tt.want, tt.not)
		})
	}
}

func TestPosterRefuses(t *testing.T) {
	k := newKit(t)
	for name, d := range map[string]PosterData{
		"no link":      {Lang: FR},
		"no language":  {Links: Links{Telegram: "https://t.me/SecoursBot?start=sabcdefghij"}},
		"bad language": {Lang: "de", Links: Links{Telegram: "https://t.me/SecoursBot?start=sabcdefghij"}},
		"huge link":    {Lang: FR, Links: Links{Telegram: "https://t.me/" + strings.Repeat("x", 2000)}},
	} {
		var b bytes.Buffer
		if err := k.Poster(&b, d); err == nil {
			t.Errorf("%s: accepted", name)
		}
		if b.Len() != 0 {
			t.Errorf("%s: wrote half a poster", name)
		}
	}
}

func TestHours(t *testing.T) {
	k := newKit(t)
	tests := []struct {
		raw    string
		fr, nl []string
	}{
		{"", nil, nil},
		{"Mo-Fr 09:00-17:00", []string{"Du lundi au vendredi : 9:00–17:00"}, []string{"Van maandag tot vrijdag: 9:00–17:00"}},
		{"Mo-Fr 09:00-17:00; We off", []string{"Du lundi au mardi : 9:00–17:00", "Du jeudi au vendredi : 9:00–17:00"}, nil},
		{"Mo,We,Fr 9:00-12:00", []string{"Lundi : 9:00–12:00", "Mercredi : 9:00–12:00", "Vendredi : 9:00–12:00"}, nil},
		{"Mo 08:30-12:00; Tu-Th 08:00-12:30,13:15-16:45; Fr 08:30-12:00",
			[]string{"Lundi : 8:30–12:00", "Du mardi au jeudi : 8:00–12:30, 13:15–16:45", "Vendredi : 8:30–12:00"},
			[]string{"Maandag: 8:30–12:00", "Van dinsdag tot donderdag: 8:00–12:30, 13:15–16:45", "Vrijdag: 8:30–12:00"}},
		{"Sa-Mo 10:00-12:00", []string{"Lundi : 10:00–12:00", "Du samedi au dimanche : 10:00–12:00"}, nil},
		{"Mo-Su off", nil, nil},
		{"PH off", nil, nil},
		{"Mo - Fr 09:00 - 12:00 ; Sa 10:00-11:00", []string{"Du lundi au vendredi : 9:00–12:00", "Samedi : 10:00–11:00"}, nil},
		{"24/7", []string{"24/7"}, []string{"24/7"}},
		{"Mo-Fr 09:00-17:00 || \"sur rendez-vous\"", []string{`Mo-Fr 09:00-17:00 || "sur rendez-vous"`}, nil},
		{"Jan-Mar Mo 10:00-12:00", []string{"Jan-Mar Mo 10:00-12:00"}, nil},
		{strings.Repeat("sur rendez-vous ", 10), nil, nil}, // too long to print as it is
	}
	for _, tt := range tests {
		if got := k.hours(FR, tt.raw); !slices.Equal(got, tt.fr) {
			t.Errorf("hours(fr, %q) = %q, want %q", tt.raw, got, tt.fr)
		}
		if tt.nl == nil {
			continue
		}
		if got := k.hours(NL, tt.raw); !slices.Equal(got, tt.nl) {
			t.Errorf("hours(nl, %q) = %q, want %q", tt.raw, got, tt.nl)
		}
	}
}

// FuzzHours: no opening-hours text panics, and none prints more than a
// week's worth of lines.
func FuzzHours(f *testing.F) {
	k := newKit(f)
	for _, s := range []string{testHours, "Sa-Mo 10:00-12:00", "Mo,Tu,We 1:00-2:00", "24/7", "Su-Su 00:00-24:00"} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, raw string) {
		for _, l := range []Lang{FR, NL} {
			if got := k.hours(l, raw); len(got) > 7 {
				t.Fatalf("hours(%q) = %d lines", raw, len(got))
			}
		}
	})
}

// TestTexts is the catalogue test of the house style for the share
// catalogue: both languages, the same keys, the same placeholders, and
// every key read by the code (New refuses a missing or an unknown one).
func TestTexts(t *testing.T) {
	all, err := text.Load(configs.FS, "share", text.Spec{})
	if err != nil {
		t.Fatal(err) // a language missing, or placeholders that differ
	}
	keys := textKeys()
	for _, l := range text.Langs {
		if got, want := slices.Sorted(maps.Keys(all[l])), slices.Sorted(maps.Keys(keys)); !slices.Equal(got, want) {
			t.Errorf("%s keys %v, want %v", l, got, want)
		}
	}
	good := configs.FS
	edit := func(f func(fr, nl text.Catalog)) fs.FS { return texttest.Edited(t, good, "share", f) }
	oneLang := texttest.Read(t, good, "share")
	delete(oneLang, text.NL)
	for name, texts := range map[string]fs.FS{
		"nil":                 nil,
		"not JSON":            texttest.Raw("share", "{", "{}"),
		"one language":        texttest.FS(t, "share", oneLang),
		"missing key":         edit(func(_, nl text.Catalog) { delete(nl, "poster.line2") }),
		"unknown key":         edit(func(fr, _ text.Catalog) { fr["poster.line4"] = "x" }),
		"lost placeholder":    edit(func(_, nl text.Catalog) { nl["whatsapp.text"] = "Hallo Secours!" }),
		"unknown placeholder": edit(func(fr, _ text.Catalog) { fr["poster.line1"] = "Bonjour {name}" }),
		"empty text":          edit(func(fr, _ text.Catalog) { fr["day.mo"] = " " }),
	} {
		if _, err := New(configs.Web, texts); err == nil {
			t.Errorf("New with %s texts: accepted", name)
		}
	}
	broken := fstest.MapFS{"web/poster.tmpl": {Data: []byte(`{{define "poster"}}{{if}}{{end}}`)}}
	for name, fsys := range map[string]fs.FS{"no template": fstest.MapFS{}, "broken template": broken, "nil": nil} {
		if _, err := New(fsys, good); err == nil {
			t.Errorf("New with %s: accepted", name)
		}
	}
}

// TestPosterWriteError: a failing writer's error comes back.
func TestPosterWriteError(t *testing.T) {
	k := newKit(t)
	errDisk := errors.New("disk full")
	err := k.Poster(failWriter{errDisk}, PosterData{Lang: FR, Links: k.For(testPlace, "SecoursBot", "", FR)})
	if !errors.Is(err, errDisk) {
		t.Errorf("Poster = %v, want %v", err, errDisk)
	}
}

type failWriter struct{ err error }

func (w failWriter) Write([]byte) (int, error) { return 0, w.err }

// sizes reports the QR code's printed width in mm: over 60 mm for every
// link a structure may have (the poster promises "≥ 6 cm").
func TestQRPrintSize(t *testing.T) {
	k := newKit(t)
	re := regexp.MustCompile(`figure svg\{[^}]*width:(\d+)mm`)
	m := re.FindStringSubmatch(string(k.css))
	if m == nil {
		t.Fatal("no QR width in the style")
	}
	var box float64
	fmt.Sscan(m[1], &box)
	for _, link := range []string{"https://t.me/abcde?start=sabcdefghij", k.For(testPlace, "", "+32470123456", NL).WhatsApp} {
		c := reference(t, link)
		if mm := box * float64(c.Size) / float64(c.Size+2*Quiet); mm < 60 {
			t.Errorf("%s: the code prints %.1f mm wide, want at least 60", link, mm)
		}
	}
}
