package flows_test

import (
	"errors"
	"strings"
	"testing"
	"time"

	"github.com/secours/secours/flows"
)

// toPlaces runs a Brussels conversation up to the place list (2 places).
func toPlaces(t *testing.T, who string) *chat {
	c := newChat(t)
	c.say("x", "fr", "belgique", who, "santé", "smartphone seul", "sur le telephone", "whatsapp, photos",
		"oui avec aide", "peur", "des textes", "non", "1000")
	c.wantState(flows.StatePick)
	return c
}

func TestReferralByMessage(t *testing.T) {
	c := toPlaces(t, "moi")
	c.wantText("[pick:1] [pick:2] [pick:none]")
	c.wantText("Quel lieu choisissez-vous ?")
	c.step("1", flows.StateConsent)
	c.wantText("Voulez-vous que EPN Test vous contacte ?\nNous envoyons seulement")
	c.say("ce qui est envoyé")
	c.wantText("Jamais vos réponses")
	c.wantState(flows.StateConsent)
	c.step("oui", flows.StateContact)
	c.wantText("Comment EPN Test peut vous répondre ?")
	c.step("1", flows.StateDone)
	c.wantText("C'est envoyé à EPN Test")
	c.wantText("Ce que vous écrivez ici est transmis à EPN Test.")
	for _, r := range c.out {
		if len(r.Choices) > 0 {
			t.Errorf("relay mode shows buttons: %+v", r.Choices)
		}
	}
	r := c.oc.Referral
	if r == nil {
		t.Fatal("no referral")
	}
	want := flows.Referral{V: flows.ReferralVersion, Place: "be-epn", Next: []string{"be-ocmw"}, Lang: flows.FR,
		Country: "BE", Postcode: "1000", Need: "health", Profile: "proche_autonomie", Why: "why.needs_boost",
		ConsentBy: "self", Contact: flows.ContactRelay, Chat: "cli:test", Status: flows.StatusSent}
	if r.Place != want.Place || strings.Join(r.Next, ",") != "be-ocmw" || r.Lang != want.Lang || r.Country != want.Country ||
		r.Postcode != want.Postcode || r.Need != want.Need || r.Profile != want.Profile || r.Why != want.Why ||
		r.ConsentBy != want.ConsentBy || r.Contact != want.Contact || r.Chat != want.Chat || r.Status != want.Status ||
		r.Phone != "" || r.Aidant || r.ConsentAt.IsZero() || r.Confidence == "" {
		t.Errorf("referral = %+v\nwant like %+v", *r, want)
	}
	if len(r.Delivery.Queue) != 1 || r.Delivery.Queue[0] != flows.MailNew || len(r.History) != 1 {
		t.Errorf("delivery %+v history %+v", r.Delivery, r.History)
	}
	if c.s.Ref == "" || c.s.RefPlace != "be-epn" {
		t.Errorf("session ref = %q %q", c.s.Ref, c.s.RefPlace)
	}

	// Typed text now goes to the structure; sensitive numbers never do.
	c.say("Je suis libre le matin")
	if c.oc.Relay != "Je suis libre le matin" {
		t.Errorf("relay = %q", c.oc.Relay)
	}
	c.wantText("Message transmis à EPN Test.")
	c.say("BE68 5390 0754 7034")
	if c.oc.Relay != "" {
		t.Errorf("an IBAN was relayed")
	}
	c.wantText("Gardez")
	c.step("/recommencer", flows.StateConfirm)
	c.step("oui", flows.StateWho)
	if c.s.Ref == "" {
		t.Errorf("a new conversation dropped the open referral")
	}
	c.step("/annuler", flows.StateConfirm)
	if c.oc.Withdraw != "" || c.s.Ref == "" {
		t.Errorf("/annuler withdrew before it was confirmed")
	}
	c.step("oui", flows.StateWho)
	if c.oc.Withdraw == "" || c.s.Ref != "" {
		t.Errorf("cancel: withdraw %q ref %q", c.oc.Withdraw, c.s.Ref)
	}
	c.wantText("Votre demande à EPN Test est annulée.")
	c.say("/annuler")
	c.wantText("Vous n'avez pas de demande en cours.")
}

