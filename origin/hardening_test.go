package origin

import (
	"errors"
	"io"
	"net"
	"net/http"
	"os"
	"strings"
	"testing"
	"time"
)

// TestWithheldBodyIsCutOff: a request announcing a body that never comes
// (Content-Length or chunked) is answered with "Connection: close" and its
// connection closed once the read timeout has passed, and a shutdown then
// does not wait for it. Without a read timeout net/http waits for the body
// forever before it answers.
func TestWithheldBodyIsCutOff(t *testing.T) {
	const readTimeout = 400 * time.Millisecond
	for _, tt := range []struct{ name, head string }{
		{"POST with Content-Length", "POST / HTTP/1.1\r\nHost: origin.test\r\nContent-Length: 100\r\n\r\n"},
		{"GET with Content-Length", "GET / HTTP/1.1\r\nHost: origin.test\r\nContent-Length: 100\r\n\r\nonly part of it"},
		{"chunked", "POST / HTTP/1.1\r\nHost: origin.test\r\nTransfer-Encoding: chunked\r\n\r\n"},
	} {
		t.Run(tt.name, func(t *testing.T) {
			cfg := testConfig()
			cfg.ReadHeaderTimeout = 300 * time.Millisecond
			cfg.ReadTimeout = readTimeout
			r := start(t, cfg, nil)
			c := dialRaw(t, r.addr)
			begin := time.Now()
			if _, err := io.WriteString(c, tt.head); err != nil {
				t.Fatal(err)
			}
			c.SetReadDeadline(time.Now().Add(readTimeout + 5*time.Second))
			got, err := io.ReadAll(c)
			cutAfter := time.Since(begin)
			if err != nil && !isReset(err) {
				t.Fatalf("read: %v after %v; want the server to close the connection after %v", err, cutAfter, readTimeout)
			}
			if cutAfter < readTimeout-50*time.Millisecond || cutAfter > readTimeout+3*time.Second {
				t.Errorf("closed after %v, want about %v", cutAfter, readTimeout)
			}
			if len(got) > 0 && !strings.Contains(string(got), "Connection: close") {
				t.Errorf("answer without Connection: close: %q", got)
			}
			waitFor(t, "connection counted closed", func() bool { return r.Stats().ConnectionsOpen == 0 })
			begin = time.Now()
			if err := r.stop(); err != nil {
				t.Errorf("Serve after the cut-off connection: %v", err)
			}
			if took := time.Since(begin); took > 2*time.Second {
				t.Errorf("shutdown took %v", took)
			}
		})
	}
}

