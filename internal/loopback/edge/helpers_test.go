package edge

import (
	"context"
	"crypto/tls"
	"encoding/json"
	"io"
	"log/slog"
	"net"
	"net/http"
	"net/http/httptest"
	"sync"
	"testing"
	"time"

	"github.com/cfprewarm/cfprewarm/cloudfront"
	"github.com/cfprewarm/cfprewarm/internal/loopback/labca"
	"github.com/cfprewarm/cfprewarm/internal/loopback/link"
)

const (
	testPOP    = "TST50-C1"
	testDist   = "d111111abcdef8.cloudfront.net"
	originName = "origin.lab.test"
)

// echo is what the test origin answers: the request as it saw it.
type echo struct {
	Method, Path, Query, Host, Body string
	Header                          http.Header
	Conn                            string // the origin-side remote address: one per connection
}

// testOrigin is a TLS origin on loopback that echoes requests and counts the
// connections it served.
type testOrigin struct {
	addr  string
	mu    sync.Mutex
	conns map[string]int // remote address → requests
}

func (o *testOrigin) connCount() int {
	o.mu.Lock()
	defer o.mu.Unlock()
	return len(o.conns)
}

// newOrigin starts an origin with a certificate for names from ca and the
// given idle timeout (0: the server default).
func newOrigin(t testing.TB, ca *labca.CA, idle time.Duration, names ...string) *testOrigin {
	t.Helper()
	cert := issue(t, ca, names...)
	o := &testOrigin{conns: map[string]int{}}
	srv := httptest.NewUnstartedServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		body, _ := io.ReadAll(r.Body)
		o.mu.Lock()
		o.conns[r.RemoteAddr]++
		o.mu.Unlock()
		w.Header().Set("Content-Type", "application/json")
		json.NewEncoder(w).Encode(echo{
			Method: r.Method, Path: r.URL.Path, Query: r.URL.RawQuery, Host: r.Host,
			Body: string(body), Header: r.Header, Conn: r.RemoteAddr,
		})
	}))
	srv.TLS = &tls.Config{Certificates: []tls.Certificate{cert}}
	srv.Config.IdleTimeout = idle
	srv.Config.ErrorLog = slog.NewLogLogger(slog.DiscardHandler, slog.LevelError)
	srv.StartTLS()
	t.Cleanup(srv.Close)
	o.addr = srv.Listener.Addr().String()
	return o
}

// issue issues a certificate for names from ca.
func issue(t testing.TB, ca *labca.CA, names ...string) tls.Certificate {
	t.Helper()
	cert, err := ca.Issue(names...)
	if err != nil {
		t.Fatal(err)
	}
	return cert
}

// lab is a POP with its test origin and CA.
type lab struct {
	ca     *labca.CA
	origin *testOrigin
	pop    *POP
	addr   string // the POP's listener
}

// newLab starts an origin (unless cfg.OriginAddr is set) and a POP on
// loopback. cfg's zero fields get test values.
func newLab(t testing.TB, ca *labca.CA, cfg Config) *lab {
	t.Helper()
	l := &lab{ca: ca}
	if cfg.OriginAddr == "" {
		l.origin = newOrigin(t, ca, 0, originName)
		cfg.OriginAddr = l.origin.addr
	}
	if cfg.POP == "" {
		cfg.POP = testPOP
	}
	if cfg.OriginHost == "" {
		cfg.OriginHost = originName
	}
	if cfg.OriginRoots == nil {
		cfg.OriginRoots = ca.Pool()
	}
	if cfg.Logger == nil {
		cfg.Logger = slog.New(slog.DiscardHandler)
	}
	if len(cfg.Cert.Certificate) == 0 {
		cfg.Cert = issue(t, ca, "*.cloudfront.net", "api.lab.test")
	}
	pop, err := New(cfg)
	if err != nil {
		t.Fatal(err)
	}
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	serve(t, pop, ln)
	l.pop, l.addr = pop, ln.Addr().String()
	return l
}

// serve serves pop on ln until the test ends.
func serve(t testing.TB, pop *POP, ln net.Listener) {
	t.Helper()
	ctx, cancel := context.WithCancel(context.Background())
	done := make(chan error, 1)
	go func() { done <- pop.Serve(ctx, ln) }()
	t.Cleanup(func() {
		cancel()
		if err := <-done; err != nil {
			t.Errorf("Serve: %v", err)
		}
	})
}

// viewer is a client of the POP. With fresh set, every request opens a new
// connection, as a probe does.
type viewer struct {
	client *http.Client
}

func (l *lab) viewer(t testing.TB, fresh, h2 bool, dial link.DialFunc) *viewer {
	t.Helper()
	if dial == nil {
		dial = (&net.Dialer{}).DialContext
	}
	protocols := new(http.Protocols)
	protocols.SetHTTP1(!h2)
	protocols.SetHTTP2(h2)
	tr := &http.Transport{
		DialContext: func(ctx context.Context, network, _ string) (net.Conn, error) {
			return dial(ctx, network, l.addr)
		},
		TLSClientConfig:   &tls.Config{RootCAs: l.ca.Pool()},
		DisableKeepAlives: fresh,
		Protocols:         protocols,
	}
	t.Cleanup(tr.CloseIdleConnections)
	return &viewer{client: &http.Client{Transport: tr, Timeout: 20 * time.Second}}
}

// get sends a GET with Pragma: server-timing and returns the response with
// its body read.
func (v *viewer) get(t testing.TB, path string) (*http.Response, []byte) {
	t.Helper()
	req, err := http.NewRequest("GET", "https://"+testDist+path, nil)
	if err != nil {
		t.Fatal(err)
	}
	req.Header.Set("Pragma", "server-timing")
	return v.do(t, req)
}

func (v *viewer) do(t testing.TB, req *http.Request) (*http.Response, []byte) {
	t.Helper()
	resp, err := v.client.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	body, err := io.ReadAll(resp.Body)
	if err != nil {
		t.Fatal(err)
	}
	return resp, body
}

// timing returns the metric's dur, failing if it is absent or not a whole
// number of milliseconds.
func timing(t testing.TB, resp *http.Response, name string) int {
	t.Helper()
	st := resp.Header.Get("Server-Timing")
	for _, m := range cloudfront.ParseServerTiming(st) {
		if m.Name == name {
			if !m.HasDur || m.Dur != float64(int(m.Dur)) {
				t.Fatalf("%s in %q: no whole-millisecond dur", name, st)
			}
			return int(m.Dur)
		}
	}
	t.Fatalf("no %s in Server-Timing %q", name, st)
	return 0
}
