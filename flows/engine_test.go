package flows_test

import (
	"context"
	"errors"
	"fmt"
	"reflect"
	"strings"
	"testing"
	"time"

	"github.com/secours/secours/configs"
	"github.com/secours/secours/flows"
	"github.com/secours/secours/geo"
	"github.com/secours/secours/store/memory"
)

// fakePlaces is a tiny directory: Brussels (1000) and Paris (75001) have
// places, Liège (4000) has none, "99999" and typos are unknown. The OCMW
// has no e-mail address: it can receive a referral only in a linked chat.
type fakePlaces struct{ places map[string]*geo.Place }

func newFakePlaces() *fakePlaces {
	return &fakePlaces{places: map[string]*geo.Place{
		"be-epn": {ID: "be-epn", Name: "EPN Test", Country: geo.BE, Address: "Rue Test 1", Postcode: "1000",
			Commune: "Bruxelles", Point: geo.Point{Lat: 50.85, Lon: 4.35}, Phone: "02 000 00 00",
			Email: "epn@example.org", Hours: "Mo-Fr 09:00-17:00", TagSource: geo.TagStructure},
		"be-ocmw": {ID: "be-ocmw", Name: "OCMW Test", Country: geo.BE, Address: "Straat 2", Postcode: "1000",
			Commune: "Brussel", Point: geo.Point{Lat: 50.86, Lon: 4.36}, Approx: true, TagSource: geo.TagLegalMission},
		"fr-fs": {ID: "fr-fs", Name: "France services Test", Country: geo.FR, Address: "1 rue Test", Postcode: "75001",
			Commune: "Paris", Point: geo.Point{Lat: 48.86, Lon: 2.34}, Phone: "01 00 00 00 00",
			Email: "fs@example.org", TagSource: geo.TagLabel},
	}}
}

func (f *fakePlaces) Locate(in string) (geo.Location, error) {
	switch strings.TrimSpace(strings.ToLower(in)) {
	case "1000", "bruxelles", "brussel":
		return geo.Location{Point: geo.Point{Lat: 50.85, Lon: 4.35}, Country: geo.BE, Postcode: "1000", Commune: "Bruxelles", Approx: true}, nil
	case "4000", "liège":
		return geo.Location{Point: geo.Point{Lat: 50.63, Lon: 5.57}, Country: geo.BE, Postcode: "4000", Commune: "Liège", Approx: true}, nil
	case "75001", "paris":
		return geo.Location{Point: geo.Point{Lat: 48.86, Lon: 2.34}, Country: geo.FR, Postcode: "75001", Commune: "Paris", Approx: true}, nil
	case "brusels":
		return geo.Location{}, &geo.NotFoundError{Input: in, Suggestions: []string{"Bruxelles", "Brussel"}}
	}
	return geo.Location{}, &geo.NotFoundError{Input: in}
}

func (f *fakePlaces) LocatePoint(p geo.Point) (geo.Location, error) {
	if p.Lat < 49 || p.Lat > 52 {
		return geo.Location{}, geo.ErrOutside
	}
	return geo.Location{Point: p, Country: geo.BE, Postcode: "1000", Commune: "Bruxelles"}, nil
}

func (f *fakePlaces) Match(q geo.Query) geo.Result {
	switch q.At.Postcode {
	case "1000":
		return geo.Result{RadiusKM: 15, Matches: []geo.Match{
			{Place: f.places["be-epn"], Score: 7, KM: 0.4},
			{Place: f.places["be-ocmw"], Score: 5, KM: 1.2, Approx: true},
		}}
	case "75001":
		return geo.Result{RadiusKM: 15, Matches: []geo.Match{{Place: f.places["fr-fs"], Score: 6, KM: 0.1}}}
	}
	return geo.Result{RadiusKM: 30, Fallback: true}
}

func (f *fakePlaces) Place(id string) (*geo.Place, bool) { p, ok := f.places[id]; return p, ok }
func (f *fakePlaces) Credits() string                    { return "Test data" }
func (f *fakePlaces) Places() []*geo.Place {
	var out []*geo.Place
	for _, p := range f.places {
		out = append(out, p)
	}
	return out
}

