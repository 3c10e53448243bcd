package probe

import (
	"context"
	"fmt"
	"github.com/cfprewarm/cfprewarm/cloudfront"
	"net"
	"net/http"
	"net/netip"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"time"
)

func TestProbeTimingsAndHeaders(t *testing.T) {
	const serverDelay = 60 * time.Millisecond
	var pragma atomic.Value
	srv, pool, conns := tlsServer(t, http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		pragma.Store(r.Header.Get("Pragma"))
		time.Sleep(serverDelay)
		w.Header().Set("X-Amz-Cf-Id", "abc123==")
		w.Header().Set("X-Amz-Cf-Pop", "HKG62-C1")
		w.Header().Set("X-Cache", "Miss from cloudfront")
		w.Header().Set("Via", "1.1 0123.cloudfront.net (CloudFront)")
		w.Header().Add("Server-Timing", `cdn-upstream-layer;desc="EDGE",cdn-upstream-dns;dur=0`)
		w.Header().Add("Server-Timing", `cdn-upstream-connect;dur=37,cdn-upstream-fbl;dur=191,x-custom;dur=3;foo=bar`)
		w.(http.Flusher).Flush()
		time.Sleep(serverDelay)
		fmt.Fprint(w, "hello")
	}), true)
	url, resolve := hostURL(srv)
	p, err := NewProber(Config{URL: url, Resolve: []string{resolve}, RootCAs: pool, ServerTiming: true})
	if err != nil {
		t.Fatal(err)
	}
	r := p.Probe(context.Background(), 1)
	if !r.OK() {
		t.Fatalf("probe failed: %s", r.Error)
	}
	if pragma.Load() != "server-timing" {
		t.Errorf("Pragma sent = %q, want server-timing", pragma.Load())
	}
	tm := r.Timings
	if !(tm.NameLookup <= tm.Connect && tm.Connect < tm.AppConnect && tm.AppConnect < tm.StartTransfer && tm.StartTransfer < tm.Total) {
		t.Errorf("timings not increasing: %+v", tm)
	}
	if ph := tm.Phases(); ph.Server < serverDelay || ph.Transfer < serverDelay {
		t.Errorf("server %v and transfer %v should each be at least the server's delay %v", ph.Server, ph.Transfer, serverDelay)
	}
	if r.Status != 200 || r.Proto != "HTTP/2.0" || r.BodyBytes != 5 || r.TLSVersion != "TLS 1.3" {
		t.Errorf("status %d proto %q body %d tls %q", r.Status, r.Proto, r.BodyBytes, r.TLSVersion)
	}
	want := cloudfront.Headers{ID: "abc123==", POP: "HKG62-C1", Cache: "Miss from cloudfront", Via: "1.1 0123.cloudfront.net (CloudFront)"}
	if r.CloudFront != want {
		t.Errorf("cloudfront = %+v, want %+v", r.CloudFront, want)
	}
	if r.Origin != cloudfront.OriginCold || r.UpstreamConnect != 37*time.Millisecond {
		t.Errorf("origin %v upstream %v, want cold 37ms", r.Origin, r.UpstreamConnect)
	}
	if len(r.ServerTiming) != 5 || r.ServerTiming[4].Name != "x-custom" || r.ServerTiming[4].Params["foo"] != "bar" {
		t.Errorf("server timing metrics = %+v", r.ServerTiming)
	}
	if r.RemoteAddr != srv.Listener.Addr().String() {
		t.Errorf("remote %q, want %q", r.RemoteAddr, srv.Listener.Addr())
	}
	if conns.Load() != 1 {
		t.Errorf("connections = %d", conns.Load())
	}
}

func TestProbeOriginStates(t *testing.T) {
	for _, tc := range []struct {
		header string
		want   cloudfront.OriginConn
	}{
		{"cdn-upstream-connect;dur=0,cdn-upstream-fbl;dur=12", cloudfront.OriginWarm},
		{"cdn-upstream-connect;dur=12.5", cloudfront.OriginCold},
		{"cdn-cache-miss", cloudfront.OriginUnknown},
		{"", cloudfront.OriginUnknown},
	} {
		srv, pool, _ := tlsServer(t, http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
			if tc.header != "" {
				w.Header().Set("Server-Timing", tc.header)
			}
		}), false)
		r := probeOnce(t, Config{URL: srv.URL, RootCAs: pool})
		if r.Origin != tc.want {
			t.Errorf("%q: origin %v, want %v", tc.header, r.Origin, tc.want)
		}
	}
}

func probeOnce(t *testing.T, cfg Config) Result {
	t.Helper()
	p, err := NewProber(cfg)
	if err != nil {
		t.Fatal(err)
	}
	defer p.Close()
	return p.Probe(context.Background(), 1)
}