func TestReferralByPhone(t *testing.T) {
	c := toPlaces(t, "moi")
	c.say("1", "oui", "par téléphone")
	c.wantState(flows.StatePhone)
	c.wantText("0470 12 34 56")
	c.step("12", flows.StatePhone)
	c.wantText("Je ne reconnais pas ce numéro")
	c.step("0470/12.34.56", flows.StateDone)
	if c.oc.Referral == nil || c.oc.Referral.Phone != "+32470123456" || c.oc.Referral.Contact != flows.ContactPhone {
		t.Fatalf("referral = %+v", c.oc.Referral)
	}
	c.wantText("Ils vont appeler le 0470 12 34 56.") // the national form (F.9)
	b, err := c.s.Encode()
	if err != nil {
		t.Fatal(err)
	}
	if strings.Contains(string(b), "470") {
		t.Errorf("the phone number is in the session: %s", b)
	}
}

func TestReferralAidantContactMe(t *testing.T) {
	c := toPlaces(t, "un proche")
	c.say("1")
	c.wantText("La personne est-elle d'accord pour que EPN Test la contacte ?")
	c.wantText("[consent:yes] [consent:no] [consent:aidant]")
	c.say("3") // Me contacter moi
	c.wantState(flows.StateContact)
	c.wantText("Comment EPN Test peut vous répondre ?")
	c.say("2", "06 12 34 56 78")
	r := c.oc.Referral
	if r == nil || !r.Aidant || !r.ContactAidant || r.ConsentBy != "aidant_for_person" || r.Phone != "+33612345678" {
		t.Fatalf("referral = %+v", r)
	}
}

func TestReferralRefused(t *testing.T) {
	for _, path := range [][]string{{"aucun"}, {"1", "non"}} {
		c := toPlaces(t, "moi")
		c.say(path...)
		c.wantState(flows.StateDone)
		c.wantText("rien n'est envoyé")
		if c.oc.Referral != nil || c.s.Ref != "" {
			t.Errorf("%v made a referral", path)
		}
		c.say("bonjour")
		if c.oc.Relay != "" {
			t.Errorf("%v: text relayed without a referral", path)
		}
	}
}

func TestNoticeStep(t *testing.T) {
	c := toPlaces(t, "moi")
	c.say("1", "oui", "ici")
	r := *c.oc.Referral
	r.ID = "abc123"
	c.s.Ref = r.ID
	e := c.e

	out := e.NoticeStep(c.s, true, flows.Notice{Referral: r, Kind: "accepted"}, c.now)
	if len(out.Replies) != 1 || !strings.Contains(out.Replies[0].Text, "EPN Test a accepté votre demande") {
		t.Errorf("accepted: %+v", out.Replies)
	}
	out = e.NoticeStep(c.s, true, flows.Notice{Referral: r, Kind: flows.NoticeMessage, Text: "Venez mardi"}, c.now)
	if !strings.Contains(out.Replies[0].Text, "« Venez mardi »") {
		t.Errorf("message: %+v", out.Replies)
	}

	r.Status, r.Reason = flows.StatusDeclined, flows.DeclineFull
	// The OCMW has no e-mail address: with no chat linked it cannot
	// receive, and is not offered.
	out = e.NoticeStep(c.s, true, flows.Notice{Referral: r, Kind: "declined"}, c.now)
	if out.Session.State != flows.StateDone || len(out.Replies) != 2 || !strings.Contains(out.Replies[1].Text, "/start") {
		t.Errorf("declined, next place unlinked: state %s, replies %+v", out.Session.State, out.Replies)
	}
	out = e.NoticeStep(c.s, true, flows.Notice{Referral: r, Kind: "declined", Linked: flows.Linked{"be-ocmw": true}}, c.now)
	if out.Session.State != flows.StateConsent || out.Session.Ref != "" || out.Session.Places[0] != "be-ocmw" {
		t.Fatalf("declined: state %s ref %q places %v", out.Session.State, out.Session.Ref, out.Session.Places)
	}
	all := ""
	for _, rp := range out.Replies {
		all += rp.Text + "\n"
	}
	for _, want := range []string{"EPN Test ne peut pas vous aider cette fois : ils sont complets", "le suivant de la liste", "Voulez-vous que OCMW Test vous contacte"} {
		if !strings.Contains(all, want) {
			t.Errorf("declined replies lack %q:\n%s", want, all)
		}
	}

	// Without a session, the person is told and pointed to /start.
	r.Status, r.Reason = flows.StatusClosed, flows.ReasonExpired
	out = e.NoticeStep(flows.Session{}, false, flows.Notice{Referral: r, Kind: "closed"}, c.now)
	if len(out.Replies) != 2 || !strings.Contains(out.Replies[1].Text, "/start") {
		t.Errorf("expired without session: %+v", out.Replies)
	}
	// A withdrawal is the person's own doing: nothing to say.
	r.Reason = flows.ReasonWithdrawn
	if out = e.NoticeStep(c.s, true, flows.Notice{Referral: r, Kind: "closed"}, c.now); len(out.Replies) != 0 {
		t.Errorf("withdrawn: %+v", out.Replies)
	}
	// NL person, FR place name.
	r.Lang = flows.NL
	out = e.NoticeStep(flows.Session{}, false, flows.Notice{Referral: r, Kind: "seen"}, c.now)
	if !strings.Contains(out.Replies[0].Text, "heeft uw aanvraag goed ontvangen") {
		t.Errorf("NL seen: %+v", out.Replies)
	}
}

