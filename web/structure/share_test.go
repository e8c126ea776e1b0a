package structure

import (
	"bytes"
	"crypto/sha256"
	"encoding/base64"
	"image"
	"image/png"
	"net/http"
	"net/http/httptest"
	"net/url"
	"strings"
	"testing"
	"testing/fstest"

	"github.com/chromedp/chromedp"

	"github.com/secours/secours/configs"
	"github.com/secours/secours/flows"
	"github.com/secours/secours/internal/testkit"
	"github.com/secours/secours/text"
	"github.com/secours/secours/web/share"
	"github.com/secours/secours/web/webtest"
)

const (
	botUser  = "SecoursTestBot"
	botPhone = "+32 470 00 11 22"
	hoursA   = "Mo-Th 09:00-12:00,13:30-17:00; Fr 09:00-12:00"
)

// withShare configures the share section: the bot's username, its
// WhatsApp number if wa, and place A's opening hours.
func withShare(wa bool) func(*WebOptions) {
	return func(o *WebOptions) {
		o.TelegramUsername, o.ShareTexts = "@"+botUser, configs.FS
		if wa {
			o.WhatsAppNumber = botPhone
		}
		p := places()
		p[placeA].Hours = hoursA
		o.Places = p
	}
}

func TestShareSection(t *testing.T) {
	f := newFixture(t, withShare(true))
	codeA, codeB := flows.ShareCode(placeA), flows.ShareCode(placeB)
	tests := []struct {
		name, target string
		want, not    []string
	}{
		{"fr", "/s/" + tokA, []string{
			`<h2>Partager Secours</h2>`,
			`href="https://t.me/SecoursTestBot?start=` + codeA + `"`,
			`href="https://wa.me/32470001122?text=Bonjour%20Secours%20%21%20Code%20` + codeA + `"`,
			`<code>` + codeA + `</code>`,
			`href="/s/` + tokA + `/qr/telegram.svg" download`, `href="/s/` + tokA + `/qr/telegram.png" download`,
			`href="/s/` + tokA + `/qr/whatsapp.svg" download`, `href="/s/` + tokA + `/qr/whatsapp.png" download`,
			`href="/s/` + tokA + `/poster?lang=both"`, `href="/s/` + tokA + `/poster?lang=fr"`, `href="/s/` + tokA + `/poster?lang=nl"`,
			`Affiche à imprimer`, `Français et néerlandais`,
		}, []string{"Hallo", codeB}},
		{"nl by choice", "/s/" + tokA + "?lang=nl", []string{
			`<h2>Secours delen</h2>`, `Hallo%20Secours%21%20Code%20` + codeA,
			`href="/s/` + tokA + `/qr/whatsapp.png?lang=nl" download`, `Affiche om af te drukken`,
		}, []string{"Bonjour"}},
		{"place B", "/s/" + tokB, []string{`start=` + codeB, `Hallo%20Secours%21%20Code%20` + codeB}, []string{codeA}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			rec := f.getOK(t, tt.target)
			body := rec.Body.String()
			testkit.Holds(t, "page", body, tt.want, tt.not)
			if n := strings.Count(body, "<svg "); n != 2 {
				t.Errorf("%d QR codes on the page, want 2", n)
			}
			testkit.Holds(t, "page", body, nil, []string{"<script", "<img", "<link", " style=", "src="})
		})
	}
	// Telegram only: no WhatsApp link, no code to type.
	f = newFixture(t, withShare(false))
	body := f.get("/s/" + tokA).Body.String()
	if !strings.Contains(body, "https://t.me/SecoursTestBot?start="+codeA) || strings.Contains(body, "wa.me") || strings.Contains(body, "<code>") {
		t.Errorf("Telegram-only section wrong:\n%s", body)
	}
	// Nothing configured: no section.
	f = newFixture(t)
	if body := f.get("/s/" + tokA).Body.String(); strings.Contains(body, `class="share"`) || strings.Contains(body, "<svg") {
		t.Error("share section shown with no channel configured")
	}
}

