package origin

import (
	"crypto/tls"
	"errors"
	"io"
	"net/http"
	"testing"
	"time"
)

func TestMetricsFollowConnections(t *testing.T) {
	r := start(t, testConfig(), nil)

	a := dialRaw(t, r.addr)
	for range 3 {
		a.get(t, "/")
	}
	st := r.Stats()
	if st.ConnectionsAccepted != 1 || st.ReusedConnectionRequests != 2 || st.Requests[200] != 3 {
		t.Errorf("after 3 requests on one connection: %+v, want 1 accepted, 2 reused, 3×200", st)
	}
	waitFor(t, "connection A idle", func() bool { st = r.Stats(); return st.ConnectionsIdle == 1 })
	if st.ConnectionsOpen != 1 {
		t.Errorf("open = %d, want 1", st.ConnectionsOpen)
	}

	b := dialRaw(t, r.addr)
	b.get(t, "/healthz")
	waitFor(t, "two idle connections", func() bool { st = r.Stats(); return st.ConnectionsIdle == 2 })
	if st.ConnectionsAccepted != 2 || st.ConnectionsOpen != 2 || st.ReusedConnectionRequests != 2 {
		t.Errorf("after a second connection: %+v, want 2 accepted, 2 open, still 2 reused", st)
	}

	a.Close()
	waitFor(t, "connection A closed", func() bool { return r.Stats().ConnectionsOpen == 1 })

	// /metrics shows the same, seen from inside its own request on B (the
	// second on B, so reused; B is active, not idle, while it is answered).
	_, text := b.get(t, "/metrics")
	m := parseMetrics(t, text)
	for key, want := range map[string]float64{
		`current_time_app_requests_total{code="200"}`:       4,
		"current_time_app_requests_reused_connection_total": 3,
		"current_time_app_connections_accepted_total":       2,
		"current_time_app_tls_handshakes_total":             0,
		"current_time_app_connections_open":                 1,
		"current_time_app_connections_idle":                 0,
	} {
		if got, ok := m[key]; !ok || got != want {
			t.Errorf("%s = %v (present %v), want %v", key, got, ok, want)
		}
	}
}

func TestIdleConnectionClosedAfterIdleTimeoutNotBefore(t *testing.T) {
	const idle = 400 * time.Millisecond
	cfg := testConfig()
	cfg.IdleTimeout = idle
	r := start(t, cfg, nil)
	c := dialRaw(t, r.addr)
	c.get(t, "/")

	// Well inside the idle timeout the connection is still there and reused.
	time.Sleep(idle / 4)
	if resp, _ := c.get(t, "/"); resp.StatusCode != http.StatusOK {
		t.Fatalf("second request = %d", resp.StatusCode)
	}
	last := time.Now()
	if st := r.Stats(); st.ReusedConnectionRequests != 1 || st.ConnectionsAccepted != 1 {
		t.Fatalf("second request not on the same connection: %+v", st)
	}

	// Then the server closes it once it has been idle for the timeout.
	c.SetReadDeadline(time.Now().Add(idle + 5*time.Second))
	n, err := c.br.Read(make([]byte, 1))
	closedAfter := time.Since(last)
	if n != 0 || !errors.Is(err, io.EOF) {
		t.Fatalf("read on idle connection = %d, %v; want EOF from the server closing it", n, err)
	}
	// The server's timer starts when it has sent the response, a moment
	// before the client has read it: allow that moment, and slack for a
	// loaded machine on the late side.
	if closedAfter < idle-100*time.Millisecond || closedAfter > idle+3*time.Second {
		t.Errorf("closed %v after the last response, want about %v", closedAfter, idle)
	}
	waitFor(t, "connection counted closed", func() bool { st := r.Stats(); return st.ConnectionsOpen == 0 && st.ConnectionsIdle == 0 })
}

