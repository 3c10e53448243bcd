package probe

import (
	"net"
	"net/http"
	"net/netip"
	"strings"
	"testing"

	"github.com/cfprewarm/cfprewarm/cloudfront"
)

// Response headers larger than the 1 MiB the probe reads are a protocol
// failure of the server, over HTTP/1.1 and HTTP/2 alike, not "other".
func TestHugeResponseHeadersAreProtocolErrors(t *testing.T) {
	huge := strings.Repeat("x", 2<<20)
	for _, h2 := range []bool{false, true} {
		srv, pool, _ := tlsServer(t, http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
			w.Header().Set("X-Huge", huge)
		}), h2)
		r := probeOnce(t, Config{URL: srv.URL, RootCAs: pool})
		if r.OK() || r.Kind != cloudfront.KindProtocol || r.Phase != PhaseRequest {
			t.Errorf("HTTP/2 %v: kind %q phase %q error %q; want protocol in request", h2, r.Kind, r.Phase, r.Error)
		}
	}
	// The prewarm engine's direct exchange (HTTP/1.1, a new connection
	// per request) holds the same bound.
	srv, pool, _ := tlsServer(t, http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		w.Header().Set("X-Huge", huge)
	}), false)
	r := probeOnce(t, Config{URL: srv.URL, RootCAs: pool, HTTP1: true})
	if r.OK() || r.Kind != cloudfront.KindProtocol || !strings.Contains(r.Error, "headers exceeded") {
		t.Errorf("direct exchange: kind %q error %q; want protocol, headers exceeded", r.Kind, r.Error)
	}
}

// With a DNS server given, a failed lookup names that server, not the
// system's resolver that was never asked.
func TestDNSErrorNamesTheServerAsked(t *testing.T) {
	dnsAddr := dnsServer(t, map[string]netip.Addr{})
	r := probeOnce(t, Config{URL: "https://missing.test/", DNSServer: dnsAddr})
	if r.Kind != cloudfront.KindDNS || !strings.Contains(r.Error, "lookup missing.test on "+dnsAddr+": no such host") {
		t.Errorf("error %q (kind %q): want it to name %s", r.Error, r.Kind, dnsAddr)
	}

	// Without a server the error is the resolver's own; a server without a
	// port is named with :53.
	dnsErr := &net.DNSError{Err: "no such host", Name: "x", Server: "10.0.0.2:53", IsNotFound: true}
	if err := NameServer(dnsErr, ""); err != dnsErr {
		t.Errorf("NameServer with no server changed the error: %v", err)
	}
	if got := NameServer(dnsErr, "127.0.0.1").Error(); got != "lookup x on 127.0.0.1:53: no such host" {
		t.Errorf("NameServer: %q", got)
	}
	if dnsErr.Server != "10.0.0.2:53" {
		t.Errorf("NameServer modified its argument: %+v", dnsErr)
	}
}
