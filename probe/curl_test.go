package probe

import (
	"context"
	"encoding/pem"
	"fmt"
	"github.com/cfprewarm/cfprewarm/stats"
	"net/http"
	"net/http/httptest"
	"os"
	"os/exec"
	"path/filepath"
	"strconv"
	"strings"
	"testing"
	"time"
)

// curlBench is a loopback TLS server with a small, fixed server delay, and
// what both curl and the probe need to reach it by name.
type curlBench struct {
	url, resolve, caFile string
	cfg                  Config
}

func newCurlBench(tb testing.TB, delay time.Duration) curlBench {
	tb.Helper()
	srv := httptest.NewUnstartedServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		time.Sleep(delay)
		fmt.Fprint(w, "Current date and time: Wed, 25 Nov 2026 03:20:57 UTC")
	}))
	srv.EnableHTTP2 = true
	srv.StartTLS()
	tb.Cleanup(srv.Close)
	caFile := filepath.Join(tb.TempDir(), "ca.pem")
	pemBytes := pem.EncodeToMemory(&pem.Block{Type: "CERTIFICATE", Bytes: srv.Certificate().Raw})
	if err := os.WriteFile(caFile, pemBytes, 0o600); err != nil {
		tb.Fatal(err)
	}
	url, resolve := hostURL(srv)
	pool, err := LoadRootCAs(caFile)
	if err != nil {
		tb.Fatal(err)
	}
	return curlBench{url: url, resolve: resolve, caFile: caFile,
		cfg: Config{URL: url, Resolve: []string{resolve}, RootCAs: pool}}
}

// curlTimings runs curl once and returns its cumulative timings.
func (c curlBench) curlTimings(tb testing.TB) Timings {
	tb.Helper()
	out, err := exec.Command("curl", "-s", "--noproxy", "*", "-o", "/dev/null", "--cacert", c.caFile, "--resolve", c.resolve,
		"-w", "%{time_namelookup} %{time_connect} %{time_appconnect} %{time_starttransfer} %{time_total}", c.url).Output()
	if err != nil {
		tb.Fatalf("curl: %v", err)
	}
	f := strings.Fields(string(out))
	if len(f) != 5 {
		tb.Fatalf("curl printed %q", out)
	}
	var v [5]time.Duration
	for i, s := range f {
		sec, err := strconv.ParseFloat(s, 64)
		if err != nil {
			tb.Fatalf("curl printed %q", out)
		}
		v[i] = time.Duration(sec * float64(time.Second))
	}
	return Timings{v[0], v[1], v[2], v[3], v[4]}
}

func medians(ts []Timings) Timings {
	var nl, co, ac, st, to []time.Duration
	for _, t := range ts {
		nl, co, ac = append(nl, t.NameLookup), append(co, t.Connect), append(ac, t.AppConnect)
		st, to = append(st, t.StartTransfer), append(to, t.Total)
	}
	return Timings{stats.Describe(nl).P50, stats.Describe(co).P50, stats.Describe(ac).P50,
		stats.Describe(st).P50, stats.Describe(to).P50}
}

