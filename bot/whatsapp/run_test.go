package whatsapp

import (
	"context"
	"errors"
	"log/slog"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"go.mau.fi/whatsmeow"
	"go.mau.fi/whatsmeow/types/events"

	"github.com/secours/secours/bot/channeltest"
	"github.com/secours/secours/bot/whatsapp/watest"
)

// TestConnEvents: the connection's life is logged without ids, and only a
// lost session ends the run.
func TestConnEvents(t *testing.T) {
	tests := []struct {
		evt   any
		log   string
		ended bool
	}{
		{&events.Connected{}, "whatsapp connected", false},
		{&events.Disconnected{}, "reconnecting", false},
		{&events.KeepAliveTimeout{ErrorCount: 2}, "keepalive timeout", false},
		{&events.LoggedOut{Reason: events.ConnectFailureLoggedOut}, "secours whatsapp link", true},
		{&events.StreamReplaced{}, "another process", true},
		{&events.TemporaryBan{Code: events.TempBanSentToTooManyPeople, Expire: time.Hour}, "temporarily banned", false},
		{&events.ConnectFailure{Reason: events.ConnectFailureServiceUnavailable}, "connection refused", false},
		{&events.ClientOutdated{}, "outdated", false},
		{&events.Receipt{}, "", false},
	}
	for _, tt := range tests {
		var logs channeltest.Buffer
		a, _ := newAdapter(t, &channeltest.Recorder{}, slog.New(slog.NewJSONHandler(&logs, nil)))
		err := a.connEvent(tt.evt)
		if ended := err != nil; ended != tt.ended || ended && !errors.Is(err, ErrLoggedOut) {
			t.Errorf("connEvent(%T) = %v, want ended %v", tt.evt, err, tt.ended)
		}
		if !strings.Contains(logs.String(), tt.log) || tt.log == "" && logs.String() != "" {
			t.Errorf("connEvent(%T) logged %q, want %q", tt.evt, logs.String(), tt.log)
		}
	}
}

// TestRetry: the first connection is retried with growing waits until it
// works or the context ends.
func TestRetry(t *testing.T) {
	var logs channeltest.Buffer
	log := slog.New(slog.NewJSONHandler(&logs, nil))
	calls := 0
	err := retry(t.Context(), func() error {
		calls++
		if calls < 4 {
			return errors.New("dial 32470000001: network is unreachable")
		}
		return nil
	}, time.Millisecond, 4*time.Millisecond, log)
	if err != nil || calls != 4 {
		t.Errorf("retry = %v after %d calls, want nil after 4", err, calls)
	}
	if strings.Count(logs.String(), "retrying") != 3 || strings.Contains(logs.String(), "32470000001") {
		t.Errorf("log: %s", logs.String())
	}

	ctx, cancel := context.WithCancel(t.Context())
	n := 0
	err = retry(ctx, func() error {
		if n++; n == 2 {
			cancel()
		}
		return errors.New("down")
	}, time.Millisecond, time.Millisecond, log)
	if err == nil {
		t.Error("retry after cancel = nil")
	}
}

// TestRunNotLinked: an empty store is refused before any connection.
func TestRunNotLinked(t *testing.T) {
	c, err := OpenStore(t.Context(), filepath.Join(t.TempDir(), "wa.db"), nil)
	if err != nil {
		t.Fatal(err)
	}
	defer c.Close()
	a, _ := newAdapter(t, &channeltest.Recorder{}, nil)
	if err := a.Run(t.Context(), whatsmeow.NewClient(watest.FirstDevice(t, c), nil)); !errors.Is(err, ErrNotLinked) {
		t.Errorf("Run with no device = %v, want ErrNotLinked", err)
	}
}

// TestLogger: whatsmeow's lines reach slog as their constant format and
// their errors, never the ids, push names or XML nodes they quote; its
// debug lines not at all.
func TestLogger(t *testing.T) {
	var logs channeltest.Buffer
	l := Logger(slog.New(slog.NewJSONHandler(&logs, &slog.HandlerOptions{Level: slog.LevelDebug})), "client").Sub("Send")
	l.Errorf("Failed to send to %s: %v", "32470000001@s.whatsapp.net", errors.New("no session with 33612345678.0:1@s.whatsapp.net"))
	l.Warnf("Node handling took %s for %s", time.Second, `<message from="32470000001@s.whatsapp.net" notify="Jean Dupont"/>`)
	l.Infof("Got push name %s for %s", "Jean Dupont", "32470000001@s.whatsapp.net")
	l.Debugf("raw message %s", "secret text")
	out := logs.String()
	for _, bad := range []string{"32470000001", "33612345678", "Jean Dupont", "secret text", "notify"} {
		if strings.Contains(out, bad) {
			t.Errorf("log contains %q: %s", bad, out)
		}
	}
	for _, want := range []string{`"event":"Failed to send to %s: %v"`, `"err":"no session with …`, `"sub":"Send"`, `"event":"Node handling took %s for %s"`} {
		if !strings.Contains(out, want) {
			t.Errorf("log lacks %s: %s", want, out)
		}
	}
	if n := strings.Count(out, "\n"); n != 3 {
		t.Errorf("%d lines, want 3 (debug dropped): %s", n, out)
	}

	var quiet channeltest.Buffer
	Logger(slog.New(slog.NewJSONHandler(&quiet, nil)), "client").Infof("Got push name %s", "Jean Dupont")
	if quiet.String() != "" {
		t.Errorf("info line logged at info level: %s", quiet.String())
	}
}
