package main

import (
	"bytes"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/secours/secours/bot/whatsapp"
	"github.com/secours/secours/bot/whatsapp/watest"
)

func TestWhatsAppConfig(t *testing.T) {
	dir := t.TempDir()
	db := filepath.Join(dir, "wa.db")
	tests := []configCase[whatsapp.Settings]{
		{name: "off"},
		{name: "sqlite", env: map[string]string{"WHATSAPP_DB": db}, want: whatsapp.Settings{DB: db}},
		{name: "flag wins", args: []string{"-whatsapp-db", db}, env: map[string]string{"WHATSAPP_DB": "other.db"}, want: whatsapp.Settings{DB: db}},
		{name: "sqlite URI", env: map[string]string{"WHATSAPP_DB": "file:" + db + "?_pragma=journal_mode(WAL)"},
			want: whatsapp.Settings{DB: "file:" + db + "?_pragma=journal_mode(WAL)"}},
		{name: "postgres", env: map[string]string{"WHATSAPP_DB": "postgres://secours:pw@db.internal/secours"},
			want: whatsapp.Settings{DB: "postgres://secours:pw@db.internal/secours"}},
		{name: "missing folder", env: map[string]string{"WHATSAPP_DB": filepath.Join(dir, "nope", "wa.db")}, bad: []string{"WHATSAPP_DB"}},
		{name: "bad postgres URL", env: map[string]string{"WHATSAPP_DB": "postgres://secours:pw@/x"}, bad: []string{"WHATSAPP_DB"}},
	}
	// The password of the postgres URLs.
	runConfigCases(t, tests, []string{"pw"}, func(t *testing.T, c Config, want whatsapp.Settings) {
		if c.WhatsApp != want {
			t.Errorf("WhatsApp = %+v, want %+v", c.WhatsApp, want)
		}
	})
}

// TestWhatsAppLinkArgs checks what the link command refuses before any
// connection.
func TestWhatsAppLinkArgs(t *testing.T) {
	dir := t.TempDir()
	tests := []struct {
		name string
		args []string
		code int
		err  string
	}{
		{"no subcommand", nil, 2, "secours whatsapp link"},
		{"unknown subcommand", []string{"pair"}, 2, "secours whatsapp link"},
		{"help", []string{"help"}, 0, "Linked devices"},
		{"link help", []string{"link", "-h"}, 0, "-phone"},
		{"national number", []string{"link", "-phone", "0470 12 34 56"}, 2, "+32"},
		{"letters", []string{"link", "-phone", "+32 470 AB 34 56"}, 2, "digits"},
		{"short FR", []string{"link", "-phone", "+33 6 12 34"}, 2, "+33"},
		{"extra argument", []string{"link", "now"}, 2, "unexpected"},
		{"missing folder", []string{"link", "-whatsapp-db", filepath.Join(dir, "no", "wa.db")}, 2, "does not exist"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			var out, errb bytes.Buffer
			code := run(append([]string{"whatsapp"}, tt.args...), strings.NewReader(""), &out, &errb, envOf(nil))
			if code != tt.code || !strings.Contains(errb.String()+out.String(), tt.err) {
				t.Errorf("exit %d, stderr %q; want %d and %q", code, errb.String(), tt.code, tt.err)
			}
		})
	}
}

// linkedStore makes a store that holds a device, as after a link.
func linkedStore(t *testing.T) string {
	t.Helper()
	db := filepath.Join(t.TempDir(), "wa.db")
	c, err := whatsapp.OpenStore(t.Context(), db, nil)
	if err != nil {
		t.Fatal(err)
	}
	defer c.Close()
	watest.SaveDevice(t, c)
	return db
}

// TestWhatsAppLinkAlreadyLinked: a store with a device is not paired
// again (and nothing connects).
func TestWhatsAppLinkAlreadyLinked(t *testing.T) {
	db := linkedStore(t)
	var out, errb bytes.Buffer
	code := run([]string{"whatsapp", "link"}, strings.NewReader(""), &out, &errb, envOf(map[string]string{"WHATSAPP_DB": db}))
	if code != 1 || !strings.Contains(errb.String(), "already holds a linked device") {
		t.Errorf("exit %d, stderr %q", code, errb.String())
	}
}

// TestWhatsAppNotLinked: the bot refuses a store with no device, naming
// the variable and the command to run.
func TestWhatsAppNotLinked(t *testing.T) {
	db := filepath.Join(t.TempDir(), "wa.db")
	var out, errb bytes.Buffer
	code := run(nil, strings.NewReader(""), &out, &errb, envOf(map[string]string{"WHATSAPP_DB": db}))
	if code != 1 || !strings.Contains(errb.String(), "WHATSAPP_DB") || !strings.Contains(errb.String(), "secours whatsapp link") {
		t.Errorf("exit %d, stderr %q", code, errb.String())
	}
	if fi, err := os.Stat(db); err != nil || fi.Mode().Perm() != 0o600 {
		t.Errorf("store %v, %v; want a 0600 file", fi, err)
	}
}
