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