func newEngine(t testing.TB) *flows.Engine {
	t.Helper()
	cats, err := flows.LoadCatalogs(configs.FS)
	if err != nil {
		t.Fatal(err)
	}
	e, err := flows.NewEngine(cats, newFakePlaces())
	if err != nil {
		t.Fatal(err)
	}
	return e
}

// t0 is a Tuesday, 10:00 in Brussels.
var t0 = time.Date(2026, 11, 24, 9, 0, 0, 0, time.UTC)

// chat drives one conversation through Step.
type chat struct {
	t   *testing.T
	e   *flows.Engine
	s   flows.Session
	now time.Time
	n   int
	out []flows.Reply // replies of the last step
	oc  flows.Outcome
}

func newChat(t *testing.T) *chat {
	e := newEngine(t)
	return &chat{t: t, e: e, s: flows.NewSession("cli:test", t0), now: t0}
}

// untilLocation are the answers of a person in French up to the location
// question: the country and the need as given, a computer at home, at
// ease online.
func untilLocation(country, need string) []string {
	return []string{"x", "fr", country, "moi", need, "ordi", "maison", "internet", "seul", "aise", "textes", "non"}
}

// atLocation is a chat with untilLocation answered.
func atLocation(t *testing.T, country, need string) *chat {
	t.Helper()
	return newChat(t).say(untilLocation(country, need)...)
}

func (c *chat) send(m flows.Msg) *chat {
	c.t.Helper()
	c.n++
	if m.ID == "" {
		m.ID = fmt.Sprint(c.n)
	}
	m.Chat = "cli:test"
	c.now = c.now.Add(5 * time.Second)
	c.oc = c.e.Step(c.s, m, c.now)
	c.s, c.out = c.oc.Session, c.oc.Replies
	return c
}

func (c *chat) say(texts ...string) *chat {
	c.t.Helper()
	for _, txt := range texts {
		c.send(flows.Msg{Kind: flows.KindText, Text: txt})
	}
	return c
}

func (c *chat) text() string {
	var b strings.Builder
	for _, r := range c.out {
		b.WriteString(r.Text + "\n")
		for _, ch := range r.Choices {
			b.WriteString("[" + ch.Key + "] ")
		}
	}
	return b.String()
}

func (c *chat) wantState(state string) {
	c.t.Helper()
	if c.s.State != state {
		c.t.Fatalf("state = %q, want %q; last replies:\n%s", c.s.State, state, c.text())
	}
}

// step says text and wants the chat in state after it.
func (c *chat) step(text, state string) *chat {
	c.t.Helper()
	c.say(text)
	c.wantState(state)
	return c
}

func (c *chat) wantText(sub string) {
	c.t.Helper()
	if !strings.Contains(c.text(), sub) {
		c.t.Errorf("replies do not contain %q:\n%s", sub, c.text())
	}
}

func TestWholeConversationFR(t *testing.T) {
	c := newChat(t)
	c.step("bonjour", flows.StateLang)
	c.wantText("Choisissez votre langue")
	c.say("1") // Français
	c.wantState(flows.StateCountry)
	c.say("Belgique", "Moi", "santé")
	c.wantState("device")
	c.say("Smartphone seul", "sur le telephone", "WHATSAPP, PHOTOS", "oui avec aide", "peur", "des textes", "non")
	c.wantState(flows.StateLocation)
	c.wantText("Voici l'aide qui vous convient.")
	c.wantText("Vous avez les bases") // why.needs_boost, person view
	c.wantText("1733")                // tip.health.BE.1
	c.wantText("Gardez vos codes secrets")
	if strings.Contains(c.text(), "proche de l'autonomie") {
		t.Errorf("the person sees a profile name (docs/diagnostic.md F.8):\n%s", c.text())
	}
	if c.s.Answers["profile"] != "proche_autonomie" {
		t.Errorf("profile = %q", c.s.Answers["profile"])
	}
	c.say("1000")
	if len(c.s.Places) != 2 || c.s.Places[0] != "be-epn" {
		t.Errorf("places = %v", c.s.Places)
	}
	var cards int
	for _, r := range c.out {
		cards += len(r.Places)
	}
	if cards != 2 {
		t.Errorf("place cards = %d, want 2", cards)
	}
	c.wantState(flows.StatePick)
	c.step("1", flows.StateConsent)
	c.wantText("Voulez-vous que EPN Test vous contacte")
	c.step("oui", flows.StateContact)
	if c.s.ConsentBy != "self" || c.s.ConsentAt.IsZero() || c.s.Answers["consent"] != "yes" {
		t.Errorf("consent not recorded: by %q at %v", c.s.ConsentBy, c.s.ConsentAt)
	}
	c.step("ici", flows.StateDone)
	if c.oc.Referral == nil || c.oc.Referral.Contact != flows.ContactRelay {
		t.Fatalf("no relay referral: %+v", c.oc.Referral)
	}
	// Relay mode: a word is a message; the menu restarts, once confirmed.
	c.step("recommencer", flows.StateDone)
	if c.oc.Relay != "recommencer" {
		t.Errorf("relay = %q, want the word relayed", c.oc.Relay)
	}
	c.say("menu", "recommencer")
	c.wantState(flows.StateConfirm)
	c.step("oui", flows.StateWho)
	if c.s.Answers["country"] != "BE" || c.s.Answers["need"] != "" {
		t.Errorf("restart kept %v", c.s.Answers)
	}
}

