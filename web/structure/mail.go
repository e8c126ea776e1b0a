package structure

import (
	"bytes"
	"fmt"
	"slices"
	"strings"

	"github.com/secours/secours/flows"
	"github.com/secours/secours/geo"
)

// mailData is the mail templates' data.
type mailData struct {
	Kind    string
	Intro   string
	Heading string   // above the summary
	Open    string   // "Ouvrir vos demandes : <link>"
	Summary []line   // for the HTML body
	Text    []string // the same lines, for the text body
	Link    string
	Subject string
	Lang    flows.Lang
	Actions bool // say what the page offers: for a referral that waits for a decision
}

// line is one "label : value" line of a summary.
type line struct{ Label, Value string }

// lines is a referral's summary as label, value lines, in the order a
// structure reads them. Empty values (a scrubbed referral) are left out;
// short leaves out what only the page and the mails need (confidence,
// consent), for a Telegram message of a few lines.
func (t tr) lines(v refView, short bool) []line {
	var out []line
	add := func(key, value string) {
		if value != "" {
			out = append(out, line{t.s(key), value})
		}
	}
	add("ref.need", v.Need)
	add("ref.profile", strings.Join(slices.DeleteFunc([]string{v.Profile, v.Why}, func(s string) bool { return s == "" }), ". "))
	if !short {
		add("ref.confidence", v.Conf)
	}
	add("ref.lang", v.Lang)
	add("ref.postcode", v.Postcode)
	if !short {
		add("ref.consent", v.Consent)
	}
	switch {
	case v.Phone != "":
		add("ref.contact", t.s("contact.phone_line", "phone", v.Phone))
	case v.Relay:
		// Not the page's "reply here": read in a mail or a chat, "here"
		// would be the mail.
		add("ref.contact", t.s("contact.relay_away"))
	}
	switch {
	case v.ContactAidant:
		out = append(out, line{Value: t.s("contact.aidant")})
	case v.Aidant:
		out = append(out, line{Value: t.s("ref.aidant")})
	}
	if v.SharedBy != "" && !short {
		out = append(out, line{Value: v.SharedBy})
	}
	return out
}

// text is the line as plain text: "Besoin : Banque, argent".
func (t tr) text(l line) string {
	if l.Label == "" {
		return l.Value
	}
	return t.s("line", "label", l.Label, "value", l.Value)
}

// Mail renders the mail of a kind (flows.MailNew, MailReminder, MailReply,
// MailWithdrawn) about r to its structure, in the structure's language:
// a plain-text body and an HTML one with inline styles only (mail
// programs drop style sheets) and no image. The summary never holds the
// chat id, and a withdrawn referral's mail says only that it was
// withdrawn. link is the structure's page; "" when no page is served:
// then the mail says how else to answer instead.
func (w *Web) Mail(kind string, r flows.Referral, place *geo.Place, link string) (subject, text, html string, err error) {
	if !slices.Contains(mailKinds, kind) {
		return "", "", "", fmt.Errorf("structure mail: unknown kind %q", kind)
	}
	t := w.tr(w.Lang(place))
	ref := shortRef(r.ID)
	d := mailData{Kind: kind, Link: link, Lang: w.Lang(place),
		Heading: t.s("mail.summary", "ref", ref), Open: t.open(link),
		Subject: t.s("mail.subject."+kind, "ref", ref), Actions: link != "" && (kind == flows.MailNew || kind == flows.MailReminder)}
	switch kind {
	case flows.MailNew:
		d.Intro = t.s("mail.new", "place", placeName(t, place))
	case flows.MailReminder:
		d.Intro = t.s("mail.reminder", "age", t.age(r.Created, w.now()))
	case flows.MailReply:
		d.Intro = t.s("mail.reply" + firstSuffix(r))
		d.Subject = t.s("mail.subject.reply"+firstSuffix(r), "ref", ref)
	case flows.MailWithdrawn:
		d.Intro = t.s("mail.withdrawn", "ref", ref)
	case flows.MailForget:
		d.Intro = t.s("mail.forget", "ref", ref)
	}
	if kind != flows.MailWithdrawn && kind != flows.MailForget { // scrubbed: nothing to summarise, and nothing should be
		var v refView
		w.summary(t, &r, &v)
		// A reply needs only enough to find the referral on the page.
		d.Summary = t.lines(v, kind == flows.MailReply)
		for _, l := range d.Summary {
			d.Text = append(d.Text, t.text(l))
		}
	}
	var tb, hb bytes.Buffer
	if err := w.mailText[d.Lang].Execute(&tb, d); err != nil {
		return "", "", "", fmt.Errorf("structure mail text: %w", err)
	}
	if err := w.mailHTML[d.Lang].Execute(&hb, d); err != nil {
		return "", "", "", fmt.Errorf("structure mail html: %w", err)
	}
	return d.Subject, tb.String(), hb.String(), nil
}

// Summary returns the message of a mail kind in a few plain-text lines,
// for a structure's linked Telegram chat, in the structure's language:
// for a new referral (and its reminder) the summary of Mail, for a reply
// or a withdrawal one line; then the link to the page. It never holds the
// chat id. An unknown kind reads as a new referral: a chat message that
// says too much about a referral the structure already has is better
// than none.
func (w *Web) Summary(kind string, r flows.Referral, place *geo.Place, link string) string {
	t := w.tr(w.Lang(place))
	ref := shortRef(r.ID)
	var b strings.Builder
	switch kind {
	case flows.MailReply:
		b.WriteString(t.s("sum.reply"+firstSuffix(r), "ref", ref))
	case flows.MailWithdrawn:
		b.WriteString(t.s("mail.withdrawn", "ref", ref))
	case flows.MailForget:
		b.WriteString(t.s("sum.forget", "ref", ref))
	default:
		if kind == flows.MailReminder {
			b.WriteString(t.s("sum.reminder", "ref", ref, "age", t.age(r.Created, w.now())))
		} else {
			b.WriteString(t.s("sum.title", "ref", ref, "place", placeName(t, place)))
		}
		var v refView
		w.summary(t, &r, &v)
		for _, l := range t.lines(v, true) {
			b.WriteString("\n" + t.text(l))
		}
	}
	b.WriteString("\n" + t.open(link))
	return b.String()
}

// open is the line that leads to the page: its link, or with no page
// served ("") how else to reach the person.
func (t tr) open(link string) string {
	if link == "" {
		return t.s("mail.no_page")
	}
	return t.s("mail.open", "link", link)
}

// firstSuffix is "_first" when the person's latest message is not an
// answer: the structure had not written before it (issue 17).
func firstSuffix(r flows.Referral) string {
	last := -1
	for i, n := range r.Thread {
		if n.From == flows.ActorPerson {
			last = i
		}
	}
	for _, n := range r.Thread[:max(last, 0)] {
		if n.From == flows.ActorStructure {
			return ""
		}
	}
	return "_first"
}
