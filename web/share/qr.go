package share

import (
	"bytes"
	"errors"
	"fmt"
	"image"
	"image/color"
	"image/png"
	"strconv"
	"strings"

	"rsc.io/qr"
)

// Limits of the QR codes.
const (
	// MaxContent bounds what a QR code may hold. Share links are under
	// 200 bytes; a kilobyte already makes a code too dense to scan from
	// a printed page, so anything longer is a mistake, not a link.
	MaxContent = 1024
	// Quiet is the light border around a code, in modules: the four the
	// QR standard asks for, without which phones fail on a busy poster.
	Quiet = 4
	// MaxScale bounds PNG's pixels per module: 64 already makes a 4000
	// pixel image of a long link.
	MaxScale = 64
	// PrintScale is the scale of a PNG meant for print: a share link's
	// code is 740 to 900 pixels, about 300 dpi printed 6 to 7 cm wide.
	PrintScale = 20
)

// ErrContent is returned for an empty or too long QR content.
var ErrContent = errors.New("share: QR content must be 1 to 1024 bytes")

// encode makes the module matrix at level M: it survives a crease or a
// smudge on about 15% of the code, and keeps a link small enough to
// print 6 cm wide and still scan from arm's length.
func encode(content string) (*qr.Code, error) {
	if content == "" || len(content) > MaxContent {
		return nil, ErrContent
	}
	c, err := qr.Encode(content, qr.M)
	if err != nil {
		return nil, fmt.Errorf("share qr: %w", err)
	}
	return c, nil
}

// PNG draws content as a QR code, scale pixels per module (1 to
// MaxScale), with the quiet zone, black on white in a two-colour palette
// (a small file that prints sharp). qr.Code.Image is not used: it does
// not scale or offset its modules.
func PNG(content string, scale int) ([]byte, error) {
	if scale < 1 || scale > MaxScale {
		return nil, fmt.Errorf("share qr: scale %d is not 1 to %d", scale, MaxScale)
	}
	c, err := encode(content)
	if err != nil {
		return nil, err
	}
	side := (c.Size + 2*Quiet) * scale
	img := image.NewPaletted(image.Rect(0, 0, side, side), color.Palette{color.White, color.Black})
	for y := range c.Size {
		for x := range c.Size {
			if !c.Black(x, y) {
				continue
			}
			x0, y0 := (x+Quiet)*scale, (y+Quiet)*scale
			for py := y0; py < y0+scale; py++ {
				row := img.Pix[py*img.Stride+x0 : py*img.Stride+x0+scale]
				for i := range row {
					row[i] = 1
				}
			}
		}
	}
	var b bytes.Buffer
	if err := (&png.Encoder{CompressionLevel: png.BestCompression}).Encode(&b, img); err != nil {
		return nil, fmt.Errorf("share qr png: %w", err)
	}
	return b.Bytes(), nil
}

// SVG draws content as a QR code: one path of unit squares, one per dark
// module, in a viewBox that holds the quiet zone, so that it scales to
// any size (the poster prints it 78 mm wide) and stays sharp. Its
// width and height say 8 px a module for programs that need a size; CSS
// overrides them. shape-rendering crispEdges stops anti-aliasing from
// drawing hairlines between adjacent squares.
func SVG(content string) (string, error) {
	c, err := encode(content)
	if err != nil {
		return "", err
	}
	n := strconv.Itoa(c.Size + 2*Quiet)
	px := strconv.Itoa((c.Size + 2*Quiet) * 8)
	var b strings.Builder
	b.Grow(200 + 12*c.Size*c.Size/2) // about half the modules are dark
	b.WriteString(`<svg xmlns="http://www.w3.org/2000/svg" viewBox="0 0 ` + n + " " + n + `" width="` + px + `" height="` + px +
		`" shape-rendering="crispEdges" role="img" aria-label="QR"><rect width="` + n + `" height="` + n + `" fill="#fff"/><path fill="#000" d="`)
	var num []byte
	for y := range c.Size {
		for x := range c.Size {
			if !c.Black(x, y) {
				continue
			}
			b.WriteByte('M')
			num = strconv.AppendInt(num[:0], int64(x+Quiet), 10)
			b.Write(num)
			b.WriteByte(' ')
			num = strconv.AppendInt(num[:0], int64(y+Quiet), 10)
			b.Write(num)
			b.WriteString("h1v1h-1z")
		}
	}
	b.WriteString(`"/></svg>`)
	return b.String(), nil
}