func TestAidantModeNL(t *testing.T) {
	c := newChat(t)
	c.send(flows.Msg{Kind: flows.KindCommand, Command: "start", Lang: flows.NL})
	c.wantText("Kies uw taal")
	c.say("nederlands") // Dutch: Belgium, the country question is skipped
	c.wantState(flows.StateWho)
	c.say("3")
	c.wantText("Antwoord voor de persoon die u helpt.")
	c.wantText("dringend voor de persoon")
	c.say("Papieren", "Niets van mezelf", "zelden", "bellen", "iemand doet het", "verloren", "tekst", "nee")
	c.wantText("Profiel: heeft begeleiding nodig.")
	c.wantText("Geen toestel, geen ervaring")
	c.wantText("Duidelijke antwoorden.") // no dk, no flag: confidence high
}

func TestEscapes(t *testing.T) {
	c := newChat(t)
	c.say("hi", "fr", "france", "moi")
	c.wantState(flows.StateNeed)
	c.step("retour", flows.StateWho)
	c.step("retour", flows.StateCountry)
	c.step("aide", flows.StateCountry)
	c.wantText("Touchez un bouton")
	c.send(flows.Msg{Kind: flows.KindChoice, Choice: "nav:human"})
	c.wantText("3939") // country not known yet: both lines
	c.say("France", "moi", "azerty")
	c.wantState(flows.StateNeed)
	c.wantText("Je n'ai pas compris")
	c.wantText("[need:procedure]")
	c.send(flows.Msg{Kind: flows.KindCommand, Command: "inconnue"})
	c.wantText("Je ne connais pas cette commande")
	c.send(flows.Msg{Kind: flows.KindUnsupported})
	c.wantText("Je ne lis pas les images")
	c.wantState(flows.StateNeed)
	c.say("")
	c.wantText("Je n'ai pas compris")
	c.say(strings.Repeat("blabla ", 1500))
	c.wantText("trop long")
	c.say("🙂🙂🙂")
	c.wantText("Je n'ai pas compris")
	c.wantState(flows.StateNeed)
	c.say("/oubli")
	if !c.oc.Forget {
		t.Error("/oubli did not ask to forget the session")
	}
	c.wantText("C'est effacé chez Secours")
}

func TestStaleButtonAndChoicePayload(t *testing.T) {
	c := newChat(t)
	c.say("x", "fr", "belgique")
	c.send(flows.Msg{Kind: flows.KindChoice, Choice: "who:pro"})
	c.wantState(flows.StateNeed)
	c.send(flows.Msg{Kind: flows.KindChoice, Choice: "who:self"}) // stale
	c.wantState(flows.StateNeed)
	if c.s.Answers["who"] != "pro" {
		t.Errorf("stale button changed who to %q", c.s.Answers["who"])
	}
	c.send(flows.Msg{Kind: flows.KindChoice, Choice: "need:nonsense"})
	c.wantState(flows.StateNeed)
}

