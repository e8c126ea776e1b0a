package main

import (
	"bytes"
	"image/png"
	"net/http"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"testing"

	"github.com/secours/secours/bot/telegram/telegramtest"
	"github.com/secours/secours/flows"
	"github.com/secours/secours/web/share"
)

// Places of the embedded directory the tests name.
const (
	shareFR = "france-services/1" // France services de Valserhône, with opening hours
	shareNL = "ocmw-vlaanderen/OVO002349"
)

// runShareIn runs the command in a fresh folder and returns the exit
// status, stdout and stderr.
func runShareIn(t *testing.T, env map[string]string, args ...string) (int, string, string) {
	t.Helper()
	t.Chdir(t.TempDir()) // the default -out is relative
	var stdout, stderr bytes.Buffer
	code := runShare(args, &stdout, &stderr, envOf(env))
	return code, stdout.String(), stderr.String()
}

func TestShareCommand(t *testing.T) {
	codeFR, codeNL := flows.ShareCode(shareFR), flows.ShareCode(shareNL)
	tg := "https://t.me/SecoursBot?start="
	tests := []struct {
		name  string
		args  []string
		env   map[string]string
		out   string   // the folder; "" is share-<code>
		files []string // written, in order
		want  []string // in stdout and links.txt
		not   []string
		lang  string // a sentence of the poster's language(s)
	}{
		{name: "by id, both channels from the environment", args: []string{shareFR},
			env:   map[string]string{"TELEGRAM_BOT_USERNAME": "@SecoursBot", "WHATSAPP_NUMBER": "+32 470 00 11 22"},
			out:   "share-" + codeFR,
			files: []string{"telegram.png", "telegram.svg", "whatsapp.png", "whatsapp.svg", "poster.html", "links.txt"},
			want: []string{"France services de Valserhône (" + shareFR + ")", "Code:     " + codeFR, "Telegram: " + tg + codeFR,
				"WhatsApp: https://wa.me/32470001122?text=Bonjour%20Secours%20%21%20Code%20" + codeFR},
			lang: "Un souci avec le numérique"},
		{name: "by name, accents and case aside, flags after it", args: []string{"valserhone", "-out", "affiche", "-lang", "nl", "-telegram-username", "SecoursBot"},
			env:   map[string]string{"WHATSAPP_NUMBER": "+32 470 00 11 22", "TELEGRAM_BOT_USERNAME": "Other_bot"},
			out:   "affiche",
			files: []string{"telegram.png", "telegram.svg", "whatsapp.png", "whatsapp.svg", "poster.html", "links.txt"},
			want:  []string{"Telegram: " + tg + codeFR, "Hallo%20Secours%21%20Code%20" + codeFR}, not: []string{"Other_bot"},
			lang: "Problemen met de computer"},
		{name: "a name in several words, WhatsApp only, Dutch place", args: []string{"OCMW", "Aartselaar", "-whatsapp-number", "0032 470 00 11 22"},
			out:   "share-" + codeNL,
			files: []string{"whatsapp.png", "whatsapp.svg", "poster.html", "links.txt"},
			want:  []string{"OCMW Aartselaar (" + shareNL + ")", "WhatsApp: https://wa.me/32470001122?text=Hallo"}, not: []string{"Telegram:"},
			lang: "Problemen met de computer"},
		{name: "both languages asked", args: []string{shareNL, "-lang", "both", "-telegram-username", "SecoursBot"},
			out: "share-" + codeNL, files: []string{"telegram.png", "telegram.svg", "poster.html", "links.txt"},
			want: []string{"Telegram: " + tg + codeNL}, lang: "Un souci avec le numérique"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			code, stdout, stderr := runShareIn(t, tt.env, tt.args...)
			if code != 0 {
				t.Fatalf("exit %d, stderr:\n%s", code, stderr)
			}
			var written []string
			for _, f := range tt.files {
				path := filepath.Join(tt.out, f)
				written = append(written, path)
				if !strings.Contains(stdout, "  "+path+"\n") {
					t.Errorf("stdout does not name %s:\n%s", path, stdout)
				}
			}
			entries, err := os.ReadDir(tt.out)
			if err != nil {
				t.Fatal(err)
			}
			var names []string
			for _, e := range entries {
				names = append(names, e.Name())
			}
			if got, want := names, slices.Sorted(slices.Values(tt.files)); !slices.Equal(got, want) {
				t.Errorf("files %v, want %v", got, want)
			}
			links, err := os.ReadFile(filepath.Join(tt.out, "links.txt"))
			if err != nil {
				t.Fatal(err)
			}
			for _, s := range tt.want {
				if !strings.Contains(stdout, s) || !strings.Contains(string(links), s) {
					t.Errorf("stdout or links.txt lacks %q:\n%s", s, stdout)
				}
			}
			for _, s := range tt.not {
				if strings.Contains(stdout, s) {
					t.Errorf("stdout holds %q", s)
				}
			}
			poster, err := os.ReadFile(filepath.Join(tt.out, "poster.html"))
			if err != nil {
				t.Fatal(err)
			}
			if !strings.HasPrefix(string(poster), "<!DOCTYPE html>") || !strings.Contains(string(poster), tt.lang) {
				t.Errorf("poster.html is not the %q poster", tt.lang)
			}
			for _, f := range written {
				if !strings.HasSuffix(f, ".png") {
					continue
				}
				b, _ := os.ReadFile(f)
				img, err := png.Decode(bytes.NewReader(b))
				if err != nil {
					t.Fatalf("%s: %v", f, err)
				}
				if r := img.Bounds(); r.Dx() != r.Dy() || r.Dx()%share.PrintScale != 0 {
					t.Errorf("%s is %v: not a square of %d px modules", f, r, share.PrintScale)
				}
			}
		})
	}
}

