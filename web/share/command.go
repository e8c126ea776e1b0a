package share

import (
	"errors"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"strings"

	"github.com/secours/secours/geo"
	"github.com/secours/secours/text"
)

// Order is what "secours share" makes for one place.
type Order struct {
	Place *geo.Place
	// TelegramUser and WhatsAppNumber are the bot's, checked (Username,
	// Number); at least one.
	TelegramUser, WhatsAppNumber string
	// Lang is the poster's and the WhatsApp greeting's; "": the place's
	// (PlaceLang).
	Lang Lang
	// Out is the folder the files go to; "": "share-<code>" in the
	// current folder.
	Out string
}

// Make writes o's QR codes, poster and links.txt, and prints the links
// and the files to stdout, for the person at the terminal.
func (kit *Kit) Make(stdout io.Writer, o Order) error {
	if o.Lang == "" {
		o.Lang = PlaceLang(o.Place)
	}
	links := kit.For(o.Place.ID, o.TelegramUser, o.WhatsAppNumber, o.Lang)
	if o.Out == "" {
		o.Out = "share-" + links.Code
	}
	files, err := kit.write(o.Out, o.Place, links, o.Lang)
	if err != nil {
		return err
	}
	fmt.Fprint(stdout, linksText(o.Place, links))
	fmt.Fprintln(stdout, "\nFiles:")
	for _, f := range files {
		fmt.Fprintln(stdout, "  "+f)
	}
	fmt.Fprintln(stdout, "\nOpen poster.html in a browser and print it on A4 (one page).")
	return nil
}

// PlaceLang is a place's poster language: both for a place that
// serves French and Dutch (text.Bilingual), else the language it is
// addressed in (text.PlaceLang, as its page and mails are).
func PlaceLang(p *geo.Place) Lang {
	if text.Bilingual(p.Langs) {
		return Both
	}
	return Lang(text.PlaceLang(string(p.Country), p.Langs))
}

// linksText is what links.txt holds and the command prints.
func linksText(p *geo.Place, l Links) string {
	var b strings.Builder
	fmt.Fprintf(&b, "%s (%s)\nCode:     %s\n", p.Name, p.ID, l.Code)
	if l.Telegram != "" {
		fmt.Fprintf(&b, "Telegram: %s\n", l.Telegram)
	}
	if l.WhatsApp != "" {
		fmt.Fprintf(&b, "WhatsApp: %s\n", l.WhatsApp)
	}
	return b.String()
}

// write writes the QR codes, the poster and links.txt into dir and
// returns their paths.
func (kit *Kit) write(dir string, p *geo.Place, l Links, lang Lang) ([]string, error) {
	if err := os.MkdirAll(dir, 0o755); err != nil {
		return nil, err
	}
	var paths []string
	write := func(name string, b []byte) error {
		path := filepath.Join(dir, name)
		if err := os.WriteFile(path, b, 0o644); err != nil {
			return err
		}
		paths = append(paths, path)
		return nil
	}
	for _, c := range []struct{ name, link string }{{"telegram", l.Telegram}, {"whatsapp", l.WhatsApp}} {
		if c.link == "" {
			continue
		}
		png, err := PNG(c.link, PrintScale)
		if err != nil {
			return nil, err
		}
		svg, err := SVG(c.link)
		if err != nil {
			return nil, err
		}
		if err := errors.Join(write(c.name+".png", png), write(c.name+".svg", []byte(svg))); err != nil {
			return nil, err
		}
	}
	var poster strings.Builder
	if err := kit.Poster(&poster, PosterData{Lang: lang, Name: p.Name, Hours: p.Hours, Links: l}); err != nil {
		return nil, err
	}
	if err := errors.Join(write("poster.html", []byte(poster.String())), write("links.txt", []byte(linksText(p, l)))); err != nil {
		return nil, err
	}
	return paths, nil
}