// TestDrain: once Serve's context is done, for the drain period /healthz
// answers 503, the listener still accepts, every response carries
// "Connection: close", and a keep-alive connection that was idle is still
// open and answered; at the end idle connections are closed and new
// connections refused.
func TestDrain(t *testing.T) {
	const drain = 800 * time.Millisecond
	cfg := testConfig()
	cfg.DrainPeriod = drain
	r := start(t, cfg, nil)

	reused, untouched := dialRaw(t, r.addr), dialRaw(t, r.addr)
	for _, c := range []*rawConn{reused, untouched} {
		if resp, _ := c.get(t, "/"); resp.Close {
			t.Fatal("Connection: close before the drain")
		}
	}
	waitFor(t, "two idle connections", func() bool { return r.Stats().ConnectionsIdle == 2 })

	stopped := make(chan error, 1)
	begin := time.Now()
	go func() { stopped <- r.stop() }()
	waitFor(t, "drain begun", func() bool { return r.Stats().Draining })

	// The idle connection is still there, and answered, with Connection: close.
	resp, body := reused.get(t, "/")
	if resp.StatusCode != http.StatusOK || !strings.HasPrefix(body, BodyPrefix) || !resp.Close {
		t.Errorf("request on the idle connection during the drain: %d %q close=%v, want 200 with Connection: close", resp.StatusCode, body, resp.Close)
	}
	reused.SetReadDeadline(time.Now().Add(2 * time.Second))
	if _, err := reused.br.ReadByte(); !errors.Is(err, io.EOF) {
		t.Errorf("after the Connection: close answer: %v, want the server to close (EOF)", err)
	}

	// New connections are accepted; the health check fails.
	resp, body = dialRaw(t, r.addr).get(t, HealthPath)
	if resp.StatusCode != http.StatusServiceUnavailable || body != "draining\n" || !resp.Close {
		t.Errorf("GET /healthz during the drain = %d %q close=%v, want 503 draining with Connection: close", resp.StatusCode, body, resp.Close)
	}
	if resp, _ := dialRaw(t, r.addr).get(t, "/"); resp.StatusCode != http.StatusOK || !resp.Close {
		t.Errorf("GET / on a new connection during the drain = %d close=%v", resp.StatusCode, resp.Close)
	}

	// The untouched idle connection stays open through the drain, then
	// the shutdown closes it.
	untouched.SetReadDeadline(time.Now().Add(drain / 4))
	if _, err := untouched.br.ReadByte(); !errors.Is(err, os.ErrDeadlineExceeded) {
		t.Errorf("idle connection during the drain: %v, want it still open", err)
	}
	untouched.SetReadDeadline(time.Now().Add(drain + 3*time.Second))
	if _, err := untouched.br.ReadByte(); !errors.Is(err, io.EOF) {
		t.Errorf("idle connection after the drain: %v, want EOF", err)
	}
	if err := <-stopped; err != nil {
		t.Fatalf("Serve: %v", err)
	}
	if took := time.Since(begin); took < drain || took > drain+3*time.Second {
		t.Errorf("Serve returned %v after its context ended, want about the drain period %v", took, drain)
	}
	if c, err := net.DialTimeout("tcp", r.addr, time.Second); err == nil {
		c.Close()
		t.Error("still accepting after Serve returned")
	}
	st := r.Stats()
	if st.Requests[http.StatusOK] != 4 || st.Requests[http.StatusServiceUnavailable] != 1 {
		t.Errorf("requests %v, want 4×200 and 1×503", st.Requests)
	}
}

// TestConnectionCap: with MaxConnections open, a new connection is not
// served until one closes; the metrics port still answers and shows the
// cap and that it was reached.
func TestConnectionCap(t *testing.T) {
	cfg := testConfig()
	cfg.MaxConnections = 2
	cfg.MetricsAddr = "127.0.0.1:0"
	r := start(t, cfg, nil)
	a, b := dialRaw(t, r.addr), dialRaw(t, r.addr)
	a.get(t, "/")
	b.get(t, "/")

	c := dialRaw(t, r.addr) // the kernel completes the handshake; the server does not accept it
	if _, err := io.WriteString(c, "GET / HTTP/1.1\r\nHost: origin.test\r\n\r\n"); err != nil {
		t.Fatal(err)
	}
	c.SetReadDeadline(time.Now().Add(300 * time.Millisecond))
	if _, err := c.br.ReadByte(); !errors.Is(err, os.ErrDeadlineExceeded) {
		t.Fatalf("third connection with a cap of 2: %v, want no answer yet", err)
	}
	st := r.Stats()
	if st.ConnectionsOpen != 2 || st.ConnectionsAccepted != 2 || st.ConnectionLimitReached == 0 {
		t.Errorf("at the cap: %+v, want 2 open, 2 accepted, the cap reached", st)
	}
	m := samples(scrape(t, r.metricsAddr(t)))
	if m["current_time_app_connections_limit"] != 2 || m["current_time_app_connection_limit_reached_total"] < 1 || m["current_time_app_connections_open"] != 2 {
		t.Errorf("metrics at the cap: limit %v reached %v open %v, want 2, ≥1, 2",
			m["current_time_app_connections_limit"], m["current_time_app_connection_limit_reached_total"], m["current_time_app_connections_open"])
	}

	a.Close()
	c.SetReadDeadline(time.Now().Add(5 * time.Second))
	resp, err := http.ReadResponse(c.br, nil)
	if err != nil {
		t.Fatalf("after a connection closed, the waiting one: %v", err)
	}
	resp.Body.Close()
	if resp.StatusCode != http.StatusOK {
		t.Errorf("waiting connection answered %d", resp.StatusCode)
	}
	if st := r.Stats(); st.ConnectionsAccepted != 3 || st.ConnectionsOpen != 2 {
		t.Errorf("after one closed: %+v, want 3 accepted, 2 open", st)
	}
}