func TestTransitions(t *testing.T) {
	now := time.Date(2026, 11, 24, 9, 0, 0, 0, time.UTC)
	r := flows.Referral{Status: flows.StatusSent}
	if ch, err := r.Transition(flows.StatusAccepted, flows.ActorStructure, "", now); !ch || err != nil {
		t.Fatalf("sent→accepted: %v %v", ch, err)
	}
	if len(r.History) != 2 || r.History[0].Status != flows.StatusSeen {
		t.Errorf("history = %+v, want seen then accepted", r.History)
	}
	if ch, err := r.Transition(flows.StatusAccepted, flows.ActorStructure, "", now); ch || err != nil {
		t.Errorf("double accept: %v %v", ch, err)
	}
	_, err := r.Transition(flows.StatusDeclined, flows.ActorStructure, flows.DeclineFull, now)
	var te *flows.TransitionError
	if !errors.As(err, &te) || !errors.Is(err, flows.ErrTransition) || te.From != flows.StatusAccepted {
		t.Errorf("accepted→declined: %v", err)
	}
	for _, to := range []flows.Status{flows.StatusContacted, flows.StatusClosed} {
		if _, err := r.Transition(to, flows.ActorStructure, "", now); err != nil {
			t.Errorf("→%s: %v", to, err)
		}
	}
	if _, err := r.Transition(flows.StatusAccepted, flows.ActorStructure, "", now); err == nil {
		t.Errorf("closed→accepted allowed")
	}
}

func TestPolicyDue(t *testing.T) {
	p := flows.DefaultPolicy
	t0 := time.Date(2026, 11, 24, 9, 0, 0, 0, time.UTC)
	r := flows.Referral{Status: flows.StatusSent, Created: t0, Updated: t0, Delivery: flows.Delivery{Queue: []string{flows.MailNew}}}
	if got := p.Due(&r); !got.Equal(t0) {
		t.Errorf("queued mail due %v, want now", got)
	}
	r.Delivery.Queue = nil
	if got := p.Due(&r); !got.Equal(t0.Add(72 * time.Hour)) {
		t.Errorf("reminder due %v", got)
	}
	r.Reminded = t0.Add(72 * time.Hour)
	if got := p.Due(&r); !got.Equal(t0.Add(14 * 24 * time.Hour)) {
		t.Errorf("expiry due %v", got)
	}
	closed := t0.Add(time.Hour)
	r.Transition(flows.StatusClosed, flows.ActorStructure, flows.ReasonDone, closed)
	if got := p.Due(&r); !got.Equal(closed.Add(90 * 24 * time.Hour)) {
		t.Errorf("purge due %v", got)
	}
}

