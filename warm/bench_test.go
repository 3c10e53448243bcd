package warm_test

import (
	"bufio"
	"context"
	"crypto/x509"
	"encoding/json"
	"fmt"
	"io"
	"log/slog"
	"os"
	"os/exec"
	"runtime/metrics"
	"sync"
	"syscall"
	"testing"
	"time"

	"github.com/cfprewarm/cfprewarm/internal/loopback"
	"github.com/cfprewarm/cfprewarm/warm"
)

// benchEdgeEnv makes the test binary serve stand-in POPs for a benchmark
// in another process, so the benchmark's CPU time and memory are the
// prewarmer's alone.
const benchEdgeEnv = "WARM_BENCH_EDGE_POPS"

// edgeInfo is what the edge process tells the benchmark.
type edgeInfo struct {
	Port  int      `json:"port"`
	DNS   string   `json:"dns"`
	CA    []byte   `json:"ca"`
	Codes []string `json:"codes"`
}

var benchCodes = []string{"HKG54-C1", "NRT57-P2", "SIN52-C1", "ICN54-C1", "TPE52-C1", "BOM78-P1", "FRA56-P3", "IAD89-C3", "GRU50-C1"}

func TestMain(m *testing.M) {
	if os.Getenv(benchEdgeEnv) != "" {
		os.Exit(serveEdge())
	}
	os.Exit(m.Run())
}

// serveEdge runs the stand-in POPs until its standard input closes.
func serveEdge() int {
	specs := make([]loopback.POPSpec, len(benchCodes))
	for i, c := range benchCodes {
		specs[i] = loopback.POPSpec{Code: c}
	}
	e, err := loopback.Start(context.Background(), loopback.Config{Host: testHost, Distribution: testDist, POPs: specs})
	if err != nil {
		fmt.Fprintln(os.Stderr, err)
		return 1
	}
	defer e.Close()
	json.NewEncoder(os.Stdout).Encode(edgeInfo{Port: e.Port, DNS: e.DNSAddr, CA: e.CA.PEM(), Codes: benchCodes})
	io.Copy(io.Discard, os.Stdin)
	return 0
}

// startEdgeProcess starts serveEdge in a child process.
func startEdgeProcess(b *testing.B) edgeInfo {
	cmd := exec.Command(os.Args[0], "-test.run=^$")
	cmd.Env = append(os.Environ(), benchEdgeEnv+"=1")
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
		b.Fatalf("edge process: %v", err)
	}
	return info
}

// BenchmarkWave sends one wave of 9 POPs × 60 requests (540 TLS
// connections) against stand-in POPs in another process. Besides ns/op it
// reports the CPU time of a wave, the process's peak RSS and the peak of
// Go-managed memory sampled during the waves. Targets: under 1 s of CPU
// per wave and under 64 MB of RSS (a 128 MB Lambda).
func BenchmarkWave(b *testing.B) {
	info := startEdgeProcess(b)
	roots := x509.NewCertPool()
	roots.AppendCertsFromPEM(info.CA)
	r, err := warm.NewRunner(warm.Config{
		Distribution: testDist, Host: testHost, POPs: info.Codes, Port: info.Port,
		DNSServer: info.DNS, RootCAs: roots, RequestsPerPOP: 60,
		Logger: slog.New(slog.NewTextHandler(io.Discard, nil)),
	})
	if err != nil {
		b.Fatal(err)
	}

	stopSampling := samplePeakMemory()
	var cpu time.Duration
	b.ResetTimer()
	for b.Loop() {
		before := cpuTime()
		w := r.Wave(context.Background(), 1)
		cpu += cpuTime() - before
		if w.Total.OK != 540 {
			b.Fatalf("wave: %d of 540 requests OK: %v", w.Total.OK, w.Total.ErrorsByKind)
		}
	}
	b.StopTimer()
	peak := stopSampling()
	var ru syscall.Rusage
	syscall.Getrusage(syscall.RUSAGE_SELF, &ru)
	b.ReportMetric(float64(cpu.Milliseconds())/float64(b.N), "cpu-ms/wave")
	b.ReportMetric(float64(ru.Maxrss)/1024, "maxrss-MB") // Linux reports KiB
	b.ReportMetric(float64(peak)/(1<<20), "gomem-peak-MB")
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
