package probe

import (
	"crypto/x509"
	"net"
	"net/http"
	"net/http/httptest"
	"net/netip"
	"strings"
	"sync/atomic"
	"testing"

	"github.com/miekg/dns"
)

// tlsServer starts an httptest TLS server (certificate for example.com and
// 127.0.0.1) counting new connections, and returns it with a root pool.
func tlsServer(t *testing.T, h http.Handler, http2 bool) (*httptest.Server, *x509.CertPool, *atomic.Int64) {
	t.Helper()
	var conns atomic.Int64
	srv := httptest.NewUnstartedServer(h)
	srv.EnableHTTP2 = http2
	srv.Config.ConnState = func(_ net.Conn, s http.ConnState) {
		if s == http.StateNew {
			conns.Add(1)
		}
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

// dnsServer answers A queries from table on a loopback UDP port and
// NXDOMAIN for every other name. It returns host:port.
func dnsServer(t *testing.T, table map[string]netip.Addr) string {
	t.Helper()
	pc, err := net.ListenPacket("udp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	mux := dns.HandlerFunc(func(w dns.ResponseWriter, req *dns.Msg) {
		m := new(dns.Msg)
		m.SetReply(req)
		q := req.Question[0]
		ip, ok := table[strings.ToLower(q.Name)]
		switch {
		case !ok:
			m.Rcode = dns.RcodeNameError
		case q.Qtype == dns.TypeA && ip.Is4():
			m.Answer = append(m.Answer, &dns.A{
				Hdr: dns.RR_Header{Name: q.Name, Rrtype: dns.TypeA, Class: dns.ClassINET, Ttl: 1},
				A:   ip.AsSlice(),
			})
		}
		w.WriteMsg(m)
	})
	s := &dns.Server{PacketConn: pc, Handler: mux}
	go s.ActivateAndServe()
	t.Cleanup(func() { s.Shutdown() })
	return pc.LocalAddr().String()
}
