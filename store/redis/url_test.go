package redis

import (
	"crypto/tls"
	"net"
	"reflect"
	"strings"
	"testing"

	goredis "github.com/redis/go-redis/v9"
)

func TestParseURL(t *testing.T) {
	tls12 := &tls.Config{MinVersion: tls.VersionTLS12}
	tests := []struct {
		in   string
		want goredis.UniversalOptions
	}{
		{"redis://127.0.0.1:6379/0", goredis.UniversalOptions{Addrs: []string{"127.0.0.1:6379"}}},
		{"redis://localhost", goredis.UniversalOptions{Addrs: []string{"localhost:6379"}}},
		{"redis://localhost/", goredis.UniversalOptions{Addrs: []string{"localhost:6379"}}},
		{"redis://:s3cret@redis.internal:6380/3", goredis.UniversalOptions{
			Addrs: []string{"redis.internal:6380"}, Password: "s3cret", DB: 3}},
		{"redis://bot:p%40ss%2Fw@redis.internal/1", goredis.UniversalOptions{
			Addrs: []string{"redis.internal:6379"}, Username: "bot", Password: "p@ss/w", DB: 1}},
		{"redis://[::1]:7000/2", goredis.UniversalOptions{Addrs: []string{"[::1]:7000"}, DB: 2}},
		{"redis://[::1]", goredis.UniversalOptions{Addrs: []string{"[::1]:6379"}}},
		{"rediss://:pw@cache.example.org:6380/0", goredis.UniversalOptions{
			Addrs: []string{"cache.example.org:6380"}, Password: "pw", TLSConfig: tls12}},
		{"redis://h?client_name=secours&pool_size=20", goredis.UniversalOptions{
			Addrs: []string{"h:6379"}, ClientName: "secours", PoolSize: 20}},
		{"redis+sentinel://:pw@10.0.0.1,10.0.0.2:26380,10.0.0.3/mymaster/1", goredis.UniversalOptions{
			Addrs:      []string{"10.0.0.1:26379", "10.0.0.2:26380", "10.0.0.3:26379"},
			MasterName: "mymaster", Password: "pw", DB: 1}},
		{"redis+sentinel://s1:26379/mymaster?sentinel_password=spw", goredis.UniversalOptions{
			Addrs: []string{"s1:26379"}, MasterName: "mymaster", SentinelPassword: "spw"}},
		{"rediss+sentinel://s1,s2/m", goredis.UniversalOptions{
			Addrs: []string{"s1:26379", "s2:26379"}, MasterName: "m", TLSConfig: tls12}},
		{"redis+cluster://10.0.1.1:7000,10.0.1.2:7000,10.0.1.3:7000", goredis.UniversalOptions{
			Addrs: []string{"10.0.1.1:7000", "10.0.1.2:7000", "10.0.1.3:7000"}, IsClusterMode: true}},
		{"redis+cluster://:pw@c1:7000/0", goredis.UniversalOptions{
			Addrs: []string{"c1:7000"}, Password: "pw", IsClusterMode: true}},
		{"rediss+cluster://c1,c2", goredis.UniversalOptions{
			Addrs: []string{"c1:6379", "c2:6379"}, IsClusterMode: true, TLSConfig: tls12}},
		{"redis://c1:7000,c2:7000?cluster=1", goredis.UniversalOptions{
			Addrs: []string{"c1:7000", "c2:7000"}, IsClusterMode: true}},
		{"redis://c1:7000?cluster=true", goredis.UniversalOptions{
			Addrs: []string{"c1:7000"}, IsClusterMode: true}},
	}
	for _, tt := range tests {
		got, err := ParseURL(tt.in)
		if err != nil {
			t.Errorf("ParseURL(%q) error = %v", tt.in, err)
			continue
		}
		if !reflect.DeepEqual(*got, tt.want) {
			t.Errorf("ParseURL(%q) =\n%+v\nwant\n%+v", tt.in, *got, tt.want)
		}
	}
}

