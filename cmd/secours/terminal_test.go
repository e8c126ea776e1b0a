package main

import (
	"bytes"
	"errors"
	"io"
	"mime"
	"mime/multipart"
	"net"
	netmail "net/mail"
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	"strings"
	"syscall"
	"testing"
)

// holdDefaultPort keeps 127.0.0.1:8080, the terminal chat's default port,
// taken for the rest of the test, as the README's run command does in
// another terminal. If something else holds it already, so much the
// better: it is taken either way.
func holdDefaultPort(t *testing.T) {
	t.Helper()
	ln, err := net.Listen("tcp", "127.0.0.1:8080")
	if err != nil {
		if !errors.Is(err, syscall.EADDRINUSE) {
			t.Fatalf("hold 127.0.0.1:8080: %v", err)
		}
		return
	}
	t.Cleanup(func() { ln.Close() })
}

// readmeReferral is the README's scripted conversation that ends in a
// referral by message to the first place in Lille.
const readmeReferral = "1\n2\n1\n1\n2\n2\n2\n2\n2\n1\n1\n59000\n1\n1\n1\nJe suis libre le matin\n"

// TestNoChannelEmptyInput runs the real binary with no channel: with a
// standard input empty from the start (a container, a service,
// `secours </dev/null`) it is a configuration error of one line that
// names the variables to set, not a greeting and exit 0 into a restart
// loop; the README's piped conversation still runs (issue 17).
func TestNoChannelEmptyInput(t *testing.T) {
	bin := buildBinary(t)
	empty := filepath.Join(t.TempDir(), "empty.txt")
	if err := os.WriteFile(empty, nil, 0o600); err != nil {
		t.Fatal(err)
	}
	tests := []struct {
		name  string
		stdin func() (io.Reader, error) // nil reader: os/exec gives /dev/null
		code  int
	}{
		{"dev null", func() (io.Reader, error) { return nil, nil }, 2},
		{"empty pipe", func() (io.Reader, error) { return strings.NewReader(""), nil }, 2},
		{"empty file", func() (io.Reader, error) { return os.Open(empty) }, 2},
		{"README conversation", func() (io.Reader, error) { return strings.NewReader(readmeReferral), nil }, 0},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			in, err := tt.stdin()
			if err != nil {
				t.Fatal(err)
			}
			if f, ok := in.(*os.File); ok {
				defer f.Close()
			}
			cmd := exec.Command(bin)
			if in != nil {
				cmd.Stdin = in
			}
			cmd.Env = []string{"HTTP_ADDR=127.0.0.1:0", "OUTBOX_DIR=" + t.TempDir()}
			var stdout, stderr bytes.Buffer
			cmd.Stdout, cmd.Stderr = &stdout, &stderr
			err = cmd.Run()
			code := 0
			if ee, ok := errors.AsType[*exec.ExitError](err); ok {
				code = ee.ExitCode()
			} else if err != nil {
				t.Fatal(err)
			}
			if code != tt.code {
				t.Fatalf("exit %d, want %d\nstdout:\n%s\nstderr:\n%s", code, tt.code, stdout.String(), stderr.String())
			}
			if tt.code == 0 {
				for _, want := range []string{"Bonjour, je suis Secours", "> 59000", "> Je suis libre le matin"} {
					if !strings.Contains(stdout.String(), want) {
						t.Errorf("transcript lacks %q:\n%s", want, stdout.String())
					}
				}
				return
			}
			if stdout.Len() != 0 {
				t.Errorf("greeted nobody:\n%s", stdout.String())
			}
			msg := stderr.String()
			if strings.Count(msg, "\n") != 1 || !strings.Contains(msg, "TELEGRAM_BOT_TOKEN") || !strings.Contains(msg, "WHATSAPP_DB") {
				t.Errorf("stderr should be one line naming TELEGRAM_BOT_TOKEN and WHATSAPP_DB:\n%s", msg)
			}
		})
	}
}

