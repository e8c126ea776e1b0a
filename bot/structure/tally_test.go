package structure_test

import (
	"html/template"
	"log/slog"
	"maps"
	"strings"
	"testing"
	"time"

	"github.com/secours/secours/bot/structure"
	"github.com/secours/secours/configs"
	"github.com/secours/secours/flows"
	"github.com/secours/secours/geo"
	webstructure "github.com/secours/secours/web/structure"
)

// withStats rebuilds the desk's service as newDesk does, without the
// mailer and the page server, with the memory store as the observatory.
func withStats(d *desk) {
	d.t.Helper()
	dir, err := geo.Open(configs.FS)
	if err != nil {
		d.t.Fatal(err)
	}
	cats, err := flows.LoadCatalogs(configs.FS)
	if err != nil {
		d.t.Fatal(err)
	}
	d.svc, err = structure.NewService(structure.Options{
		Engine: d.e, Stores: d.stores(), Places: dir, Sender: d.chat, Stats: d.st,
		Now: d.clock, Log: slog.New(slog.DiscardHandler),
		Page: webstructure.WebOptions{Catalogs: cats, Texts: configs.WebTexts(), Templates: configs.Web},
	})
	if err != nil {
		d.t.Fatal(err)
	}
}

// TestTallyReferralOutcomes: the service counts an acceptance, with the
// bucket of its delay, and a closing in the observatory, once each, in
// the month and area of the referral; a seen or contacted counts nothing.
func TestTallyReferralOutcomes(t *testing.T) {
	tests := []struct {
		name   string
		wait   time.Duration // after refer, which already waits out the 15 s hold
		bucket string
	}{
		{"within the hour", 50 * time.Minute, "ref.accept_h.1"},
		{"five hours", 5 * time.Hour, "ref.accept_h.24"},
		{"two days", 48 * time.Hour, "ref.accept_h.72"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			d := newDesk(t)
			withStats(d)
			r := d.refer("tg:700")
			if r.Area == "" {
				t.Fatal("the referral has no area")
			}
			d.advance(tt.wait)
			for _, to := range []flows.Status{flows.StatusSeen, flows.StatusAccepted, flows.StatusAccepted, flows.StatusContacted} {
				if _, err := d.svc.Act(t.Context(), r.Place, r.ID, to, ""); err != nil {
					t.Fatalf("Act(%s): %v", to, err)
				}
			}
			if _, err := d.svc.Act(t.Context(), r.Place, r.ID, flows.StatusClosed, flows.ReasonDone); err != nil {
				t.Fatal(err)
			}
			cells, err := d.st.Counts(t.Context(), "2026-11", "2026-11")
			if err != nil {
				t.Fatal(err)
			}
			got := map[string]int{}
			for _, c := range cells {
				if c.Month != "2026-11" || c.Area != r.Area {
					t.Errorf("cell %+v, want month 2026-11 and area %q", c, r.Area)
				}
				got[c.Metric] += c.N
			}
			want := map[string]int{flows.MetricRefAccepted: 1, tt.bucket: 1, flows.MetricRefClosed: 1}
			if !maps.Equal(got, want) {
				t.Errorf("counts = %v, want %v", got, want)
			}
		})
	}
}

// TestSharedByShown: a referral from a conversation that a structure's
// share code started says which structure shared it, on the receiving
// structure's page and in its mail; one from a plain conversation does not.
func TestSharedByShown(t *testing.T) {
	const prefix = "Arrivée par le lien de partage de " // ref.shared in configs/i18n/structure.json
	d := newDesk(t)
	plain := d.refer("tg:800")
	if plain.SharedBy != "" || len(plain.Next) == 0 {
		t.Fatalf("plain referral: shared by %q, next %v", plain.SharedBy, plain.Next)
	}
	d.sweep()
	msgs := d.smtp.Wait(t, 1, 5*time.Second)
	if body := decode(t, msgs[0]); strings.Contains(body, prefix) {
		t.Errorf("plain referral's mail names a sharer:\n%s", body)
	}
	if page := get(t, d.issue(plain.Place)); strings.Contains(page, prefix) {
		t.Errorf("plain referral's page names a sharer")
	}

	// Another Lille place's poster brings a second person to the same place.
	sharer := plain.Next[0]
	if _, err := d.e.Handle(t.Context(), d.stores(), flows.Msg{Chat: "tg:801", ID: "start", Kind: flows.KindCommand,
		Command: "start", Arg: flows.ShareCode(sharer)}, d.clock()); err != nil {
		t.Fatal(err)
	}
	out := d.say("tg:801", "fr", "france", "moi", "santé", "smartphone seul", "sur le telephone",
		"whatsapp, photos", "oui avec aide", "peur", "des textes", "non", "59000", "1", "oui", "ici")
	if out.Referral == nil || out.Referral.Place != plain.Place || out.Referral.SharedBy != sharer {
		t.Fatalf("shared referral = %+v, want to %s shared by %s", out.Referral, plain.Place, sharer)
	}
	d.advance(d.e.Policy.Hold)

	dir, err := geo.Open(configs.FS)
	if err != nil {
		t.Fatal(err)
	}
	p, ok := dir.Place(sharer)
	if !ok {
		t.Fatalf("no place %s", sharer)
	}
	line := prefix + p.Name + "."
	d.sweep()
	msgs = d.smtp.Wait(t, 2, 5*time.Second)
	if body := decode(t, msgs[1]); !strings.Contains(body, line) {
		t.Errorf("shared referral's mail lacks %q:\n%s", line, body)
	}
	// The page lists both referrals: the line once, for the shared one.
	page := get(t, d.issue(plain.Place))
	if n := strings.Count(page, prefix); n != 1 {
		t.Errorf("page names a sharer %d times, want 1", n)
	}
	if want := `<p class="note">` + template.HTMLEscapeString(line) + `</p>`; !strings.Contains(page, want) {
		t.Errorf("page lacks %s", want)
	}
}