func TestParseURLErrors(t *testing.T) {
	tests := []struct {
		in, want string // want: a part of the error message
	}{
		{"127.0.0.1:6379", "missing scheme"},
		{"http://h:6379", "unknown scheme"},
		{"redis+ring://h", "unknown scheme"},
		{"redis://h:notaport/0", "bad port"},
		{"redis://h:0", "bad port"},
		{"redis://h:70000", "bad port"},
		{"redis://h/x", "not a number"},
		{"redis://h/-1", "not a number"},
		{"redis://h/1/2", "path must be /db"},
		{"redis://", "empty host"},
		{"redis://a,,b?cluster=1", "empty host"},
		{"redis://a,b", "several hosts"},
		{"redis://::1:6379", "brackets"},
		{"redis://[::1", "missing ]"},
		{"redis://[::1]x", "after ]"},
		{"redis://h?db=1", `unknown parameter "db"`},
		{"redis://h?cluster=yes", "want 1 or 0"},
		{"redis://h?pool_size=0", "pool_size"},
		{"redis://h?sentinel_password=x", "sentinel_password without"},
		{"redis+sentinel://s1,s2", "sentinel path"},
		{"redis+sentinel://s1/m/1/2", "sentinel path"},
		{"redis+sentinel://s1/m?cluster=1", "cluster=1 with"},
		{"redis+cluster://c1/3", "database 0 only"},
		{"redis://h#frag", "fragment"},
		{"redis://h h", "bad host name"},
	}
	for _, tt := range tests {
		_, err := ParseURL(tt.in)
		if err == nil {
			t.Errorf("ParseURL(%q) error = nil, want one with %q", tt.in, tt.want)
			continue
		}
		if !strings.Contains(err.Error(), tt.want) {
			t.Errorf("ParseURL(%q) error = %q, want one with %q", tt.in, err, tt.want)
		}
	}
}

// TestParseURLErrorsHidePassword checks that a mistyped URL does not put
// its password in the error, which gets logged.
func TestParseURLErrorsHidePassword(t *testing.T) {
	const pw = "Zq7hunter2"
	for _, in := range []string{
		"redis://:" + pw + "@h:bad/0",
		"redis://:" + pw + "@h/x",
		"redis://:" + pw + "@h?nope=1",
		"redis://:" + pw + "%zz@h",     // bad escape in the userinfo
		"redis://:" + pw + "/x@h:6379", // unescaped "/" in the password
		"redis://:" + pw + "?x@h:6379", // unescaped "?"
		"redis://:" + pw + "#x@h:6379", // unescaped "#"
		"redis+sentinel://:" + pw + "@s1",
		"redis+cluster://:" + pw + "@c1/5",
		"redis://:" + pw + "@h\x7f",
	} {
		_, err := ParseURL(in)
		if err == nil {
			t.Errorf("ParseURL(%q) error = nil, want one", in)
			continue
		}
		if strings.Contains(err.Error(), "hunter") {
			t.Errorf("ParseURL(%q) error = %q names the password", in, err)
		}
	}
}

func FuzzParseURL(f *testing.F) {
	for _, s := range []string{
		"redis://127.0.0.1:6379/0", "rediss://:pw@h:6380/2", "redis+sentinel://a,b:1/m/3",
		"redis+cluster://a:1,b:2", "redis://[::1]:1?cluster=1", "redis://u:p@h?pool_size=3",
	} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, in string) {
		o, err := ParseURL(in)
		if err != nil {
			return
		}
		if len(o.Addrs) == 0 {
			t.Fatalf("ParseURL(%q): no address and no error", in)
		}
		for _, a := range o.Addrs {
			h, p, err := net.SplitHostPort(a)
			if err != nil || h == "" || p == "" {
				t.Fatalf("ParseURL(%q): address %q does not dial: %v", in, a, err)
			}
		}
		if o.DB < 0 || o.IsClusterMode && (o.DB != 0 || o.MasterName != "") {
			t.Fatalf("ParseURL(%q) = %+v: inconsistent", in, o)
		}
	})
}
