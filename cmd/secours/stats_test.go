package main

import (
	"bytes"
	"crypto/sha256"
	"encoding/base64"
	"encoding/csv"
	"encoding/hex"
	"strings"
	"testing"
	"time"

	"github.com/secours/secours/flows"
	"github.com/secours/secours/store/redis"
	"github.com/secours/secours/store/redis/redistest"
)

func TestStatsToken(t *testing.T) {
	var out, errb bytes.Buffer
	if code := runStats([]string{"token"}, &out, &errb, envOf(map[string]string{"BASE_URL": "https://secours.example.org/"})); code != 0 {
		t.Fatalf("exit %d: %s", code, errb.String())
	}
	lines := strings.Split(strings.TrimSpace(out.String()), "\n")
	if len(lines) != 2 {
		t.Fatalf("output %q, want the token and the setting", out.String())
	}
	raw, err := base64.RawURLEncoding.DecodeString(lines[0])
	if err != nil || len(raw) != 32 {
		t.Errorf("token %q: %d bytes, %v; want 32 bytes of base64url", lines[0], len(raw), err)
	}
	sum := sha256.Sum256([]byte(lines[0]))
	if want := "OBSERVATORY_TOKEN_SHA256=" + hex.EncodeToString(sum[:]); lines[1] != want {
		t.Errorf("setting %q, want %q", lines[1], want)
	}
	if !strings.Contains(errb.String(), "https://secours.example.org/obs/<token>") {
		t.Errorf("no page address in %q", errb.String())
	}
	out.Reset()
	if runStats([]string{"token"}, &out, &errb, envOf(nil)); strings.Split(out.String(), "\n")[0] == lines[0] {
		t.Error("two tokens alike")
	}
	if code := runStats([]string{"token", "extra"}, &out, &errb, envOf(nil)); code != 2 {
		t.Errorf("token extra: exit %d, want 2", code)
	}
}

func TestStatsUsage(t *testing.T) {
	tests := []struct {
		args []string
		env  map[string]string
		code int
		want string
	}{
		{[]string{"-h"}, nil, 0, "secours stats token"},
		{[]string{"-from", "2026-05", "-to", "2026-01"}, map[string]string{"REDIS_URL": "redis://127.0.0.1:1"}, 2, "-from is after -to"},
		{[]string{"-from", "2026-5"}, map[string]string{"REDIS_URL": "redis://127.0.0.1:1"}, 2, `"2026-5" is not a month`},
		{[]string{"-from", "2000-01", "-to", "2026-01"}, map[string]string{"REDIS_URL": "redis://127.0.0.1:1"}, 2, "at most 120 months"},
		{[]string{"-lang", "en"}, nil, 2, "want fr or nl"},
		{[]string{"extra"}, nil, 2, "Usage:"},
		{nil, nil, 2, "REDIS_URL is not set"},
	}
	for _, tt := range tests {
		var out, errb bytes.Buffer
		code := runStats(tt.args, &out, &errb, envOf(tt.env))
		if code != tt.code || !strings.Contains(errb.String(), tt.want) {
			t.Errorf("stats %q: exit %d, stderr %q; want %d and %q", tt.args, code, errb.String(), tt.code, tt.want)
		}
		if strings.Contains(errb.String(), "redis-prefix") {
			t.Errorf("stats %q: the hidden flag shows", tt.args)
		}
	}
}

func TestStatsRedis(t *testing.T) {
	u, prefix := redistest.New(t)
	st, err := redis.Open(t.Context(), u, redis.Options{Prefix: prefix})
	if err != nil {
		t.Fatal(err)
	}
	defer st.Close()
	months := []string{"2026-01", "2026-02"}
	for _, m := range months {
		for _, tl := range []flows.Tally{
			{Month: m, Area: "", Counts: map[string]int{flows.MetricStarted: 30}},
			{Month: m, Area: "BE:Antwerpen", Counts: map[string]int{flows.MetricFinished: 20, flows.MetricProfile + "autonome": 12,
				flows.MetricProfile + "grand_debutant": 8, flows.MetricNeed + "job": 20, flows.MetricRefSent: 9}},
			{Month: m, Area: "BE:Liège", Counts: map[string]int{flows.MetricFinished: 2, flows.MetricProfile + "autonome": 2,
				flows.MetricNeed + "health": 2}},
		} {
			if err := st.Record(t.Context(), tl); err != nil {
				t.Fatal(err)
			}
		}
	}
	env := envOf(map[string]string{"REDIS_URL": u})
	base := []string{"-from", "2026-01", "-to", "2026-02", "-redis-prefix", prefix}

	var out, errb bytes.Buffer
	if code := runStats(base, &out, &errb, env); code != 0 {
		t.Fatalf("exit %d: %s", code, errb.String())
	}
	text := out.String()
	for _, want := range []string{"De janvier 2026 à février 2026", "Toutes les communes", "Antwerpen (BE)", "Liège (BE)", "<5", "60", "Total"} {
		if !strings.Contains(text, want) {
			t.Errorf("table lacks %q:\n%s", want, text)
		}
	}
	// Liège's 4 conversations are hidden, so Antwerpen's 40 would give
	// them away from the total of 44: hidden too.
	for _, l := range strings.Split(text, "\n") {
		if strings.HasPrefix(l, "Antwerpen (BE)") && strings.Contains(l, " 40 ") {
			t.Errorf("Antwerpen shows 40 beside a hidden Liège and a total of 44: %q", l)
		}
	}

	out.Reset()
	if code := runStats(append(base, "-csv", "-lang", "nl", "-area", "BE:Antwerpen"), &out, &errb, env); code != 0 {
		t.Fatalf("csv: exit %d: %s", code, errb.String())
	}
	rd := csv.NewReader(strings.NewReader(strings.TrimPrefix(out.String(), "\uFEFF")))
	rd.Comma = ';'
	recs, err := rd.ReadAll()
	if err != nil {
		t.Fatalf("csv does not read back: %v\n%s", err, out.String())
	}
	if recs[0][0] != "Tabel" || recs[1][1] != "Antwerpen (BE)" || recs[1][4] != "40" {
		t.Errorf("csv %q", recs[:2])
	}

	out.Reset()
	if code := runStats([]string{"-from", "2024-01", "-to", "2024-02", "-redis-prefix", prefix}, &out, &errb, env); code != 0 ||
		!strings.Contains(out.String(), "Aucun compte pour cette période.") {
		t.Errorf("empty range: exit %d, %q", code, out.String())
	}
}

// TestStatsDefaultRange reads the last 12 months when no range is given.
func TestStatsDefaultRange(t *testing.T) {
	u, prefix := redistest.New(t)
	var out, errb bytes.Buffer
	if code := runStats([]string{"-redis-prefix", prefix}, &out, &errb, envOf(map[string]string{"REDIS_URL": u})); code != 0 {
		t.Fatalf("exit %d: %s", code, errb.String())
	}
	now := time.Now()
	if want := flows.MonthOf(now)[:4]; !strings.Contains(out.String(), want) {
		t.Errorf("default range does not reach this year %s:\n%s", want, out.String())
	}
}
