package network

import (
	"net/http/httptest"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/chromedp/chromedp"

	"github.com/secours/secours/internal/testkit"
)

// TestBrowser drives the page in headless Chromium as a coordinator
// would, on a phone's width: a file with errors shows its report and no
// Publish button; the corrected file shows its preview, is published,
// then undone. It proves what the handler tests cannot: the multipart
// form, the CSRF field and the confirmation box work with no script, the
// browser's Origin and Sec-Fetch-Site pass the cross-origin check, and
// the CSP hash lets the inline style apply.
func TestBrowser(t *testing.T) {
	ctx := testkit.Browser(t)
	f := newFixture(t)
	f.seed()
	srv := httptest.NewServer(f.page)
	defer srv.Close()
	dir := t.TempDir()
	bad := writeFile(t, dir, "lieux-erreurs.csv", []byte(badFile))
	good := writeFile(t, dir, "lieux.csv", []byte(goodFile))
	text := func(sel string) string { t.Helper(); return testkit.Text(t, ctx, sel) }

	if err := chromedp.Do(ctx,
		testkit.Phone(),
		chromedp.Navigate(srv.URL+"/net/"+tokA),
		send(bad, "#report"),
	); err != nil {
		t.Fatalf("upload the file with errors: %v", err)
	}
	if got := text(".problems.blocking li"); !strings.Contains(got, "Ligne 2, colonne « horaires » :") || !strings.Contains(got, "Écrivez par exemple Mo-Fr 09:00-12:00.") {
		t.Errorf("blocking problem shown as %q", got)
	}
	if got := text(".problems.warnings li"); !strings.Contains(got, "La commune manque.") {
		t.Errorf("warning shown as %q", got)
	}
	if buttons := testkit.Eval[int](t, ctx, `document.querySelectorAll('form.publish').length`); buttons != 0 {
		t.Error("a Publish button on a file with errors")
	}
	if bg := testkit.Eval[string](t, ctx, `getComputedStyle(document.querySelector('.problems.blocking li')).backgroundColor`); bg != "rgb(253, 236, 234)" {
		t.Errorf("blocking problem background %q: the inline style did not apply (CSP hash?)", bg)
	}

	// Back to the page, the corrected file: its preview, then publish.
	if err := chromedp.Do(ctx,
		chromedp.Click(chromedp.CSS("#publish a.button")),
		send(good, "form.publish"),
	); err != nil {
		t.Fatalf("upload the corrected file: %v", err)
	}
	if got := text("ul.added"); !strings.Contains(got, "EPN de Ciney") {
		t.Errorf("added places %q", got)
	}
	if got := text("ul.changed"); !strings.Contains(got, "Mo-Fr 09:00-12:00") || !strings.Contains(got, "Mo-Fr 09:00-17:00") {
		t.Errorf("changed places %q, want the hours old and new", got)
	}
	if got := text("ul.removed"); !strings.Contains(got, "EPN d'Arlon") {
		t.Errorf("removed places %q", got)
	}
	if err := chromedp.Do(ctx,
		chromedp.Click(chromedp.CSS("form.publish button")),
		chromedp.WaitVisible(chromedp.CSS(".flash")),
	); err != nil {
		t.Fatalf("publish: %v", err)
	}
	if got := text(".flash"); got != "C'est publié. Le bot propose déjà ces lieux." {
		t.Errorf("after publishing: %q", got)
	}
	if got := strings.Join(f.svc.names(), ", "); got != "EPN de Namur, EPN de Dinant, EPN de Ciney" {
		t.Errorf("published %s", got)
	}
	if got := text("table.places"); !strings.Contains(got, "EPN de Ciney") || strings.Contains(got, "EPN d'Arlon") {
		t.Errorf("the page lists %q after publishing", got)
	}

	// Undo: the box must be ticked (the browser's required stops the
	// form otherwise), then the places are back.
	if err := chromedp.Do(ctx,
		chromedp.Click(chromedp.CSS(`form.undo input[name=confirm]`)),
		chromedp.Click(chromedp.CSS("form.undo button")),
	); err != nil {
		t.Fatalf("undo: %v", err)
	}
	// The page before had a flash too: wait for the new one.
	testkit.WaitJS(t, ctx, "the undo's page", `!!document.querySelector('.flash') && document.querySelector('.flash').textContent.includes('annulée')`)
	if got := text(".flash"); got != "La dernière publication est annulée. Les lieux sont revenus à leur état d'avant." {
		t.Errorf("after undoing: %q", got)
	}
	if got := strings.Join(f.svc.names(), ", "); got != "EPN de Namur, EPN de Dinant, EPN d'Arlon" {
		t.Errorf("after undo: %s", got)
	}
	testkit.NoSideScroll(t, ctx)
}

// TestBrowserTooBig: a 50 MB file chosen by mistake gets the page's plain
// message in the browser, not a connection reset or the server's 413.
func TestBrowserTooBig(t *testing.T) {
	ctx := testkit.Browser(t)
	f := newFixture(t)
	srv := httptest.NewServer(f.page)
	defer srv.Close()
	big := writeFile(t, t.TempDir(), "classeur.xlsx", make([]byte, 50<<20))
	if err := chromedp.Do(ctx,
		chromedp.Navigate(srv.URL+"/net/"+tokA+"?lang=nl"),
		send(big, "#upload .error"),
	); err != nil {
		t.Fatalf("upload 50 MB: %v", err)
	}
	if got := testkit.Text(t, ctx, "#upload .error"); !strings.HasPrefix(got, "Dit bestand is te groot: hoogstens 10 MB.") {
		t.Errorf("message %q", got)
	}
	if f.svc.checks != 0 {
		t.Error("the file was checked")
	}
}

// send chooses file in the page's upload form, sends it, and waits for
// then (a CSS selector) on the page that answers.
func send(file, then string) chromedp.Action[chromedp.Void] {
	return chromedp.Steps(
		chromedp.WaitVisible(chromedp.CSS("form.upload")),
		chromedp.SetUploadFiles(chromedp.CSS("#file"), []string{file}),
		chromedp.Click(chromedp.CSS("form.upload button")),
		chromedp.WaitVisible(chromedp.CSS(then)),
	)
}

// writeFile writes b to dir/name, for the browser to upload, and returns
// its path.
func writeFile(t *testing.T, dir, name string, b []byte) string {
	t.Helper()
	path := filepath.Join(dir, name)
	if err := os.WriteFile(path, b, 0o600); err != nil {
		t.Fatal(err)
	}
	return path
}
