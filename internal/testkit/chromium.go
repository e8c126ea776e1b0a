package testkit

import (
	"context"
	"os"
	"os/exec"
	"testing"
	"time"

	"github.com/chromedp/chromedp"
)

// ChromiumPath finds the browser: CHROMIUM_PATH, else the usual names. A
// set CHROMIUM_PATH that points nowhere is a broken setup, not a reason to
// skip; no browser at all fails under CI and skips elsewhere.
func ChromiumPath(t testing.TB) string {
	t.Helper()
	if p := os.Getenv("CHROMIUM_PATH"); p != "" {
		if _, err := os.Stat(p); err != nil {
			t.Fatalf("CHROMIUM_PATH=%s: %v", p, err)
		}
		return p
	}
	for _, p := range []string{"/usr/bin/chromium", "/usr/bin/chromium-browser"} {
		if _, err := os.Stat(p); err == nil {
			return p
		}
	}
	for _, name := range []string{"chromium", "chromium-browser"} {
		if p, err := exec.LookPath(name); err == nil {
			return p
		}
	}
	if os.Getenv("CI") != "" {
		t.Fatal("no Chromium (set CHROMIUM_PATH): the browser test must run in CI")
	}
	t.Skip("no Chromium; set CHROMIUM_PATH to run the browser test")
	return ""
}

// Browser starts headless Chromium for one test, bounded to 30 s; the
// context it returns drives the browser, and the test's cleanup ends it.
func Browser(t testing.TB) context.Context {
	t.Helper()
	path := ChromiumPath(t)
	alloc, cancelAlloc := chromedp.NewExecAllocator(context.Background(),
		chromedp.ExecPath(path),
		chromedp.Headless,
		chromedp.NoSandbox,
		chromedp.DisableGPU,
		chromedp.Flag("disable-background-networking", true),
		chromedp.Flag("disable-component-update", true),
		chromedp.Flag("disable-sync", true),
		chromedp.NoFirstRun,
		chromedp.NoDefaultBrowserCheck,
		chromedp.Flag("disable-dev-shm-usage", true), // containers have a small /dev/shm
		chromedp.UserDataDir(t.TempDir()),
	)
	ctx, cancelCtx := chromedp.NewContext(alloc)
	ctx, cancel := context.WithTimeout(ctx, 30*time.Second)
	// Cleanups run last-in first-out: the browser is gone before
	// TempDir's cleanup removes its profile.
	t.Cleanup(cancelAlloc)
	t.Cleanup(cancelCtx)
	t.Cleanup(cancel)
	return ctx
}

// Text is the text of the element sel (a CSS selector) on the browser's
// page; failing to read it ends the test.
func Text(t testing.TB, ctx context.Context, sel string) string {
	t.Helper()
	got, err := chromedp.Run(ctx, chromedp.Text(chromedp.CSS(sel)))
	if err != nil {
		t.Fatalf("read %s: %v", sel, err)
	}
	return got
}

// Phone emulates the narrowest phone the pages are made for, 320 × 640
// px: a headless window cannot be made that small, an emulated mobile
// viewport can.
func Phone() chromedp.Action[chromedp.Void] {
	return chromedp.EmulateViewport(320, 640, chromedp.EmulateMobile)
}

// Eval evaluates js in the browser's page; failing to run it ends the
// test.
func Eval[T any](t testing.TB, ctx context.Context, js string) T {
	t.Helper()
	v, err := chromedp.Run(ctx, chromedp.Evaluate[T](js))
	if err != nil {
		t.Fatalf("%s: %v", js, err)
	}
	return v
}

// WaitJS waits, as WaitFor, until js evaluates to true in the browser's
// page: for a page that follows one much like it (the same heading, a
// flash of its own), where WaitVisible would see the old one. An
// evaluation cut by the navigation is tried again.
func WaitJS(t testing.TB, ctx context.Context, what, js string) {
	t.Helper()
	WaitFor(t, what, func() bool {
		ok, err := chromedp.Run(ctx, chromedp.Evaluate[bool](js))
		return err == nil && ok
	})
}

// NoSideScroll fails the test if the browser's page is wider than its
// window: on a phone, a page that scrolls sideways hides half of each
// line.
func NoSideScroll(t testing.TB, ctx context.Context) {
	t.Helper()
	widths := Eval[[]int](t, ctx, `[document.documentElement.scrollWidth, window.innerWidth]`)
	if len(widths) != 2 || widths[0] > widths[1] {
		t.Errorf("page %v px wide in a %v px window: it scrolls sideways", widths[0], widths[1])
	}
}