func TestNormalizePhone(t *testing.T) {
	tests := []struct {
		in, country, want string
	}{
		{"0470 12 34 56", "BE", "+32470123456"},
		{"+32 470/12.34.56", "FR", "+32470123456"},
		{"0032 (0)2 123 45 67", "", "+3221234567"},
		{"081 23 45 67", "BE", "+3281234567"},
		{"06 12 34 56 78", "BE", "+33612345678"},
		{"+33 6 12 34 56 78", "", "+33612345678"},
		{"0475 12 34 56", "FR", "+33475123456"}, // a French landline in the south-east
		{"0475 12 34 56", "BE", "+32475123456"},
		{"0800 12 345", "BE", ""},    // free line
		{"0900 12 345", "BE", ""},    // premium
		{"08 92 70 57 05", "FR", ""}, // special rate
		{"12", "BE", ""},
		{"0470 12 34 5a", "BE", ""},
		{"+44 20 7946 0958", "", ""},
		{"", "", ""},
	}
	for _, tt := range tests {
		got, ok := flows.NormalizePhone(tt.in, tt.country)
		if got != tt.want || ok != (tt.want != "") {
			t.Errorf("NormalizePhone(%q, %q) = %q, %v; want %q", tt.in, tt.country, got, ok, tt.want)
		}
	}
	// The national form (docs/diagnostic.md F.9, issue 21); what is not a
	// Belgian or French number is shown as given.
	for in, want := range map[string]string{
		"+32470123456": "0470 12 34 56", "+3221234567": "02 123 45 67", "+3241234567": "04 123 45 67",
		"+3281234567": "081 23 45 67", "+33612345678": "06 12 34 56 78", "+33123456789": "01 23 45 67 89",
		"+4420794600": "+4420794600", "+3212": "+3212", "+32abc": "+32abc", "": "",
	} {
		if got := flows.FormatPhone(in); got != want {
			t.Errorf("FormatPhone(%q) = %q, want %q", in, got, want)
		}
	}
}

func FuzzNormalizePhone(f *testing.F) {
	for _, s := range []string{"0470 12 34 56", "+33 6 12 34 56 78", "0032 (0)2 123 45 67", "++32", "0"} {
		f.Add(s, "BE")
	}
	f.Fuzz(func(t *testing.T, in, country string) {
		got, ok := flows.NormalizePhone(in, country)
		if !ok {
			return
		}
		// An accepted number reads back as itself.
		again, ok2 := flows.NormalizePhone(got, country)
		if !ok2 || again != got {
			t.Fatalf("NormalizePhone(%q) = %q, which reads back as %q, %v", in, got, again, ok2)
		}
		home := "BE" // the national form reads back in its own country
		if strings.HasPrefix(got, "+33") {
			home = "FR"
		}
		if back, _ := flows.NormalizePhone(flows.FormatPhone(got), home); back != got {
			t.Fatalf("FormatPhone(%q) = %q reads back as %q", got, flows.FormatPhone(got), back)
		}
	})
}

// TestNoticeUndeliverable: a referral whose mail was refused for good is
// announced in the person's language, with the place's phone, and the
// next place that can receive is offered.
func TestNoticeUndeliverable(t *testing.T) {
	for _, tt := range []struct {
		lang       flows.Lang
		say        []string
		told, next string
	}{
		{flows.FR, []string{"1", "oui", "ici"}, "Votre demande n'a pas pu être remise à EPN Test", "Voulez-vous que OCMW Test vous contacte"},
		{flows.NL, []string{"1", "ja", "hier"}, "Uw aanvraag kon niet bezorgd worden bij EPN Test", "Wilt u dat OCMW Test u contacteert"},
	} {
		t.Run(string(tt.lang), func(t *testing.T) {
			c := newChat(t)
			lang := "fr"
			if tt.lang == flows.NL {
				lang = "nl"
			}
			c.say("x", lang, "belgique", "1", "1", "1", "1", "1", "1", "1", "1", "1", "1000")
			c.wantState(flows.StatePick)
			c.say(tt.say...)
			if c.oc.Referral == nil {
				t.Fatalf("no referral: %s", c.text())
			}
			r := *c.oc.Referral
			r.ID, c.s.Ref = "abc123", "abc123"
			r.Status, r.Reason = flows.StatusClosed, flows.ReasonUndeliverable
			out := c.e.NoticeStep(c.s, true, flows.Notice{Referral: r, Kind: "closed", Linked: flows.Linked{"be-ocmw": true}}, c.now)
			var all []string
			for _, rp := range out.Replies {
				all = append(all, rp.Text)
			}
			txt := strings.Join(all, "\n")
			for _, want := range []string{tt.told, "02 000 00 00", tt.next} {
				if !strings.Contains(txt, want) {
					t.Errorf("replies lack %q:\n%s", want, txt)
				}
			}
			if out.Session.State != flows.StateConsent || out.Session.Ref != "" {
				t.Errorf("state %s ref %q, want the consent question for the next place", out.Session.State, out.Session.Ref)
			}
		})
	}
}
