package referral_test

import (
	"context"
	"errors"
	"fmt"
	"io"
	"log/slog"
	"net/http"
	"net/http/httptest"
	"net/url"
	"regexp"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/secours/secours/bot"
	"github.com/secours/secours/configs"
	"github.com/secours/secours/flows"
	"github.com/secours/secours/geo"
	"github.com/secours/secours/internal/testkit"
	"github.com/secours/secours/referral"
	"github.com/secours/secours/referral/mail"
	"github.com/secours/secours/referral/mail/smtptest"
	"github.com/secours/secours/store/memory"
	"github.com/secours/secours/web/structure"
)

// sender is a fake channel: it records what each chat was sent, and
// refuses the chats marked blocked.
type sender struct {
	mu      sync.Mutex
	sent    map[flows.ChatID][]flows.Reply
	blocked map[flows.ChatID]bool
}

func (s *sender) Send(_ context.Context, chat flows.ChatID, replies []flows.Reply) error {
	s.mu.Lock()
	defer s.mu.Unlock()
	if s.blocked[chat] {
		return fmt.Errorf("send: %w", bot.ErrUnreachable)
	}
	s.sent[chat] = append(s.sent[chat], replies...)
	return nil
}

// text is everything a chat was sent, and forgets it.
func (s *sender) text(chat flows.ChatID) string {
	s.mu.Lock()
	defer s.mu.Unlock()
	var b strings.Builder
	for _, r := range s.sent[chat] {
		b.WriteString(r.Text + "\n")
	}
	delete(s.sent, chat)
	return b.String()
}

// desk is a whole referral service on the memory store, the real engine
// and directory, a fake channel and a local SMTP sink.
type desk struct {
	t      *testing.T
	clk    *testkit.Clock
	e      *flows.Engine
	dir    *geo.Directory
	st     *memory.Store
	svc    *referral.Service
	web    *structure.Web // the page of svc, served by page
	smtp   *smtptest.Server
	chat   *sender
	page   *httptest.Server
	mailer referral.Mailer // the service's as newDesk built it, and its From
	from   string
	msgIDs int
}

var t0 = time.Date(2026, 11, 24, 9, 0, 0, 0, time.UTC) // a Tuesday, 10:00 in Brussels

func newDesk(t *testing.T, opts ...smtptest.Option) *desk {
	srv := smtptest.NewServer(t, opts...)
	cfg, err := mail.ParseURL(srv.URL("secours@example.org"))
	if err != nil {
		t.Fatal(err)
	}
	d := newDeskMailer(t, mail.NewSMTP(cfg), cfg.From)
	d.smtp = srv
	return d
}

// newDeskMailer is newDesk with another mailer (d.smtp stays nil).
func newDeskMailer(t *testing.T, mailer referral.Mailer, from string) *desk {
	d := &desk{t: t, clk: testkit.NewClock(t0), chat: &sender{sent: map[flows.ChatID][]flows.Reply{}, blocked: map[flows.ChatID]bool{}},
		mailer: mailer, from: from}
	e, dir, err := configs.EngineAndPlaces()
	if err != nil {
		t.Fatal(err)
	}
	d.e, d.dir = e, dir
	d.st = memory.New(time.Hour*24*60, d.clk.Now)
	mux := http.NewServeMux()
	d.page = httptest.NewServer(mux)
	t.Cleanup(d.page.Close)
	d.service(d.withMail)
	mux.HandleFunc("/s/", func(w http.ResponseWriter, r *http.Request) { d.web.ServeHTTP(w, r) })
	return d
}

