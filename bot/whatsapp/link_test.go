package whatsapp

import (
	"errors"
	"strings"
	"testing"

	"go.mau.fi/whatsmeow"
	"rsc.io/qr"
)

// TestWriteQR draws a pairing code and reads the modules back from the
// terminal text.
func TestWriteQR(t *testing.T) {
	// The shape of a real code: ref, noise key, identity key, adv secret.
	code := "2@" + strings.Repeat("AbCdEfGh", 12) + "," + strings.Repeat("x", 44) + "," + strings.Repeat("y", 44) + "," + strings.Repeat("z", 44)
	var b strings.Builder
	if err := WriteQR(&b, code); err != nil {
		t.Fatal(err)
	}
	want, err := qr.Encode(code, qr.L)
	if err != nil {
		t.Fatal(err)
	}
	lines := strings.Split(strings.TrimSuffix(b.String(), "\n"), "\n")
	const quiet = 2
	if got, wantRows := len(lines), (want.Size+2*quiet+1)/2; got != wantRows {
		t.Fatalf("%d lines, want %d", got, wantRows)
	}
	for row, line := range lines {
		if !strings.HasPrefix(line, "\x1b[97;40m") || !strings.HasSuffix(line, "\x1b[0m") {
			t.Fatalf("line %d has no colours: %q", row, line)
		}
		cells := []rune(strings.TrimSuffix(strings.TrimPrefix(line, "\x1b[97;40m"), "\x1b[0m"))
		if len(cells) != want.Size+2*quiet {
			t.Fatalf("line %d is %d wide, want %d", row, len(cells), want.Size+2*quiet)
		}
		for col, r := range cells {
			x, y := col-quiet, 2*row-quiet
			top, bottom := r == '█' || r == '▀', r == '█' || r == '▄'
			if top == want.Black(x, y) || bottom == want.Black(x, y+1) {
				t.Fatalf("module (%d,%d) drawn %q, black %v/%v", x, y, r, want.Black(x, y), want.Black(x, y+1))
			}
		}
	}
	if err := WriteQR(&b, strings.Repeat("x", 4000)); err == nil {
		t.Error("WriteQR of 4000 bytes = nil error")
	}
}

func TestParsePhone(t *testing.T) {
	tests := []struct {
		in, want string
	}{
		{"+32 470 12 34 56", "32470123456"},
		{"0032 470/12.34.56", "32470123456"},
		{"+32 2 123 45 67", "3221234567"},
		{"+32 (0)470 12 34 56", "32470123456"},
		{"+33 6 12 34 56 78", "33612345678"},
		{"+33 (0)6-12-34-56-78", "33612345678"},
		{"  +44 7700 900123 ", "447700900123"},
		{"0470 12 34 56", ""},
		{"470123456", ""},
		{"+32 0470 12 34 56", ""},
		{"+32 470 12", ""},
		{"+33 6 12 34 56 78 9", ""},
		{"+33 6 12 34 56 7", ""},
		{"+32 470 12 34 5a", ""},
		{"+1 234", ""},
		{"+", ""},
		{"", ""},
		{"+1234567890123456", ""},
	}
	for _, tt := range tests {
		got, err := ParsePhone(tt.in)
		if tt.want == "" {
			if err == nil || !errors.Is(err, ErrBadPhone) {
				t.Errorf("ParsePhone(%q) = %q, %v; want ErrBadPhone", tt.in, got, err)
			}
			continue
		}
		if err != nil || got != tt.want {
			t.Errorf("ParsePhone(%q) = %q, %v; want %q", tt.in, got, err, tt.want)
		}
	}
}

// FuzzParsePhone: never a panic, and an accepted number parses to itself.
func FuzzParsePhone(f *testing.F) {
	for _, s := range []string{"+32 470 12 34 56", "0033612345678", "+(0)", "+32(0)"} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, s string) {
		d, err := ParsePhone(s)
		if err != nil {
			return
		}
		again, err := ParsePhone("+" + d)
		if err != nil || again != d {
			t.Fatalf("ParsePhone(%q) = %q, but ParsePhone(+%s) = %q, %v", s, d, d, again, err)
		}
	})
}

// TestLinkResult: each end of the pairing says what happened.
func TestLinkResult(t *testing.T) {
	boom := errors.New("boom")
	tests := []struct {
		item whatsmeow.QRChannelItem
		want error
	}{
		{whatsmeow.QRChannelSuccess, nil},
		{whatsmeow.QRChannelTimeout, ErrLinkTimeout},
		{whatsmeow.QRChannelClientOutdated, ErrClientOutdated},
		{whatsmeow.QRChannelErrUnexpectedEvent, ErrLinkLoggedOut},
		{whatsmeow.QRChannelScannedWithoutMultidevice, errRescan},
		{whatsmeow.QRChannelItem{Event: whatsmeow.QRChannelEventError, Error: boom}, boom},
	}
	for _, tt := range tests {
		err := linkResult(tt.item)
		if tt.want == nil && err != nil || tt.want != nil && !errors.Is(err, tt.want) {
			t.Errorf("linkResult(%q) = %v, want %v", tt.item.Event, err, tt.want)
		}
	}
	if err := linkResult(whatsmeow.QRChannelItem{Event: "new"}); err == nil {
		t.Error("an unknown event = nil error")
	}
}
