package structure

import (
	"context"
	"errors"
	"net/http"
	"net/url"
	"slices"
	"strconv"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/secours/secours/geo"
	"github.com/secours/secours/internal/testkit"
	nw "github.com/secours/secours/network"
)

// fakeCards keeps each place's card in memory. Like package network, it
// refuses hours that geo.ParseHours does not read (naming the field
// "horaires", the standard's column) and a phone with letters (naming it
// "phone"), and returns the fields an edit changed as it does: the
// standard's column names, lists joined by "|", yes or no as true or
// false.
type fakeCards struct {
	mu    sync.Mutex // guards everything below
	cards map[string]nw.Card
	edits int
	err   error
}

var _ Cards = (*fakeCards)(nil)

func (f *fakeCards) Card(_ context.Context, place string) (nw.Card, error) {
	f.mu.Lock()
	defer f.mu.Unlock()
	return f.cards[place], f.err
}

func (f *fakeCards) Edit(_ context.Context, place string, c nw.Card) ([]nw.FieldChange, error) {
	f.mu.Lock()
	defer f.mu.Unlock()
	if f.err != nil {
		return nil, f.err
	}
	var problems []nw.Problem
	if c.Hours != "" {
		if _, err := geo.ParseHours(c.Hours); err != nil {
			problems = append(problems, nw.Problem{Field: "horaires", What: "Ces horaires ne se lisent pas.", Fix: "Suivez l'exemple sous le champ."})
		}
	}
	if strings.ContainsAny(strings.ToLower(c.Phone), "abcdefghijklmnopqrstuvwxyz") {
		problems = append(problems, nw.Problem{Field: "phone", What: "Un numéro n'a que des chiffres.", Fix: "Écrivez par exemple 02 279 20 00."})
	}
	if c.Email == "refuse@example.org" {
		problems = append(problems, nw.Problem{What: "La fiche est verrouillée par le réseau.", Blocking: true})
	}
	if len(problems) > 0 {
		return nil, &nw.EditError{Problems: problems}
	}
	f.edits++
	old := f.cards[place]
	var ch []nw.FieldChange
	if old.Hours != c.Hours {
		ch = append(ch, nw.FieldChange{Field: "horaires", Old: old.Hours, New: c.Hours})
	}
	if old.Phone != c.Phone {
		ch = append(ch, nw.FieldChange{Field: "telephone", Old: old.Phone, New: c.Phone})
	}
	if a, b := strings.Join(old.Services, "|"), strings.Join(c.Services, "|"); a != b {
		ch = append(ch, nw.FieldChange{Field: "services", Old: a, New: b})
	}
	if old.TempClosed != c.TempClosed {
		ch = append(ch, nw.FieldChange{Field: "fermeture_temporaire", Old: strconv.FormatBool(old.TempClosed), New: strconv.FormatBool(c.TempClosed)})
	}
	f.cards[place] = c
	return ch, nil
}

func (f *fakeCards) get(place string) nw.Card {
	f.mu.Lock()
	defer f.mu.Unlock()
	return f.cards[place]
}

func cardFixture(t testing.TB) (*fixture, *fakeCards) {
	cards := &fakeCards{cards: map[string]nw.Card{placeA: {
		Hours: "Mo-Fr 09:00-12:00", Phone: "02 279 20 00", Email: "accueil@marolles.example",
		Services: []string{geo.ServiceAccess}, Langs: []string{"fr", "nl"}, Accessibility: []string{geo.CareMotor},
		Closures: []nw.Closure{{From: time.Date(2026, 12, 24, 0, 0, 0, 0, brussels(t)), To: time.Date(2027, 1, 2, 0, 0, 0, 0, brussels(t)), Note: "congés d'hiver"}},
	}}}
	return newFixture(t, func(o *WebOptions) { o.Cards = cards }), cards
}

func brussels(t testing.TB) *time.Location {
	l, err := time.LoadLocation("Europe/Brussels")
	if err != nil {
		t.Fatal(err)
	}
	return l
}

// cardForm is the form as the page fills it for placeA, with edits.
func (f *fixture) cardForm(edit func(url.Values)) url.Values {
	v := url.Values{"csrf": {f.web.csrf(tokA)}, "hours": {"Mo-Fr 09:00-12:00"}, "phone": {"02 279 20 00"},
		"email": {"accueil@marolles.example"}, "service": {geo.ServiceAccess}, "served": {"fr", "nl"}, "care": {geo.CareMotor},
		"closure_from": {"2026-12-24", "", ""}, "closure_to": {"2027-01-02", "", ""}, "closure_note": {"congés d'hiver", "", ""}}
	if edit != nil {
		edit(v)
	}
	return v
}

func TestCardOff(t *testing.T) {
	f := newFixture(t)
	if rec := f.get("/s/" + tokA + "/card"); rec.Code != http.StatusNotFound {
		t.Errorf("card without Cards: %d, want 404", rec.Code)
	}
	if strings.Contains(f.get("/s/"+tokA).Body.String(), `id="card"`) {
		t.Error("the page offers a card form without Cards")
	}
}

