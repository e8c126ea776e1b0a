package share

import (
	"errors"
	"net/url"
	"regexp"
	"strings"
	"testing"

	"github.com/secours/secours/configs"
	"github.com/secours/secours/flows"
)

func newKit(tb testing.TB) *Kit {
	tb.Helper()
	k, err := New(configs.Web, configs.FS)
	if err != nil {
		tb.Fatal(err)
	}
	return k
}

// cleanCase is one input of a function that cleans what a structure
// typed: what it should give, and whether it is accepted.
type cleanCase struct {
	in, want string
	ok       bool
}

// checkClean runs f on every case; a refusal must wrap sentinel.
func checkClean(t *testing.T, name string, f func(string) (string, error), sentinel error, tests []cleanCase) {
	t.Helper()
	for _, tt := range tests {
		got, err := f(tt.in)
		if got != tt.want || (err == nil) != tt.ok {
			t.Errorf("%s(%q) = %q, %v; want %q, ok %v", name, tt.in, got, err, tt.want, tt.ok)
		}
		if err != nil && !errors.Is(err, sentinel) {
			t.Errorf("%s(%q) error %v is not %v", name, tt.in, err, sentinel)
		}
	}
}

func TestUsername(t *testing.T) {
	checkClean(t, "Username", Username, ErrUsername, []cleanCase{
		{"secours_bot", "secours_bot", true},
		{"@SecoursBot", "SecoursBot", true},
		{"  @Secours_2026_bot ", "Secours_2026_bot", true},
		{"abcde", "abcde", true},
		{strings.Repeat("a", 32), strings.Repeat("a", 32), true},
		{"abcd", "", false},
		{strings.Repeat("a", 33), "", false},
		{"", "", false},
		{"@", "", false},
		{"secours-bot", "", false},
		{"secours bot", "", false},
		{"t.me/secours_bot", "", false},
		{"sécours_bot", "", false},
		{"@@secours_bot", "", false},
	})
}

func TestNumber(t *testing.T) {
	checkClean(t, "Number", Number, ErrNumber, []cleanCase{
		{"+32470123456", "32470123456", true},
		{"+32 470 12 34 56", "32470123456", true},
		{"0032 470/12.34.56", "32470123456", true},
		{"+33 6 12 34 56 78", "33612345678", true},
		{"+32 (0)470", "", false}, // 8 digits with a 0 inside: "320470" is too short
		{"32470123456", "32470123456", true},
		{"0470 12 34 56", "", false},
		{"+0470123456", "", false},
		{"+3247", "", false},
		{"+1234567890123456", "", false},
		{"+32 470 12 34 5x", "", false},
		{"", "", false},
		{"+", "", false},
		{"+32\u00a0470\u00a0123456", "32470123456", true},
	})
}

func TestParseLang(t *testing.T) {
	for in, want := range map[string]Lang{"fr": FR, "NL": NL, " both ": Both} {
		if got, ok := ParseLang(in); !ok || got != want {
			t.Errorf("ParseLang(%q) = %q, %v; want %q", in, got, ok, want)
		}
	}
	for _, in := range []string{"", "de", "fr,nl", "auto"} {
		if got, ok := ParseLang(in); ok {
			t.Errorf("ParseLang(%q) = %q, accepted", in, got)
		}
	}
}

// codeRE finds a share code the way flows reads a first message: a code
// standing alone among other words.
var codeRE = regexp.MustCompile(`(?:^|[^a-z0-9])(s[a-z2-7]{10})(?:$|[^a-z0-9])`)

func TestFor(t *testing.T) {
	k := newKit(t)
	const place = "be-epn/marolles"
	code := flows.ShareCode(place)
	tests := []struct {
		name           string
		user, number   string
		lang           Lang
		telegram       string
		whatsappText   string // "" for no WhatsApp link
		whatsappNumber string
	}{
		{"both channels, fr", "@SecoursBot", "+32 470 12 34 56", FR,
			"https://t.me/SecoursBot?start=" + code, "Bonjour Secours ! Code " + code, "32470123456"},
		{"both channels, nl", "SecoursBot", "+32470123456", NL,
			"https://t.me/SecoursBot?start=" + code, "Hallo Secours! Code " + code, "32470123456"},
		{"both languages take the French line", "SecoursBot", "+32470123456", Both,
			"https://t.me/SecoursBot?start=" + code, "Bonjour Secours ! Code " + code, "32470123456"},
		{"telegram only", "SecoursBot", "", FR, "https://t.me/SecoursBot?start=" + code, "", ""},
		{"whatsapp only", "", "+33612345678", FR, "", "Bonjour Secours ! Code " + code, "33612345678"},
		{"bad settings give no link", "no", "0470", FR, "", "", ""},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			l := k.For(place, tt.user, tt.number, tt.lang)
			if l.Code != code {
				t.Errorf("Code = %q, want %q", l.Code, code)
			}
			if l.Telegram != tt.telegram {
				t.Errorf("Telegram = %q, want %q", l.Telegram, tt.telegram)
			}
			if tt.whatsappText == "" {
				if l.WhatsApp != "" {
					t.Errorf("WhatsApp = %q, want none", l.WhatsApp)
				}
				return
			}
			u, err := url.Parse(l.WhatsApp)
			if err != nil {
				t.Fatal(err)
			}
			if u.Scheme != "https" || u.Host != "wa.me" || u.Path != "/"+tt.whatsappNumber {
				t.Errorf("WhatsApp = %q, want https://wa.me/%s", l.WhatsApp, tt.whatsappNumber)
			}
			text := u.Query().Get("text")
			if text != tt.whatsappText {
				t.Errorf("WhatsApp text = %q, want %q", text, tt.whatsappText)
			}
			if m := codeRE.FindStringSubmatch(strings.ToLower(text)); m == nil || m[1] != code {
				t.Errorf("the bot would not find the code in %q", text)
			}
			if strings.Contains(l.WhatsApp, "+") || strings.Contains(l.WhatsApp, " ") {
				t.Errorf("WhatsApp link %q: spaces must be %%20", l.WhatsApp)
			}
		})
	}
}