// TestHeaderLimit: request headers up to CloudFront's 20,480-byte request
// limit are answered; beyond MaxHeaderBytes (32 KiB by default) a request
// gets 431 and its connection is closed, so that one connection cannot
// hold megabytes of an unfinished request (Go's default allows 1 MB).
func TestHeaderLimit(t *testing.T) {
	r := start(t, testConfig(), nil)
	c := dialRaw(t, r.addr)
	if resp, _ := c.get(t, "/", "X-Big: "+strings.Repeat("a", 20<<10)); resp.StatusCode != http.StatusOK {
		t.Errorf("20 KiB of headers: %d, want 200", resp.StatusCode)
	}
	for _, size := range []int{40 << 10, 100 << 10} {
		c := dialRaw(t, r.addr)
		resp, _, err := c.do("GET", "/", "X-Big: "+strings.Repeat("a", size))
		if err != nil || resp.StatusCode != http.StatusRequestHeaderFieldsTooLarge {
			t.Errorf("%d KiB of headers: %v %v, want 431", size>>10, resp, err)
		}
	}
	cfg := testConfig()
	cfg.MaxHeaderBytes = 64 << 10
	r = start(t, cfg, nil)
	if resp, _ := dialRaw(t, r.addr).get(t, "/", "X-Big: "+strings.Repeat("a", 40<<10)); resp.StatusCode != http.StatusOK {
		t.Errorf("40 KiB of headers with a 64 KiB limit: %d, want 200", resp.StatusCode)
	}
}

// TestMetricsConnectionCap: the metrics listener has a cap of its own
// (MetricsMaxConnections): idle connections beyond it wait in the kernel's
// accept queue instead of taking file descriptors, and the main listener
// still answers.
func TestMetricsConnectionCap(t *testing.T) {
	cfg := testConfig()
	cfg.MetricsAddr = "127.0.0.1:0"
	cfg.MetricsMaxConnections = 3
	r := start(t, cfg, nil)
	maddr := r.metricsAddr(t)
	var idle []*rawConn
	for range 3 {
		idle = append(idle, dialRaw(t, maddr))
	}
	waiting := dialRaw(t, maddr)
	if _, err := io.WriteString(waiting, "GET /metrics HTTP/1.1\r\nHost: origin.test\r\n\r\n"); err != nil {
		t.Fatal(err)
	}
	waiting.SetReadDeadline(time.Now().Add(300 * time.Millisecond))
	if _, err := waiting.br.ReadByte(); !errors.Is(err, os.ErrDeadlineExceeded) {
		t.Fatalf("fourth metrics connection with a cap of 3: %v, want no answer yet", err)
	}
	if resp, _ := dialRaw(t, r.addr).get(t, "/"); resp.StatusCode != http.StatusOK {
		t.Errorf("main listener: %d", resp.StatusCode)
	}
	idle[0].Close()
	waiting.SetReadDeadline(time.Now().Add(5 * time.Second))
	resp, err := http.ReadResponse(waiting.br, nil)
	if err != nil || resp.StatusCode != http.StatusOK {
		t.Fatalf("after a metrics connection closed, the waiting one: %v %v", resp, err)
	}
	resp.Body.Close()
}
