package structure_test

import (
	"log/slog"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/secours/secours/bot/mail"
	"github.com/secours/secours/bot/structure"
	"github.com/secours/secours/configs"
	"github.com/secours/secours/flows"
	webstructure "github.com/secours/secours/web/structure"
)

// TestNoPageNoLink: with no page served (no base URL), the mail of a new
// referral carries no link at all, in its text and HTML parts, says how
// else to answer, and no command-line link is made either (issue 17).
func TestNoPageNoLink(t *testing.T) {
	d := newDesk(t)
	_, dir, err := configs.EngineAndPlaces()
	if err != nil {
		t.Fatal(err)
	}
	cats, err := flows.LoadCatalogs(configs.FS)
	if err != nil {
		t.Fatal(err)
	}
	box := t.TempDir()
	d.svc, err = structure.NewService(structure.Options{
		Engine: d.e, Stores: d.stores(), Places: dir, Mailer: &mail.Outbox{Dir: box, From: "secours@localhost"},
		From: "secours@localhost", Sender: d.chat, Now: d.clock, Log: slog.New(slog.DiscardHandler),
		Page: webstructure.WebOptions{Catalogs: cats, Texts: configs.WebTexts(), Templates: configs.Web},
	})
	if err != nil {
		t.Fatal(err)
	}
	r := d.refer("tg:1")
	d.sweep()
	files, err := filepath.Glob(filepath.Join(box, "*.eml"))
	if err != nil || len(files) != 1 {
		t.Fatalf("outbox holds %v (%v), want one mail", files, err)
	}
	raw, err := os.ReadFile(files[0])
	if err != nil {
		t.Fatal(err)
	}
	m := string(raw)
	for _, bad := range []string{"/s/", "http://", "https://", "href="} {
		if strings.Contains(m, bad) {
			t.Errorf("mail without a page holds %q:\n%s", bad, m)
		}
	}
	// The text part (8-bit or quoted-printable) names the way to answer.
	flat := strings.NewReplacer("=\r\n", "", "=\n", "", "=C3=A9", "é", "=C3=A0", "à", "=E2=80=AF", " ").Replace(m)
	if !strings.Contains(flat, "ne publie pas de page") {
		t.Errorf("mail without a page does not say how else to answer:\n%s", m)
	}
	if got := d.referral(r.ID); got.Delivery.Sent != 1 {
		t.Errorf("delivery %+v, want the mail counted as sent", got.Delivery)
	}
	if link, err := d.svc.IssueLink(t.Context(), r.Place); err == nil {
		t.Errorf("IssueLink without a page = %q, want an error", link)
	}
}
