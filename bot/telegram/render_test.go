package telegram

import (
	"encoding/json"
	"strings"
	"testing"
	"unicode/utf8"

	"github.com/go-telegram/bot/models"

	"github.com/secours/secours/configs"
	"github.com/secours/secours/flows"
	"github.com/secours/secours/geo"
)

func TestSplit(t *testing.T) {
	line := strings.Repeat("é", 99) + "\n" // 100 units
	emoji := strings.Repeat("🏢", 3000)     // 6000 units, no space, no line break
	words := strings.Repeat("mot ", 2000)  // 8000 units, spaces
	tests := []struct {
		name   string
		text   string
		limit  int
		pieces int
	}{
		{"short", "Bonjour", maxText, 1},
		{"exactly the limit", strings.Repeat("a", maxText), maxText, 1},
		{"one over", strings.Repeat("a", maxText+1), maxText, 2},
		{"lines", strings.Repeat(line, 100), maxText, 3}, // 40 lines a piece
		{"emoji counts twice", emoji, maxText, 2},
		{"long line at spaces", words, maxText, 2},
		{"invalid UTF-8 kept", strings.Repeat("a\xff", 3000), maxText, 2},
		{"tiny limit", "🏢🏢", 1, 2},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got := split(tt.text, tt.limit)
			if len(got) != tt.pieces {
				t.Errorf("split gave %d pieces, want %d", len(got), tt.pieces)
			}
			if j := strings.Join(got, ""); j != tt.text {
				t.Errorf("pieces do not give the text back")
			}
			for i, p := range got {
				if n := utf16Len(p); n > tt.limit && utf8.RuneCountInString(p) > 1 {
					t.Errorf("piece %d: %d units, over %d", i, n, tt.limit)
				}
				if utf8.ValidString(tt.text) && !utf8.ValidString(p) {
					t.Errorf("piece %d cuts a rune", i)
				}
			}
			if tt.name == "lines" {
				for i, p := range got[:len(got)-1] {
					if !strings.HasSuffix(p, "\n") {
						t.Errorf("piece %d does not end on a line break", i)
					}
				}
			}
			if tt.name == "long line at spaces" && !strings.HasSuffix(got[0], " ") {
				t.Errorf("a line was cut inside a word: …%q", got[0][len(got[0])-8:])
			}
		})
	}
}

func FuzzSplit(f *testing.F) {
	f.Add("Bonjour\nDag", 5)
	f.Add("🏢🏢🏢 é\n\n", 3)
	f.Fuzz(func(t *testing.T, text string, limit int) {
		if limit < 1 || limit > 10000 {
			return
		}
		got := split(text, limit)
		if strings.Join(got, "") != text {
			t.Fatalf("split(%q, %d) = %q: not the text back", text, limit, got)
		}
		for _, p := range got {
			if utf16Len(p) > limit && utf8.RuneCountInString(p) > 1 {
				t.Fatalf("split(%q, %d): piece %q too long", text, limit, p)
			}
			if utf8.ValidString(text) && !utf8.ValidString(p) {
				t.Fatalf("split(%q, %d): piece %q cuts a rune", text, limit, p)
			}
		}
	})
}

func TestParseCommand(t *testing.T) {
	tests := []struct {
		in, cmd, arg string
		ok           bool
	}{
		{"/start", "start", "", true},
		{"/start abc123", "start", "abc123", true},
		{"/start@SecoursBot abc123", "start", "abc123", true},
		{"/START@SecoursBot", "start", "", true},
		{"/aide\nmerci", "aide", "merci", true},
		{"/", "", "", false},
		{"/@SecoursBot", "", "", false},
		{"bonjour /start", "", "", false},
	}
	for _, tt := range tests {
		cmd, arg, ok := parseCommand(tt.in)
		if cmd != tt.cmd || arg != tt.arg || ok != tt.ok {
			t.Errorf("parseCommand(%q) = %q, %q, %v, want %q, %q, %v", tt.in, cmd, arg, ok, tt.cmd, tt.arg, tt.ok)
		}
	}
}

