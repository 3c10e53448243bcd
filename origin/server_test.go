package origin

import (
	"context"
	"crypto/tls"
	"errors"
	"io"
	"net"
	"net/http"
	"strings"
	"sync"
	"sync/atomic"
	"syscall"
	"testing"
	"time"
)

func TestReadHeaderTimeoutCutsOffSlowClients(t *testing.T) {
	const timeout = 300 * time.Millisecond
	pki := newTestPKI(t)
	plain := testConfig()
	plain.ReadHeaderTimeout = timeout
	withTLS := plain
	withTLS.TLSConfig = &tls.Config{Certificates: []tls.Certificate{pki.server}}

	tests := []struct {
		name string
		cfg  Config
		// send writes what the slow client manages to send.
		send func(c net.Conn)
	}{
		{"headers never finished, trickled", plain, func(c net.Conn) {
			io.WriteString(c, "GET / HTTP/1.1\r\nHost: origin.test\r\n")
			for range 20 { // a header byte every 50 ms would take a second
				time.Sleep(50 * time.Millisecond)
				if _, err := io.WriteString(c, "X"); err != nil {
					return
				}
			}
		}},
		{"nothing sent", plain, func(net.Conn) {}},
		{"TLS handshake never started", withTLS, func(net.Conn) {}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			r := start(t, tt.cfg, nil)
			c := dialRaw(t, r.addr)
			begin := time.Now()
			go tt.send(c)
			c.SetReadDeadline(time.Now().Add(timeout + 5*time.Second))
			got, err := io.ReadAll(c)
			cutAfter := time.Since(begin)
			// Closing with the trickled bytes unread makes the close a reset.
			if err != nil && !isReset(err) {
				t.Fatalf("read: %v (after %v); want the server to close the connection", err, cutAfter)
			}
			if strings.Contains(string(got), "200 OK") {
				t.Fatalf("slow client was answered: %q", got)
			}
			if cutAfter < timeout-50*time.Millisecond || cutAfter > timeout+3*time.Second {
				t.Errorf("cut off after %v, want about %v", cutAfter, timeout)
			}
			waitFor(t, "connection counted closed", func() bool { return r.Stats().ConnectionsOpen == 0 })
			if n := r.Stats().TotalRequests(); n != 0 {
				t.Errorf("%d requests answered, want 0", n)
			}
		})
	}
}

// TestGracefulShutdownLosesNoAcceptedRequest shuts the server down while
// clients keep sending requests that each take a while to answer. Every
// request a handler started must reach its client as a complete 200; the
// others must fail at the connection level without ever reaching a handler.
func TestGracefulShutdownLosesNoAcceptedRequest(t *testing.T) {
	const (
		clients = 8
		work    = 50 * time.Millisecond // handler time, so requests are in flight at shutdown
	)
	var started, inFlight atomic.Int64
	slow := func(next http.Handler) http.Handler {
		return http.HandlerFunc(func(w http.ResponseWriter, req *http.Request) {
			started.Add(1)
			inFlight.Add(1)
			defer inFlight.Add(-1)
			time.Sleep(work)
			next.ServeHTTP(w, req)
		})
	}
	r := start(t, testConfig(), slow)

	var (
		ok, connErrs, lost atomic.Int64
		lostMu             sync.Mutex
		lostWhy            []string
	)
	stopClients := make(chan struct{})
	var wg sync.WaitGroup
	for range clients {
		wg.Add(1)
		go func() {
			defer wg.Done()
			tr := &http.Transport{MaxIdleConnsPerHost: 1}
			defer tr.CloseIdleConnections()
			client := &http.Client{Transport: tr, Timeout: 10 * time.Second}
			for {
				select {
				case <-stopClients:
					return
				default:
				}
				resp, err := client.Get("http://" + r.addr + "/")
				if err != nil {
					// No response at all: the request never reached a
					// handler (checked against the server's count below).
					connErrs.Add(1)
					time.Sleep(time.Millisecond)
					continue
				}
				body, err := io.ReadAll(resp.Body)
				resp.Body.Close()
				if err != nil || resp.StatusCode != http.StatusOK || !strings.HasPrefix(string(body), BodyPrefix) {
					lost.Add(1)
					lostMu.Lock()
					lostWhy = append(lostWhy, resp.Status+" "+string(body)+" "+errString(err))
					lostMu.Unlock()
					continue
				}
				ok.Add(1)
			}
		}()
	}

	waitFor(t, "load running", func() bool { return ok.Load() >= 2*clients && inFlight.Load() > 0 })
	inFlightAtShutdown := inFlight.Load()
	shutdownBegan := time.Now()
	if err := r.stop(); err != nil {
		t.Fatalf("Serve returned %v, want nil after a graceful shutdown", err)
	}
	drained := time.Since(shutdownBegan)
	handledAtShutdownEnd := started.Load()
	time.Sleep(50 * time.Millisecond) // clients now only meet a closed port
	close(stopClients)
	wg.Wait()

	st := r.Stats()
	t.Logf("in flight at shutdown %d, drained in %v; handlers started %d, client 200s %d, connection errors %d, open after %d",
		inFlightAtShutdown, drained, handledAtShutdownEnd, ok.Load(), connErrs.Load(), st.ConnectionsOpen)
	if inFlightAtShutdown == 0 {
		t.Fatal("no request was in flight when the shutdown began: the test proved nothing")
	}
	if lost.Load() > 0 {
		t.Errorf("%d responses lost or broken: %q", lost.Load(), lostWhy)
	}
	if got := started.Load(); got != handledAtShutdownEnd {
		t.Errorf("%d requests reached a handler after Serve returned", got-handledAtShutdownEnd)
	}
	if got, want := ok.Load(), started.Load(); got != want {
		t.Errorf("clients got %d complete 200s, handlers started %d requests: accepted requests were lost", got, want)
	}
	if got := st.Requests[http.StatusOK]; got != uint64(started.Load()) {
		t.Errorf("server counted %d 200s, handlers started %d", got, started.Load())
	}
	if connErrs.Load() == 0 {
		t.Error("no client met the closed server: the load did not outlast the shutdown")
	}
	if st.ConnectionsOpen != 0 || st.ConnectionsIdle != 0 {
		t.Errorf("after shutdown: %d open, %d idle connections", st.ConnectionsOpen, st.ConnectionsIdle)
	}
}