// service (re)builds d.svc on the desk's engine, store, directory, clock
// and channel, with the structures' page as its renderer (d.web); edit
// sets the rest.
func (d *desk) service(edit func(*referral.Options)) {
	d.t.Helper()
	cats, err := flows.LoadCatalogs(configs.FS)
	if err != nil {
		d.t.Fatal(err)
	}
	o := referral.Options{
		Engine: d.e, Stores: referral.Stores{Sessions: d.st, Referrals: d.st, Structures: d.st}, Places: d.dir,
		Sender: d.chat, Now: d.clk.Now, Log: slog.New(slog.DiscardHandler),
		Page: func(svc *referral.Service) (referral.Renderer, error) {
			var err error
			d.web, err = structure.NewWeb(structure.WebOptions{Desk: svc, Places: d.dir, Catalogs: cats,
				Texts: configs.FS, Templates: configs.Web})
			return d.web, err
		},
	}
	edit(&o)
	if d.svc, err = referral.NewService(o); err != nil {
		d.t.Fatal(err)
	}
}

// withMail gives a service the desk's mailer and page, for the tests that
// rebuild it with another option.
func (d *desk) withMail(o *referral.Options) {
	o.Mailer, o.From, o.BaseURL = d.mailer, d.from, d.page.URL
}

// stores are the conversation's: its referrals go to the desk's service.
func (d *desk) stores() flows.Stores {
	return flows.Stores{Sessions: d.st, Referrals: d.svc, Structures: d.st}
}

// say runs the person's messages through the conversation.
func (d *desk) say(chat flows.ChatID, texts ...string) flows.Outcome {
	d.t.Helper()
	var out flows.Outcome
	for _, txt := range texts {
		d.msgIDs++
		d.clk.Add(10 * time.Second)
		var err error
		out, err = d.e.Handle(d.t.Context(), d.stores(), flows.Msg{Chat: chat, ID: fmt.Sprint("m", d.msgIDs), Kind: flows.KindText, Text: txt}, d.clk.Now())
		if err != nil {
			d.t.Fatalf("Handle(%q): %v", txt, err)
		}
	}
	return out
}

// refer runs a conversation in Lille (several France services with an
// e-mail address) to a referral by message to the first place.
func (d *desk) refer(chat flows.ChatID) flows.Referral {
	d.t.Helper()
	out := d.say(chat, "x", "fr", "france", "moi", "santé", "smartphone seul", "sur le telephone",
		"whatsapp, photos", "oui avec aide", "peur", "des textes", "non", "59000", "1", "oui", "ici")
	if out.Referral == nil {
		d.t.Fatalf("no referral; last replies %+v", out.Replies)
	}
	d.clk.Add(d.e.Policy.Hold) // the first mail waits out the hold
	return *out.Referral
}

func (d *desk) sweep() {
	d.t.Helper()
	if _, err := d.svc.Sweep(d.t.Context()); err != nil {
		d.t.Fatal(err)
	}
}

// sweepAfter moves the clock by dur, then sweeps.
func (d *desk) sweepAfter(dur time.Duration) {
	d.t.Helper()
	d.clk.Add(dur)
	d.sweep()
}

// wantPurged checks that referral id is gone from the store; format names
// the moment, with a %v for the error.
func (d *desk) wantPurged(id, format string) {
	d.t.Helper()
	if _, err := d.st.Referral(d.t.Context(), id); !errors.Is(err, flows.ErrNoReferral) {
		d.t.Errorf(format, err)
	}
}

func (d *desk) referral(id string) flows.Referral {
	d.t.Helper()
	r, err := d.st.Referral(d.t.Context(), id)
	if err != nil {
		d.t.Fatal(err)
	}
	return r
}

var linkRE = regexp.MustCompile(`http://127\.0\.0\.1:\d+/s/[A-Za-z0-9_-]{43}`)

// decode returns a received mail's subject and text part, decoded.
func decode(t *testing.T, m smtptest.Received) string {
	t.Helper()
	msg, err := m.Read()
	if err != nil {
		t.Fatal(err)
	}
	return msg.Subject + "\n" + msg.Text
}

// csrfRE finds the forms' csrf field in a page.
var csrfRE = regexp.MustCompile(`name="csrf" value="([0-9a-f]+)"`)

