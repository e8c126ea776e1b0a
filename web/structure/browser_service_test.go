package structure

import (
	"context"
	"fmt"
	"log/slog"
	"net/http/httptest"
	"regexp"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/chromedp/chromedp"

	"github.com/secours/secours/configs"
	"github.com/secours/secours/flows"
	"github.com/secours/secours/internal/testkit"
	"github.com/secours/secours/referral"
	"github.com/secours/secours/referral/mail"
	"github.com/secours/secours/store/memory"
	"github.com/secours/secours/web/webtest"
)

// inbox is a Mailer and a Sender that keep what they were given.
type inbox struct {
	mu    sync.Mutex
	mails []mail.Message
	chats map[flows.ChatID]string
}

func (b *inbox) Send(_ context.Context, m mail.Message) error {
	b.mu.Lock()
	defer b.mu.Unlock()
	b.mails = append(b.mails, m)
	return nil
}

type chatInbox struct{ *inbox }

func (c chatInbox) Send(_ context.Context, chat flows.ChatID, replies []flows.Reply) error {
	c.mu.Lock()
	defer c.mu.Unlock()
	for _, r := range replies {
		c.chats[chat] += r.Text + "\n"
	}
	return nil
}

func (b *inbox) chat(id flows.ChatID) string {
	b.mu.Lock()
	defer b.mu.Unlock()
	return b.chats[id]
}

// TestBrowserRealService is the structure's side of the whole path in a
// real browser, on the real service: a person's conversation creates the
// referral, the mail's link opens the page, the structure accepts and
// writes, and the person is told each time on their channel.
func TestBrowserRealService(t *testing.T) {
	ctx := testkit.Browser(t)
	e, dir := webtest.EngineAndPlaces(t)
	cats := webtest.Catalogs(t)
	st := memory.New(time.Hour, nil)
	box := &inbox{chats: map[flows.ChatID]string{}}
	srv := httptest.NewUnstartedServer(nil)
	var page *Web
	svc, err := referral.NewService(referral.Options{
		Engine: e, Stores: referral.Stores{Sessions: st, Referrals: st, Structures: st}, Places: dir,
		Mailer: box, From: "secours@example.org", Sender: chatInbox{box}, BaseURL: "http://" + srv.Listener.Addr().String(),
		Log: slog.New(slog.DiscardHandler),
		Page: func(desk *referral.Service) (referral.Renderer, error) {
			var err error
			page, err = NewWeb(WebOptions{Desk: desk, Places: dir, Catalogs: cats, Texts: configs.FS, Templates: configs.Web})
			return page, err
		},
	})
	if err != nil {
		t.Fatal(err)
	}
	stores := flows.Stores{Sessions: st, Referrals: svc, Structures: st}
	srv.Config.Handler = page
	srv.Start()
	defer srv.Close()

	const person = flows.ChatID("tg:31")
	now := time.Now().Add(-e.Policy.Hold) // the conversation ended one hold ago: its first mail is due
	var out flows.Outcome
	for i, txt := range []string{"x", "fr", "france", "moi", "santé", "smartphone seul", "sur le telephone",
		"whatsapp, photos", "oui avec aide", "peur", "des textes", "non", "59000", "1", "oui", "ici"} {
		if out, err = e.Handle(t.Context(), stores, flows.Msg{Chat: person, ID: fmt.Sprint(i), Kind: flows.KindText, Text: txt}, now); err != nil {
			t.Fatal(err)
		}
	}
	if out.Referral == nil {
		t.Fatalf("no referral: %+v", out.Replies)
	}
	if _, err := svc.Sweep(t.Context()); err != nil {
		t.Fatal(err)
	}
	if len(box.mails) != 1 {
		t.Fatalf("%d mails, want 1", len(box.mails))
	}
	link := regexp.MustCompile(`http://[^ \n]+/s/[A-Za-z0-9_-]{43}`).FindString(box.mails[0].Text)
	if link == "" {
		t.Fatalf("no link in the mail:\n%s", box.mails[0].Text)
	}

	ref := "#r-" + out.Referral.ID
	text := func(sel string) string { t.Helper(); return testkit.Text(t, ctx, sel) }
	if err := chromedp.Do(ctx,
		chromedp.EmulateViewport(360, 640, chromedp.EmulateMobile),
		chromedp.Navigate(link),
		chromedp.WaitVisible(chromedp.CSS(ref)),
	); err != nil {
		t.Fatalf("open the magic link: %v", err)
	}
	// Opening tells the person nothing (a mail scanner opens links too);
	// the "Bien reçu" button does.
	if badge := text(ref + " .badge"); badge != "Envoyée" {
		t.Errorf("badge %q on opening, want Envoyée", badge)
	}
	if got := box.chat(person); strings.Contains(got, "a bien reçu votre demande") {
		t.Errorf("opening the page told the person: %q", got)
	}
	press(t, ctx, ref, "seen", "b-seen", "Bien reçu")
	if !strings.Contains(box.chat(person), "a bien reçu votre demande") {
		t.Errorf("the person was not told the request was seen: %q", box.chat(person))
	}
	press(t, ctx, ref, "accept", "b-accepted", "accept")
	if !strings.Contains(box.chat(person), "a accepté votre demande") {
		t.Errorf("the person was not told of the acceptance: %q", box.chat(person))
	}
	const msg = "Venez jeudi à 14 h avec votre carte Vitale."
	write(t, ctx, ref, msg)
	if !strings.Contains(box.chat(person), "« "+msg+" »") {
		t.Errorf("the message did not reach the person: %q", box.chat(person))
	}
	r, err := st.Referral(t.Context(), out.Referral.ID)
	if err != nil {
		t.Fatal(err)
	}
	if r.Status != flows.StatusAccepted || len(r.Thread) != 1 {
		t.Errorf("stored: status %s, thread %+v", r.Status, r.Thread)
	}
	// The person answers; the structure sees it after a reload.
	if _, err := e.Handle(t.Context(), stores, flows.Msg{Chat: person, ID: "answer", Kind: flows.KindText, Text: "D'accord, merci !"}, now); err != nil {
		t.Fatal(err)
	}
	if err := chromedp.Do(ctx, chromedp.Reload(), chromedp.WaitVisible(chromedp.CSS(ref))); err != nil {
		t.Fatal(err)
	}
	if thread := text(ref + " .thread"); !strings.Contains(thread, "D'accord, merci !") {
		t.Errorf("the person's answer is not on the page: %q", thread)
	}
}