func TestPosterServed(t *testing.T) {
	f := newFixture(t, withShare(true))
	tests := []struct {
		name, target string
		want, not    []string
	}{
		// Place A lists French and Dutch: both by default.
		{"default both", "/s/" + tokA + "/poster", []string{`<html lang="fr">`, "Un souci avec le numérique", "Problemen met de computer",
			"<h1>EPN Les Marolles</h1>", "Du lundi au jeudi : 9:00–12:00, 13:30–17:00", "Vrijdag: 9:00–12:00"}, nil},
		{"fr", "/s/" + tokA + "/poster?lang=fr", []string{"Un souci avec le numérique", "Code " + flows.ShareCode(placeA)}, []string{"Problemen"}},
		{"nl", "/s/" + tokA + "/poster?lang=nl", []string{`<html lang="nl">`, "Problemen met de computer", "Hallo Secours! Code"}, []string{"Un souci"}},
		{"unknown lang: the default", "/s/" + tokA + "/poster?lang=de", []string{"Un souci", "Problemen"}, nil},
		// Place B lists Dutch only.
		{"place B default", "/s/" + tokB + "/poster", []string{`<html lang="nl">`, "OCMW Gent – digitaal", "t.me/SecoursTestBot?start=" + flows.ShareCode(placeB)}, []string{"Un souci", "openingsuren"}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			rec := f.getOK(t, tt.target)
			body := rec.Body.String()
			for _, s := range tt.want {
				// Markup as is; text as html/template escapes it.
				if !strings.Contains(body, s) && !strings.Contains(body, htmlEscape(s)) {
					t.Errorf("poster lacks %q", s)
				}
			}
			testkit.Holds(t, "poster", body, nil, tt.not)
			h := rec.Header()
			for k, want := range map[string]string{
				"Content-Type": "text/html; charset=utf-8", "Referrer-Policy": "no-referrer", "Cache-Control": "no-store",
				"X-Content-Type-Options": "nosniff", "X-Frame-Options": "DENY",
			} {
				if got := h.Get(k); got != want {
					t.Errorf("%s = %q, want %q", k, got, want)
				}
			}
			// Its own CSP: the hash of the poster's style, not the page's.
			i, j := strings.Index(body, "<style>"), strings.Index(body, "</style>")
			if i < 0 || j < i {
				t.Fatal("no inline style")
			}
			sum := sha256.Sum256([]byte(body[i+len("<style>") : j]))
			csp := h.Get("Content-Security-Policy")
			for _, want := range []string{"default-src 'none'", "frame-ancestors 'none'", "base-uri 'none'",
				"style-src 'sha256-" + base64.StdEncoding.EncodeToString(sum[:]) + "'"} {
				if !strings.Contains(csp, want) {
					t.Errorf("CSP %q lacks %q", csp, want)
				}
			}
			for _, banned := range []string{"<script", "<img", "<link", "src=", " style=", tokA, tokB} {
				if strings.Contains(body, banned) {
					t.Errorf("poster holds %q", banned)
				}
			}
		})
	}
}

func TestQRDownloads(t *testing.T) {
	f := newFixture(t, withShare(true))
	for _, tt := range []struct{ file, ctype string }{
		{"telegram.svg", "image/svg+xml"}, {"telegram.png", "image/png"},
		{"whatsapp.svg", "image/svg+xml"}, {"whatsapp.png", "image/png"},
	} {
		t.Run(tt.file, func(t *testing.T) {
			rec := f.getOK(t, "/s/"+tokA+"/qr/"+tt.file)
			h := rec.Header()
			name, ext, _ := strings.Cut(tt.file, ".")
			if got, want := h.Get("Content-Disposition"), `attachment; filename="secours-`+name+"-"+flows.ShareCode(placeA)+"."+ext+`"`; got != want {
				t.Errorf("Content-Disposition = %q, want %q", got, want)
			}
			if got := h.Get("Content-Type"); got != tt.ctype {
				t.Errorf("Content-Type = %q, want %q", got, tt.ctype)
			}
			if !strings.Contains(h.Get("Content-Security-Policy"), "default-src 'none'") || h.Get("X-Content-Type-Options") != "nosniff" {
				t.Errorf("download without the security headers: %v", h)
			}
			links := f.web.share.For(placeA, botUser, botPhone, share.FR)
			link := links.Telegram
			if name == "whatsapp" {
				link = links.WhatsApp
			}
			if ext == "svg" {
				want, _ := share.SVG(link)
				if rec.Body.String() != want {
					t.Errorf("SVG is not the link's code")
				}
				return
			}
			want, _ := share.PNG(link, share.PrintScale)
			if !bytes.Equal(rec.Body.Bytes(), want) {
				t.Error("PNG is not the link's code")
			}
			if _, err := png.Decode(rec.Body); err != nil {
				t.Error(err)
			}
		})
	}
}