// TestDuplicateMessage: a message handled already changes nothing. Two
// copies at once (a channel delivering one update to two instances) get
// no second answer; the last update posted again a while later (the
// instance that saved it died before it replied) gets the open question
// again; an older one stays silent. The time counts from the copy's
// arrival: a copy that came at once but waited its turn behind other
// updates (Msg.Waited) is no redelivery (issue 17).
func TestDuplicateMessage(t *testing.T) {
	tests := []struct {
		name   string
		id     string        // the id sent again: "last" or "older"
		after  time.Duration // since the step it repeats
		waited time.Duration // of which in this process, before its step
		again  bool          // the channel says its answer may be lost (Msg.Redelivered)
		ask    bool          // the open question is asked again
	}{
		{"two copies at once", "last", 5 * time.Millisecond, 0, false, false},
		{"redelivered a while later", "last", 6 * time.Second, 0, false, true},
		{"a slow second copy", "last", 2 * time.Second, 0, false, false},
		{"an older update", "older", 6 * time.Second, 0, false, false},
		{"a copy at once that waited its turn", "last", 7 * time.Second, 6500 * time.Millisecond, false, false},
		{"redelivered a while later, then waited", "last", 9 * time.Second, 3 * time.Second, false, true},
		{"taken again from the inbox soon after", "last", time.Second, 2 * time.Second, true, true},
		{"an older update taken again from the inbox", "older", time.Second, 0, true, false},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			c := newChat(t)
			c.say("x", "fr", "belgique")
			before, asked := c.s, c.text()
			id := fmt.Sprint(c.n)
			if tt.id == "older" {
				id = fmt.Sprint(c.n - 1)
			}
			out := c.e.Step(c.s, flows.Msg{Chat: "cli:test", ID: id, Kind: flows.KindText, Text: "belgique", Waited: tt.waited, Redelivered: tt.again}, c.now.Add(tt.after))
			if !out.Dup {
				t.Fatalf("not taken for a duplicate: event %q", out.Event)
			}
			if out.Session.State != before.State || out.Session.Updated != before.Updated || len(out.Session.Seen) != len(before.Seen) {
				t.Errorf("duplicate changed the session: %s → %s", before.State, out.Session.State)
			}
			switch {
			case !tt.ask && len(out.Replies) != 0:
				t.Errorf("%d replies, want none", len(out.Replies))
			case tt.ask && (len(out.Replies) == 0 || out.Replies[len(out.Replies)-1].Text != c.out[len(c.out)-1].Text || out.Event != "redelivered"):
				t.Errorf("replies %+v (event %q), want the open question again:\n%s", out.Replies, out.Event, asked)
			}
		})
	}
}

func TestPauseOffersContinue(t *testing.T) {
	c := newChat(t)
	c.say("x", "fr", "belgique", "moi", "emploi")
	c.wantState("device")
	c.now = c.now.Add(2 * time.Hour)
	c.step("ordi", flows.StateResume)
	c.wantText("On continue")
	if c.s.Answers["device"] != "" {
		t.Error("the answer sent after the pause was applied before the person chose")
	}
	c.step("continuer", "device")
	c.now = c.now.Add(3 * time.Hour)
	c.say("ordi", "recommencer")
	c.wantState(flows.StateWho)
}

func TestNotMeRedoesSkillsOnce(t *testing.T) {
	c := atLocation(t, "france", "emploi")
	c.wantState(flows.StateLocation)
	if c.s.Answers["profile"] != "autonome" {
		t.Fatalf("profile = %q", c.s.Answers["profile"])
	}
	c.step("ce n'est pas moi", "skills")
	c.say("appeler", "jamais", "perdu")
	c.wantState(flows.StateLocation) // reading and barrier stand
	if c.s.Answers["profile"] != "grand_debutant" {
		t.Errorf("profile after redo = %q", c.s.Answers["profile"])
	}
	c.step("ce n'est pas moi", flows.StateLocation)
	c.wantText("3939") // second time: a human, not a silent override
}

func TestMoreTipsThenNone(t *testing.T) {
	c := atLocation(t, "france", "apprendre")
	c.wantText("Pix")
	c.say("autre conseil")
	c.wantText("conseiller numérique fait des ateliers")
	for _, ch := range c.out[len(c.out)-1].Choices {
		if ch.Key == "location:more" {
			t.Error("more tips offered when none is left")
		}
	}
}

