package share

import (
	"bytes"
	"errors"
	"image/color"
	"image/png"
	"regexp"
	"strconv"
	"strings"
	"testing"

	"rsc.io/qr"
)

// contents are QR contents of every size class a share link may take,
// and beyond: short text, both links, and a kilobyte.
func contents() []string {
	return []string{
		"a",
		"HELLO 123",
		"https://t.me/SecoursBot?start=sabcdefghij",
		"https://wa.me/32470123456?text=Bonjour%20Secours%20%21%20Code%20sabcdefghij",
		"é€😀 " + strings.Repeat("x", 300),
		strings.Repeat("0123456789", 102) + "abcd", // 1024 bytes
	}
}

// reference is the module matrix the codes must show: rsc.io/qr has no
// decoder, so the tests compare what PNG and SVG drew with qr.Encode's.
func reference(t testing.TB, content string) *qr.Code {
	t.Helper()
	c, err := qr.Encode(content, qr.M)
	if err != nil {
		t.Fatal(err)
	}
	return c
}

// checkPNG reads the pixel at each module's centre, quiet zone included,
// and compares it with the reference module.
func checkPNG(t testing.TB, content string, scale int, b []byte) {
	t.Helper()
	img, err := png.Decode(bytes.NewReader(b))
	if err != nil {
		t.Fatalf("PNG does not decode: %v", err)
	}
	c := reference(t, content)
	side := (c.Size + 2*Quiet) * scale
	if got := img.Bounds(); got.Dx() != side || got.Dy() != side {
		t.Fatalf("PNG is %v, want %d×%d", got, side, side)
	}
	for y := -Quiet; y < c.Size+Quiet; y++ {
		for x := -Quiet; x < c.Size+Quiet; x++ {
			px := (x+Quiet)*scale + scale/2
			py := (y+Quiet)*scale + scale/2
			g := color.GrayModel.Convert(img.At(px, py)).(color.Gray).Y
			if black := g < 128; black != c.Black(x, y) {
				t.Fatalf("module (%d,%d): PNG black %v, code black %v", x, y, black, c.Black(x, y))
			}
		}
	}
}

var (
	viewBoxRE = regexp.MustCompile(`viewBox="0 0 (\d+) (\d+)"`)
	pathRE    = regexp.MustCompile(`<path fill="#000" d="([^"]*)"/>`)
	squareRE  = regexp.MustCompile(`^M(\d+) (\d+)h1v1h-1z`)
)

// checkSVG parses the path back into modules and compares them with the
// reference, quiet zone included.
func checkSVG(t testing.TB, content, svg string) {
	t.Helper()
	c := reference(t, content)
	if !strings.HasPrefix(svg, `<svg xmlns="http://www.w3.org/2000/svg" `) || !strings.HasSuffix(svg, "</svg>") {
		t.Fatalf("not an SVG document: %.80s…", svg)
	}
	if !strings.Contains(svg, `shape-rendering="crispEdges"`) {
		t.Error("SVG lacks shape-rendering crispEdges")
	}
	vb := viewBoxRE.FindStringSubmatch(svg)
	if vb == nil || vb[1] != vb[2] || vb[1] != strconv.Itoa(c.Size+2*Quiet) {
		t.Fatalf("viewBox %v, want 0 0 %d %d", vb, c.Size+2*Quiet, c.Size+2*Quiet)
	}
	if n := strings.Count(svg, "<path"); n != 1 {
		t.Fatalf("%d paths, want 1", n)
	}
	m := pathRE.FindStringSubmatch(svg)
	if m == nil {
		t.Fatal("no path")
	}
	dark := map[[2]int]bool{}
	d := m[1]
	for d != "" {
		sq := squareRE.FindStringSubmatch(d)
		if sq == nil {
			t.Fatalf("path: not a unit square at %.30q", d)
		}
		x, _ := strconv.Atoi(sq[1])
		y, _ := strconv.Atoi(sq[2])
		if dark[[2]int{x, y}] {
			t.Fatalf("square (%d,%d) drawn twice", x, y)
		}
		dark[[2]int{x, y}] = true
		d = d[len(sq[0]):]
	}
	for y := -Quiet; y < c.Size+Quiet; y++ {
		for x := -Quiet; x < c.Size+Quiet; x++ {
			if got := dark[[2]int{x + Quiet, y + Quiet}]; got != c.Black(x, y) {
				t.Fatalf("module (%d,%d): SVG dark %v, code black %v", x, y, got, c.Black(x, y))
			}
		}
	}
}

func TestPNG(t *testing.T) {
	for _, content := range contents() {
		for _, scale := range []int{1, 3, 8} {
			b, err := PNG(content, scale)
			if err != nil {
				t.Fatalf("PNG(%.20q, %d): %v", content, scale, err)
			}
			checkPNG(t, content, scale, b)
		}
	}
}

func TestSVG(t *testing.T) {
	for _, content := range contents() {
		svg, err := SVG(content)
		if err != nil {
			t.Fatalf("SVG(%.20q): %v", content, err)
		}
		checkSVG(t, content, svg)
	}
}

func TestLimits(t *testing.T) {
	for _, content := range []string{"", strings.Repeat("x", MaxContent+1), strings.Repeat("x", 1<<20)} {
		if _, err := SVG(content); !errors.Is(err, ErrContent) {
			t.Errorf("SVG of %d bytes: %v, want ErrContent", len(content), err)
		}
		if _, err := PNG(content, 4); !errors.Is(err, ErrContent) {
			t.Errorf("PNG of %d bytes: %v, want ErrContent", len(content), err)
		}
	}
	for _, scale := range []int{0, -1, MaxScale + 1} {
		if _, err := PNG("x", scale); err == nil {
			t.Errorf("PNG at scale %d accepted", scale)
		}
	}
	if _, err := PNG("x", MaxScale); err != nil {
		t.Errorf("PNG at scale %d: %v", MaxScale, err)
	}
}

// FuzzQR: no content panics; a refused one is empty or over the limit;
// an accepted one draws exactly the reference matrix.
func FuzzQR(f *testing.F) {
	for _, c := range contents() {
		f.Add(c)
	}
	f.Add(strings.Repeat("x", MaxContent+1))
	f.Add("\x00\xff\xfe")
	f.Fuzz(func(t *testing.T, content string) {
		svg, err := SVG(content)
		if err != nil {
			if len(content) != 0 && len(content) <= MaxContent {
				t.Fatalf("SVG refused %d bytes: %v", len(content), err)
			}
			return
		}
		checkSVG(t, content, svg)
		b, err := PNG(content, 2)
		if err != nil {
			t.Fatal(err)
		}
		checkPNG(t, content, 2, b)
	})
}

func BenchmarkSVG(b *testing.B) {
	const link = "https://wa.me/32470123456?text=Bonjour%20Secours%20%21%20Code%20sabcdefghij"
	for b.Loop() {
		if _, err := SVG(link); err != nil {
			b.Fatal(err)
		}
	}
}