// link finds the page link in a received mail.
func link(t *testing.T, m smtptest.Received) string {
	t.Helper()
	body := decode(t, m)
	l := linkRE.FindString(body)
	if l == "" {
		t.Fatalf("no page link in the mail:\n%s", body)
	}
	return l
}

// TestReferralPath is the whole path: conversation, consent, referral
// stored, mail received by the SMTP sink, page, acceptance, and the
// person told on their channel.
func TestReferralPath(t *testing.T) {
	d := newDesk(t)
	r := d.refer("tg:100")
	d.sweep()
	msgs := d.smtp.Wait(t, 1, 5*time.Second)
	if msgs[0].To[0] == "" || !strings.Contains(decode(t, msgs[0]), "nouvelle demande") {
		t.Fatalf("mail: to %v\n%s", msgs[0].To, msgs[0].Data)
	}
	if strings.Contains(string(msgs[0].Data), "tg:100") {
		t.Errorf("the person's chat id is in the mail")
	}
	pageURL := link(t, msgs[0])
	page := testkit.Get(t, pageURL)
	if !strings.Contains(page, r.ID[:6]) {
		t.Fatalf("page does not show referral %s", r.ID[:6])
	}
	// Opening the link (a person, or a mail scanner; GET or HEAD) changes
	// nothing and tells the person nothing.
	if resp, err := http.Head(pageURL); err != nil || resp.StatusCode != http.StatusOK {
		t.Fatalf("HEAD page: %v %v", resp, err)
	}
	if got := d.referral(r.ID); got.Status != flows.StatusSent || got.Delivery.Sent != 1 || len(got.Delivery.Queue) != 0 {
		t.Errorf("after opening: status %s delivery %+v, want sent", got.Status, got.Delivery)
	}
	if txt := d.chat.text("tg:100"); txt != "" {
		t.Errorf("opening the page told the person: %q", txt)
	}
	// The staff's "Bien reçu" button does.
	csrf := csrfRE.FindStringSubmatch(page)
	if csrf == nil {
		t.Fatalf("no csrf field on the page:\n%s", page)
	}
	post, err := http.PostForm(pageURL+"/r/"+r.ID, url.Values{"csrf": {csrf[1]}, "action": {"seen"}})
	if err != nil {
		t.Fatal(err)
	}
	post.Body.Close()
	if got := d.referral(r.ID); got.Status != flows.StatusSeen {
		t.Errorf("after Bien reçu: status %s, want seen", got.Status)
	}
	if txt := d.chat.text("tg:100"); !strings.Contains(txt, "a bien reçu votre demande") {
		t.Errorf("person not told of seen: %q", txt)
	}

	if _, err := d.svc.Act(t.Context(), r.Place, r.ID, flows.StatusAccepted, ""); err != nil {
		t.Fatal(err)
	}
	if txt := d.chat.text("tg:100"); !strings.Contains(txt, "a accepté votre demande") {
		t.Errorf("person not told of acceptance: %q", txt)
	}
	// A double click changes nothing and tells nobody twice.
	if _, err := d.svc.Act(t.Context(), r.Place, r.ID, flows.StatusAccepted, ""); err != nil {
		t.Fatal(err)
	}
	if txt := d.chat.text("tg:100"); txt != "" {
		t.Errorf("double click told the person again: %q", txt)
	}

	// Relay both ways.
	if _, err := d.svc.Write(t.Context(), r.Place, r.ID, "Venez mardi à 10 h."); err != nil {
		t.Fatal(err)
	}
	if txt := d.chat.text("tg:100"); !strings.Contains(txt, "« Venez mardi à 10 h. »") {
		t.Errorf("structure's message not relayed: %q", txt)
	}
	d.say("tg:100", "Merci, je viendrai")
	d.sweep()
	if msgs := d.smtp.Wait(t, 2, 5*time.Second); !strings.Contains(decode(t, msgs[1]), "La personne a répondu") {
		t.Errorf("reply mail:\n%s", msgs[1].Data)
	}
	got := d.referral(r.ID)
	if len(got.Thread) != 2 || got.Thread[1].From != flows.ActorPerson || got.Thread[1].Text != "Merci, je viendrai" {
		t.Errorf("thread = %+v", got.Thread)
	}

	// A change not allowed from the status is refused clearly.
	_, err = d.svc.Act(t.Context(), r.Place, r.ID, flows.StatusDeclined, flows.DeclineFull)
	if !errors.Is(err, flows.ErrTransition) {
		t.Errorf("accepted→declined: %v", err)
	}
	// Another structure cannot touch it.
	if _, err := d.svc.Act(t.Context(), "france-services/1", r.ID, flows.StatusClosed, flows.ReasonDone); !errors.Is(err, flows.ErrNoReferral) {
		t.Errorf("another place's act: %v", err)
	}
	if _, err := d.svc.Write(t.Context(), "france-services/1", r.ID, "hello"); !errors.Is(err, flows.ErrNoReferral) {
		t.Errorf("another place's write: %v", err)
	}
	for _, to := range []flows.Status{flows.StatusContacted} {
		if _, err := d.svc.Act(t.Context(), r.Place, r.ID, to, ""); err != nil {
			t.Fatal(err)
		}
	}
	if _, err := d.svc.Act(t.Context(), r.Place, r.ID, flows.StatusClosed, flows.ReasonDone); err != nil {
		t.Fatal(err)
	}
	if txt := d.chat.text("tg:100"); !strings.Contains(txt, "ont contacté") || !strings.Contains(txt, "a terminé votre demande") {
		t.Errorf("contacted/closed notices: %q", txt)
	}
	// Retention: purged 90 days after the end, by the sweep.
	d.sweepAfter(90*24*time.Hour - time.Minute)
	d.referral(r.ID)
	d.sweepAfter(2 * time.Minute)
	d.wantPurged(r.ID, "not purged after the retention: %v")
}

