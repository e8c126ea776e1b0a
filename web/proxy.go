package web

import (
	"fmt"
	"net"
	"net/http"
	"net/netip"
	"strings"
)

// Proxies are the reverse proxies whose X-Forwarded-For is believed
// (TRUSTED_PROXIES). The zero value trusts none: every request's client is
// its TCP peer.
type Proxies struct {
	nets []netip.Prefix
}

// ParseProxies reads a list of addresses and CIDR prefixes separated by
// commas or spaces: "127.0.0.1, ::1", "10.0.0.0/8 fd00::/8". The empty
// string trusts no proxy. An error names the entry that is neither.
func ParseProxies(s string) (Proxies, error) {
	var p Proxies
	for _, f := range strings.FieldsFunc(s, func(r rune) bool { return r == ',' || r == ' ' || r == '\t' }) {
		if strings.Contains(f, "/") {
			pre, err := netip.ParsePrefix(f)
			if err != nil {
				return Proxies{}, fmt.Errorf("trusted proxy %q: not an address or a CIDR prefix", f)
			}
			p.nets = append(p.nets, pre.Masked())
			continue
		}
		a, err := netip.ParseAddr(f)
		if err != nil {
			return Proxies{}, fmt.Errorf("trusted proxy %q: not an address or a CIDR prefix", f)
		}
		a = a.Unmap()
		p.nets = append(p.nets, netip.PrefixFrom(a, a.BitLen()))
	}
	return p, nil
}

// String lists the prefixes, for a log line.
func (p Proxies) String() string {
	s := make([]string, len(p.nets))
	for i, n := range p.nets {
		s[i] = n.String()
	}
	return strings.Join(s, ",")
}

// trusted reports whether a is one of the proxies.
func (p Proxies) trusted(a netip.Addr) bool {
	a = a.Unmap()
	for _, n := range p.nets {
		if n.Contains(a) {
			return true
		}
	}
	return false
}

// Client is the address r comes from. From a trusted proxy it is the
// right-most hop of X-Forwarded-For that is not itself a trusted proxy:
// each proxy appends the address it got the request from, so the entries
// to the left of that hop are whatever the client wrote and are never
// read. From anyone else, the header is ignored and the client is the TCP
// peer. An unreadable peer (never with net/http) is the invalid Addr.
func (p Proxies) Client(r *http.Request) netip.Addr {
	peer := parseHost(r.RemoteAddr)
	if !peer.IsValid() || !p.trusted(peer) {
		return peer
	}
	hops := r.Header.Values("X-Forwarded-For")
	client := peer
	for i := len(hops) - 1; i >= 0; i-- {
		parts := strings.Split(hops[i], ",")
		for j := len(parts) - 1; j >= 0; j-- {
			a := parseHost(strings.TrimSpace(parts[j]))
			if !a.IsValid() {
				// Written by a trusted proxy yet unreadable: the hop
				// that forwarded it is as far as we can know.
				return client
			}
			if !p.trusted(a) {
				return a.Unmap()
			}
			client = a.Unmap()
		}
	}
	return client
}

// parseHost reads "192.0.2.1", "192.0.2.1:80", "2001:db8::1" or
// "[2001:db8::1]:80".
func parseHost(s string) netip.Addr {
	if a, err := netip.ParseAddr(s); err == nil {
		return a.Unmap()
	}
	host, _, err := net.SplitHostPort(s)
	if err != nil {
		return netip.Addr{}
	}
	a, err := netip.ParseAddr(host)
	if err != nil {
		return netip.Addr{}
	}
	return a.Unmap()
}
