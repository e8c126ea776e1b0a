package structure

import (
	"bytes"
	"errors"
	"fmt"
	"html/template"
	"net/http"
	"strconv"
	"strings"

	"github.com/secours/secours/text"
	"github.com/secours/secours/web/share"
)

// setShare checks the share settings and loads the poster's texts and
// template, so that a bad username or a broken share.<lang>.json stops the
// start rather than a structure's poster.
func (w *Web) setShare(o WebOptions) error {
	if o.TelegramUsername == "" && o.WhatsAppNumber == "" {
		return nil
	}
	var err error
	if o.TelegramUsername != "" {
		if w.tgUser, err = share.Username(o.TelegramUsername); err != nil {
			return fmt.Errorf("structure web: TelegramUsername: %w", err)
		}
	}
	if o.WhatsAppNumber != "" {
		if w.waNumber, err = share.Number(o.WhatsAppNumber); err != nil {
			return fmt.Errorf("structure web: WhatsAppNumber: %w", err)
		}
	}
	if o.ShareTexts == nil {
		return errors.New("structure web: ShareTexts is required with TelegramUsername or WhatsAppNumber")
	}
	if w.share, err = share.New(w.fsys, o.ShareTexts); err != nil {
		return fmt.Errorf("structure web: %w", err)
	}
	return nil
}

// shareView is the page's share section; nil when no channel is
// configured. The QR codes are drawn for each request: a few hundred
// microseconds, against a cache to keep per place.
func (w *Web) shareView(s session) (*shareView, error) {
	if w.share == nil {
		return nil, nil
	}
	t := w.tr(s.lang)
	links := w.share.For(s.place, w.tgUser, w.waNumber, share.Lang(s.lang))
	v := &shareView{}
	if links.WhatsApp != "" {
		v.Code = links.Code // typed in WhatsApp, the code alone starts the bot from the structure
	}
	// The WhatsApp greeting follows the page's language; a download
	// keeps the language the structure chose.
	query := ""
	if s.chosen {
		query = "?lang=" + string(s.lang)
	}
	for _, c := range []struct{ name, file, link string }{
		{"Telegram", "telegram", links.Telegram}, {"WhatsApp", "whatsapp", links.WhatsApp},
	} {
		if c.link == "" {
			continue
		}
		svg, err := share.SVG(c.link)
		if err != nil {
			return nil, err
		}
		files := s.base() + "/qr/" + c.file
		// Safe to trust: share.SVG writes numbers into fixed markup.
		v.QRs = append(v.QRs, qrView{Name: c.name, Link: c.link, SVG: template.HTML(svg),
			SVGHref: files + ".svg" + query, PNGHref: files + ".png" + query})
	}
	for _, l := range []share.Lang{share.Both, share.FR, share.NL} {
		p := langLink{Label: t.s("share.poster_" + string(l)), Href: s.base() + "/poster?lang=" + string(l)}
		if l != share.Both {
			p.Code = string(l) // hreflang: "both" is no language tag
		}
		v.Posters = append(v.Posters, p)
	}
	return v, nil
}

// posterLang is a poster's language when ?lang= does not say: both if
// the place serves French and Dutch (text.Bilingual), else the page's.
func posterLang(s session) share.Lang {
	if s.geo != nil && text.Bilingual(s.geo.Langs) {
		return share.Both
	}
	return share.Lang(s.lang)
}

// openShare opens the page for its share section; without one, the one
// 404.
func (w *Web) openShare(rw http.ResponseWriter, r *http.Request) (session, bool) {
	s, ok := w.open(rw, r)
	if ok && w.share == nil {
		w.notFound(rw)
		return session{}, false
	}
	return s, ok
}

// servePoster is GET /s/{token}/poster: the structure's poster, one A4
// page to print from the browser, in ?lang=fr, nl or both. It is served
// with its own CSP, the hash of its own style sheet.
func (w *Web) servePoster(rw http.ResponseWriter, r *http.Request) {
	s, ok := w.openShare(rw, r)
	if !ok {
		return
	}
	lang, ok := share.ParseLang(r.URL.Query().Get("lang"))
	if !ok {
		lang = posterLang(s)
	}
	d := share.PosterData{Lang: lang, Links: w.share.For(s.place, w.tgUser, w.waNumber, lang)}
	if s.geo != nil {
		d.Name, d.Hours = s.geo.Name, s.geo.Hours
	}
	var b bytes.Buffer
	if err := w.share.Poster(&b, d); err != nil {
		w.internal(rw, r, s.base(), s.lang, err)
		return
	}
	rw.Header().Set("Content-Security-Policy", w.share.CSP())
	rw.Header().Set("Content-Type", "text/html; charset=utf-8")
	rw.Write(b.Bytes())
}

// serveQR is GET /s/{token}/qr/{file}: telegram.svg, telegram.png,
// whatsapp.svg or whatsapp.png, as a download for a structure's own
// leaflets. Anything else, or a channel not configured, is the one 404.
func (w *Web) serveQR(rw http.ResponseWriter, r *http.Request) {
	s, ok := w.openShare(rw, r)
	if !ok {
		return
	}
	links := w.share.For(s.place, w.tgUser, w.waNumber, share.Lang(s.lang))
	name, ext, _ := strings.Cut(r.PathValue("file"), ".")
	var link string
	switch name {
	case "telegram":
		link = links.Telegram
	case "whatsapp":
		link = links.WhatsApp
	}
	if link == "" || (ext != "svg" && ext != "png") {
		w.notFound(rw)
		return
	}
	var (
		body  []byte
		ctype = "image/png"
		err   error
	)
	if ext == "svg" {
		var svg string
		svg, err = share.SVG(link)
		body, ctype = []byte(svg), "image/svg+xml"
	} else {
		body, err = share.PNG(link, share.PrintScale)
	}
	if err != nil {
		w.internal(rw, r, s.base(), s.lang, err)
		return
	}
	h := rw.Header()
	h.Set("Content-Type", ctype)
	// The code is no secret (it is on every poster); the name tells
	// which structure's code a downloaded file is.
	h.Set("Content-Disposition", `attachment; filename="secours-`+name+"-"+links.Code+"."+ext+`"`)
	h.Set("Content-Length", strconv.Itoa(len(body)))
	rw.Write(body)
}
