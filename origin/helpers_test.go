package origin

import (
	"bufio"
	"context"
	"crypto/tls"
	"crypto/x509"
	"fmt"
	"io"
	"net"
	"net/http"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/cfprewarm/cfprewarm/internal/loopback/labca"
)

// running is a Server serving on a loopback listener.
type running struct {
	*Server
	addr string
	stop func() error // cancels Serve's context and returns what Serve returned, for the caller to check
}

// start makes a Server from cfg, without logs, and serves it with
// serveLoopback.
func start(t *testing.T, cfg Config, wrap func(http.Handler) http.Handler) *running {
	t.Helper()
	s, err := NewServer(cfg, nil)
	if err != nil {
		t.Fatal(err)
	}
	return serveLoopback(t, s, wrap)
}

// serveLoopback serves s on 127.0.0.1 until the test ends (or stop is
// called). wrap, when not nil, wraps the server's handler from the outside.
func serveLoopback(t *testing.T, s *Server, wrap func(http.Handler) http.Handler) *running {
	t.Helper()
	if wrap != nil {
		s.srv.Handler = wrap(s.srv.Handler)
	}
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	ctx, cancel := context.WithCancel(context.Background())
	done := make(chan error, 1)
	go func() { done <- s.Serve(ctx, ln) }()
	var (
		once     sync.Once
		serveErr error
		checked  bool // a test called stop and looks at the error itself
	)
	shutdown := func() error {
		once.Do(func() {
			cancel()
			serveErr = <-done
		})
		return serveErr
	}
	t.Cleanup(func() {
		if err := shutdown(); err != nil && !checked {
			t.Errorf("Serve: %v", err)
		}
	})
	stop := func() error {
		checked = true
		return shutdown()
	}
	return &running{Server: s, addr: ln.Addr().String(), stop: stop}
}

// metricsAddr waits for Serve to open the metrics listener and returns
// its address.
func (r *running) metricsAddr(t *testing.T) string {
	t.Helper()
	waitFor(t, "metrics listener", func() bool { return r.MetricsAddr() != nil })
	return r.MetricsAddr().String()
}

// testConfig is the default Config without a drain period and with a
// short shutdown timeout, for tests.
func testConfig() Config {
	cfg := DefaultConfig()
	cfg.DrainPeriod = NoDrain
	cfg.ShutdownTimeout = 5 * time.Second
	return cfg
}

// rawConn speaks HTTP/1.1 on one TCP connection, so tests control exactly
// which requests share a connection.
type rawConn struct {
	net.Conn
	br *bufio.Reader
}

func dialRaw(t testing.TB, addr string) *rawConn {
	t.Helper()
	c, err := net.DialTimeout("tcp", addr, 5*time.Second)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { c.Close() })
	return &rawConn{Conn: c, br: bufio.NewReader(c)}
}

// do sends one request with the given extra header lines and reads the
// whole response.
func (c *rawConn) do(method, path string, header ...string) (*http.Response, string, error) {
	c.SetDeadline(time.Now().Add(10 * time.Second))
	defer c.SetDeadline(time.Time{})
	req := fmt.Sprintf("%s %s HTTP/1.1\r\nHost: origin.test\r\n%s\r\n", method, path, headerLines(header))
	if _, err := io.WriteString(c, req); err != nil {
		return nil, "", err
	}
	resp, err := http.ReadResponse(c.br, &http.Request{Method: method})
	if err != nil {
		return nil, "", err
	}
	defer resp.Body.Close()
	body, err := io.ReadAll(resp.Body)
	return resp, string(body), err
}

// get is do("GET", ...) failing the test on a transport error.
func (c *rawConn) get(t testing.TB, path string, header ...string) (*http.Response, string) {
	t.Helper()
	resp, body, err := c.do(http.MethodGet, path, header...)
	if err != nil {
		t.Fatalf("GET %s: %v", path, err)
	}
	return resp, body
}

func headerLines(header []string) string {
	var b strings.Builder
	for _, h := range header {
		b.WriteString(h + "\r\n")
	}
	return b.String()
}

// waitFor polls cond until it holds or 5 s pass: connection state changes
// reach the ConnState hook a moment after the client sees them.
func waitFor(t *testing.T, what string, cond func() bool) {
	t.Helper()
	deadline := time.Now().Add(5 * time.Second)
	for !cond() {
		if time.Now().After(deadline) {
			t.Fatalf("timed out waiting for %s", what)
		}
		time.Sleep(5 * time.Millisecond)
	}
}

// testPKI is a throwaway CA and a server certificate for 127.0.0.1, ::1
// and localhost signed by it.
type testPKI struct {
	roots  *x509.CertPool
	server tls.Certificate
}

func newTestPKI(t *testing.T) testPKI {
	t.Helper()
	ca, err := labca.New()
	if err != nil {
		t.Fatal(err)
	}
	cert, err := ca.Issue("localhost", "127.0.0.1", "::1")
	if err != nil {
		t.Fatal(err)
	}
	return testPKI{roots: ca.Pool(), server: cert}
}
