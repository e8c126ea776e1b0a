package structure

import (
	"net/http/httptest"
	"strings"
	"testing"

	"github.com/chromedp/chromedp"

	"github.com/secours/secours/internal/testkit"
)

// TestBrowserCard drives the card's form in headless Chromium as a
// structure would, on a phone: from its page to the form, hours that do
// not read (the problem at the field, what was typed kept), then the
// right hours, saved, and what changed shown.
func TestBrowserCard(t *testing.T) {
	ctx := testkit.Browser(t)
	f, cards := cardFixture(t)
	srv := httptest.NewServer(f.web.Handler())
	defer srv.Close()
	text := func(sel string) string { t.Helper(); return testkit.Text(t, ctx, sel) }

	if err := chromedp.Do(ctx,
		testkit.Phone(),
		chromedp.Navigate(srv.URL+"/s/"+tokA),
		chromedp.Click(chromedp.CSS("#card a.button")),
		chromedp.WaitVisible(chromedp.CSS("form.cardform")),
		chromedp.Clear(chromedp.CSS("#hours")),
		chromedp.SendKeys(chromedp.CSS("#hours"), "du lundi au vendredi"),
		chromedp.Click(chromedp.CSS("form.cardform button")),
		chromedp.WaitVisible(chromedp.CSS("#f-hours .problem")),
	); err != nil {
		t.Fatalf("hours that do not read: %v", err)
	}
	if got := text("#f-hours .problem"); got != "Ces horaires ne se lisent pas. Suivez l'exemple sous le champ." {
		t.Errorf("problem %q", got)
	}
	if typed := testkit.Eval[string](t, ctx, `document.querySelector('#hours').value`); typed != "du lundi au vendredi" {
		t.Errorf("the form kept %q, not what was typed", typed)
	}
	if err := chromedp.Do(ctx,
		chromedp.Clear(chromedp.CSS("#hours")),
		chromedp.SendKeys(chromedp.CSS("#hours"), "Mo-Fr 09:00-12:00,13:30-17:00; Sa 09:00-12:00"),
		chromedp.Click(chromedp.CSS(`input[name=temp_closed]`)),
		chromedp.Click(chromedp.CSS("form.cardform button")),
		chromedp.WaitVisible(chromedp.CSS(".flash.saved")),
	); err != nil {
		t.Fatalf("save the hours: %v", err)
	}
	if got := text(".changes"); !strings.Contains(got, "Mo-Fr 09:00-12:00 → Mo-Fr 09:00-12:00,13:30-17:00; Sa 09:00-12:00") || !strings.Contains(got, "Fermé temporairement") {
		t.Errorf("changes shown %q", got)
	}
	c := cards.get(placeA)
	if c.Hours != "Mo-Fr 09:00-12:00,13:30-17:00; Sa 09:00-12:00" || !c.TempClosed || len(c.Closures) != 1 || c.Closures[0].Note != "congés d'hiver" {
		t.Errorf("card saved %+v", c)
	}
	testkit.NoSideScroll(t, ctx)
}
