package structure

import (
	"context"
	"net/http/httptest"
	"strings"
	"testing"

	"github.com/chromedp/chromedp"

	"github.com/secours/secours/flows"
	"github.com/secours/secours/internal/testkit"
)

// TestBrowser drives the page in headless Chromium as a structure would:
// open the magic link, accept, write to the person. It proves what the
// handler tests cannot: the forms work with no script, the browser's own
// Origin and Sec-Fetch-Site headers pass the cross-origin check, and the
// CSP hash lets the inline style apply.
func TestBrowser(t *testing.T) {
	ctx := testkit.Browser(t)
	f := newFixture(t)
	srv := httptest.NewServer(f.web.Handler())
	defer srv.Close()

	ref := "#r-" + idA1
	text := func(sel string) string { t.Helper(); return testkit.Text(t, ctx, sel) }

	if err := chromedp.Do(ctx,
		testkit.Phone(),
		chromedp.Navigate(srv.URL+"/s/"+tokA),
		chromedp.WaitVisible(chromedp.CSS(ref)),
	); err != nil {
		t.Fatalf("open the page: %v", err)
	}
	if heading, badge := text(ref+" h2"), text(ref+" .badge"); !strings.Contains(heading, "Demande a1x9k2") || badge != "Envoyée" {
		t.Errorf("referral shown as %q with badge %q, want Demande a1x9k2 and Envoyée", heading, badge)
	}
	if got := f.desk.get(idA1).Status; got != flows.StatusSent {
		t.Errorf("desk status %s after opening, want sent", got)
	}
	// The staff say they have it: one click, no script.
	press(t, ctx, ref, "seen", "b-seen", "Bien reçu")
	if badge, flash := text(ref+" .badge"), text(".flash"); badge != "Vue" || flash != "C'est noté : la personne sait que vous avez reçu sa demande." {
		t.Errorf("after Bien reçu: badge %q, flash %q", badge, flash)
	}
	if got := f.desk.get(idA1).Status; got != flows.StatusSeen {
		t.Errorf("desk status %s, want seen", got)
	}
	if style := testkit.Eval[string](t, ctx, `getComputedStyle(document.querySelector('`+ref+` .badge')).backgroundColor`); style != "rgb(90, 63, 192)" {
		t.Errorf("badge background %q: the inline style did not apply (CSP hash?)", style)
	}
	// Readable at 320 px: nothing wider than the screen.
	testkit.NoSideScroll(t, ctx)

	press(t, ctx, ref, "accept", "b-accepted", "accept")
	if badge, flash := text(ref+" .badge"), text(".flash"); badge != "Acceptée" || flash != "Demande acceptée. La personne est prévenue." {
		t.Errorf("after accepting: badge %q, flash %q", badge, flash)
	}
	if got := f.desk.get(idA1).Status; got != flows.StatusAccepted {
		t.Errorf("desk status %s, want accepted", got)
	}

	const msg = "Bonjour, venez mardi à 10 h."
	write(t, ctx, ref, msg)
	if mine := text(ref + " .thread li.mine p"); mine != msg {
		t.Errorf("thread shows %q, want %q", mine, msg)
	}
	if flash := text(".flash"); flash != "Message envoyé. Le bot le transmet à la personne." {
		t.Errorf("flash after writing = %q", flash)
	}
}

// press clicks the button of ref's form and waits for the badge it leads
// to; what names the step in a failure.
func press(t *testing.T, ctx context.Context, ref, form, badge, what string) {
	t.Helper()
	if err := chromedp.Do(ctx,
		chromedp.Click(chromedp.CSS(ref+" form."+form+" button")),
		chromedp.WaitVisible(chromedp.CSS(ref+" .badge."+badge)),
	); err != nil {
		t.Fatalf("%s: %v", what, err)
	}
}

// write sends msg with ref's write form and waits for it in the thread.
func write(t *testing.T, ctx context.Context, ref, msg string) {
	t.Helper()
	if err := chromedp.Do(ctx,
		chromedp.SendKeys(chromedp.CSS(ref+" textarea"), msg),
		chromedp.Click(chromedp.CSS(ref+" form.write button")),
		chromedp.WaitVisible(chromedp.CSS(ref+" .thread li.mine")),
	); err != nil {
		t.Fatalf("write: %v", err)
	}
}
