package accesslog

import (
	"bytes"
	"context"
	"fmt"
	"os"
	"path/filepath"
	"sort"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/klauspost/compress/gzip"
)

var t0 = time.Date(2026, 11, 1, 10, 0, 0, 0, time.UTC)

// entries returns n requests spread over a few POPs, one every 7 s.
func entries(n int) []Entry {
	pops := []string{"HKG62-C1", "NRT57-P2", "FRA56-P3"}
	out := make([]Entry, n)
	for i := range out {
		out[i] = Entry{
			Time: t0.Add(time.Duration(i) * 7 * time.Second), POP: pops[i%len(pops)], SCBytes: 512,
			ClientIP: "192.0.2.10", Method: []string{"GET", "POST"}[i%2], Host: "d111111abcdef8.cloudfront.net",
			URIStem: []string{"/api/time", "/static/app.js"}[i%2], Status: 200, UserAgent: "curl/8.5.0 (x86_64)",
			ResultType: "Miss", RequestID: fmt.Sprintf("req%04d==", i), HostHeader: "api.example.com", Protocol: "https",
			CSBytes: 90, TimeTaken: 250 * time.Millisecond, SSLProtocol: "TLSv1.3", SSLCipher: "TLS_AES_128_GCM_SHA256",
			ResponseResultType: "Miss", ProtocolVersion: "HTTP/1.1", ClientPort: 40000 + i,
			TTFB: time.Duration(100+i) * time.Millisecond, DetailedResultType: "Miss", ContentType: "text/plain",
			ContentLen: 40, RangeStart: -1, RangeEnd: -1,
		}
	}
	return out
}

// w3c renders entries as a standard log file with the 33 fields.
func w3c(es []Entry) []byte {
	b := []byte(Header())
	for _, e := range es {
		b = AppendW3C(b, e)
	}
	return b
}

// project keeps only the named columns of a 33-field log, header included.
func project(log []byte, keep []string) []byte {
	idx := make([]int, len(keep))
	for i, k := range keep {
		idx[i] = -1
		for j, f := range LegacyFields {
			if f == k {
				idx[i] = j
			}
		}
		if idx[i] < 0 {
			panic(k)
		}
	}
	var out bytes.Buffer
	for _, line := range strings.Split(strings.TrimSuffix(string(log), "\n"), "\n") {
		switch {
		case strings.HasPrefix(line, "#Fields:"):
			out.WriteString("#Fields: " + strings.Join(keep, " ") + "\n")
		case strings.HasPrefix(line, "#"):
			out.WriteString(line + "\n")
		default:
			cols := strings.Split(line, "\t")
			sel := make([]string, len(idx))
			for i, j := range idx {
				sel[i] = cols[j]
			}
			out.WriteString(strings.Join(sel, "\t") + "\n")
		}
	}
	return out.Bytes()
}

func gz(b []byte) []byte {
	var buf bytes.Buffer
	zw := gzip.NewWriter(&buf)
	zw.Write(b)
	zw.Close()
	return buf.Bytes()
}

func writeFile(t testing.TB, dir, name string, b []byte) string {
	t.Helper()
	p := filepath.Join(dir, name)
	if err := os.MkdirAll(filepath.Dir(p), 0o755); err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(p, b, 0o644); err != nil {
		t.Fatal(err)
	}
	return p
}

// got is a kept copy of a record.
type got struct {
	Unix        int64
	POP, Method string
	Host, HH    string
	Result      string
	Status      int
	Path, ID    string
	TTFB        float64
	HasTTFB     bool
}

// readAll reads cfg and returns the records sorted by request id, and the summary.
func readAll(t testing.TB, cfg Config) ([]got, Summary) {
	t.Helper()
	var mu sync.Mutex
	var out []got
	sum, err := Read(context.Background(), cfg, func(_ int, r *Record) {
		mu.Lock()
		out = append(out, got{r.Unix, r.POP, r.Method, r.Host, r.HostHeader, r.ResultType, r.Status, string(r.Path), string(r.RequestID), r.TTFB, r.HasTTFB})
		mu.Unlock()
	})
	if err != nil {
		t.Fatalf("Read: %v", err)
	}
	sort.Slice(out, func(i, j int) bool {
		if out[i].ID != out[j].ID {
			return out[i].ID < out[j].ID
		}
		return out[i].Unix < out[j].Unix
	})
	return out, sum
}

// want is what reading es should give.
func want(es []Entry, withTTFB bool) []got {
	out := make([]got, len(es))
	for i, e := range es {
		out[i] = got{e.Time.Unix(), e.POP, e.Method, e.Host, e.HostHeader, e.ResultType, e.Status, e.URIStem, e.RequestID, 0, false}
		if withTTFB {
			out[i].TTFB, out[i].HasTTFB = e.TTFB.Seconds(), true
		}
	}
	return out
}
