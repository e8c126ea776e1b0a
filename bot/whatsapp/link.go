package whatsapp

import (
	"context"
	"errors"
	"fmt"
	"io"
	"strings"
	"time"

	"go.mau.fi/whatsmeow"
	"go.mau.fi/whatsmeow/types/events"
	"rsc.io/qr"
)

// Why linking a device ended without a device.
var (
	// ErrAlreadyLinked means the store holds a device: the bot can run
	// with it, and another account needs another store.
	ErrAlreadyLinked = errors.New("whatsapp: the store already holds a linked device")
	// ErrLinkTimeout means no phone scanned a code or typed the pairing
	// code before WhatsApp stopped sending codes, or ctx's deadline.
	ErrLinkTimeout = errors.New("whatsapp: no scan before the codes ran out")
	// ErrLinkLoggedOut means WhatsApp ended the session during the link.
	ErrLinkLoggedOut = errors.New("whatsapp: WhatsApp refused the link (logged out or banned)")
	// ErrClientOutdated means WhatsApp refuses this whatsmeow version.
	ErrClientOutdated = errors.New("whatsapp: WhatsApp says this client is outdated; update secours")
	// ErrBadPhone means ParsePhone could not read an international number.
	ErrBadPhone = errors.New("whatsapp: not an international phone number")
)

// LinkOptions say how to show the pairing.
type LinkOptions struct {
	// Phone is the account's number as ParsePhone returns it: an
	// 8-character pairing code is shown instead of a QR code.
	Phone string
	// Out receives the QR codes or the pairing code, and the instructions.
	Out io.Writer
	// Clear clears the terminal before each new QR code, so that the
	// current one is the only one on screen.
	Clear bool
}

// Link pairs cli's new device with a WhatsApp account and returns once it
// is linked, or why not. cli's store must not hold a device yet. The QR
// code is refreshed as WhatsApp sends new ones (about six, 20–60 s each),
// so ctx only needs a deadline to give up earlier.
func Link(ctx context.Context, cli *whatsmeow.Client, o LinkOptions) error {
	if cli.Store.ID != nil {
		return ErrAlreadyLinked
	}
	qrc, err := cli.GetQRChannel(ctx)
	if err != nil {
		return fmt.Errorf("whatsapp link: %w", err)
	}
	connected := make(chan struct{}, 1)
	id := cli.AddEventHandler(func(evt any) {
		if _, ok := evt.(*events.Connected); ok {
			select {
			case connected <- struct{}{}:
			default:
			}
		}
	})
	defer cli.RemoveEventHandler(id)
	if err := cli.Connect(); err != nil {
		return fmt.Errorf("whatsapp link: connect: %w", err)
	}
	defer cli.Disconnect()
	codes := 0
	for {
		var item whatsmeow.QRChannelItem
		select {
		case <-ctx.Done():
			if errors.Is(ctx.Err(), context.DeadlineExceeded) {
				return ErrLinkTimeout
			}
			return ctx.Err()
		case it, ok := <-qrc:
			if !ok {
				return ErrLinkTimeout
			}
			item = it
		}
		if item.Event != whatsmeow.QRChannelEventCode {
			if err := linkResult(item); err != nil {
				if errors.Is(err, errRescan) {
					fmt.Fprintln(o.Out, "The phone scanned the code without multi-device: update WhatsApp on it and scan again.")
					continue
				}
				return err
			}
			// The device is saved; wait for the first login so that the
			// phone lists it as active.
			select {
			case <-connected:
			case <-time.After(30 * time.Second):
			case <-ctx.Done():
			}
			return nil
		}
		codes++
		if o.Phone != "" {
			if codes > 1 {
				continue // one pairing code per run: it stays valid while the codes rotate
			}
			code, err := cli.PairPhone(ctx, o.Phone, true, whatsmeow.PairClientChrome, "Chrome (Linux)")
			if err != nil {
				return fmt.Errorf("whatsapp link: pairing code: %w", err)
			}
			fmt.Fprintf(o.Out, "On the bot's phone: WhatsApp → Settings → Linked devices → Link a device →\n"+
				"\"Link with phone number instead\", then type this code:\n\n    %s\n\n", code)
			continue
		}
		if o.Clear {
			fmt.Fprint(o.Out, "\x1b[H\x1b[2J")
		}
		fmt.Fprintf(o.Out, "Scan with the bot's phone: WhatsApp → Settings → Linked devices → Link a device.\n"+
			"Code %d, valid %s; a new one follows.\n", codes, item.Timeout.Round(time.Second))
		if err := WriteQR(o.Out, item.Code); err != nil {
			return err
		}
	}
}

