package main

import (
	"bytes"
	"crypto/sha256"
	"encoding/hex"
	"io"
	"strings"
	"testing"

	"github.com/secours/secours/configs"
	"github.com/secours/secours/geo"
	"github.com/secours/secours/store/redis"
	"github.com/secours/secours/store/redis/redistest"
)

func TestNetworkToken(t *testing.T) {
	var out, errb bytes.Buffer
	if code := run([]string{"network", "token", "epn-wallonie"}, nil, &out, &errb, envOf(map[string]string{"BASE_URL": "https://secours.example.org"})); code != 0 {
		t.Fatalf("exit %d: %s", code, errb.String())
	}
	token := strings.TrimSpace(out.String())
	if strings.Contains(token, "\n") || len(token) != 64 {
		t.Fatalf("stdout %q, want one token", out.String())
	}
	sum := sha256.Sum256([]byte(token))
	line := "NETWORK_TOKENS=epn-wallonie:" + hex.EncodeToString(sum[:])
	if !strings.Contains(errb.String(), line+"\n") || strings.Contains(errb.String(), token) {
		t.Errorf("stderr %q: want %q and never the token", errb.String(), line)
	}
	if !strings.Contains(errb.String(), "https://secours.example.org/net/<token>") {
		t.Errorf("no page address in %q", errb.String())
	}
	// The line configures the server: the token opens that network.
	cfg, err := parseConfig(nil, envOf(map[string]string{"NETWORK_TOKENS": strings.TrimPrefix(line, "NETWORK_TOKENS=")}), io.Discard)
	if err != nil {
		t.Fatal(err)
	}
	svc, err := newNetworks(t.Context(), nil, mustOpen(t), geo.NewLive(mustOpen(t), nil), cfg.Referrals.NetworkTokens, nil)
	if err != nil {
		t.Fatal(err)
	}
	if name, ok := svc.Network(token); !ok || name != "epn-wallonie" {
		t.Errorf("Network(token) = %q, %v", name, ok)
	}
	for _, args := range [][]string{{"network"}, {"network", "token"}, {"network", "token", "Bad Name"}} {
		if code := run(args, nil, &out, &errb, envOf(nil)); code != 2 {
			t.Errorf("%v: exit %d, want 2", args, code)
		}
	}
	if _, err := parseConfig(nil, envOf(map[string]string{"NETWORK_TOKENS": "epn:1234"}), io.Discard); err == nil {
		t.Error("a bad NETWORK_TOKENS was accepted")
	}
}

func mustOpen(t *testing.T) *geo.Directory {
	t.Helper()
	d, err := geo.Open(configs.FS)
	if err != nil {
		t.Fatal(err)
	}
	return d
}

// TestCoverageNetworks: "places coverage -redis-url" lists each network's
// places and when each was last confirmed.
func TestCoverageNetworks(t *testing.T) {
	u, prefix := redistest.New(t)
	ctx := t.Context()
	st, err := redis.Open(ctx, u, redis.Options{Prefix: prefix})
	if err != nil {
		t.Fatal(err)
	}
	defer st.Close()
	base := mustOpen(t)
	svc, err := newNetworks(ctx, st, base, geo.NewLive(base, nil), nil, nil)
	if err != nil {
		t.Fatal(err)
	}
	file := "id,nom,commune,code_postal,adresse,latitude,longitude,services,langues\n" +
		"1,EPN Un,Bruxelles,1000,Rue de la Loi 16,50.8466,4.3655,Aide aux démarches administratives,fr\n"
	d, err := svc.Check(ctx, "epn", "lieux.csv", []byte(file), "fr")
	if err != nil {
		t.Fatal(err)
	}
	if _, err := svc.Publish(ctx, "epn", d.ID); err != nil {
		t.Fatal(err)
	}
	var out, errb bytes.Buffer
	args := []string{"places", "coverage", "-country", "BE", "-profile", "autonome", "-redis-url", u, "-redis-prefix", prefix}
	if code := run(args, nil, &out, &errb, envOf(nil)); code != 0 {
		t.Fatalf("exit %d: %s", code, errb.String())
	}
	if !strings.Contains(out.String(), "network epn: 1 places, 0 not confirmed for 12 months") ||
		!strings.Contains(out.String(), "epn/1\tEPN Un\tBruxelles\tconfirmed ") {
		t.Errorf("output lacks the network's places:\n%s", out.String())
	}
}
