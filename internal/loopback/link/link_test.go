package link

import (
	"bufio"
	"context"
	"crypto/tls"
	"errors"
	"fmt"
	"io"
	"net"
	"net/http"
	"slices"
	"testing"
	"time"

	"github.com/cfprewarm/cfprewarm/internal/loopback/labca"
)

// series holds timings of one operation with the link and, as a
// baseline, without it (CPU time, such as a TLS handshake's signatures,
// which the link does not model but a real network adds too).
type series struct {
	what           string
	rtt            time.Duration
	link, baseline []time.Duration
}

// added is the best sample minus the best baseline sample. Scheduling noise
// on a busy machine only adds time, so the minimum is the honest estimate of
// what the model costs.
func (s *series) added() time.Duration { return slices.Min(s.link) - slices.Min(s.baseline) }

// bounds are 1 RTT ± 10%. Under the race detector, whose CPU overhead is
// not the link's, the upper bound is 1.2 RTT.
func (s *series) bounds() (lo, hi time.Duration) {
	if raceEnabled {
		return s.rtt * 9 / 10, s.rtt * 12 / 10
	}
	return s.rtt * 9 / 10, s.rtt * 11 / 10
}

// done reports whether there are enough samples to decide: at least
// minN, and either the estimate is within bounds or maxN samples were
// taken. More samples on a loaded machine only bring the estimate closer to
// what the link really adds.
func (s *series) done(minN, maxN int) bool {
	_, hi := s.bounds()
	return len(s.link) >= maxN || len(s.link) >= minN && s.added() <= hi
}

// check asserts the round-trip fidelity the lab relies on: the link adds
// one RTT within 10%, and no sample is faster than 0.9 RTT (the model never
// delivers early).
func (s *series) check(t *testing.T) {
	t.Helper()
	lo, hi := s.bounds()
	added := s.added()
	t.Logf("%s: RTT %v, link added %v (%d samples)", s.what, s.rtt, added, len(s.link))
	if added > hi || added < lo {
		t.Errorf("%s: link added %v (best of %v − best baseline %v), want %v–%v", s.what, added, s.link, slices.Min(s.baseline), lo, hi)
	}
	for _, d := range s.link {
		if d < lo {
			t.Errorf("%s: sample %v < %v (1 RTT − 10%%)", s.what, d, lo)
		}
	}
}

// tlsServer serves HTTP/1.1 over TLS on a loopback listener, with the
// listener wrapped by serverLink (zero: plain).
func tlsServer(t *testing.T, ca *labca.CA, serverLink Link) string {
	t.Helper()
	cert, err := ca.Issue("server.lab.test")
	if err != nil {
		t.Fatal(err)
	}
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	srv := &http.Server{
		Handler: http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
			io.WriteString(w, "pong")
		}),
		TLSConfig: &tls.Config{Certificates: []tls.Certificate{cert}},
	}
	go srv.ServeTLS(serverLink.WrapListener(ln), "", "")
	t.Cleanup(func() { srv.Close() })
	return ln.Addr().String()
}

// TestRoundTrips measures, on fresh connections, the TCP connect, the TLS
// 1.3 handshake and one HTTP/1.1 request/response: each must cost one RTT,
// with the latency on the client side (Dial) or on the server side
// (WrapListener + ConnectDial).
func TestRoundTrips(t *testing.T) {
	ca, err := labca.New()
	if err != nil {
		t.Fatal(err)
	}
	for _, rtt := range []time.Duration{20 * time.Millisecond, 100 * time.Millisecond, 190 * time.Millisecond} {
		// More samples where they are cheap and where CPU noise is
		// largest relative to the RTT.
		minSamples := max(4, int(200*time.Millisecond/rtt))
		for _, side := range []string{"client", "server"} {
			t.Run(fmt.Sprintf("%v/%s", rtt, side), func(t *testing.T) {
				t.Parallel()
				l := Link{RTT: rtt}
				plain := tlsServer(t, ca, Link{})
				addr, dial := plain, l.Dial
				if side == "server" {
					addr, dial = tlsServer(t, ca, l), l.ConnectDial
				}
				connect := &series{what: "TCP connect", rtt: rtt}
				handshake := &series{what: "TLS handshake", rtt: rtt}
				request := &series{what: "HTTP request", rtt: rtt}
				all := []*series{connect, handshake, request}
				for !connect.done(minSamples, 3*minSamples) || !handshake.done(minSamples, 3*minSamples) || !request.done(minSamples, 3*minSamples) {
					c, h, r := measure(t, dial, addr, ca)
					bc, bh, br := measure(t, Link{}.Dial, plain, ca)
					for i, d := range [][2]time.Duration{{c, bc}, {h, bh}, {r, br}} {
						all[i].link = append(all[i].link, d[0])
						all[i].baseline = append(all[i].baseline, d[1])
					}
				}
				for _, s := range all {
					s.check(t)
				}
			})
		}
	}
}