func TestNoServerTimingPragma(t *testing.T) {
	srv, pool, _ := tlsServer(t, http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if r.Header.Get("Pragma") != "" {
			w.WriteHeader(http.StatusTeapot)
		}
	}), false)
	if r := probeOnce(t, Config{URL: srv.URL, RootCAs: pool}); r.Status != 200 {
		t.Errorf("Pragma sent although ServerTiming is off (status %d)", r.Status)
	}
}

func TestNewConnectionPerProbeAndReuse(t *testing.T) {
	for _, h2 := range []bool{false, true} {
		srv, pool, conns := tlsServer(t, http.HandlerFunc(func(http.ResponseWriter, *http.Request) {}), h2)
		results, err := Run(context.Background(), Config{URL: srv.URL, RootCAs: pool, Count: 3}, nil)
		if err != nil {
			t.Fatal(err)
		}
		if conns.Load() != 3 {
			t.Errorf("h2=%v: %d connections for 3 probes, want 3", h2, conns.Load())
		}
		for _, r := range results {
			if r.Reused || r.Timings.AppConnect <= r.Timings.Connect {
				t.Errorf("h2=%v probe %d: reused=%v timings %+v", h2, r.Seq, r.Reused, r.Timings)
			}
		}

		conns.Store(0)
		results, _ = Run(context.Background(), Config{URL: srv.URL, RootCAs: pool, Count: 3, Reuse: true}, nil)
		if conns.Load() != 1 {
			t.Errorf("h2=%v reuse: %d connections, want 1", h2, conns.Load())
		}
		if results[0].Reused || !results[1].Reused || !results[2].Reused {
			t.Errorf("h2=%v reuse flags %v %v %v", h2, results[0].Reused, results[1].Reused, results[2].Reused)
		}
		if tm := results[2].Timings; tm.NameLookup != 0 || tm.Connect != 0 || tm.AppConnect != 0 || tm.Total <= 0 {
			t.Errorf("h2=%v reused probe should have no dns/connect/tls: %+v", h2, tm)
		}
	}
}

func TestHTTPVersionByALPN(t *testing.T) {
	srv, pool, _ := tlsServer(t, http.HandlerFunc(func(http.ResponseWriter, *http.Request) {}), true)
	if r := probeOnce(t, Config{URL: srv.URL, RootCAs: pool}); r.Proto != "HTTP/2.0" {
		t.Errorf("default proto %q, want HTTP/2.0", r.Proto)
	}
	if r := probeOnce(t, Config{URL: srv.URL, RootCAs: pool, HTTP1: true}); r.Proto != "HTTP/1.1" {
		t.Errorf("--http1.1 proto %q", r.Proto)
	}
}

func TestPinningKeepsSNIAndHost(t *testing.T) {
	var host atomic.Value
	srv, pool, _ := tlsServer(t, http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		host.Store(r.Host + " " + r.TLS.ServerName)
	}), false)
	_, port, _ := net.SplitHostPort(srv.Listener.Addr().String())
	cases := []Config{
		{URL: "https://example.com:" + port + "/", Resolve: []string{"example.com:" + port + ":127.0.0.1"}},
		{URL: "https://example.com/", ConnectTo: []string{"example.com:443:127.0.0.1:" + port}},
		{URL: "https://example.com/", ConnectTo: []string{"::pop.test:" + port}, Resolve: []string{"pop.test:" + port + ":127.0.0.1"}},
		{URL: "https://example.com/", Address: "127.0.0.1:" + port},
		{URL: "https://example.com:" + port + "/", DNSServer: dnsServer(t, map[string]netip.Addr{"example.com.": netip.MustParseAddr("127.0.0.1")})},
	}
	for i, cfg := range cases {
		cfg.RootCAs = pool
		host.Store("")
		r := probeOnce(t, cfg)
		if !r.OK() {
			t.Errorf("case %d: %s", i, r.Error)
			continue
		}
		if got := host.Load().(string); !strings.HasPrefix(got, "example.com") || !strings.HasSuffix(got, " example.com") {
			t.Errorf("case %d: server saw Host and SNI %q, want example.com", i, got)
		}
	}
}