func TestReminderExpiryAndNextPlace(t *testing.T) {
	d := newDesk(t)
	r := d.refer("tg:200")
	if len(r.Next) == 0 {
		t.Fatal("Lille should offer several places")
	}
	d.sweep()
	d.smtp.Wait(t, 1, 5*time.Second)
	d.sweepAfter(72*time.Hour + time.Minute)
	msgs := d.smtp.Wait(t, 2, 5*time.Second)
	if !strings.Contains(decode(t, msgs[1]), "attend encore votre réponse") {
		t.Errorf("reminder mail:\n%s", msgs[1].Data)
	}
	d.sweepAfter(72 * time.Hour)
	if n := len(d.smtp.Messages()); n != 2 {
		t.Errorf("%d mails, want one reminder only", n)
	}
	d.sweepAfter(8 * 24 * time.Hour)
	got := d.referral(r.ID)
	if got.Status != flows.StatusClosed || got.Reason != flows.ReasonExpired {
		t.Fatalf("after 14 days: %s %s", got.Status, got.Reason)
	}
	txt := d.chat.text("tg:200")
	if !strings.Contains(txt, "n'a pas répondu en 14 jours : votre demande est close") || !strings.Contains(txt, "le suivant de la liste") {
		t.Errorf("expiry notice: %q", txt)
	}
	out := d.say("tg:200", "oui", "ici")
	if out.Referral == nil || out.Referral.Place != r.Next[0] {
		t.Errorf("next referral: %+v", out.Referral)
	}
}