// TestShareNotFound: the share routes answer the one not-found page for
// every bad token, an unknown file, and a channel or a share section
// that is not configured; and no path reaches the log.
func TestShareNotFound(t *testing.T) {
	f := newFixture(t, withShare(false))
	want := f.notFoundBody(t)
	for i, target := range []string{
		"/s/tokU_unknown0000000/poster",
		"/s/" + tokRevoked + "/poster",
		"/s/" + tokRevoked + "/qr/telegram.svg",
		"/s/abc/qr/telegram.png",
		"/s/a%3Cb%3E/poster",
		"/s/" + tokA + "/qr/whatsapp.svg", // not configured
		"/s/" + tokA + "/qr/telegram.gif",
		"/s/" + tokA + "/qr/telegram",
		"/s/" + tokA + "/qr/signal.svg",
		"/s/" + tokA + "/qr/",
		"/s/" + tokA + "/poster/x",
	} {
		rec := f.get(target, from("203.0.113."+string(rune('a'+i))+":1"))
		if rec.Code != http.StatusNotFound {
			t.Errorf("GET %s = %d, want 404", target, rec.Code)
			continue
		}
		if rec.Body.String() != want {
			t.Errorf("GET %s: not the generic not-found page", target)
		}
	}
	// No share section configured: the routes do not exist either.
	plain := newFixture(t)
	for _, target := range []string{"/s/" + tokA + "/poster", "/s/" + tokA + "/qr/telegram.svg"} {
		if rec := plain.get(target); rec.Code != http.StatusNotFound || rec.Body.String() != want {
			t.Errorf("GET %s without share = %d", target, rec.Code)
		}
	}
	// A POST to the poster is not a route.
	if rec := f.do(http.MethodPost, "/s/"+tokA+"/poster", url.Values{}); rec.Code == http.StatusOK {
		t.Errorf("POST poster = %d", rec.Code)
	}
	for _, tok := range []string{tokA, tokB, tokRevoked, "tokU_unknown0000000"} {
		if strings.Contains(f.logs.String(), tok) {
			t.Errorf("a token reached the log:\n%s", f.logs.String())
		}
	}
}

func TestShareNoTokenInLogs(t *testing.T) {
	f := newFixture(t, withShare(true))
	for _, target := range []string{"/s/" + tokA, "/s/" + tokA + "/poster?lang=both", "/s/" + tokA + "/qr/telegram.png", "/s/" + tokA + "/qr/whatsapp.svg"} {
		if rec := f.get(target); rec.Code != http.StatusOK {
			t.Fatalf("GET %s = %d", target, rec.Code)
		}
	}
	logs := f.logs.String()
	for _, pattern := range []string{"GET /s/{token}/poster", "GET /s/{token}/qr/{file}"} {
		if !strings.Contains(logs, pattern) {
			t.Errorf("log lacks the route %s:\n%s", pattern, logs)
		}
	}
	if strings.Contains(logs, tokA) {
		t.Errorf("the token reached the log:\n%s", logs)
	}
}

func TestNewWebChecksShare(t *testing.T) {
	good := WebOptions{Desk: newFakeDesk(nil), Places: places(), Catalogs: webtest.Catalogs(t), Texts: configs.FS, Templates: configs.Web,
		TelegramUsername: botUser, WhatsAppNumber: botPhone, ShareTexts: configs.FS}
	if _, err := NewWeb(good); err != nil {
		t.Fatalf("NewWeb(good) = %v", err)
	}
	for name, edit := range map[string]func(*WebOptions){
		"bad username":    func(o *WebOptions) { o.TelegramUsername = "no" },
		"national number": func(o *WebOptions) { o.WhatsAppNumber = "0470 00 11 22" },
		"no share texts":  func(o *WebOptions) { o.ShareTexts = nil },
		"broken share texts": func(o *WebOptions) {
			o.ShareTexts = fstest.MapFS{text.Path("share", text.FR): {Data: []byte(`{}`)}}
		},
		"no poster template": func(o *WebOptions) { o.Templates = brokenTemplates(t, "") },
	} {
		o := good
		edit(&o)
		if _, err := NewWeb(o); err == nil {
			t.Errorf("%s: NewWeb accepted", name)
		}
	}
	// WhatsApp alone is a share section too.
	o := good
	o.TelegramUsername = ""
	if _, err := NewWeb(o); err != nil {
		t.Errorf("WhatsApp only: %v", err)
	}
}