func errString(err error) string {
	if err == nil {
		return ""
	}
	return err.Error()
}

func TestShutdownTimeoutClosesStuckRequests(t *testing.T) {
	release := make(chan struct{})
	defer close(release)
	entered := make(chan struct{}, 1)
	stuck := func(http.Handler) http.Handler {
		return http.HandlerFunc(func(http.ResponseWriter, *http.Request) {
			entered <- struct{}{}
			<-release
		})
	}
	cfg := testConfig()
	cfg.ShutdownTimeout = 200 * time.Millisecond
	r := start(t, cfg, stuck)

	c := dialRaw(t, r.addr)
	clientErr := make(chan error, 1)
	go func() {
		_, _, err := c.do(http.MethodGet, "/")
		clientErr <- err
	}()
	<-entered
	begin := time.Now()
	err := r.stop()
	took := time.Since(begin)
	if !errors.Is(err, context.DeadlineExceeded) || !strings.Contains(err.Error(), "1 connections still open") {
		t.Fatalf("Serve() = %v, want the drain deadline with 1 connection open", err)
	}
	if took < cfg.ShutdownTimeout || took > cfg.ShutdownTimeout+3*time.Second {
		t.Errorf("Serve returned %v after the shutdown began, want about %v", took, cfg.ShutdownTimeout)
	}
	// The forced close reached the client, which got no response.
	if err := <-clientErr; !errors.Is(err, io.ErrUnexpectedEOF) && !errors.Is(err, io.EOF) && !isReset(err) {
		t.Errorf("client after the forced close: %v, want EOF or reset", err)
	}
}

func isReset(err error) bool { return errors.Is(err, syscall.ECONNRESET) }

func TestServeTwice(t *testing.T) {
	r := start(t, testConfig(), nil)
	dialRaw(t, r.addr).get(t, "/healthz") // the first Serve is running
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	if err := r.Serve(context.Background(), ln); err == nil || !strings.Contains(err.Error(), "more than once") {
		t.Fatalf("second Serve = %v", err)
	}
	if _, err := ln.Accept(); !errors.Is(err, net.ErrClosed) {
		t.Errorf("second Serve left its listener open: %v", err)
	}
}

func TestServeReturnsAtOnceWhenCanceledBeforeStart(t *testing.T) {
	s, err := NewServer(testConfig(), nil)
	if err != nil {
		t.Fatal(err)
	}
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	ctx, cancel := context.WithCancel(context.Background())
	cancel()
	if err := s.Serve(ctx, ln); err != nil {
		t.Fatalf("Serve = %v, want nil", err)
	}
	if _, err := net.DialTimeout("tcp", ln.Addr().String(), time.Second); err == nil {
		t.Error("listener still accepts after Serve returned")
	}
}
