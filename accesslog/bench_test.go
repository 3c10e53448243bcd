package accesslog

import (
	"context"
	"fmt"
	"math/rand/v2"
	"os"
	"path/filepath"
	"runtime"
	"runtime/metrics"
	"sync/atomic"
	"testing"
	"time"

	"github.com/klauspost/compress/gzip"
)

// BenchmarkReadGzipW3C reads hourly gzip W3C files (33 fields, realistic
// values) with every core and reports lines per second and the peak heap.
// The two sizes differ 4× in lines; the peak heap must not.
//
//	go test -run '^$' -bench ReadGzipW3C -benchtime 3x ./accesslog/
func BenchmarkReadGzipW3C(b *testing.B) {
	for _, files := range []int{4, 16} {
		const perFile = 62_500
		b.Run(fmt.Sprintf("lines=%d", files*perFile), func(b *testing.B) {
			dir := benchLogs(b, files, perFile)
			cfg := Config{Inputs: []string{dir}}
			counts := make([]int64, Workers(cfg))
			runtime.GC()
			peak := watchHeap()
			b.ResetTimer()
			start := time.Now()
			var lines int64
			for range b.N {
				sum, err := Read(context.Background(), cfg, func(w int, r *Record) { counts[w] += r.Unix & 1 })
				if err != nil || sum.Bad != 0 || sum.Records != int64(files*perFile) {
					b.Fatalf("read %d records, %d bad, err %v", sum.Records, sum.Bad, err)
				}
				lines += sum.Records
			}
			el := time.Since(start)
			b.StopTimer()
			b.ReportMetric(float64(lines)/el.Seconds(), "lines/s")
			b.ReportMetric(float64(peak())/(1<<20), "peak-heap-MB")
			b.ReportMetric(0, "ns/op")
		})
	}
}

// watchHeap samples the live heap every millisecond until the returned
// function is called, which returns the largest value seen.
func watchHeap() func() uint64 {
	var maxHeap atomic.Uint64
	stop := make(chan struct{})
	done := make(chan struct{})
	go func() {
		defer close(done)
		s := []metrics.Sample{{Name: "/memory/classes/heap/objects:bytes"}}
		t := time.NewTicker(time.Millisecond)
		defer t.Stop()
		for {
			metrics.Read(s)
			if v := s[0].Value.Uint64(); v > maxHeap.Load() {
				maxHeap.Store(v)
			}
			select {
			case <-stop:
				return
			case <-t.C:
			}
		}
	}()
	return func() uint64 { close(stop); <-done; return maxHeap.Load() }
}

// benchLogs writes files gzip W3C files of n lines each, once per size.
func benchLogs(b *testing.B, files, n int) string {
	dir := filepath.Join(os.TempDir(), fmt.Sprintf("cfprewarm-bench-w3c-%dx%d", files, n))
	if _, err := os.Stat(filepath.Join(dir, "done")); err == nil {
		return dir
	}
	os.RemoveAll(dir)
	os.MkdirAll(dir, 0o755)
	rng := rand.New(rand.NewPCG(1, 2))
	pops := []string{"HKG62-C1", "NRT57-P2", "FRA56-P3", "IAD89-C3", "SIN52-C1", "GRU50-C1", "SYD62-P1", "BOM78-P1"}
	paths := []string{"/api/v1/time", "/api/v1/orders/12345", "/api/v1/users/me", "/static/app.8f3a.js"}
	base := time.Date(2026, 11, 1, 0, 0, 0, 0, time.UTC)
	for f := range files {
		name := filepath.Join(dir, fmt.Sprintf("E2EXAMPLE.2026-11-01-%02d.%08x.gz", f%24, rng.Uint32()))
		out, err := os.Create(name)
		if err != nil {
			b.Fatal(err)
		}
		zw := gzip.NewWriter(out)
		zw.Write([]byte(Header()))
		buf := make([]byte, 0, 1<<16)
		for i := range n {
			e := Entry{
				Time: base.Add(time.Duration(f)*time.Hour + time.Duration(i)*time.Hour/time.Duration(n)),
				POP:  pops[rng.IntN(len(pops))], SCBytes: int64(300 + rng.IntN(2000)),
				ClientIP: fmt.Sprintf("198.51.%d.%d", rng.IntN(256), rng.IntN(256)), Method: "GET",
				Host: "d111111abcdef8.cloudfront.net", URIStem: paths[rng.IntN(len(paths))], Status: 200,
				UserAgent: "Mozilla/5.0 (X11; Linux x86_64) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/131.0 Safari/537.36",
				Query:     "lang=en", ResultType: "Miss", RequestID: fmt.Sprintf("%016x%016x%016x==", rng.Uint64(), rng.Uint64(), rng.Uint64()),
				HostHeader: "api.example.com", Protocol: "https", CSBytes: int64(100 + rng.IntN(400)),
				TimeTaken: time.Duration(rng.IntN(800)) * time.Millisecond, SSLProtocol: "TLSv1.3", SSLCipher: "TLS_AES_128_GCM_SHA256",
				ResponseResultType: "Miss", ProtocolVersion: "HTTP/2.0", ClientPort: 1024 + rng.IntN(60000),
				TTFB: time.Duration(rng.IntN(700)) * time.Millisecond, DetailedResultType: "Miss", ContentType: "application/json",
				ContentLen: int64(rng.IntN(4000)), RangeStart: -1, RangeEnd: -1,
			}
			buf = AppendW3C(buf, e)
			if len(buf) > 60<<10 {
				zw.Write(buf)
				buf = buf[:0]
			}
		}
		zw.Write(buf)
		zw.Close()
		out.Close()
	}
	os.WriteFile(filepath.Join(dir, "done"), nil, 0o644)
	// "done" is an empty file: read as an empty log, no lines.
	return dir
}