// TestMailLinksOnlyServedPages runs the README's referral in the terminal
// chat and reads the mail the outbox got: its link starts with the
// address really bound (or BASE_URL), and when the default port is held
// by something else, so that no page is served, it has no link at all and
// says how else to answer (issue 17).
func TestMailLinksOnlyServedPages(t *testing.T) {
	holdDefaultPort(t)
	tests := []struct {
		name string
		env  map[string]string
		link string // the link's start; "" none; "bound" the bound address
	}{
		{"default port held", nil, ""},
		{"default port held, BASE_URL", map[string]string{"BASE_URL": "https://secours.example.org"}, ""},
		{"port of the OS", map[string]string{"HTTP_ADDR": "127.0.0.1:0"}, "bound"},
		{"port of the OS, BASE_URL", map[string]string{"HTTP_ADDR": "127.0.0.1:0", "BASE_URL": "https://secours.example.org/"},
			"https://secours.example.org/s/"},
	}
	listening := regexp.MustCompile(`msg="http: listening" addr=127\.0\.0\.1:(\d+)`)
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			box := t.TempDir()
			env := map[string]string{"OUTBOX_DIR": box, "LOG_LEVEL": "info"}
			for k, v := range tt.env {
				env[k] = v
			}
			var stdout, stderr bytes.Buffer
			if code := run(nil, strings.NewReader(readmeReferral), &stdout, &stderr, envOf(env)); code != 0 {
				t.Fatalf("exit %d:\n%s", code, stderr.String())
			}
			mails := outboxMails(t, box) // the new referral's, then the reply's
			text := mails[0][0]
			link := regexp.MustCompile(`https?://[^\s"<>]*/s/[A-Za-z0-9_-]+`).FindString(text)
			want := tt.link
			if want == "bound" {
				m := listening.FindStringSubmatch(stderr.String())
				if m == nil {
					t.Fatalf("no listening line in the log:\n%s", stderr.String())
				}
				want = "http://localhost:" + m[1] + "/s/"
			}
			switch {
			case want == "":
				for _, m := range mails {
					text, html := m[0], m[1]
					if strings.Contains(text+html, "/s/") || strings.Contains(html, "href=") {
						t.Errorf("mail links to a page nobody serves:\n%s", text)
					}
					if !strings.Contains(text, "ne publie pas de page") || !strings.Contains(html, "ne publie pas de page") {
						t.Errorf("mail does not say how else to answer:\n%s", text)
					}
				}
				if !strings.Contains(stderr.String(), "pages are off") {
					t.Errorf("no warning that the pages are off:\n%s", stderr.String())
				}
			case !strings.HasPrefix(link, want):
				t.Errorf("mail link %q, want it to start with %q:\n%s", link, want, text)
			}
		})
	}
}

// outboxMails is the text and HTML parts of each mail in the outbox, by
// name: by time.
func outboxMails(t *testing.T, box string) [][2]string {
	t.Helper()
	files, err := filepath.Glob(filepath.Join(box, "*.eml"))
	if err != nil || len(files) == 0 {
		t.Fatalf("outbox holds %v (%v), want mails", files, err)
	}
	var out [][2]string
	for _, name := range files {
		text, html := readMail(t, name)
		out = append(out, [2]string{text, html})
	}
	return out
}

// readMail is the text and HTML parts of an .eml file.
func readMail(t *testing.T, name string) (text, html string) {
	t.Helper()
	f, err := os.Open(name)
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	msg, err := netmail.ReadMessage(f)
	if err != nil {
		t.Fatal(err)
	}
	_, params, err := mime.ParseMediaType(msg.Header.Get("Content-Type"))
	if err != nil {
		t.Fatal(err)
	}
	mr := multipart.NewReader(msg.Body, params["boundary"])
	var parts []string
	for {
		p, err := mr.NextPart() // undoes quoted-printable
		if errors.Is(err, io.EOF) {
			break
		}
		if err != nil {
			t.Fatal(err)
		}
		b, err := io.ReadAll(p)
		if err != nil {
			t.Fatal(err)
		}
		parts = append(parts, string(b))
	}
	if len(parts) != 2 {
		t.Fatalf("mail has %d parts, want text and HTML", len(parts))
	}
	return parts[0], parts[1]
}