func TestTLSHandshakesAndHTTP2Reuse(t *testing.T) {
	pki := newTestPKI(t)
	cfg := testConfig()
	cfg.TLSConfig = &tls.Config{Certificates: []tls.Certificate{pki.server}}
	r := start(t, cfg, nil)
	url := "https://" + r.addr + "/"

	get := func(c *http.Client) *http.Response {
		t.Helper()
		resp, err := c.Get(url)
		if err != nil {
			t.Fatal(err)
		}
		io.Copy(io.Discard, resp.Body)
		resp.Body.Close()
		if resp.StatusCode != http.StatusOK {
			t.Fatalf("status %d", resp.StatusCode)
		}
		return resp
	}

	h2 := &http.Transport{TLSClientConfig: &tls.Config{RootCAs: pki.roots}, ForceAttemptHTTP2: true}
	defer h2.CloseIdleConnections()
	for range 3 {
		if resp := get(&http.Client{Transport: h2}); resp.ProtoMajor != 2 || resp.TLS.Version < tls.VersionTLS12 {
			t.Fatalf("proto %s, TLS %x; want HTTP/2 over TLS 1.2+", resp.Proto, resp.TLS.Version)
		}
	}
	st := r.Stats()
	if st.ConnectionsAccepted != 1 || st.TLSHandshakes != 1 || st.ReusedConnectionRequests != 2 {
		t.Errorf("HTTP/2: %+v, want 1 accepted, 1 handshake, 2 reused", st)
	}

	// CloudFront talks HTTP/1.1 to origins.
	h1 := &http.Transport{TLSClientConfig: &tls.Config{RootCAs: pki.roots}, TLSNextProto: map[string]func(string, *tls.Conn) http.RoundTripper{}}
	defer h1.CloseIdleConnections()
	for range 2 {
		if resp := get(&http.Client{Transport: h1}); resp.ProtoMajor != 1 {
			t.Fatalf("proto %s, want HTTP/1.1", resp.Proto)
		}
	}
	st = r.Stats()
	if st.ConnectionsAccepted != 2 || st.TLSHandshakes != 2 || st.ReusedConnectionRequests != 3 {
		t.Errorf("HTTP/1.1: %+v, want 2 accepted, 2 handshakes, 3 reused", st)
	}

	// A client that does not trust the server aborts the handshake: the
	// connection is accepted, the handshake is not counted.
	if _, err := (&http.Client{Transport: &http.Transport{}}).Get(url); err == nil {
		t.Fatal("untrusting client got a response")
	}
	waitFor(t, "failed handshake connection closed", func() bool { return r.Stats().ConnectionsOpen == 2 })
	if st = r.Stats(); st.ConnectionsAccepted != 3 || st.TLSHandshakes != 2 {
		t.Errorf("after failed handshake: %+v, want 3 accepted, 2 handshakes", st)
	}

	// A handshake on a connection that closes without a request counts too.
	conn, err := tls.Dial("tcp", r.addr, &tls.Config{RootCAs: pki.roots, ServerName: "localhost"})
	if err != nil {
		t.Fatal(err)
	}
	conn.Close()
	waitFor(t, "handshake-only connection counted", func() bool { st = r.Stats(); return st.TLSHandshakes == 3 })
	if st.ConnectionsAccepted != 4 {
		t.Errorf("accepted = %d, want 4", st.ConnectionsAccepted)
	}

	// Shutdown closes the idle HTTP/2 (GOAWAY) and HTTP/1.1 connections
	// still held by the two transports without waiting for them.
	begin := time.Now()
	if err := r.stop(); err != nil {
		t.Fatalf("Serve: %v", err)
	}
	if took := time.Since(begin); took > 3*time.Second {
		t.Errorf("shutdown with idle TLS connections took %v", took)
	}
	if st = r.Stats(); st.ConnectionsOpen != 0 {
		t.Errorf("%d connections open after shutdown", st.ConnectionsOpen)
	}
}