func TestLocationErrors(t *testing.T) {
	c := atLocation(t, "belgique", "banque")
	c.say("99999")
	c.wantText("Je ne trouve pas ce code postal")
	c.say("brusels")
	c.wantText("Touchez le bon nom")
	c.wantText("[location:s1] [location:s2] [location:more]")
	c.send(flows.Msg{Kind: flows.KindLocation, Loc: geo.Point{Lat: 45, Lon: -30}})
	c.wantText("ni en Belgique ni en France")
	c.wantState(flows.StateLocation)
	c.say("4000")
	c.wantText("Je n'ai pas encore de lieu près de chez vous")
	c.wantState(flows.StateDone)
	c.step("retour", flows.StateLocation)
	c.send(flows.Msg{Kind: flows.KindLocation, Loc: geo.Point{Lat: 50.85, Lon: 4.35}})
	c.wantState(flows.StatePick)
	if c.s.Postcode != "1000" {
		t.Errorf("postcode = %q", c.s.Postcode)
	}
}

func TestSensitiveNumbersNotStored(t *testing.T) {
	for _, in := range []string{
		"85.07.30-033.28",       // NISS-shaped
		"1 85 05 78 006 084 36", // NIR-shaped
		"4970 1012 3456 7890",   // card-shaped
		"BE68 5390 0754 7034",   // a valid IBAN
		"1234",                  // a PIN outside the location step
	} {
		t.Run(in, func(t *testing.T) {
			c := newChat(t)
			c.say("x", "fr", "belgique", "moi")
			c.say(in)
			c.wantText("N'envoyez pas ce numéro ici")
			c.wantState(flows.StateNeed)
			b, _ := c.s.Encode()
			digits := strings.NewReplacer(" ", "", ".", "", "-", "").Replace(in)
			if strings.Contains(string(b), digits) {
				t.Errorf("session stores the number: %s", b)
			}
		})
	}
}

func TestLanguageChangeMidway(t *testing.T) {
	c := newChat(t)
	c.say("x", "fr", "belgique", "moi", "emploi")
	c.step("/langue", flows.StateLang)
	c.step("nederlands", "device")
	c.wantText("Welk toestel hebt u zelf?")
}

// TestBackAfterLanguageChange: "retour" after /langue went to the
// language question again (issue 17). Whether the language was changed or
// the question left with "retour", the person is back where they were, and
// "retour" there goes to the question before.
func TestBackAfterLanguageChange(t *testing.T) {
	for _, tc := range []struct {
		name   string
		detour []string // from the device question
	}{
		{"language changed", []string{"/langue", "nederlands"}},
		{"same language", []string{"/taal", "français"}},
		{"back from the language question", []string{"/langue", "retour"}},
		{"language button", []string{"/langue", "2"}},
	} {
		t.Run(tc.name, func(t *testing.T) {
			c := newChat(t)
			c.say("x", "fr", "belgique", "moi", "emploi")
			c.wantState("device")
			c.say(tc.detour...)
			c.wantState("device")
			if c.s.Paused != "" {
				t.Errorf("Paused = %q after the detour, want none", c.s.Paused)
			}
			c.step("terug", flows.StateNeed)
			c.step("terug", flows.StateWho)
		})
	}
}

func TestSessionRoundTrip(t *testing.T) {
	c := newChat(t)
	c.say("x", "fr", "belgique", "j'aide un proche", "famille")
	b, err := c.s.Encode()
	if err != nil {
		t.Fatal(err)
	}
	got, err := flows.DecodeSession(b)
	if err != nil {
		t.Fatal(err)
	}
	b2, _ := got.Encode()
	if string(b) != string(b2) {
		t.Errorf("round trip changed the session:\n%s\n%s", b, b2)
	}
	if len(b) > 400 {
		t.Errorf("session JSON is %d bytes; keep it small", len(b))
	}
	for _, bad := range []string{`{`, `{"v":0,"s":"who"}`, `{"v":1,"s":"nowhere"}`, `null`, ``} {
		if _, err := flows.DecodeSession([]byte(bad)); !errors.Is(err, flows.ErrCorrupt) {
			t.Errorf("DecodeSession(%q) = %v, want ErrCorrupt", bad, err)
		}
	}
}

