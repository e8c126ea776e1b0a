package testkit

import (
	"net"
	"testing"
)

// FreeAddr returns a loopback host:port that nothing listens on now: for
// a server the test starts later, or for a connection that must be
// refused. Another process may take it meanwhile; tests live with that.
func FreeAddr(tb testing.TB) string {
	tb.Helper()
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		tb.Fatal(err)
	}
	defer ln.Close()
	return ln.Addr().String()
}