// TestShareCommandPoster: the poster names the place and its hours.
func TestShareCommandPoster(t *testing.T) {
	code, _, stderr := runShareIn(t, nil, shareFR, "-telegram-username", "SecoursBot", "-out", "p")
	if code != 0 {
		t.Fatalf("exit %d: %s", code, stderr)
	}
	b, err := os.ReadFile(filepath.Join("p", "poster.html"))
	if err != nil {
		t.Fatal(err)
	}
	for _, s := range []string{"<h1>France services de Valserhône</h1>", "Du lundi au jeudi : 9:00–12:00, 13:30–17:00", "Vendredi : 9:00–12:00, 13:30–16:00"} {
		if !strings.Contains(string(b), s) {
			t.Errorf("poster lacks %q", s)
		}
	}
}

func TestShareCommandErrors(t *testing.T) {
	user := map[string]string{"TELEGRAM_BOT_USERNAME": "SecoursBot"}
	tests := []struct {
		name string
		args []string
		env  map[string]string
		code int
		want []string // in stderr
	}{
		{"no channel", []string{shareFR}, nil, 2, []string{"TELEGRAM_BOT_USERNAME", "WHATSAPP_NUMBER"}},
		{"no place", nil, user, 2, []string{"Usage:"}},
		{"unknown place", []string{"Nulle Part Sur Terre"}, user, 1, []string{`no place has the id "Nulle Part Sur Terre"`}},
		{"several places", []string{"ocmw"}, user, 2, []string{"places match \"ocmw\"; give one id:", "cpas-be/21001  CPAS / OCMW Anderlecht", "… and "}},
		{"bad lang", []string{shareFR, "-lang", "de"}, user, 2, []string{"-lang"}},
		{"bad username", []string{shareFR, "-telegram-username", "x"}, nil, 2, []string{"TELEGRAM_BOT_USERNAME"}},
		{"national number", []string{shareFR}, map[string]string{"WHATSAPP_NUMBER": "0470 00 11 22"}, 2, []string{"WHATSAPP_NUMBER", "country code"}},
		{"unknown flag", []string{shareFR, "-colour", "red"}, user, 2, []string{"-colour"}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			code, stdout, stderr := runShareIn(t, tt.env, tt.args...)
			if code != tt.code {
				t.Errorf("exit %d, want %d; stderr:\n%s", code, tt.code, stderr)
			}
			for _, s := range tt.want {
				if !strings.Contains(stderr, s) {
					t.Errorf("stderr lacks %q:\n%s", s, stderr)
				}
			}
			if stdout != "" {
				t.Errorf("stdout on failure:\n%s", stdout)
			}
			if entries, _ := os.ReadDir("."); len(entries) != 0 {
				t.Errorf("files written on failure: %v", entries)
			}
		})
	}
	// An ambiguous name lists at most 10 places.
	_, _, stderr := runShareIn(t, user, "ocmw")
	if n := strings.Count(stderr, "\n  cpas-be/") + strings.Count(stderr, "\n  ocmw-vlaanderen/"); n != maxListed {
		t.Errorf("%d places listed, want %d:\n%s", n, maxListed, stderr)
	}
	// Help is not an error.
	for _, args := range [][]string{{"help"}, {"-h"}} {
		if code, _, stderr := runShareIn(t, nil, args...); code != 0 || !strings.Contains(stderr, "Usage:") {
			t.Errorf("%v: exit %d, stderr:\n%s", args, code, stderr)
		}
	}
}

