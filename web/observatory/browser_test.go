package observatory

import (
	"net/http/httptest"
	"strings"
	"testing"

	"github.com/chromedp/chromedp"

	"github.com/secours/secours/internal/testkit"
)

// TestBrowser opens the page in headless Chromium on a phone's width. It
// proves what the handler tests cannot: the CSP hash lets the inline
// style apply, the SVG bars are laid out with a width, a hidden count
// reads "< 5" with no bar, the page does not scroll sideways (the tables
// scroll in their own box), and the filter form works with no script.
func TestBrowser(t *testing.T) {
	ctx := testkit.Browser(t)
	f := newFixture(t, sampleCells())
	srv := httptest.NewServer(f.page)
	defer srv.Close()

	if err := chromedp.Do(ctx,
		testkit.Phone(),
		chromedp.Navigate(srv.URL+"/obs/"+testToken+"?from=2026-01&to=2026-03"),
		chromedp.WaitVisible(chromedp.CSS(`#areas table`)),
	); err != nil {
		t.Fatalf("open the page: %v", err)
	}

	bars := testkit.Eval[[]float64](t, ctx, `[...document.querySelectorAll('svg.chart rect')].map(r => r.getBoundingClientRect().width)`)
	if len(bars) < 4 {
		t.Fatalf("%d bars drawn, want the shown profiles and needs", len(bars))
	}
	for i, w := range bars {
		if w <= 0 {
			t.Errorf("bar %d has width %v", i, w)
		}
	}
	chartW := testkit.Eval[float64](t, ctx, `document.querySelector('svg.chart').getBoundingClientRect().width`)
	if chartW < 200 || chartW > 320 {
		t.Errorf("chart %v px wide on a 320 px screen", chartW)
	}

	// Aalst (2 conversations a month, 6 in all) has its profiles, needs
	// and referrals hidden, each shown "< 5".
	aalst := testkit.Eval[[]string](t, ctx, `[...document.querySelectorAll('#areas tbody tr')].filter(r => r.querySelector('th').textContent.startsWith('Aalst')).flatMap(r => [...r.querySelectorAll('td.h')].map(td => td.textContent))`)
	if len(aalst) < 10 {
		t.Errorf("Aalst has %d hidden cells, want its profiles, needs and referrals", len(aalst))
	}
	hidden := testkit.Eval[[]string](t, ctx, `[...document.querySelectorAll('td.h, dd.h')].map(td => td.textContent)`)
	for _, c := range hidden {
		if c != "< 5" {
			t.Errorf("a hidden cell reads %q, want < 5", c)
			break
		}
	}
	hiddenBars := testkit.Eval[int](t, ctx, `document.querySelectorAll('svg.chart g.hidden rect').length`)
	if hiddenBars != 0 {
		t.Errorf("%d bars drawn for hidden counts", hiddenBars)
	}

	style := testkit.Eval[string](t, ctx, `getComputedStyle(document.querySelector('td.h')).fontStyle`)
	if style != "italic" {
		t.Errorf("hidden cell style %q: the inline style did not apply (CSP hash?)", style)
	}
	testkit.NoSideScroll(t, ctx)

	// The form, no script: Gent only, in Dutch.
	if err := chromedp.Do(ctx,
		chromedp.Navigate(srv.URL+"/obs/"+testToken+"?from=2026-01&to=2026-03&lang=nl"),
		chromedp.WaitVisible(chromedp.CSS(`select[name=area]`)),
		chromedp.SetValue(chromedp.CSS(`select[name=area]`), "BE:Gent"),
		chromedp.Click(chromedp.CSS(`form.filter button`)),
	); err != nil {
		t.Fatalf("filter: %v", err)
	}
	// The old page has the same heading: wait for the new address.
	testkit.WaitJS(t, ctx, "the form to load the filtered page", `location.search.includes('area=') && document.readyState === 'complete'`)
	period := testkit.Eval[string](t, ctx, `document.querySelector('h2.period').textContent`)
	href := testkit.Eval[string](t, ctx, `location.href`)
	if !strings.Contains(period, "Gent (BE)") || !strings.Contains(period, "januari 2026") || !strings.Contains(href, "lang=nl") {
		t.Errorf("after filtering: heading %q at %s", period, href)
	}
	rows := testkit.Eval[[]string](t, ctx, `[...document.querySelectorAll('#areas tbody th')].map(th => th.textContent)`)
	if len(rows) != 1 || rows[0] != "Gent (BE)" {
		t.Errorf("rows after filtering: %q, want Gent only", rows)
	}
}