// failingStore fails every call, like a Redis that is down.
type failingStore struct{}

func (failingStore) Load(context.Context, flows.ChatID) (flows.Session, error) {
	return flows.Session{}, errors.New("dial tcp 127.0.0.1:6379: connection refused")
}
func (failingStore) Save(context.Context, flows.Session) error  { return errors.New("down") }
func (failingStore) Delete(context.Context, flows.ChatID) error { return errors.New("down") }

// conflictOnce loses the first save race.
type conflictOnce struct {
	flows.SessionStore
	done bool
}

func (c *conflictOnce) Save(ctx context.Context, s flows.Session) error {
	if !c.done {
		c.done = true
		return flows.ErrConflict
	}
	return c.SessionStore.Save(ctx, s)
}

func TestHandleWithStores(t *testing.T) {
	e := newEngine(t)
	ctx := t.Context()
	msg := func(id, text string) flows.Msg {
		return flows.Msg{Chat: "tg:1", ID: id, Kind: flows.KindText, Text: text, Lang: flows.NL}
	}

	t.Run("store down", func(t *testing.T) {
		out, err := e.Handle(ctx, flows.Stores{Sessions: failingStore{}}, msg("1", "hallo"), t0)
		if err == nil || len(out.Replies) != 1 || !strings.Contains(out.Replies[0].Text, "technisch probleem") {
			t.Fatalf("got %v %+v", err, out.Replies)
		}
	})

	t.Run("conflict retried", func(t *testing.T) {
		st := &conflictOnce{SessionStore: memory.New(time.Hour, func() time.Time { return t0 })}
		if _, err := e.Handle(ctx, flows.Stores{Sessions: st}, msg("1", "hallo"), t0); err != nil {
			t.Fatal(err)
		}
		s, err := st.Load(ctx, "tg:1")
		if err != nil || s.State != flows.StateLang {
			t.Fatalf("after retry: %v %q", err, s.State)
		}
	})

	t.Run("resume and forget", func(t *testing.T) {
		st := memory.New(time.Hour, func() time.Time { return t0 })
		for i, txt := range []string{"hallo", "nl", "ik"} {
			if _, err := e.Handle(ctx, flows.Stores{Sessions: st}, msg(fmt.Sprint(i), txt), t0); err != nil {
				t.Fatal(err)
			}
		}
		// A new engine (a restarted process) with the same store.
		e2 := newEngine(t)
		out, err := e2.Handle(ctx, flows.Stores{Sessions: st}, msg("9", "werk"), t0.Add(time.Minute))
		if err != nil || out.Session.State != "device" {
			t.Fatalf("resume: %v %q", err, out.Session.State)
		}
		if _, err := e2.Handle(ctx, flows.Stores{Sessions: st}, flows.Msg{Chat: "tg:1", ID: "10", Kind: flows.KindCommand, Command: "oubli"}, t0); err != nil {
			t.Fatal(err)
		}
		if _, err := st.Load(ctx, "tg:1"); !errors.Is(err, flows.ErrNoSession) {
			t.Fatalf("after /oubli Load = %v", err)
		}
	})
}

func TestCatalogueBroken(t *testing.T) {
	cats, err := flows.LoadCatalogs(configs.FS)
	if err != nil {
		t.Fatal(err)
	}
	delete(cats[flows.NL], "q.device")
	if _, err := flows.NewEngine(cats, newFakePlaces()); err == nil || !strings.Contains(err.Error(), "nl:q.device") {
		t.Errorf("NewEngine with a missing key: %v", err)
	}
}

func TestShortVariantsAfterReadingPreference(t *testing.T) {
	c := newChat(t)
	c.say("x", "fr", "belgique", "moi", "banque", "ordi", "maison", "internet", "seul", "aise", "court avec images", "non")
	c.wantState(flows.StateLocation)
	c.wantText("📍 Votre code postal ?")
	c.say("1000", "1")
	c.wantText("EPN Test peut vous contacter ?")
}