// TestShareCommandAsksTelegram: with a token and no username, the
// command asks the Bot API (the fake) with getMe, and never prints the
// token, even when Telegram refuses it.
func TestShareCommandAsksTelegram(t *testing.T) {
	srv := telegramtest.New(telegramtest.Options{})
	defer srv.Close()
	env := map[string]string{"TELEGRAM_BOT_TOKEN": srv.Token, "TELEGRAM_API_URL": srv.URL}

	code, stdout, stderr := runShareIn(t, env, shareFR)
	if code != 0 {
		t.Fatalf("exit %d: %s", code, stderr)
	}
	if want := "Telegram: https://t.me/SecoursTestBot?start=" + flows.ShareCode(shareFR); !strings.Contains(stdout, want) {
		t.Errorf("stdout lacks %q:\n%s", want, stdout)
	}
	if n := len(srv.CallsTo("getMe")); n != 1 {
		t.Errorf("%d getMe calls, want 1", n)
	}

	// A username given wins: no call.
	if code, _, _ := runShareIn(t, map[string]string{"TELEGRAM_BOT_TOKEN": srv.Token, "TELEGRAM_API_URL": srv.URL,
		"TELEGRAM_BOT_USERNAME": "SecoursBot"}, shareFR); code != 0 || len(srv.CallsTo("getMe")) != 1 {
		t.Errorf("exit %d, %d getMe calls: the username should have been used", code, len(srv.CallsTo("getMe")))
	}

	srv.Fail("getMe", telegramtest.Failure{Code: http.StatusUnauthorized, Description: "Unauthorized"})
	code, stdout, stderr = runShareIn(t, env, shareFR)
	if code != 1 || !strings.Contains(stderr, "TELEGRAM_BOT_TOKEN") {
		t.Errorf("refused token: exit %d, stderr:\n%s", code, stderr)
	}
	if strings.Contains(stdout+stderr, srv.Token) || strings.Contains(stdout+stderr, strings.SplitN(srv.Token, ":", 2)[1]) {
		t.Errorf("the token was printed:\n%s%s", stdout, stderr)
	}

	// An unreachable server: an error, not a hang, and no token either.
	code, _, stderr = runShareIn(t, map[string]string{"TELEGRAM_BOT_TOKEN": srv.Token, "TELEGRAM_API_URL": "http://127.0.0.1:1"}, shareFR)
	if code != 1 || strings.Contains(stderr, srv.Token) {
		t.Errorf("unreachable API: exit %d, stderr:\n%s", code, stderr)
	}
}
