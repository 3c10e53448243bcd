package edge

import (
	"context"
	"crypto/tls"
	"errors"
	"net"
	"net/http"
	"strconv"
	"strings"
	"sync"
	"syscall"
	"testing"
	"time"

	"github.com/cfprewarm/cfprewarm/cloudfront"
)

// Each fault as a viewer meets it: a client with the lab CA, a new
// connection per request.

func TestFaultRefuse(t *testing.T) {
	t.Parallel()
	cert := issue(t, newCA(t), "*.cloudfront.net")
	pop, err := New(Config{POP: testPOP, OriginAddr: "127.0.0.1:1", OriginHost: originName, Cert: cert, Faults: Faults{Refuse: true}})
	if err != nil {
		t.Fatal(err)
	}
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	if err := pop.Serve(context.Background(), ln); err != nil {
		t.Fatalf("Serve: %v", err)
	}
	_, err = net.DialTimeout("tcp", ln.Addr().String(), 5*time.Second)
	if !errors.Is(err, syscall.ECONNREFUSED) {
		t.Errorf("dial a refusing POP: %v, want connection refused", err)
	}
	if s := pop.Stats(); s.ViewerConns != 0 {
		t.Errorf("stats %+v, want no connection", s.Counters)
	}
}

// A POP with a certificate for another name: the handshake begins, the
// viewer rejects the certificate, no request is made.
func TestFaultWrongCertificate(t *testing.T) {
	t.Parallel()
	ca := newCA(t)
	l := newLab(t, ca, Config{Cert: issue(t, ca, "wrong.example.test")})
	_, err := l.viewer(t, true, false, nil).client.Get("https://" + testDist + "/")
	var verr *tls.CertificateVerificationError
	if !errors.As(err, &verr) {
		t.Fatalf("GET: %v, want a certificate verification error", err)
	}
	if s := l.pop.Stats(); s.ViewerConns != 1 || s.TLSHandshakes != 1 || s.Requests != 0 || s.OriginConnsOpened != 0 {
		t.Errorf("stats %+v, want 1 connection and handshake, no request", s.Counters)
	}
}

// A slow POP answers after its delay; a viewer that gives up first gets no
// answer, and the origin is not contacted for it.
func TestFaultDelay(t *testing.T) {
	t.Parallel()
	const delay = 200 * time.Millisecond
	ended := make(chan struct{}, 2)
	onRequest := func(*http.Request) func() { return func() { ended <- struct{}{} } }
	l := newLab(t, newCA(t), Config{Faults: Faults{Delay: delay}, OnRequest: onRequest})
	v := l.viewer(t, true, false, nil)
	start := time.Now()
	resp, _ := v.get(t, "/")
	if took := time.Since(start); resp.StatusCode != 200 || took < delay {
		t.Errorf("status %d after %v, want 200 after at least %v", resp.StatusCode, took, delay)
	}
	if down := timing(t, resp, "cdn-downstream-fbl"); down < int(delay/time.Millisecond) {
		t.Errorf("cdn-downstream-fbl %d ms, want the delay in it", down)
	}
	<-ended

	v.client.Timeout = delay / 4
	if _, err := v.client.Get("https://" + testDist + "/"); err == nil {
		t.Fatal("a viewer with a timeout shorter than the delay got an answer")
	}
	select {
	case <-ended:
	case <-time.After(5 * time.Second):
		t.Fatal("the abandoned request did not end")
	}
	if s := l.pop.Stats(); s.Requests != 2 || s.OriginConnsOpened != 1 || s.Errors != 0 || l.origin.connCount() != 1 {
		t.Errorf("stats %+v, origin saw %d connections: want 2 requests, only the first at the origin", s.Counters, l.origin.connCount())
	}
}

func TestFaultAnswerAs(t *testing.T) {
	t.Parallel()
	const other = "CDG52-P1"
	l := newLab(t, newCA(t), Config{Faults: Faults{AnswerAs: other}})
	resp, _ := l.viewer(t, true, false, nil).get(t, "/")
	var pop string
	for _, m := range cloudfront.ParseServerTiming(resp.Header.Get("Server-Timing")) {
		if m.Name == cloudfront.MetricPOP {
			pop = m.Desc
		}
	}
	if resp.StatusCode != 200 || resp.Header.Get("X-Amz-Cf-Pop") != other || pop != other {
		t.Errorf("status %d, x-amz-cf-pop %q, cdn-pop %q; want 200 from %s", resp.StatusCode, resp.Header.Get("X-Amz-Cf-Pop"), pop, other)
	}
}

