package origin

import (
	"context"
	"io"
	"log/slog"
	"net"
	"net/http"
	"net/http/httptest"
	"slices"
	"sync"
	"testing"
	"time"
)

// discardWriter is the cheapest http.ResponseWriter, so the benchmark
// measures the handler chain, not a recorder.
type discardWriter struct{ h http.Header }

func (w *discardWriter) Header() http.Header         { return w.h }
func (w *discardWriter) Write(p []byte) (int, error) { return len(p), nil }
func (w *discardWriter) WriteHeader(int)             {}

// BenchmarkHandler is GET / through the whole handler chain (verification,
// metrics, JSON access log encoded to nowhere), without the network.
func BenchmarkHandler(b *testing.B) {
	cfg := DefaultConfig()
	cfg.VerifySecret = "bench-secret"
	s, err := NewServer(cfg, slog.New(slog.NewJSONHandler(io.Discard, nil)))
	if err != nil {
		b.Fatal(err)
	}
	h := s.Handler()
	req := httptest.NewRequest(http.MethodGet, "/", nil)
	req.Header.Set(DefaultVerifyHeader, "bench-secret")
	b.ReportAllocs()
	for b.Loop() {
		h.ServeHTTP(&discardWriter{h: make(http.Header, 4)}, req)
	}
	if got := s.Stats().Requests[http.StatusOK]; got == 0 {
		b.Fatal("no 200 counted")
	}
}

// BenchmarkKeepAliveLoopback sends GET / over HTTP/1.1 keep-alive
// connections on loopback (2×GOMAXPROCS of them, one request outstanding
// each) to a Server with its JSON access log on, and reports requests/s and
// the p99 latency. Target on a 2-core machine: ≥ 20k req/s, p99 < 5 ms.
func BenchmarkKeepAliveLoopback(b *testing.B) {
	cfg := DefaultConfig()
	cfg.DrainPeriod = NoDrain
	s, err := NewServer(cfg, slog.New(slog.NewJSONHandler(io.Discard, nil)))
	if err != nil {
		b.Fatal(err)
	}
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		b.Fatal(err)
	}
	ctx, cancel := context.WithCancel(context.Background())
	done := make(chan error, 1)
	go func() { done <- s.Serve(ctx, ln) }()
	defer func() {
		cancel()
		if err := <-done; err != nil {
			b.Error(err)
		}
	}()

	var (
		mu  sync.Mutex
		lat []time.Duration
	)
	b.SetParallelism(2)
	b.ResetTimer()
	begin := time.Now()
	b.RunParallel(func(pb *testing.PB) {
		c := dialRaw(b, ln.Addr().String())
		req := &http.Request{Method: http.MethodGet}
		mine := make([]time.Duration, 0, 1024)
		for pb.Next() {
			start := time.Now()
			if _, err := io.WriteString(c, "GET / HTTP/1.1\r\nHost: bench\r\n\r\n"); err != nil {
				b.Error(err)
				return
			}
			resp, err := http.ReadResponse(c.br, req)
			if err != nil || resp.StatusCode != http.StatusOK {
				b.Errorf("response: %v, %v", resp, err)
				return
			}
			if _, err := io.Copy(io.Discard, resp.Body); err != nil {
				b.Error(err)
				return
			}
			mine = append(mine, time.Since(start))
		}
		mu.Lock()
		lat = append(lat, mine...)
		mu.Unlock()
	})
	elapsed := time.Since(begin)
	b.StopTimer()
	slices.Sort(lat)
	b.ReportMetric(float64(len(lat))/elapsed.Seconds(), "req/s")
	b.ReportMetric(float64(lat[len(lat)*99/100].Microseconds())/1000, "p99-ms")
}
