package probe

import (
	"crypto/tls"
	"crypto/x509"
	"io"
	"log"
	"net"
	"net/http"
	"net/http/httptest"
	"net/netip"
	"sync/atomic"
	"testing"

	"github.com/cfprewarm/cfprewarm/internal/loopback/dnsserver"
)

// tlsServer starts an httptest TLS server (certificate for example.com and
// 127.0.0.1) counting new connections, and returns it with a root pool.
func tlsServer(t *testing.T, h http.Handler, http2 bool) (*httptest.Server, *x509.CertPool, *atomic.Int64) {
	t.Helper()
	return tlsServerWith(t, h, http2, nil)
}

// tlsServerWith is tlsServer with a change to its TLS configuration.
func tlsServerWith(t *testing.T, h http.Handler, http2 bool, change func(*tls.Config)) (*httptest.Server, *x509.CertPool, *atomic.Int64) {
	t.Helper()
	var conns atomic.Int64
	srv := httptest.NewUnstartedServer(h)
	srv.EnableHTTP2 = http2
	srv.Config.ConnState = func(_ net.Conn, s http.ConnState) {
		if s == http.StateNew {
			conns.Add(1)
		}
	}
	if change != nil {
		srv.TLS = &tls.Config{}
		change(srv.TLS)
		srv.Config.ErrorLog = log.New(io.Discard, "", 0) // refused handshakes are the point
	}
	srv.StartTLS()
	t.Cleanup(srv.Close)
	pool := x509.NewCertPool()
	pool.AddCert(srv.Certificate())
	return srv, pool, &conns
}

// hostURL returns https://example.com:<port>/ and the --resolve entry that
// pins it to the server.
func hostURL(srv *httptest.Server) (string, string) {
	_, port, _ := net.SplitHostPort(srv.Listener.Addr().String())
	return "https://example.com:" + port + "/", "example.com:" + port + ":127.0.0.1"
}

// dnsServer answers A queries from table on loopback and NXDOMAIN for
// every other name. It returns host:port.
func dnsServer(t *testing.T, table map[string]netip.Addr) string {
	t.Helper()
	records := map[string][]netip.Addr{}
	for name, ip := range table {
		records[name] = []netip.Addr{ip}
	}
	s := dnsserver.New(records)
	if err := s.Start("127.0.0.1:0"); err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { s.Close() })
	return s.Addr()
}