// A POP answering its own 5xx: CloudFront's error page and headers, no
// upstream metrics, the origin not contacted.
func TestFaultStatus(t *testing.T) {
	t.Parallel()
	l := newLab(t, newCA(t), Config{Faults: Faults{Status: http.StatusServiceUnavailable}})
	v := l.viewer(t, true, false, nil)
	for _, method := range []string{"GET", "HEAD"} {
		req, _ := http.NewRequest(method, "https://"+testDist+"/", nil)
		req.Header.Set("Pragma", "server-timing")
		resp, body := v.do(t, req)
		h := cloudfront.ReadHeaders(resp.Header)
		if resp.StatusCode != 503 || h.Cache != cloudfront.CacheError || h.POP != testPOP || h.EdgeHost() == "" || h.ID == "" {
			t.Errorf("%s: status %d, headers %+v; want 503 with CloudFront's headers and x-cache %q", method, resp.StatusCode, h, cloudfront.CacheError)
		}
		if method == "GET" && (!strings.Contains(string(body), "503 ERROR") || !strings.Contains(string(body), h.ID)) {
			t.Errorf("error page lacks the status or the request id:\n%s", body)
		}
		st := resp.Header.Get("Server-Timing")
		if o, _ := cloudfront.OriginFromMetrics(cloudfront.ParseServerTiming(st)); o != cloudfront.OriginUnknown || !strings.Contains(st, `cdn-pop;desc="`+testPOP+`"`) {
			t.Errorf("Server-Timing %q: want cdn-pop and no upstream metrics", st)
		}
	}
	if s := l.pop.Stats(); s.Requests != 2 || s.Errors != 2 || s.OriginConnsOpened != 0 || l.origin.connCount() != 0 {
		t.Errorf("stats %+v: want 2 requests answered with errors, no origin connection", s.Counters)
	}
}

// The counters and the hook tests of viewers rely on: handshakes, requests
// per listen address, and OnRequest seeing each request with its done call.
func TestStatsPerAddressAndOnRequest(t *testing.T) {
	t.Parallel()
	ca := newCA(t)
	var (
		mu          sync.Mutex
		seen        []string // method path Host
		inFlight    int
		maxInFlight int
	)
	onRequest := func(r *http.Request) func() {
		mu.Lock()
		defer mu.Unlock()
		seen = append(seen, r.Method+" "+r.URL.RequestURI()+" "+r.TLS.ServerName)
		inFlight++
		maxInFlight = max(maxInFlight, inFlight)
		return func() {
			mu.Lock()
			inFlight--
			mu.Unlock()
		}
	}
	lns, port, err := ListenShared([]string{"127.0.0.1", "127.0.0.2"}, 0)
	if err != nil {
		t.Fatal(err)
	}
	l := newLab(t, ca, Config{Hosts: 2, OnRequest: onRequest})
	for _, ln := range lns {
		serve(t, l.pop, ln)
	}
	for i, a := range []string{"127.0.0.1", "127.0.0.2", "127.0.0.2"} {
		addr := net.JoinHostPort(a, strconv.Itoa(port))
		v := l.viewer(t, true, false, func(ctx context.Context, network, _ string) (net.Conn, error) {
			return (&net.Dialer{}).DialContext(ctx, network, addr)
		})
		if resp, _ := v.get(t, "/?n="+strconv.Itoa(i)); resp.StatusCode != 200 {
			t.Fatalf("request %d via %s: status %d", i, a, resp.StatusCode)
		}
	}
	s := l.pop.Stats()
	if s.RequestsByAddr["127.0.0.1"] != 1 || s.RequestsByAddr["127.0.0.2"] != 2 || len(s.RequestsByAddr) != 2 {
		t.Errorf("requests by address %v, want 127.0.0.1: 1, 127.0.0.2: 2", s.RequestsByAddr)
	}
	if s.ViewerConns != 3 || s.TLSHandshakes != 3 || s.Requests != 3 {
		t.Errorf("stats %+v, want 3 connections, handshakes and requests", s.Counters)
	}
	mu.Lock()
	defer mu.Unlock()
	want := []string{"GET /?n=0 " + testDist, "GET /?n=1 " + testDist, "GET /?n=2 " + testDist}
	if strings.Join(seen, "|") != strings.Join(want, "|") || inFlight != 0 || maxInFlight != 1 {
		t.Errorf("OnRequest saw %q (in flight now %d, at most %d), want %q, 0, 1", seen, inFlight, maxInFlight, want)
	}
}
