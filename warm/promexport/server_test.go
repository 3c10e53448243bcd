package promexport_test

import (
	"context"
	"net"
	"net/http"
	"strings"
	"testing"
	"time"

	"github.com/cfprewarm/cfprewarm/warm/promexport"
)

// Only GET (and HEAD) of the two paths are answered.
func TestRoutes(t *testing.T) {
	base := serve(t, promexport.New(time.Minute))
	for _, c := range []struct {
		method, path string
		want         int
	}{
		{http.MethodGet, promexport.MetricsPath, http.StatusOK},
		{http.MethodHead, promexport.HealthPath, http.StatusOK},
		{http.MethodGet, "/", http.StatusNotFound},
		{http.MethodPost, promexport.MetricsPath, http.StatusMethodNotAllowed},
	} {
		req, _ := http.NewRequest(c.method, base+c.path, nil)
		resp, err := http.DefaultClient.Do(req)
		if err != nil {
			t.Fatal(err)
		}
		resp.Body.Close()
		if resp.StatusCode != c.want {
			t.Errorf("%s %s: %d, want %d", c.method, c.path, resp.StatusCode, c.want)
		}
		if c.want == http.StatusOK && resp.Header.Get("Cache-Control") != "no-store" {
			t.Errorf("%s %s: Cache-Control %q", c.method, c.path, resp.Header.Get("Cache-Control"))
		}
	}
}

// MaxConns connections that send nothing hold every slot: a scrape waits
// until one of them goes away.
func TestConnectionCap(t *testing.T) {
	base := serve(t, promexport.New(time.Minute))
	addr := strings.TrimPrefix(base, "http://")
	var idle []net.Conn
	for range promexport.MaxConns {
		c, err := net.Dial("tcp", addr)
		if err != nil {
			t.Fatal(err)
		}
		defer c.Close()
		idle = append(idle, c)
	}
	time.Sleep(50 * time.Millisecond) // let the server accept them
	client := &http.Client{Timeout: 300 * time.Millisecond, Transport: &http.Transport{DisableKeepAlives: true}}
	if resp, err := client.Get(base + promexport.HealthPath); err == nil {
		resp.Body.Close()
		t.Fatalf("with %d connections open a request was answered (%d): no cap", promexport.MaxConns, resp.StatusCode)
	}
	idle[0].Close()
	client.Timeout = 5 * time.Second
	resp, err := client.Get(base + promexport.HealthPath)
	if err != nil {
		t.Fatalf("after one connection closed: %v", err)
	}
	resp.Body.Close()
	if resp.StatusCode != http.StatusOK {
		t.Errorf("after one connection closed: %d", resp.StatusCode)
	}
}

// Serve returns nil when its context ends, and the port is closed.
func TestServeStops(t *testing.T) {
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	ctx, cancel := context.WithCancel(context.Background())
	done := make(chan error, 1)
	go func() { done <- promexport.New(time.Minute).Serve(ctx, ln) }()
	cancel()
	select {
	case err := <-done:
		if err != nil {
			t.Errorf("Serve: %v", err)
		}
	case <-time.After(5 * time.Second):
		t.Fatal("Serve did not return after its context ended")
	}
	if c, err := net.Dial("tcp", ln.Addr().String()); err == nil {
		c.Close()
		t.Error("the port still accepts connections")
	}
}