func TestRender(t *testing.T) {
	nav := []flows.Choice{{Key: "nav:back", Label: "↩ Retour"}, {Key: "nav:help", Label: "❓ Aide"}, {Key: "nav:human", Label: "🙋 Une personne"}}
	question := flows.Reply{Text: "Avez-vous internet ?", Question: "internet",
		Choices: []flows.Choice{{Key: "internet:home", Label: "Oui, à la maison"}, {Key: "internet:dk", Label: "Je ne sais pas"}}, Nav: nav}
	location := flows.Reply{Text: "📍 Quel est votre code postal ?", Question: "location", AskLocation: true, LocationBtn: "📍 Partager ma position",
		Choices: []flows.Choice{{Key: "location:not_me", Label: "Ce n'est pas moi"}}, Nav: nav}
	place := flows.PlaceCard{Name: "EPN Voltaire", Kind: "Espace public numérique", Address: "1 rue X, 75011 Paris", Distance: "0,4 km",
		Hours: "Ouvert jusqu'à 17 h", Phone: "01 23 45 67 89", MapURL: "https://www.openstreetmap.org/directions?route=%3B48.85%2C2.37",
		MapLabel: "🧭 Y aller", Loc: geo.Point{Lat: 48.85, Lon: 2.37}}

	t.Run("question", func(t *testing.T) {
		// The plain text goes at the head of the question: one call.
		outs := render([]flows.Reply{{Text: "Merci."}, question}, false)
		if len(outs) != 1 {
			t.Fatalf("%d calls, want 1", len(outs))
		}
		if want := "Merci.\n\n" + question.Text; outs[0].text != want || outs[0].question != "internet" {
			t.Errorf("message %q (question %q), want %q with the question's buttons", outs[0].text, outs[0].question, want)
		}
		kb, ok := outs[0].markup.(*models.InlineKeyboardMarkup)
		if !ok {
			t.Fatalf("question markup %T, want an inline keyboard", outs[0].markup)
		}
		want := `[[{"text":"Oui, à la maison","callback_data":"internet:home"}],[{"text":"Je ne sais pas","callback_data":"internet:dk"}],` +
			`[{"text":"↩ Retour","callback_data":"nav:back"},{"text":"❓ Aide","callback_data":"nav:help"},{"text":"🙋 Une personne","callback_data":"nav:human"}]]`
		if got := buttons(kb); got != want {
			t.Errorf("keyboard\n got %s\nwant %s", got, want)
		}
		// With the location keyboard up, the merged question takes it
		// away and gets its buttons by an edit.
		outs = render([]flows.Reply{{Text: "Merci."}, question}, true)
		if _, ok := outs[0].markup.(*models.ReplyKeyboardRemove); len(outs) != 1 || !ok || outs[0].inline == nil {
			t.Errorf("location keyboard up: %d calls, markup %T: want one, with the removal, then the buttons by an edit", len(outs), outs[0].markup)
		}
	})
	t.Run("plain texts", func(t *testing.T) {
		// Several plain texts become one message; none at all is merged
		// over Telegram's limit.
		outs := render([]flows.Reply{{Text: "Un."}, {Text: "Deux."}, {Text: "Trois."}}, false)
		if len(outs) != 1 || outs[0].text != "Un.\n\nDeux.\n\nTrois." {
			t.Errorf("got %+v, want one message with the three texts", outs)
		}
		if _, ok := outs[0].markup.(*models.ReplyKeyboardRemove); !ok {
			t.Errorf("markup %T, want the removal of any location keyboard", outs[0].markup)
		}
		big := strings.Repeat("a", maxText-3)
		outs = render([]flows.Reply{{Text: big}, {Text: "Deux."}}, false)
		if len(outs) != 2 || outs[0].text != big || outs[1].text != "Deux." {
			t.Errorf("%d calls, want 2: together they pass the limit", len(outs))
		}
		for i, o := range outs {
			if utf16Len(o.text) > maxText {
				t.Errorf("message %d too long", i)
			}
		}
	})
	t.Run("location", func(t *testing.T) {
		outs := render([]flows.Reply{{Text: "Un conseil."}, location}, true)
		if len(outs) != 2 {
			t.Fatalf("%d calls, want 2", len(outs))
		}
		if _, ok := outs[0].markup.(*models.InlineKeyboardMarkup); !ok || outs[0].text != "Un conseil.\n\n"+location.Text {
			t.Errorf("question: %q %T, want the tip then the question, with its choices", outs[0].text, outs[0].markup)
		}
		rk, ok := outs[1].markup.(*models.ReplyKeyboardMarkup)
		if !ok || outs[1].text != location.LocationBtn {
			t.Fatalf("then %q %T, want the button's label with a reply keyboard", outs[1].text, outs[1].markup)
		}
		if b := rk.Keyboard[0][0]; !b.RequestLocation || b.Text != location.LocationBtn || !rk.OneTimeKeyboard {
			t.Errorf("location button = %+v", b)
		}
	})
	t.Run("location without choices", func(t *testing.T) {
		only := location
		only.Choices, only.Nav = nil, nil
		outs := render([]flows.Reply{only}, false)
		if len(outs) != 1 {
			t.Fatalf("%d calls, want 1", len(outs))
		}
		if _, ok := outs[0].markup.(*models.ReplyKeyboardMarkup); !ok {
			t.Errorf("markup %T, want the location keyboard on the question", outs[0].markup)
		}
	})
	t.Run("places", func(t *testing.T) {
		outs := render([]flows.Reply{{Text: "✅ Le lieu le plus proche :", Places: []flows.PlaceCard{place}},
			{Text: "Autres lieux :", Places: []flows.PlaceCard{place, {Name: "Sans position"}}},
			{Places: []flows.PlaceCard{{Name: "Siège de commune", Loc: geo.Point{Lat: 50.6, Lon: 5.5}}}}}, true)
		if len(outs) != 5 {
			t.Fatalf("%d calls, want text, venue, text, venue, text (no venue without a map link)", len(outs))
		}
		want := "✅ Le lieu le plus proche :\n\n🏢 EPN Voltaire\nEspace public numérique\n📍 0,4 km · 1 rue X, 75011 Paris\n" +
			"🕘 Ouvert jusqu'à 17 h\n📞 01 23 45 67 89"
		if outs[0].text != want {
			t.Errorf("card\n%s\nwant\n%s", outs[0].text, want)
		}
		if strings.Contains(outs[0].text, "http") {
			t.Errorf("a link in the card's text:\n%s", outs[0].text)
		}
		if !outs[0].noPreview || outs[1].venue == nil || outs[1].venue.Name != "EPN Voltaire" || outs[3].venue == nil || outs[4].venue != nil {
			t.Errorf("want link previews off and a venue after each reply's text: %+v", outs)
		}
		kb, ok := venueMarkup(outs[1].venue).(*models.InlineKeyboardMarkup)
		if !ok || kb.InlineKeyboard[0][0].URL != place.MapURL || kb.InlineKeyboard[0][0].Text != "🧭 Y aller" {
			t.Errorf("venue markup %+v, want the directions button", venueMarkup(outs[1].venue))
		}
		if !strings.Contains(outs[2].text, "🏢 Sans position") {
			t.Errorf("second card missing:\n%s", outs[2].text)
		}
	})
	t.Run("question after the location step", func(t *testing.T) {
		// "Retour" at the location step: the only message is a question,
		// which must take the location keyboard away and keep its buttons.
		outs := render([]flows.Reply{question}, true)
		if len(outs) != 1 {
			t.Fatalf("%d calls, want 1", len(outs))
		}
		if _, ok := outs[0].markup.(*models.ReplyKeyboardRemove); !ok || outs[0].inline == nil || outs[0].question != "internet" {
			t.Errorf("markup %T, inline %v, question %q: want the removal, then the buttons by an edit", outs[0].markup, outs[0].inline, outs[0].question)
		}
		if outs := render([]flows.Reply{question}, false); outs[0].inline != nil {
			t.Errorf("no location keyboard up: want the question sent as is, got an edit")
		}
		if outs := render([]flows.Reply{location}, true); outs[0].inline != nil {
			t.Errorf("still at the location step: want no removal")
		}
	})
	t.Run("long text", func(t *testing.T) {
		long := question
		long.Text = strings.Repeat("Une ligne de texte assez longue pour remplir.\n", 200)
		outs := render([]flows.Reply{long}, false)
		if len(outs) != 3 {
			t.Fatalf("%d calls, want 3", len(outs))
		}
		for i, o := range outs {
			if utf16Len(o.text) > maxText {
				t.Errorf("piece %d too long", i)
			}
			if _, ok := o.markup.(*models.InlineKeyboardMarkup); ok != (i == 2) {
				t.Errorf("piece %d: keyboard %v, want it on the last piece only", i, ok)
			}
		}
	})
	t.Run("oversized key", func(t *testing.T) {
		r := flows.Reply{Text: "Q", Choices: []flows.Choice{{Key: strings.Repeat("k", 65), Label: "Trop long"}, {Key: "q:a", Label: "A"}}}
		kb := render([]flows.Reply{r}, false)[0].markup.(*models.InlineKeyboardMarkup)
		if len(kb.InlineKeyboard) != 1 || kb.InlineKeyboard[0][0].CallbackData != "q:a" {
			t.Errorf("keyboard %s, want only the button that fits", buttons(kb))
		}
	})
}