func TestDeliveryRetries(t *testing.T) {
	d := newDesk(t)
	d.smtp.SetFailures(2, 451)
	r := d.refer("tg:300")
	d.sweep()
	got := d.referral(r.ID)
	if got.Delivery.Err != "unavailable" || got.Delivery.Attempts != 1 || len(got.Delivery.Queue) != 1 {
		t.Fatalf("after a 451: %+v", got.Delivery)
	}
	d.sweep() // not due yet: no new attempt
	if got = d.referral(r.ID); got.Delivery.Attempts != 1 {
		t.Errorf("retried before the backoff: %+v", got.Delivery)
	}
	d.sweepAfter(time.Minute)
	if got = d.referral(r.ID); got.Delivery.Attempts != 2 || !got.Delivery.Next.Equal(d.clk.Now().Add(5*time.Minute)) {
		t.Errorf("second failure: %+v", got.Delivery)
	}
	d.sweepAfter(5 * time.Minute)
	if got = d.referral(r.ID); got.Delivery.Err != "" || got.Delivery.Sent != 1 || len(got.Delivery.Queue) != 0 {
		t.Errorf("after recovery: %+v", got.Delivery)
	}
	if n := len(d.smtp.Messages()); n != 1 {
		t.Errorf("%d mails delivered, want 1", n)
	}
}

func TestDeliveryServerDown(t *testing.T) {
	d := newDesk(t)
	d.smtp.Close()
	r := d.refer("tg:301")
	d.sweep()
	got := d.referral(r.ID)
	if got.Delivery.Err == "" || len(got.Delivery.Queue) != 1 {
		t.Fatalf("server down: %+v", got.Delivery)
	}
	// The page shows the failure.
	if !strings.Contains(testkit.Get(t, d.issue(r.Place)), "E-mail non remis") {
		t.Errorf("the page hides the delivery failure")
	}
}

func (d *desk) issue(place string) string {
	d.t.Helper()
	l, err := d.svc.IssueLink(d.t.Context(), place)
	if err != nil {
		d.t.Fatal(err)
	}
	return l
}

func TestLinksAndStructureChat(t *testing.T) {
	d := newDesk(t)
	r := d.refer("tg:400")
	first := d.issue(r.Place)
	testkit.Get(t, first)
	second := d.issue(r.Place)
	resp, err := http.Get(first)
	if err != nil {
		t.Fatal(err)
	}
	resp.Body.Close()
	if resp.StatusCode != http.StatusNotFound {
		t.Errorf("a rotated link still opens: %d", resp.StatusCode)
	}
	testkit.Get(t, second)

	// The structure's admin links a Telegram chat with a code from the page.
	code, err := d.svc.LinkCode(t.Context(), r.Place)
	if err != nil {
		t.Fatal(err)
	}
	out := d.say("tg:999", "/structure "+strings.ToLower(code))
	if !strings.Contains(out.Replies[len(out.Replies)-1].Text, "nouvelles demandes pour") {
		t.Fatalf("link reply: %+v", out.Replies)
	}
	r2 := d.refer("tg:401")
	d.sweep()
	txt := d.chat.text("tg:999")
	if !strings.Contains(txt, r2.ID[:6]) || !linkRE.MatchString(txt) || strings.Contains(txt, "tg:401") {
		t.Errorf("structure chat got %q", txt)
	}
	if _, err := url.Parse(linkRE.FindString(txt)); err != nil {
		t.Error(err)
	}
}

func TestUnreachablePerson(t *testing.T) {
	d := newDesk(t)
	r := d.refer("tg:500")
	d.chat.blocked["tg:500"] = true
	if _, err := d.svc.Act(t.Context(), r.Place, r.ID, flows.StatusAccepted, ""); err != nil {
		t.Fatal(err)
	}
	if !d.referral(r.ID).Unreachable {
		t.Fatal("a person who blocked the bot is not marked unreachable")
	}
	if !strings.Contains(testkit.Get(t, d.issue(r.Place)), "injoignable") {
		t.Errorf("the page does not say the person is unreachable")
	}
}

