package probe

import (
	"context"
	"crypto/tls"
	"crypto/x509"
	"fmt"
	"net/http"
	"net/netip"
	"strings"
	"sync/atomic"
	"testing"
	"time"

	"github.com/cfprewarm/cfprewarm/cloudfront"
	"github.com/cfprewarm/cfprewarm/internal/loopback/dnsserver"
)

// The prewarm engine's probes: new HTTP/1.1 connections by the direct
// exchange, resuming TLS 1.2 sessions from a shared cache; every probe is a
// new TCP connection with the whole request and response.
func TestDirectExchangeResumesTLS12(t *testing.T) {
	var got []*http.Request
	srv, pool, conns := tlsServer(t, http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		got = append(got, r)
		w.Header().Set("Server-Timing", `cdn-upstream-connect;dur=0`)
		w.Header().Set("Via", cloudfront.Via("0123456789abcdef0123456789abcdef"))
		w.Write([]byte("hello"))
	}), false)
	url, resolve := hostURL(srv)
	p, err := NewProber(Config{URL: url, Resolve: []string{resolve}, RootCAs: pool, HTTP1: true, ServerTiming: true,
		UserAgent: "cfprewarm-test", Header: http.Header{"X-Prewarm": {"1"}},
		TLS: TLSTuning{Sessions: tls.NewLRUClientSessionCache(2), MaxVersion: tls.VersionTLS12, Curves: []tls.CurveID{tls.X25519}}})
	if err != nil {
		t.Fatal(err)
	}
	var results []Result
	for i := range 3 {
		results = append(results, p.Probe(context.Background(), i+1))
	}
	for i, r := range results {
		if !r.OK() || r.Status != 200 || r.BodyBytes != 5 || r.Proto != "HTTP/1.1" || r.TLSVersion != "TLS 1.2" || r.TLSResumed != (i > 0) {
			t.Errorf("probe %d: %+v, want a TLS 1.2 answer, resumed after the first", i+1, r)
		}
		if r.Origin != cloudfront.OriginWarm || r.CloudFront.EdgeHost() == "" {
			t.Errorf("probe %d: origin %v via %q", i+1, r.Origin, r.CloudFront.Via)
		}
		tm := r.Timings
		if !(tm.Connect <= tm.AppConnect && tm.AppConnect < tm.StartTransfer && tm.StartTransfer <= tm.Total) {
			t.Errorf("probe %d: timings out of order: %+v", i+1, tm)
		}
	}
	if conns.Load() != 3 || len(got) != 3 {
		t.Errorf("%d connections for %d requests, want a new connection per probe", conns.Load(), len(got))
	}
	r := got[0]
	if !r.Close || r.Header.Get("Pragma") != "server-timing" || r.UserAgent() != "cfprewarm-test" || r.Header.Get("X-Prewarm") != "1" ||
		r.Host != strings.TrimSuffix(strings.TrimPrefix(url, "https://"), "/") {
		t.Errorf("request %s Host %q headers %v close %v", r.Method, r.Host, r.Header, r.Close)
	}
}

// A server that speaks only TLS 1.3 (CloudFront's TLSv1.3_2025 policy)
// refuses a TLS 1.2 hello: the prober redials with TLS 1.3 within the same
// probe and keeps to it.
func TestTLS12FallsBackToTLS13(t *testing.T) {
	ok := http.HandlerFunc(func(w http.ResponseWriter, _ *http.Request) { w.Write([]byte("ok")) })
	srv, pool, conns := tlsServerWith(t, ok, false, func(c *tls.Config) { c.MinVersion = tls.VersionTLS13 })
	url, resolve := hostURL(srv)
	p, err := NewProber(Config{URL: url, Resolve: []string{resolve}, RootCAs: pool, HTTP1: true,
		TLS: TLSTuning{Sessions: tls.NewLRUClientSessionCache(2), MaxVersion: tls.VersionTLS12}})
	if err != nil {
		t.Fatal(err)
	}
	for i := range 2 {
		if r := p.Probe(context.Background(), i+1); !r.OK() || r.TLSVersion != "TLS 1.3" {
			t.Errorf("probe %d: %v %q, want TLS 1.3", i+1, r.Error, r.TLSVersion)
		}
	}
	if n := conns.Load(); n != 3 {
		t.Errorf("%d connections, want 3: one refused, then TLS 1.3 for both probes", n)
	}
}