func TestCardForm(t *testing.T) {
	f, _ := cardFixture(t)
	page := f.get("/s/" + tokA).Body.String()
	if !strings.Contains(page, `href="/s/`+tokA+`/card"`) {
		t.Error("the page does not link to the card's form")
	}
	testkit.WantText(t, page, "Corriger notre fiche")
	rec := f.get("/s/" + tokA + "/card")
	if rec.Code != http.StatusOK {
		t.Fatalf("card: %d", rec.Code)
	}
	body := rec.Body.String()
	for _, want := range []string{
		`name="hours" rows="2" aria-describedby="hours-hint">Mo-Fr 09:00-12:00</textarea>`,
		`name="closure_from" value="2026-12-24"`, `name="closure_to" value="2027-01-02"`, `name="closure_note" value="congés d&#39;hiver"`,
		`name="phone" value="02 279 20 00"`, `name="email" value="accueil@marolles.example"`,
		`value="` + geo.ServiceAccess + `" checked`, `name="served" value="nl" checked`, `name="served" value="de">`,
		`value="` + geo.CareMotor + `" checked`, `name="temp_closed" value="yes">`,
		`name="csrf" value="` + f.web.csrf(tokA) + `"`,
	} {
		if !strings.Contains(body, want) {
			t.Errorf("form lacks %s", want)
		}
	}
	// One row per closure and two empty ones to add more.
	if n := strings.Count(body, `name="closure_from"`); n != 3 {
		t.Errorf("%d closure rows, want 3", n)
	}
	testkit.WantText(t, body, "Corriger la fiche de EPN Les Marolles", "Mo-Fr 09:00-12:00,13:30-17:00; Sa 09:00-12:00",
		"Accès à internet et à un ordinateur", "Handicap moteur", "Notre lieu est fermé temporairement")
	nl := f.get("/s/" + tokA + "/card?lang=nl").Body.String()
	testkit.WantText(t, nl, "De fiche van EPN Les Marolles verbeteren", "Openingsuren", "Toegang tot internet en een computer", "De fiche opslaan")
}

func TestCardSave(t *testing.T) {
	f, cards := cardFixture(t)
	rec := f.do(http.MethodPost, "/s/"+tokA+"/card", f.cardForm(func(v url.Values) {
		v.Set("hours", "Mo-Fr 09:00-12:00,13:30-17:00")
		v.Set("temp_closed", "yes")
		v["service"] = []string{geo.ServiceAccess, geo.ServiceProcedures, "Not a service"}
		v["served"] = []string{"fr", "nl", "de", "xx"}
		v["closure_from"] = []string{"2026-12-24", "15/08/2027", ""}
		v["closure_to"] = []string{"2027-01-02", "", ""}
		v["closure_note"] = []string{"congés d'hiver", "Assomption", ""}
	}))
	if rec.Code != http.StatusOK {
		t.Fatalf("save: %d\n%s", rec.Code, rec.Body)
	}
	testkit.WantText(t, rec.Body.String(), "C'est enregistré. Le bot utilise déjà votre fiche corrigée.",
		"Horaires d'ouverture : Mo-Fr 09:00-12:00 → Mo-Fr 09:00-12:00,13:30-17:00",
		"Fermé temporairement : non → oui",
		"Ce que vous proposez : Accès à internet et à un ordinateur → Aide aux démarches administratives ; Accès à internet et à un ordinateur")
	got := cards.get(placeA)
	loc := brussels(t)
	want := nw.Card{Hours: "Mo-Fr 09:00-12:00,13:30-17:00", Phone: "02 279 20 00", Email: "accueil@marolles.example",
		Services: []string{geo.ServiceProcedures, geo.ServiceAccess}, Langs: []string{"fr", "nl", "de"},
		Accessibility: []string{geo.CareMotor}, TempClosed: true,
		Closures: []nw.Closure{
			{From: time.Date(2026, 12, 24, 0, 0, 0, 0, loc), To: time.Date(2027, 1, 2, 0, 0, 0, 0, loc), Note: "congés d'hiver"},
			{From: time.Date(2027, 8, 15, 0, 0, 0, 0, loc), To: time.Date(2027, 8, 15, 0, 0, 0, 0, loc), Note: "Assomption"}}}
	if got.Hours != want.Hours || got.Phone != want.Phone || got.Email != want.Email || got.TempClosed != want.TempClosed ||
		!slices.Equal(got.Services, want.Services) || !slices.Equal(got.Langs, want.Langs) || !slices.Equal(got.Accessibility, want.Accessibility) ||
		len(got.Closures) != 2 || !got.Closures[0].From.Equal(want.Closures[0].From) || !got.Closures[0].To.Equal(want.Closures[0].To) ||
		!got.Closures[1].From.Equal(want.Closures[1].From) || !got.Closures[1].To.Equal(want.Closures[1].To) || got.Closures[1].Note != "Assomption" {
		t.Errorf("saved %+v\nwant  %+v", got, want)
	}
	// The same card again changes nothing, and says so.
	again := f.do(http.MethodPost, "/s/"+tokA+"/card", f.cardForm(func(v url.Values) {
		v.Set("hours", "Mo-Fr 09:00-12:00,13:30-17:00")
		v.Set("temp_closed", "yes")
		v["service"] = []string{geo.ServiceProcedures, geo.ServiceAccess}
	}))
	testkit.WantText(t, again.Body.String(), "Rien n'a changé")
}