// TestSessionWireRoundTrip: every field survives Encode and DecodeSession,
// including free-form place ids and odd message ids.
func TestSessionWireRoundTrip(t *testing.T) {
	at := time.Date(2026, 3, 14, 9, 26, 53, 589_793_000, time.UTC)
	s := flows.Session{V: flows.SessionVersion, Chat: "wa:32470000000@s.whatsapp.net", Rev: 7, State: flows.StateConsent,
		Lang: flows.NL, Answers: map[string]string{"who": "pro", "need": "job", "tips": "2", "country": "BE"},
		Trail: []string{"lang", "who", "need"}, Paused: "need", Postcode: "2000", Lat: 51.219, Lon: 4.403,
		Places: []string{"ocmw-vlaanderen/OVO002667", `odd id, with "quotes" and spaces`}, Payload: "qr_cpas-1",
		Retries: 1, Seen: []string{"812345670", "3EB0C767D0D1A2F6E9"}, Created: at, Updated: at.Add(time.Minute),
		ConsentAt: at.Add(2 * time.Minute), ConsentBy: "aidant_for_person"}
	b, err := s.Encode()
	if err != nil {
		t.Fatal(err)
	}
	got, err := flows.DecodeSession(b)
	if err != nil {
		t.Fatal(err)
	}
	if fmt.Sprintf("%#v", got) != fmt.Sprintf("%#v", s) {
		t.Errorf("round trip:\n got %#v\nwant %#v\njson %s", got, s, b)
	}
	if _, err := flows.DecodeSession([]byte(`{"v":1,"s":"who","a":"who"}`)); !errors.Is(err, flows.ErrCorrupt) {
		t.Errorf("answers without '=': %v", err)
	}
}

// TestOddMessageIDsDeduplicated: ids with spaces or of any length are
// still recognised when redelivered, and never break the stored list.
func TestOddMessageIDsDeduplicated(t *testing.T) {
	e := newEngine(t)
	s := flows.NewSession("cli:x", t0)
	odd := "id with spaces " + strings.Repeat("x", 100)
	s = e.Step(s, flows.Msg{Chat: "cli:x", ID: odd, Kind: flows.KindText, Text: "hi"}, t0).Session
	b, _ := s.Encode()
	back, err := flows.DecodeSession(b)
	if err != nil {
		t.Fatal(err)
	}
	if out := e.Step(back, flows.Msg{Chat: "cli:x", ID: odd, Kind: flows.KindText, Text: "hi"}, t0); !out.Dup {
		t.Error("redelivered odd id not recognised")
	}
}

// TestRedeliveredLocation: when the lost answer was the place list, the
// redelivered postcode shows the same list again, not only the question
// after it.
func TestRedeliveredLocation(t *testing.T) {
	c := newChat(t)
	c.say("x", "fr", "belgique", "moi", "santé", "smartphone seul", "sur le telephone",
		"whatsapp, photos", "oui avec aide", "peur", "des textes", "non", "1000")
	first, state := c.out, c.s.State
	if state != flows.StatePick && state != flows.StateConsent {
		t.Fatalf("after the postcode: state %s, want pick or consent", state)
	}
	cards := 0
	for _, r := range first {
		cards += len(r.Places)
	}
	if cards == 0 {
		t.Fatal("no place list after the postcode")
	}
	out := c.e.Step(c.s, flows.Msg{Chat: "cli:test", ID: fmt.Sprint(c.n), Kind: flows.KindText, Text: "1000"}, c.now.Add(6*time.Second))
	if !out.Dup || out.Event != "redelivered" || out.Session.State != state {
		t.Fatalf("dup %v, event %q, state %s", out.Dup, out.Event, out.Session.State)
	}
	if !reflect.DeepEqual(out.Replies, first) {
		t.Errorf("redelivered postcode answered\n%+v\nwant the same list as the first time\n%+v", out.Replies, first)
	}
	if !reflect.DeepEqual(out.Session.Places, c.s.Places) || !reflect.DeepEqual(out.Session.Trail, c.s.Trail) {
		t.Errorf("the session changed: places %v trail %v, was %v %v", out.Session.Places, out.Session.Trail, c.s.Places, c.s.Trail)
	}
}