// TestAgreesWithCurl checks the probe's timings against curl's -w timings,
// 20 requests each, interleaved, against the same loopback server, comparing
// medians within 1 ms:
//   - cumulative namelookup and connect;
//   - the phases after the TLS handshake (server: appconnect → starttransfer,
//     transfer: starttransfer → total), which is where the origin's effect shows.
//
// The TLS handshake itself is compared one way only: curl (OpenSSL 3, a new
// process each time, building its SSL context inside the handshake) spends
// 3–10 ms of client CPU there on this machine against the probe's 2–3 ms, so
// cumulative appconnect and later cannot agree within 1 ms; that is a cost of
// the client, not of the measurement. The test asserts that the probe's
// handshake is not longer than curl's by more than 1 ms and logs the rest.
func TestAgreesWithCurl(t *testing.T) {
	if _, err := exec.LookPath("curl"); err != nil {
		t.Skip("curl is not installed: cannot compare the probe with curl (apt-get install curl)")
	}
	bench := newCurlBench(t, 20*time.Millisecond)
	p, err := NewProber(bench.cfg)
	if err != nil {
		t.Fatal(err)
	}
	var curl, ours []Timings
	for i := 0; i < 20; i++ {
		curl = append(curl, bench.curlTimings(t))
		r := p.Probe(context.Background(), i)
		if !r.OK() {
			t.Fatal(r.Error)
		}
		ours = append(ours, r.Timings)
	}
	c, o := medians(curl), medians(ours)
	cp, op := medianPhases(curl), medianPhases(ours)
	for _, row := range []struct {
		name       string
		curl, ours time.Duration
		check      func(diff time.Duration) bool
	}{
		{"namelookup", c.NameLookup, o.NameLookup, within1ms},
		{"connect", c.Connect, o.Connect, within1ms},
		{"appconnect", c.AppConnect, o.AppConnect, nil},
		{"starttransfer", c.StartTransfer, o.StartTransfer, nil},
		{"total", c.Total, o.Total, nil},
		{"phase tls", cp.TLS, op.TLS, func(d time.Duration) bool { return d <= time.Millisecond }},
		{"phase server", cp.Server, op.Server, within1ms},
		{"phase transfer", cp.Transfer, op.Transfer, within1ms},
	} {
		diff := row.ours - row.curl
		t.Logf("%-14s curl %8.3f ms  probe %8.3f ms  diff %+.3f ms", row.name,
			float64(row.curl)/1e6, float64(row.ours)/1e6, float64(diff)/1e6)
		if row.check != nil && !row.check(diff) {
			t.Errorf("%s: probe median %v against curl's %v is out of bounds", row.name, row.ours, row.curl)
		}
	}
}

func within1ms(d time.Duration) bool { return d <= time.Millisecond && d >= -time.Millisecond }

// medianPhases returns the median of each single phase.
func medianPhases(ts []Timings) Phases {
	var dns, tcp, tls, srv, xfr []time.Duration
	for _, t := range ts {
		ph := t.Phases()
		dns, tcp, tls = append(dns, ph.DNS), append(tcp, ph.TCP), append(tls, ph.TLS)
		srv, xfr = append(srv, ph.Server), append(xfr, ph.Transfer)
	}
	return Phases{DNS: stats.Describe(dns).P50, TCP: stats.Describe(tcp).P50, TLS: stats.Describe(tls).P50,
		Server: stats.Describe(srv).P50, Transfer: stats.Describe(xfr).P50}
}

// BenchmarkProbeVsCurl measures the probe's own overhead: median Total of the
// probe and of curl against the same loopback server, interleaved in one run.
// The ratio probe/curl is reported as the metric "probe/curl"; the target is
// at most 1.20.
func BenchmarkProbeVsCurl(b *testing.B) {
	if _, err := exec.LookPath("curl"); err != nil {
		b.Skip("curl is not installed")
	}
	bench := newCurlBench(b, 0)
	p, err := NewProber(bench.cfg)
	if err != nil {
		b.Fatal(err)
	}
	var curl, ours []time.Duration
	b.ResetTimer()
	for i := 0; i < b.N; i++ {
		curl = append(curl, bench.curlTimings(b).Total)
		r := p.Probe(context.Background(), i)
		if !r.OK() {
			b.Fatal(r.Error)
		}
		ours = append(ours, r.Timings.Total)
	}
	cm, om := stats.Describe(curl).P50, stats.Describe(ours).P50
	b.ReportMetric(float64(cm)/1e3, "curl-µs/op")
	b.ReportMetric(float64(om)/1e3, "probe-µs/op")
	b.ReportMetric(float64(om)/float64(cm), "probe/curl")
}