// TestPosterPrints prints the poster in headless Chromium as a
// structure would from its browser: one A4 page, whatever the language,
// with a long name and a week of opening hours; and a screenshot at A4
// proportions shows the QR codes at their printed size. It proves what
// the handler tests cannot: the CSP hash lets the style apply, and the
// layout fits the sheet.
func TestPosterPrints(t *testing.T) {
	ctx := testkit.Browser(t)
	f := newFixture(t, withShare(true), func(o *WebOptions) {
		p := places()
		p[placeA].Name = "Espace Public Numérique des Marolles – CPAS de Bruxelles, antenne sociale du centre"
		p[placeA].Hours = "Mo 08:30-12:00; Tu 09:00-12:00,13:00-16:00; We 13:00-17:00; Th 09:00-12:00,13:30-17:00; Fr 08:30-12:00; Sa 10:00-12:00"
		o.Places = p
	})
	srv := httptest.NewServer(f.web.Handler())
	defer srv.Close()

	// The share section on the narrowest phone: nothing wider than the
	// screen (a long link breaks), and the codes drawn.
	if err := chromedp.Do(ctx,
		testkit.Phone(),
		chromedp.Navigate(srv.URL+"/s/"+tokA),
		chromedp.WaitVisible(chromedp.CSS("#share svg")),
	); err != nil {
		t.Fatalf("open the page: %v", err)
	}
	widths := testkit.Eval[[]float64](t, ctx,
		`[document.documentElement.scrollWidth, window.innerWidth, document.querySelector('#share svg').getBoundingClientRect().width]`)
	if len(widths) != 3 || widths[0] > widths[1] || widths[2] < 200 {
		t.Errorf("page %v px wide in a %v px window, QR code %v px: want no sideways scroll and a code over 200 px", widths[0], widths[1], widths[2])
	}

	for _, lang := range []string{"both", "fr", "nl"} {
		t.Run(lang, func(t *testing.T) {
			if err := chromedp.Do(ctx,
				chromedp.Navigate(srv.URL+"/s/"+tokA+"/poster?lang="+lang),
				chromedp.WaitVisible(chromedp.CSS("figure svg")),
			); err != nil {
				t.Fatalf("open the poster: %v", err)
			}
			pdf, err := chromedp.Run(ctx, chromedp.PrintToPDF(chromedp.PDFPaper(chromedp.PaperA4)))
			if err != nil {
				t.Fatalf("print: %v", err)
			}
			if !bytes.HasPrefix(pdf, []byte("%PDF")) {
				t.Fatalf("not a PDF: %q", pdf[:min(len(pdf), 16)])
			}
			// "/Type /Pages" is the page tree; every other "/Type /Page"
			// is one page.
			if pages := bytes.Count(pdf, []byte("/Type /Page")) - bytes.Count(pdf, []byte("/Type /Pages")); pages != 1 {
				t.Errorf("the poster prints on %d pages, want 1", pages)
			}
		})
	}

	// A screenshot of the A4 sheet as the screen shows it (210 mm wide
	// at 96 dpi).
	if err := chromedp.Do(ctx,
		chromedp.EmulateViewport(794, 1123),
		chromedp.Navigate(srv.URL+"/s/"+tokA+"/poster?lang=both"),
		chromedp.WaitVisible(chromedp.CSS("figure svg")),
	); err != nil {
		t.Fatal(err)
	}
	box, err := chromedp.Run(ctx, chromedp.Evaluate[[]float64](
		`(() => { const r = document.querySelector('figure svg').getBoundingClientRect(); return [r.left, r.top, r.width, r.height]; })()`))
	if err != nil || len(box) != 4 {
		t.Fatalf("QR box %v, %v", box, err)
	}
	// 78 mm at 96 px to the inch: the inline style applied.
	if w := box[2]; w < 290 || w > 300 || box[3] != w {
		t.Errorf("QR code %v×%v px, want 295 (78 mm): did the style apply (CSP hash)?", box[2], box[3])
	}
	if box[1]+box[3] > 1123 {
		t.Errorf("QR code ends at %v px, below the A4 sheet (1123 px)", box[1]+box[3])
	}
	shot, err := chromedp.Run(ctx, chromedp.CaptureScreenshot())
	if err != nil {
		t.Fatal(err)
	}
	img, err := png.Decode(bytes.NewReader(shot))
	if err != nil {
		t.Fatal(err)
	}
	b := img.Bounds()
	if ratio := float64(b.Dy()) / float64(b.Dx()); ratio < 1.40 || ratio > 1.43 {
		t.Errorf("screenshot %v: not A4 proportions (%.3f)", b, ratio)
	}
	// The QR code shows: dark and light modules in its box, about half
	// and half as a QR code's data are.
	scale := float64(b.Dx()) / 794
	r := image.Rect(int(box[0]*scale), int(box[1]*scale), int((box[0]+box[2])*scale), int((box[1]+box[3])*scale)).Intersect(b)
	var dark, all int
	for y := r.Min.Y; y < r.Max.Y; y++ {
		for x := r.Min.X; x < r.Max.X; x++ {
			cr, cg, cb, _ := img.At(x, y).RGBA()
			if (cr+cg+cb)/3 < 0x8000 {
				dark++
			}
			all++
		}
	}
	if all == 0 || dark*100/all < 20 || dark*100/all > 70 {
		t.Errorf("QR box %v: %d of %d pixels dark: the code does not show", r, dark, all)
	}
	if logs := f.logs.String(); strings.Contains(logs, tokA) {
		t.Errorf("the token reached the log:\n%s", logs)
	}
}
