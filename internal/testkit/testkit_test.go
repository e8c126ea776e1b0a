package testkit

import (
	"net"
	"os"
	"path/filepath"
	"sync"
	"testing"
	"time"
)

func TestClock(t *testing.T) {
	t0 := time.Date(2026, 3, 12, 13, 5, 0, 0, time.UTC)
	c := NewClock(t0)
	if got := c.Now(); !got.Equal(t0) {
		t.Fatalf("Now = %v, want %v", got, t0)
	}
	c.Add(90 * time.Second)
	c.Add(-30 * time.Second)
	if got, want := c.Now(), t0.Add(time.Minute); !got.Equal(want) {
		t.Fatalf("after +90s -30s, Now = %v, want %v", got, want)
	}
}

// TestClockConcurrent is for -race: code reads the clock while the test
// moves it.
func TestClockConcurrent(t *testing.T) {
	c := NewClock(time.Unix(0, 0))
	var wg sync.WaitGroup
	for range 4 {
		wg.Go(func() {
			for range 100 {
				c.Add(time.Second)
				_ = c.Now()
			}
		})
	}
	wg.Wait()
	if got := c.Now(); !got.Equal(time.Unix(400, 0)) {
		t.Fatalf("Now = %v, want 400 s after the epoch", got)
	}
}

func TestFreeAddr(t *testing.T) {
	addr := FreeAddr(t)
	ln, err := net.Listen("tcp", addr)
	if err != nil {
		t.Fatalf("FreeAddr gave %s, which cannot be listened on: %v", addr, err)
	}
	ln.Close()
}

func TestSyncBufferAndWaitFor(t *testing.T) {
	var b SyncBuffer
	var wg sync.WaitGroup
	for range 4 {
		wg.Go(func() { _, _ = b.Write([]byte("ab")) })
	}
	WaitFor(t, "the four writes", func() bool { return len(b.String()) == 8 })
	wg.Wait()
	if got := b.String(); got != "abababab" {
		t.Errorf("String = %q, want abababab", got)
	}
}

func TestBuild(t *testing.T) {
	double := func(n int) (int, error) { return 2 * n, nil }
	got := Build(t, double, 1, func(n *int) { *n += 2 }, func(n *int) { *n *= 10 })
	if got != 60 {
		t.Errorf("Build = %d, want (1+2)*10*2 = 60: the edits in order, then build", got)
	}
}

func TestReturns(t *testing.T) {
	ran := false
	Returns(t, time.Second, func() { ran = true }, "a func that returns at once did not")
	if !ran {
		t.Error("Returns did not run f")
	}
}

func TestGolden(t *testing.T) {
	path := filepath.Join(t.TempDir(), "golden", "a.txt")
	Golden(t, path, "one\n", true, "")
	if b, err := os.ReadFile(path); err != nil || string(b) != "one\n" {
		t.Fatalf("update wrote %q, %v", b, err)
	}
	Golden(t, path, "one\n", false, "") // the same: passes
}

func TestPageText(t *testing.T) {
	body := "<style>p { color: red }</style><h1>L&#39;EPN</h1>\n<p title=\"x\">A &amp; B,   &#34;C&#34; &quot;D&quot; &lt;E&gt;</p>"
	if got, want := PageText(body), `L'EPN A & B, "C" "D" <E>`; got != want {
		t.Errorf("PageText = %q, want %q", got, want)
	}
}
