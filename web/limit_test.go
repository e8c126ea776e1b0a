package web

import (
	"fmt"
	"net/http/httptest"
	"net/netip"
	"testing"
	"time"
)

func TestParseProxies(t *testing.T) {
	tests := []struct {
		in      string
		want    string
		wantErr bool
	}{
		{"", "", false},
		{"127.0.0.1", "127.0.0.1/32", false},
		{"127.0.0.1, ::1", "127.0.0.1/32,::1/128", false},
		{"10.1.2.3/8 fd00::/8", "10.0.0.0/8,fd00::/8", false},
		{"::ffff:10.0.0.1", "10.0.0.1/32", false},
		{"localhost", "", true},
		{"10.0.0.0/33", "", true},
		{"127.0.0.1,,", "127.0.0.1/32", false},
	}
	for _, tt := range tests {
		p, err := ParseProxies(tt.in)
		if (err != nil) != tt.wantErr {
			t.Errorf("ParseProxies(%q) error = %v, want error %v", tt.in, err, tt.wantErr)
			continue
		}
		if err == nil && p.String() != tt.want {
			t.Errorf("ParseProxies(%q) = %q, want %q", tt.in, p.String(), tt.want)
		}
	}
}

func TestClient(t *testing.T) {
	proxies, err := ParseProxies("127.0.0.1, 10.0.0.0/8, ::1")
	if err != nil {
		t.Fatal(err)
	}
	tests := []struct {
		name    string
		proxies Proxies
		remote  string
		xff     []string
		want    string
	}{
		{"no proxy trusted: the peer", Proxies{}, "127.0.0.1:4000", []string{"203.0.113.9"}, "127.0.0.1"},
		{"untrusted peer's header ignored", proxies, "198.51.100.7:4000", []string{"203.0.113.9"}, "198.51.100.7"},
		{"Caddy: one hop", proxies, "127.0.0.1:4000", []string{"203.0.113.9"}, "203.0.113.9"},
		{"client's lie on the left is skipped", proxies, "127.0.0.1:4000", []string{"1.2.3.4, 203.0.113.9"}, "203.0.113.9"},
		{"two proxies: right-most untrusted", proxies, "127.0.0.1:4000", []string{"1.2.3.4, 203.0.113.9, 10.0.0.5"}, "203.0.113.9"},
		{"header lines in order", proxies, "127.0.0.1:4000", []string{"1.2.3.4", "203.0.113.9"}, "203.0.113.9"},
		{"trusted proxy, no header: the proxy", proxies, "127.0.0.1:4000", nil, "127.0.0.1"},
		{"all hops trusted: the farthest", proxies, "127.0.0.1:4000", []string{"10.0.0.7, 10.0.0.5"}, "10.0.0.7"},
		{"garbage after a trusted hop: that hop", proxies, "127.0.0.1:4000", []string{"1.2.3.4, junk, 10.0.0.5"}, "10.0.0.5"},
		{"IPv6 client with port", proxies, "[::1]:4000", []string{"[2001:db8::7]:5555"}, "2001:db8::7"},
		{"mapped IPv4 peer", proxies, "[::ffff:127.0.0.1]:4000", []string{"203.0.113.9"}, "203.0.113.9"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			r := httptest.NewRequest("GET", "/", nil)
			r.RemoteAddr = tt.remote
			for _, v := range tt.xff {
				r.Header.Add("X-Forwarded-For", v)
			}
			if got := tt.proxies.Client(r); got.String() != tt.want {
				t.Errorf("Client = %s, want %s", got, tt.want)
			}
		})
	}
}

func TestLimiter(t *testing.T) {
	t0 := time.Date(2026, 3, 12, 13, 5, 0, 0, time.UTC)
	l := NewLimiter(2, 10*time.Minute, 100)
	a := netip.MustParseAddr("203.0.113.9")
	for range 2 {
		if _, blocked := l.Blocked(a, t0); blocked {
			t.Fatal("blocked before the limit")
		}
		l.Fail(a, t0)
	}
	if wait, blocked := l.Blocked(a, t0.Add(time.Minute)); !blocked || wait != 9*time.Minute {
		t.Errorf("Blocked after 2 failures = %s, %v; want 9m, true", wait, blocked)
	}
	if _, blocked := l.Blocked(netip.MustParseAddr("203.0.113.10"), t0); blocked {
		t.Error("another address is blocked")
	}
	if _, blocked := l.Blocked(a, t0.Add(10*time.Minute)); blocked {
		t.Error("still blocked after the window")
	}
	// One IPv6 subscriber's /64 is one client.
	l.Fail(netip.MustParseAddr("2001:db8:1:2::1"), t0)
	l.Fail(netip.MustParseAddr("2001:db8:1:2:ffff::9"), t0)
	if _, blocked := l.Blocked(netip.MustParseAddr("2001:db8:1:2::abcd"), t0); !blocked {
		t.Error("a /64 that failed twice is not blocked")
	}
	if _, blocked := l.Blocked(netip.MustParseAddr("2001:db8:1:3::1"), t0); blocked {
		t.Error("the next /64 is blocked")
	}
}

func TestLimiterIsBounded(t *testing.T) {
	t0 := time.Date(2026, 3, 12, 13, 5, 0, 0, time.UTC)
	l := NewLimiter(1, time.Minute, 3)
	addr := func(i int) netip.Addr { return netip.MustParseAddr(fmt.Sprintf("10.0.0.%d", i)) }
	for i := range 10 {
		l.Fail(addr(i), t0.Add(time.Duration(i)*time.Second))
	}
	if n := l.Len(); n > 3 {
		t.Errorf("limiter holds %d addresses, want at most 3", n)
	}
	if _, blocked := l.Blocked(addr(9), t0.Add(10*time.Second)); !blocked {
		t.Error("the newest address was evicted")
	}
	l.Fail(addr(200), t0.Add(2*time.Minute)) // every window has ended
	if n := l.Len(); n != 1 {
		t.Errorf("ended windows kept: %d addresses", n)
	}
}