func TestWithdrawTellsStructure(t *testing.T) {
	d := newDesk(t)
	r := d.refer("tg:600")
	d.sweep()
	d.smtp.Wait(t, 1, 5*time.Second)
	// In relay mode typed words go to the structure: cancel goes through
	// the menu and its confirmation.
	d.say("tg:600", "menu", "5", "oui")
	d.sweep()
	msgs := d.smtp.Wait(t, 2, 5*time.Second)
	body := decode(t, msgs[1])
	if !strings.Contains(body, "a retiré la demande") || strings.Contains(body, "Santé") {
		t.Errorf("withdrawal mail:\n%s", body)
	}
	got := d.referral(r.ID)
	if got.Chat != "" || got.Need != "" || got.Status != flows.StatusClosed {
		t.Errorf("after /oubli: %+v", got)
	}
}

// TestHoldKeepsBackTheFirstMail: a new referral's first mail waits out the
// hold, so that the copy of a redelivered consent update that lost its
// session save on another instance, and drops its own referral within
// its step, never reaches the structure.
func TestHoldKeepsBackTheFirstMail(t *testing.T) {
	d := newDesk(t)
	r := d.refer("tg:1")
	d.clk.Add(-d.e.Policy.Hold) // back to the moment of consent
	stray := r
	stray.ID = "copy-that-lost-the-race"
	stray.DueAt = d.e.Policy.Due(&stray)
	if err := d.st.CreateReferral(t.Context(), stray); err != nil {
		t.Fatal(err)
	}
	d.sweepAfter(d.e.Policy.Hold - time.Second)
	if got := len(d.smtp.Messages()); got != 0 {
		t.Fatalf("%d mails during the hold, want 0", got)
	}
	if err := d.st.DeleteReferral(t.Context(), stray.ID); err != nil { // the losing step drops its copy
		t.Fatal(err)
	}
	d.sweepAfter(time.Second)
	if got := len(d.smtp.Wait(t, 1, 5*time.Second)); got != 1 {
		t.Fatalf("%d mails after the hold, want 1", got)
	}
	if got := d.referral(r.ID); got.Delivery.Sent != 1 || len(got.Delivery.Queue) != 0 {
		t.Errorf("delivery %+v, want one mail sent", got.Delivery)
	}
	d.sweepAfter(time.Minute)
	if got := len(d.smtp.Messages()); got != 1 {
		t.Errorf("%d mails after another sweep, want still 1", got)
	}
}

// TestUndeliverablePurged: a structure that can never be reached does not
// keep a referral past retention (G.3): it expires, and is deleted 90 days
// later with its mail still queued.
func TestUndeliverablePurged(t *testing.T) {
	d := newDesk(t)
	d.smtp.SetFailures(1<<30, 451) // every attempt fails, never for good
	r := d.refer("tg:1")
	for range 16 {
		d.sweepAfter(24 * time.Hour)
	}
	got := d.referral(r.ID)
	if got.Status != flows.StatusClosed || got.Reason != flows.ReasonExpired || len(got.Delivery.Queue) == 0 {
		t.Fatalf("after 16 days: status %s (%s), queue %v; want closed as expired with mail still queued",
			got.Status, got.Reason, got.Delivery.Queue)
	}
	d.sweepAfter(d.e.Policy.Retain)
	d.wantPurged(r.ID, "after retention: %v, want ErrNoReferral")
}