// measure opens one connection and times its connect, its TLS handshake and
// the second request on it (the first one shares packets with the
// handshake's session tickets; both cost one RTT).
func measure(t *testing.T, dial DialFunc, addr string, ca *labca.CA) (connect, handshake, request time.Duration) {
	t.Helper()
	ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
	defer cancel()
	start := time.Now()
	raw, err := dial(ctx, "tcp", addr)
	if err != nil {
		t.Fatal(err)
	}
	connect = time.Since(start)
	defer raw.Close()

	start = time.Now()
	// X25519 alone keeps the handshake's CPU time, which the link does not
	// model, small next to the RTT.
	tc := tls.Client(raw, &tls.Config{
		ServerName: "server.lab.test", RootCAs: ca.Pool(),
		MinVersion: tls.VersionTLS13, CurvePreferences: []tls.CurveID{tls.X25519},
	})
	if err := tc.HandshakeContext(ctx); err != nil {
		t.Fatal(err)
	}
	handshake = time.Since(start)

	br := bufio.NewReader(tc)
	for range 2 {
		start = time.Now()
		req, _ := http.NewRequest("GET", "https://server.lab.test/", nil)
		if err := req.Write(tc); err != nil {
			t.Fatal(err)
		}
		resp, err := http.ReadResponse(br, req)
		if err != nil {
			t.Fatal(err)
		}
		body, err := io.ReadAll(resp.Body)
		resp.Body.Close()
		if err != nil || string(body) != "pong" {
			t.Fatalf("response %q, %v", body, err)
		}
		request = time.Since(start)
	}
	return connect, handshake, request
}

// TestHTTPClient checks that net/http's client and server, which use
// deadlines and background reads, work through the wrapped listener and
// that a request on a kept-alive connection costs one RTT.
func TestHTTPClient(t *testing.T) {
	t.Parallel()
	ca, err := labca.New()
	if err != nil {
		t.Fatal(err)
	}
	rtt := 40 * time.Millisecond
	l := Link{RTT: rtt}
	linked, plain := tlsServer(t, ca, l), tlsServer(t, ca, Link{})
	s := &series{what: "kept-alive request", rtt: rtt}
	for !s.done(3, 12) {
		first, rest := timedGets(t, ca, l.ConnectDial, linked)
		_, baseline := timedGets(t, ca, nil, plain)
		if first < 3*rtt*9/10 {
			t.Errorf("first request %v, want ≥ 3 RTT (connect, TLS, request)", first)
		}
		s.link, s.baseline = append(s.link, rest...), append(s.baseline, baseline...)
	}
	s.check(t)
}

// timedGets sends four GETs on one kept-alive connection and returns the
// time of the first and of the others.
func timedGets(t *testing.T, ca *labca.CA, dial DialFunc, addr string) (first time.Duration, rest []time.Duration) {
	t.Helper()
	tr := &http.Transport{
		DialContext:     dial,
		TLSClientConfig: &tls.Config{RootCAs: ca.Pool(), ServerName: "server.lab.test"},
	}
	defer tr.CloseIdleConnections()
	client := &http.Client{Transport: tr, Timeout: 10 * time.Second}
	for i := range 4 {
		start := time.Now()
		resp, err := client.Get("https://" + addr + "/")
		if err != nil {
			t.Fatal(err)
		}
		io.Copy(io.Discard, resp.Body)
		resp.Body.Close()
		if i == 0 {
			first = time.Since(start)
		} else {
			rest = append(rest, time.Since(start))
		}
	}
	return first, rest
}

func TestConnectCanceled(t *testing.T) {
	t.Parallel()
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	defer ln.Close()
	ctx, cancel := context.WithTimeout(context.Background(), 30*time.Millisecond)
	defer cancel()
	start := time.Now()
	_, err = Link{RTT: 5 * time.Second}.Dial(ctx, "tcp", ln.Addr().String())
	if !errors.Is(err, context.DeadlineExceeded) {
		t.Fatalf("err = %v, want context.DeadlineExceeded", err)
	}
	if d := time.Since(start); d > 2*time.Second {
		t.Errorf("canceled dial returned after %v", d)
	}
}

func TestZeroLinkIsPassThrough(t *testing.T) {
	a, b := net.Pipe()
	defer a.Close()
	defer b.Close()
	if c := (Link{}).Wrap(a); c != a {
		t.Error("zero Link wrapped the conn")
	}
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	defer ln.Close()
	if w := (Link{}).WrapListener(ln); w != ln {
		t.Error("zero Link wrapped the listener")
	}
}

func TestValidate(t *testing.T) {
	tests := []struct {
		link Link
		ok   bool
	}{
		{Link{}, true},
		{Link{RTT: 190 * time.Millisecond}, true},
		{Link{RTT: 190 * time.Millisecond, Jitter: 190 * time.Millisecond}, true},
		{Link{RTT: -time.Millisecond}, false},
		{Link{RTT: 10 * time.Millisecond, Jitter: -time.Millisecond}, false},
		{Link{RTT: 10 * time.Millisecond, Jitter: 11 * time.Millisecond}, false},
	}
	for _, tt := range tests {
		if err := tt.link.Validate(); (err == nil) != tt.ok {
			t.Errorf("%+v.Validate() = %v, want ok=%v", tt.link, err, tt.ok)
		}
	}
}