func TestCardRefused(t *testing.T) {
	f, cards := cardFixture(t)
	// Dates that do not read: refused by the form itself, as typed.
	rec := f.do(http.MethodPost, "/s/"+tokA+"/card", f.cardForm(func(v url.Values) {
		v["closure_from"] = []string{"24 décembre", "2027-02-10"}
		v["closure_to"] = []string{"", "2027-02-01"}
		v["closure_note"] = []string{"", ""}
	}))
	if rec.Code != http.StatusUnprocessableEntity {
		t.Fatalf("bad dates: %d, want 422", rec.Code)
	}
	body := rec.Body.String()
	testkit.WantText(t, body, "Rien n'a été enregistré", "La date « 24 décembre » ne se lit pas. Écrivez-la jour/mois/année, par exemple 24/12/2026.",
		"La fermeture du 2027-02-10 au 2027-02-01 finit avant de commencer.")
	if !strings.Contains(body, `value="24 décembre"`) || !strings.Contains(body, `class="field bad" id="f-closures"`) {
		t.Error("the typed dates are not kept, or the problem not at its field")
	}
	if cards.edits != 0 {
		t.Error("a card with bad dates was sent")
	}
	// Refused by the service: each problem next to its field, the one of
	// no field at the top, what was typed kept.
	rec = f.do(http.MethodPost, "/s/"+tokA+"/card", f.cardForm(func(v url.Values) {
		v.Set("hours", "tous les jours sauf le lundi")
		v.Set("phone", "deux-sept-neuf")
		v.Set("email", "refuse@example.org")
	}))
	if rec.Code != http.StatusUnprocessableEntity {
		t.Fatalf("refused: %d, want 422", rec.Code)
	}
	body = rec.Body.String()
	hours := body[strings.Index(body, `id="f-hours"`):strings.Index(body, `id="f-closures"`)]
	if !strings.Contains(testkit.PageText(hours), "Ces horaires ne se lisent pas. Suivez l'exemple sous le champ.") || !strings.Contains(hours, ">tous les jours sauf le lundi</textarea>") {
		t.Errorf("hours field: %s", testkit.PageText(hours))
	}
	phone := body[strings.Index(body, `id="f-phone"`):strings.Index(body, `id="f-email"`)]
	if !strings.Contains(testkit.PageText(phone), "Un numéro n'a que des chiffres.") || !strings.Contains(phone, `value="deux-sept-neuf"`) {
		t.Errorf("phone field: %s", testkit.PageText(phone))
	}
	top := body[:strings.Index(body, `<form`)]
	if !strings.Contains(testkit.PageText(top), "La fiche est verrouillée par le réseau.") {
		t.Errorf("the problem of no field is not at the top: %s", testkit.PageText(top))
	}
	if got := cards.get(placeA).Hours; got != "Mo-Fr 09:00-12:00" {
		t.Errorf("a refused card changed the hours to %q", got)
	}
}

func TestCardGuards(t *testing.T) {
	f, cards := cardFixture(t)
	form := f.cardForm(func(v url.Values) { v.Set("hours", "Sa 09:00-12:00") })
	form.Del("csrf")
	if rec := f.do(http.MethodPost, "/s/"+tokA+"/card", form); rec.Code != http.StatusForbidden {
		t.Errorf("no csrf: %d, want 403", rec.Code)
	}
	if rec := f.do(http.MethodPost, "/s/"+tokRevoked+"/card", f.cardForm(nil)); rec.Code != http.StatusNotFound {
		t.Errorf("revoked token: %d, want 404", rec.Code)
	}
	if rec := f.get("/s/" + tokRevoked + "/card"); rec.Code != http.StatusNotFound {
		t.Errorf("revoked token, GET: %d, want 404", rec.Code)
	}
	if cards.edits != 0 {
		t.Error("an edit went through")
	}
	cards.err = errors.New("redis: connection refused")
	rec := f.get("/s/" + tokA + "/card")
	if rec.Code != http.StatusInternalServerError || strings.Contains(rec.Body.String(), "redis") {
		t.Errorf("store down: %d", rec.Code)
	}
}

func TestCardField(t *testing.T) {
	for in, want := range map[string]string{"horaires": "hours", "hours": "hours", "Telephone": "phone", "courriel": "email",
		"prise_en_charge_specifique": "accessibility", "ferme_temporairement": "temp_closed", "fermetures": "closures", "nom": ""} {
		if got := cardField(in); got != want {
			t.Errorf("cardField(%q) = %q, want %q", in, got, want)
		}
	}
}