// TestRevocationEndsChatAccess: a new link (`secours structure link`)
// ends every access the old one gave. The linked chat gets no more
// referrals, phones or page links, a code made on the old page no longer
// links, and only a code made on the new page re-confirms a chat.
func TestRevocationEndsChatAccess(t *testing.T) {
	d := newDesk(t)
	r := d.refer("tg:700")
	d.sweep()
	old := d.issue(r.Place)
	testkit.Get(t, old)
	code, err := d.svc.LinkCode(t.Context(), r.Place)
	if err != nil {
		t.Fatal(err)
	}
	spare, err := d.svc.LinkCode(t.Context(), r.Place) // made on the old page, kept for later
	if err != nil {
		t.Fatal(err)
	}
	d.say("tg:990", "/structure "+code)
	if l, err := d.svc.LinkedChat(t.Context(), r.Place); err != nil || l.Chat != "tg:990" || l.Since.IsZero() {
		t.Fatalf("linked chat = %+v, %v", l, err)
	}

	fresh := d.issue(r.Place) // the revocation
	if l, err := d.svc.LinkedChat(t.Context(), r.Place); err != nil || l.Chat != "" {
		t.Errorf("after a new link the chat is still linked: %+v, %v", l, err)
	}
	d.chat.text("tg:990") // forget what it got before
	d.refer("tg:701")
	d.sweep()
	if txt := d.chat.text("tg:990"); txt != "" {
		t.Errorf("the unlinked chat still gets referrals: %q", txt)
	}
	out := d.say("tg:991", "/structure "+spare)
	if !strings.Contains(out.Replies[len(out.Replies)-1].Text, "inconnu ou périmé") {
		t.Errorf("a code of the revoked page still links: %+v", out.Replies)
	}
	if l, _ := d.svc.LinkedChat(t.Context(), r.Place); l.Chat != "" {
		t.Errorf("a code of the revoked page linked %+v", l)
	}

	// Re-confirmed: a code from the page the new link opens.
	testkit.Get(t, fresh)
	code, err = d.svc.LinkCode(t.Context(), r.Place)
	if err != nil {
		t.Fatal(err)
	}
	d.say("tg:990", "/structure "+code)
	d.chat.text("tg:990")
	r3 := d.refer("tg:702")
	d.sweep()
	if txt := d.chat.text("tg:990"); !strings.Contains(txt, r3.ID[:6]) {
		t.Errorf("the re-confirmed chat did not get the next referral: %q", txt)
	}
}

// TestPageUnlinksChat: the page names the linked chat by channel and
// date, never by id, and its button unlinks it.
func TestPageUnlinksChat(t *testing.T) {
	d := newDesk(t)
	r := d.refer("wa:32470555444")
	page := d.issue(r.Place)
	code, err := d.svc.LinkCode(t.Context(), r.Place)
	if err != nil {
		t.Fatal(err)
	}
	d.say("wa:32470111222", "/structure "+code)
	body := testkit.Get(t, page)
	if !strings.Contains(body, "Les nouvelles demandes vont aussi à un chat WhatsApp, relié le") {
		t.Errorf("the page does not show the linked chat:\n%s", body)
	}
	if strings.Contains(body, "32470111222") {
		t.Error("the page shows the linked chat's id (a phone number)")
	}
	form := regexp.MustCompile(`<form method="post" action="([^"]+)" class="unlink"><input type="hidden" name="csrf" value="([0-9a-f]+)">`).FindStringSubmatch(body)
	if form == nil {
		t.Fatalf("no unlink form:\n%s", body)
	}
	base := page[:strings.Index(page, "/s/")]
	// Without the csrf field: refused, still linked.
	resp, err := http.PostForm(base+form[1], url.Values{})
	if err != nil {
		t.Fatal(err)
	}
	resp.Body.Close()
	if l, _ := d.svc.LinkedChat(t.Context(), r.Place); resp.StatusCode != http.StatusForbidden || l.Chat == "" {
		t.Errorf("unlink without csrf: %d, linked %q", resp.StatusCode, l.Chat)
	}
	resp, err = http.PostForm(base+form[1], url.Values{"csrf": {form[2]}})
	if err != nil {
		t.Fatal(err)
	}
	b, _ := io.ReadAll(resp.Body)
	resp.Body.Close()
	if l, _ := d.svc.LinkedChat(t.Context(), r.Place); resp.StatusCode != http.StatusOK || l.Chat != "" {
		t.Errorf("unlink: %d, still linked %q", resp.StatusCode, l.Chat)
	}
	if !strings.Contains(string(b), "ce chat ne reçoit plus vos demandes") || strings.Contains(string(b), `class="unlink"`) {
		t.Errorf("page after unlinking:\n%s", b)
	}
}