// A probe that cannot finish in its timeout by the direct exchange fails
// as a timeout, one canceled by its caller as canceled.
func TestDirectExchangeTimeoutAndCancel(t *testing.T) {
	block := make(chan struct{})
	srv, pool, _ := tlsServer(t, http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		select {
		case <-block:
		case <-r.Context().Done():
		}
	}), false)
	defer close(block)
	url, resolve := hostURL(srv)
	p, err := NewProber(Config{URL: url, Resolve: []string{resolve}, RootCAs: pool, HTTP1: true, Timeout: 200 * time.Millisecond})
	if err != nil {
		t.Fatal(err)
	}
	if r := p.Probe(context.Background(), 1); r.Kind != cloudfront.KindTimeout || r.Phase != PhaseRequest {
		t.Errorf("timeout: kind %q phase %q error %q", r.Kind, r.Phase, r.Error)
	}
	ctx, cancel := context.WithCancel(context.Background())
	time.AfterFunc(50*time.Millisecond, cancel)
	if r := p.Probe(ctx, 2); r.Kind != cloudfront.KindCanceled {
		t.Errorf("canceled: kind %q error %q", r.Kind, r.Error)
	}
}

// The subnet lookup sends EDNS Client Subnet: the lab DNS answers by it.
func TestLookupSubnet(t *testing.T) {
	s := dnsserver.New(map[string][]netip.Addr{"d111.cloudfront.net": {netip.MustParseAddr("127.0.0.2")}})
	s.SetSubnet("d111.cloudfront.net", netip.MustParsePrefix("198.51.100.0/24"), []netip.Addr{netip.MustParseAddr("127.0.0.3"), netip.MustParseAddr("::1")})
	if err := s.Start("127.0.0.1:0"); err != nil {
		t.Fatal(err)
	}
	defer s.Close()
	ctx := context.Background()
	for _, c := range []struct {
		subnet string
		ipv    int
		want   string
	}{{"198.51.100.9/24", 0, "[127.0.0.3 ::1]"}, {"198.51.100.0/24", 4, "[127.0.0.3]"}, {"192.0.2.0/24", 0, "[127.0.0.2]"}} {
		got, err := LookupSubnet(ctx, s.Addr(), "d111.cloudfront.net", netip.MustParsePrefix(c.subnet), c.ipv)
		if err != nil || fmt.Sprint(got) != c.want {
			t.Errorf("LookupSubnet(%s, IPv%d) = %v, %v; want %s", c.subnet, c.ipv, got, err, c.want)
		}
	}
	if _, err := LookupSubnet(ctx, s.Addr(), "nope.cloudfront.net", netip.MustParsePrefix("198.51.100.0/24"), 0); err == nil || !strings.Contains(err.Error(), "no such host") {
		t.Errorf("unknown name: %v", err)
	}
}

// AfterHandshake is an option of one probe: its callback runs once the
// probe's TLS 1.2 handshake succeeded and before its request reaches the
// server; not for TLS 1.3 (the ticket comes later), not when the handshake
// fails, and never for another probe of the same prober.
func TestAfterHandshakeOption(t *testing.T) {
	var served atomic.Int64
	ok := http.HandlerFunc(func(w http.ResponseWriter, _ *http.Request) { served.Add(1); w.Write([]byte("ok")) })
	srv, pool, _ := tlsServer(t, ok, false)
	url, resolve := hostURL(srv)
	newProber := func(maxVersion uint16, roots *x509.CertPool) *Prober {
		p, err := NewProber(Config{URL: url, Resolve: []string{resolve}, RootCAs: roots, HTTP1: true,
			TLS: TLSTuning{Sessions: tls.NewLRUClientSessionCache(2), MaxVersion: maxVersion}})
		if err != nil {
			t.Fatal(err)
		}
		return p
	}
	var calls []int64 // requests the server had served at each call
	after := AfterHandshake(func() { calls = append(calls, served.Load()) })

	p12 := newProber(tls.VersionTLS12, pool)
	if r := p12.Probe(context.Background(), 1, after); !r.OK() || r.TLSVersion != "TLS 1.2" {
		t.Fatalf("TLS 1.2 probe: %v %q", r.Error, r.TLSVersion)
	}
	if len(calls) != 1 || calls[0] != 0 {
		t.Errorf("TLS 1.2: calls %v, want one call before the request was served", calls)
	}
	if r := p12.Probe(context.Background(), 2); !r.OK() || len(calls) != 1 {
		t.Errorf("a probe without the option: %v, calls %v; want no call", r.Error, calls)
	}

	calls = nil
	if r := newProber(tls.VersionTLS13, pool).Probe(context.Background(), 1, after); !r.OK() || len(calls) != 0 {
		t.Errorf("TLS 1.3: %v, calls %v; want no call", r.Error, calls)
	}
	if r := newProber(tls.VersionTLS12, x509.NewCertPool()).Probe(context.Background(), 1, after); r.Kind != cloudfront.KindTLS || len(calls) != 0 {
		t.Errorf("failed handshake: kind %q, calls %v; want a TLS failure and no call", r.Kind, calls)
	}
}