func buttons(kb *models.InlineKeyboardMarkup) string {
	type b struct {
		Text string `json:"text"`
		Data string `json:"callback_data"`
	}
	var rows [][]b
	for _, row := range kb.InlineKeyboard {
		var r []b
		for _, x := range row {
			r = append(r, b{x.Text, x.CallbackData})
		}
		rows = append(rows, r)
	}
	out, _ := json.Marshal(rows)
	return string(out)
}

// TestCommandsJSON checks the channel's own text: both languages, the
// four commands with short descriptions, the group line.
func TestCommandsJSON(t *testing.T) {
	all, err := loadTexts(configs.FS)
	if err != nil {
		t.Fatal(err)
	}
	for _, l := range []flows.Lang{flows.FR, flows.NL} {
		for _, c := range []string{"start", "aide", "oubli", "langue"} {
			d := all[l].Commands[c]
			if d == "" || utf8.RuneCountInString(d) > 30 {
				t.Errorf("%s: /%s description %q, want 1–30 characters", l, c, d)
			}
		}
		if all[l].GroupOnly == "" {
			t.Errorf("%s: no group_only line", l)
		}
	}
	if all[flows.FR].GroupOnly == all[flows.NL].GroupOnly {
		t.Errorf("group_only is not translated")
	}
}
