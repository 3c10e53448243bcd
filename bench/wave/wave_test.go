// Package wave benchmarks the prewarm engine: one wave of 9 POPs × 60
// requests against loopback POPs served by another process (bench/wave/pops),
// so that the CPU time and memory measured are the prewarmer's alone. Its
// test binary links package warm and nothing of the emulator, the origin or
// their Prometheus client, as the prewarm Lambda's binary does.
package wave_test

import (
	"bufio"
	"context"
	"crypto/tls"
	"crypto/x509"
	"encoding/json"
	"fmt"
	"io"
	"log/slog"
	"os"
	"os/exec"
	"path/filepath"
	"runtime/metrics"
	"strings"
	"sync"
	"syscall"
	"testing"
	"time"

	"github.com/cfprewarm/cfprewarm/warm"
)

const (
	testDist = "d111111abcdef8.cloudfront.net"
	testHost = "api.example.test"
)

// edgeInfo is what the POP process tells the benchmark.
type edgeInfo struct {
	Port  int      `json:"port"`
	DNS   string   `json:"dns"`
	CA    []byte   `json:"ca"`
	Codes []string `json:"codes"`
}

var benchCodes = []string{"HKG54-C1", "NRT57-P2", "SIN52-C1", "ICN54-C1", "TPE52-C1", "BOM78-P1", "FRA56-P3", "IAD89-C3", "GRU50-C1"}

// startEdgeProcess builds and starts bench/wave/pops.
func startEdgeProcess(b *testing.B) edgeInfo {
	bin := filepath.Join(b.TempDir(), "pops")
	if out, err := exec.Command("go", "build", "-o", bin, "github.com/cfprewarm/cfprewarm/bench/wave/pops").CombinedOutput(); err != nil {
		b.Fatalf("building the POP server: %v\n%s", err, out)
	}
	cmd := exec.Command(bin, "-host", testHost, "-distribution", testDist, "-pops", strings.Join(benchCodes, ","))
	cmd.Stderr = os.Stderr
	stdin, err := cmd.StdinPipe()
	if err != nil {
		b.Fatal(err)
	}
	stdout, err := cmd.StdoutPipe()
	if err != nil {
		b.Fatal(err)
	}
	if err := cmd.Start(); err != nil {
		b.Fatal(err)
	}
	b.Cleanup(func() {
		stdin.Close()
		cmd.Wait()
	})
	var info edgeInfo
	if err := json.NewDecoder(bufio.NewReader(stdout)).Decode(&info); err != nil {
		b.Fatalf("POP process: %v", err)
	}
	return info
}

// BenchmarkWave sends one wave of 9 POPs × 60 requests (540 TLS
// connections) per iteration against stand-in POPs in another process, with
// one Runner, as `cfprewarm warm --every` and a warm Lambda do: the first
// wave does a full TLS handshake per POP, the others resume. Besides ns/op
// it reports requests per CPU-second and CPU time per wave of this
// process, its peak RSS (VmHWM) and the peak of Go-managed memory sampled
// during the waves. Targets (issue 11): at least 3,000 requests per
// CPU-second, at most 24 MB peak RSS.
//
// The RSS figure is VmHWM: under `go test`, Linux's getrusage maxrss
// starts from the size of the go command that forked the test binary.
func BenchmarkWave(b *testing.B) { benchWave(b, tls.VersionTLS12) }

// BenchmarkWaveTLS13 is BenchmarkWave with TLS 1.3 (--tls-version 1.3),
// whose resumption still does a key exchange: the comparison behind the
// default (docs/warm.md, "CPU and memory").
func BenchmarkWaveTLS13(b *testing.B) { benchWave(b, tls.VersionTLS13) }

func benchWave(b *testing.B, version uint16) {
	info := startEdgeProcess(b)
	roots := x509.NewCertPool()
	roots.AppendCertsFromPEM(info.CA)
	r, err := warm.NewRunner(warm.Config{
		Distribution: testDist, Host: testHost, POPs: info.Codes, Port: info.Port,
		DNSServer: info.DNS, RootCAs: roots, RequestsPerPOP: 60, TLSVersion: version,
		Logger: slog.New(slog.NewTextHandler(io.Discard, nil)),
	})
	if err != nil {
		b.Fatal(err)
	}

	stopSampling := samplePeakMemory()
	var cpu time.Duration
	requests := 0
	b.ResetTimer()
	for b.Loop() {
		before := cpuTime()
		w := r.Wave(context.Background(), 1)
		cpu += cpuTime() - before
		if w.Total.OK != 540 {
			b.Fatalf("wave: %d of 540 requests OK: %v", w.Total.OK, w.Total.ErrorsByKind)
		}
		requests += w.Total.Requests
	}
	b.StopTimer()
	peak := stopSampling()
	b.ReportMetric(float64(requests)/cpu.Seconds(), "req/cpu-s")
	b.ReportMetric(float64(cpu.Milliseconds())/float64(b.N), "cpu-ms/wave")
	b.ReportMetric(peakRSS()/(1<<20), "maxrss-MB")
	b.ReportMetric(float64(peak)/(1<<20), "gomem-peak-MB")
}

// peakRSS is the process's peak resident set in bytes: VmHWM of
// /proc/self/status, or getrusage's maxrss where there is no /proc.
func peakRSS() float64 {
	if b, err := os.ReadFile("/proc/self/status"); err == nil {
		for line := range strings.Lines(string(b)) {
			if rest, ok := strings.CutPrefix(line, "VmHWM:"); ok {
				var kb float64
				if _, err := fmt.Sscanf(strings.TrimSpace(rest), "%f kB", &kb); err == nil {
					return kb * 1024
				}
			}
		}
	}
	var ru syscall.Rusage
	syscall.Getrusage(syscall.RUSAGE_SELF, &ru)
	return float64(ru.Maxrss) * 1024 // Linux reports KiB
}

func cpuTime() time.Duration {
	var ru syscall.Rusage
	syscall.Getrusage(syscall.RUSAGE_SELF, &ru)
	return time.Duration(ru.Utime.Nano() + ru.Stime.Nano())
}

// samplePeakMemory samples the memory the Go runtime has mapped, without
// stopping the world, until the returned function is called; that function
// returns the peak.
func samplePeakMemory() func() uint64 {
	sample := []metrics.Sample{{Name: "/memory/classes/total:bytes"}, {Name: "/memory/classes/heap/released:bytes"}}
	var peak uint64
	var mu sync.Mutex
	done := make(chan struct{})
	finished := make(chan struct{})
	go func() {
		defer close(finished)
		t := time.NewTicker(2 * time.Millisecond)
		defer t.Stop()
		for {
			metrics.Read(sample)
			inUse := sample[0].Value.Uint64() - sample[1].Value.Uint64()
			mu.Lock()
			peak = max(peak, inUse)
			mu.Unlock()
			select {
			case <-done:
				return
			case <-t.C:
			}
		}
	}()
	return func() uint64 {
		close(done)
		<-finished
		mu.Lock()
		defer mu.Unlock()
		return peak
	}
}