func TestProbeFailuresNamePhase(t *testing.T) {
	slow, slowPool, _ := tlsServer(t, http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		select {
		case <-time.After(2 * time.Second):
		case <-r.Context().Done():
		}
	}), false)
	// A port nobody listens on.
	l, _ := net.Listen("tcp", "127.0.0.1:0")
	closedPort := l.Addr().(*net.TCPAddr).Port
	l.Close()
	dnsAddr := dnsServer(t, map[string]netip.Addr{})
	_, slowPort, _ := net.SplitHostPort(slow.Listener.Addr().String())

	cases := []struct {
		name  string
		cfg   Config
		phase Phase
		kind  cloudfront.ErrorKind
	}{
		{"dns", Config{URL: "https://missing.test/", DNSServer: dnsAddr}, PhaseDNS, cloudfront.KindDNS},
		{"refused", Config{URL: fmt.Sprintf("https://127.0.0.1:%d/", closedPort)}, PhaseConnect, cloudfront.KindRefused},
		{"untrusted", Config{URL: slow.URL}, PhaseTLS, cloudfront.KindTLS},
		{"wrong name", Config{URL: "https://wrong.test:" + slowPort + "/", Resolve: []string{"wrong.test:" + slowPort + ":127.0.0.1"}, RootCAs: slowPool}, PhaseTLS, cloudfront.KindTLS},
		{"timeout", Config{URL: slow.URL, RootCAs: slowPool, Timeout: 200 * time.Millisecond}, PhaseRequest, cloudfront.KindTimeout},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			r := probeOnce(t, tc.cfg)
			if r.OK() || r.Phase != tc.phase || r.Kind != tc.kind {
				t.Fatalf("got phase %q kind %q error %q; want %q %q", r.Phase, r.Kind, r.Error, tc.phase, tc.kind)
			}
			if strings.Contains(r.Error, "\n") || !strings.HasPrefix(r.Error, string(tc.phase)+": ") {
				t.Errorf("error should be one line starting with the phase: %q", r.Error)
			}
		})
	}
}

func TestSeriesGoesOnAfterFailureAndStopsOnCancel(t *testing.T) {
	var n atomic.Int64
	srv, pool, _ := tlsServer(t, http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if n.Add(1) == 2 {
			hj, _ := w.(http.Hijacker)
			c, _, _ := hj.Hijack()
			c.Close() // the second probe fails
		}
	}), false)
	results, err := Run(context.Background(), Config{URL: srv.URL, RootCAs: pool, Count: 3, Interval: 10 * time.Millisecond}, nil)
	if err != nil {
		t.Fatal(err)
	}
	if len(results) != 3 || !results[0].OK() || results[1].OK() || !results[2].OK() {
		t.Fatalf("want ok, failed, ok; got %d results", len(results))
	}

	ctx, cancel := context.WithCancel(context.Background())
	var seen int
	results, _ = Run(ctx, Config{URL: srv.URL, RootCAs: pool, Count: 100, Interval: 20 * time.Millisecond}, func(Result) {
		if seen++; seen == 2 {
			cancel()
		}
	})
	if len(results) != 2 {
		t.Errorf("canceled series returned %d results, want the 2 that finished", len(results))
	}
}

func TestValidate(t *testing.T) {
	for _, tc := range []struct {
		cfg  Config
		want string
	}{
		{Config{}, "a URL is required"},
		{Config{URL: "ftp://x/"}, `unsupported scheme "ftp"`},
		{Config{URL: "example.com/"}, "no scheme"},
		{Config{URL: "https://x/", Method: "POST"}, "method"},
		{Config{URL: "https://x/", Resolve: []string{"x:443"}}, "--resolve"},
		{Config{URL: "https://x/", Resolve: []string{"x:443:notanip"}}, "not an IP"},
		{Config{URL: "https://x/", ConnectTo: []string{"x:443:y"}}, "--connect-to"},
		{Config{URL: "https://x/", Count: -1, Interval: -time.Second}, "count -1"},
		{Config{URL: "https://x:99999/"}, "out of range"},
	} {
		err := tc.cfg.Validate()
		if err == nil || !strings.Contains(err.Error(), tc.want) {
			t.Errorf("%+v: error %v, want it to mention %q", tc.cfg, err, tc.want)
		}
	}
	if err := (Config{URL: "https://x/", Resolve: []string{"x:443:[::1],127.0.0.1"}, ConnectTo: []string{"::y:"}}).Validate(); err != nil {
		t.Errorf("valid config refused: %v", err)
	}
}

// A Prober is safe for concurrent use: the lab's viewers and the prewarm
// engine call Probe from many goroutines at once (run with -race).
func TestConcurrentProbes(t *testing.T) {
	srv, pool, _ := tlsServer(t, http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {}), true)
	p, err := NewProber(Config{URL: srv.URL, RootCAs: pool})
	if err != nil {
		t.Fatal(err)
	}
	defer p.Close()
	var wg sync.WaitGroup
	results := make([]Result, 8)
	for i := range results {
		wg.Go(func() { results[i] = p.Probe(context.Background(), i+1) })
	}
	wg.Wait()
	for _, r := range results {
		if !r.OK() || r.Proto != "HTTP/2.0" {
			t.Errorf("probe %d: %s %q", r.Seq, r.Proto, r.Error)
		}
	}
}
