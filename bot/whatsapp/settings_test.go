package whatsapp

import (
	"bytes"
	"errors"
	"log/slog"
	"path/filepath"
	"strings"
	"testing"

	"github.com/secours/secours/bot/channeltest"
)

func TestSettingsLogValue(t *testing.T) {
	var b bytes.Buffer
	slog.New(slog.NewTextHandler(&b, nil)).Info("x", slog.Any("store", Settings{DB: "postgres://u:secret@h/db"}))
	if strings.Contains(b.String(), "secret") || !strings.Contains(b.String(), "store=postgres") {
		t.Errorf("log: %s", b.String())
	}
}

// TestStartNotLinked: the bot refuses a store with no device, naming the
// command to run.
func TestStartNotLinked(t *testing.T) {
	db := filepath.Join(t.TempDir(), "wa.db")
	_, err := Start(t.Context(), Settings{DB: db}, &channeltest.Recorder{}, Options{Log: slog.New(slog.DiscardHandler)})
	if !errors.Is(err, ErrNotLinked) {
		t.Errorf("Start = %v, want ErrNotLinked", err)
	}
	if err == nil || !strings.Contains(err.Error(), "WHATSAPP_DB") || !strings.Contains(err.Error(), "secours whatsapp link") {
		t.Errorf("Start = %v, want it to name WHATSAPP_DB and the command to run", err)
	}
}