// errRescan is the one outcome after which the same pairing goes on.
var errRescan = errors.New("whatsapp: scanned without multi-device")

// linkResult maps the last item of the QR channel to nil (linked) or why
// the link failed.
func linkResult(item whatsmeow.QRChannelItem) error {
	switch item.Event {
	case whatsmeow.QRChannelSuccess.Event:
		return nil
	case whatsmeow.QRChannelTimeout.Event:
		return ErrLinkTimeout
	case whatsmeow.QRChannelClientOutdated.Event:
		return ErrClientOutdated
	case whatsmeow.QRChannelScannedWithoutMultidevice.Event:
		return errRescan
	case whatsmeow.QRChannelErrUnexpectedEvent.Event:
		return ErrLinkLoggedOut
	case whatsmeow.QRChannelEventError:
		return fmt.Errorf("whatsapp link: pairing failed: %w", item.Error)
	}
	return fmt.Errorf("whatsapp link: unexpected %q", item.Event)
}

// ParsePhone checks the account's number for phone pairing and returns
// its digits with the country code, as WhatsApp wants them:
//
//	+32 470 12 34 56   → 32470123456
//	0032 470/12.34.56  → 32470123456
//	+33 (0)6 12 34 56 78 → 33612345678
//
// A national number ("0470…") is refused: the country would be a guess.
func ParsePhone(s string) (string, error) {
	t := strings.TrimSpace(s)
	switch {
	case strings.HasPrefix(t, "+"):
		t = t[1:]
	case strings.HasPrefix(t, "00"):
		t = t[2:]
	default:
		return "", fmt.Errorf("%w: start with + and the country code, like +32 470 12 34 56", ErrBadPhone)
	}
	t = strings.Replace(t, "(0)", "", 1)
	var b strings.Builder
	for _, r := range t {
		switch {
		case r >= '0' && r <= '9':
			b.WriteRune(r)
		case r == ' ' || r == '.' || r == '-' || r == '/' || r == '\u00a0':
		default:
			return "", fmt.Errorf("%w: only digits, spaces, dots and dashes", ErrBadPhone)
		}
	}
	d := b.String()
	national := func(cc string, lengths ...int) error {
		n := strings.TrimPrefix(d, cc)
		for _, l := range lengths {
			if len(n) == l && n[0] != '0' {
				return nil
			}
		}
		return fmt.Errorf("%w: +%s is followed by %v digits, not starting with 0", ErrBadPhone, cc, lengths)
	}
	var err error
	switch {
	case strings.HasPrefix(d, "32"):
		err = national("32", 8, 9)
	case strings.HasPrefix(d, "33"):
		err = national("33", 9)
	case len(d) < 8 || len(d) > 15 || d[0] == '0':
		err = fmt.Errorf("%w: 8 to 15 digits with the country code", ErrBadPhone)
	}
	if err != nil {
		return "", err
	}
	return d, nil
}

// WriteQR draws code as a QR code with half-block characters, two module
// rows per line, with explicit colours (white on black) so that it scans
// on a light or a dark terminal.
func WriteQR(w io.Writer, code string) error {
	c, err := qr.Encode(code, qr.L)
	if err != nil {
		return fmt.Errorf("whatsapp qr: %w", err)
	}
	const quiet = 2 // modules of light border; Black is false outside the code
	var b strings.Builder
	for y := -quiet; y < c.Size+quiet; y += 2 {
		b.WriteString("\x1b[97;40m")
		for x := -quiet; x < c.Size+quiet; x++ {
			top, bottom := !c.Black(x, y), !c.Black(x, y+1)
			switch {
			case top && bottom:
				b.WriteString("█")
			case top:
				b.WriteString("▀")
			case bottom:
				b.WriteString("▄")
			default:
				b.WriteByte(' ')
			}
		}
		b.WriteString("\x1b[0m\n")
	}
	if _, err := io.WriteString(w, b.String()); err != nil {
		return fmt.Errorf("whatsapp qr: %w", err)
	}
	return nil
}
