package promexport_test

import (
	"context"
	"io"
	"log/slog"
	"math"
	"net"
	"net/http"
	"strings"
	"sync/atomic"
	"testing"
	"time"

	dto "github.com/prometheus/client_model/go"
	"github.com/prometheus/common/expfmt"
	"github.com/prometheus/common/model"

	"github.com/cfprewarm/cfprewarm/internal/loopback"
	"github.com/cfprewarm/cfprewarm/warm"
	"github.com/cfprewarm/cfprewarm/warm/promexport"
)

const (
	testDist = "d111111abcdef8.cloudfront.net"
	testHost = "api.example.test"
)

// clock is the real time plus an offset a test moves forward.
type clock struct{ offset atomic.Int64 }

func (c *clock) now() time.Time          { return time.Now().Add(time.Duration(c.offset.Load())) }
func (c *clock) advance(d time.Duration) { c.offset.Add(int64(d)) }

// serve starts e on a loopback port and returns its base URL.
func serve(t *testing.T, e *promexport.Exporter) string {
	t.Helper()
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	ctx, cancel := context.WithCancel(context.Background())
	done := make(chan error, 1)
	go func() { done <- e.Serve(ctx, ln) }()
	t.Cleanup(func() {
		cancel()
		if err := <-done; err != nil {
			t.Errorf("Serve: %v", err)
		}
	})
	return "http://" + ln.Addr().String()
}

func get(t *testing.T, url string) (int, string) {
	t.Helper()
	resp, err := http.Get(url)
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	b, err := io.ReadAll(resp.Body)
	if err != nil {
		t.Fatal(err)
	}
	return resp.StatusCode, string(b)
}

// scrape reads /metrics with Prometheus's own text parser.
func scrape(t *testing.T, base string) scraped {
	t.Helper()
	code, body := get(t, base+promexport.MetricsPath)
	if code != http.StatusOK {
		t.Fatalf("/metrics: %d %s", code, body)
	}
	p := expfmt.NewTextParser(model.UTF8Validation)
	fams, err := p.TextToMetricFamilies(strings.NewReader(body))
	if err != nil {
		t.Fatalf("/metrics does not parse: %v\n%s", err, body)
	}
	return scraped(fams)
}

type scraped map[string]*dto.MetricFamily

// value returns the value of the metric name{labels}, and whether it is
// there. labels are name, value pairs and must match all of the metric's.
func (s scraped) value(name string, labels ...string) (float64, bool) {
	f := s[promexport.Prefix+name]
	if f == nil {
		return 0, false
	}
	for _, m := range f.GetMetric() {
		if !labelsAre(m, labels) {
			continue
		}
		switch f.GetType() {
		case dto.MetricType_COUNTER:
			return m.GetCounter().GetValue(), true
		case dto.MetricType_GAUGE:
			return m.GetGauge().GetValue(), true
		case dto.MetricType_HISTOGRAM:
			return float64(m.GetHistogram().GetSampleCount()), true
		}
	}
	return 0, false
}

func labelsAre(m *dto.Metric, want []string) bool {
	if len(m.GetLabel())*2 != len(want) {
		return false
	}
	have := map[string]string{}
	for _, l := range m.GetLabel() {
		have[l.GetName()] = l.GetValue()
	}
	for i := 0; i < len(want); i += 2 {
		if v, ok := have[want[i]]; !ok || v != want[i+1] {
			return false
		}
	}
	return true
}

func (s scraped) want(t *testing.T, want float64, name string, labels ...string) {
	t.Helper()
	got, ok := s.value(name, labels...)
	if !ok {
		t.Errorf("%s%v: missing", name, labels)
	} else if math.Abs(got-want) > 1e-9 {
		t.Errorf("%s%v = %v, want %v", name, labels, got, want)
	}
}

func (s scraped) absent(t *testing.T, name string, labels ...string) {
	t.Helper()
	if got, ok := s.value(name, labels...); ok {
		t.Errorf("%s%v = %v, want it absent", name, labels, got)
	}
}

// Two runs of a wave each against lab POPs, as the daemon runs them: a
// healthy POP with one edge host (its first request ever is cold, every
// later one warm), a healthy POP with four, one whose name does not
// resolve and one that answers 503. The scrape says per POP what the
// waves did, and /healthz follows the window.
func TestScrapeAfterLabWaves(t *testing.T) {
	specs := []loopback.POPSpec{
		{Code: "HKG54-C1", Hosts: 1},
		{Code: "FRA56-P3", Hosts: 4},
		{Code: "NRT57-P2", NoDNS: true},
		{Code: "SIN52-C1", Status: http.StatusServiceUnavailable},
	}
	cf := loopback.New(t, testHost, testDist, specs...)
	runner, err := warm.NewRunner(warm.Config{
		Distribution:   cf.Distribution,
		Host:           cf.Host,
		POPs:           loopback.Codes(specs),
		Port:           cf.Port,
		DNSServer:      cf.DNSAddr,
		RootCAs:        cf.CA.Pool(),
		RequestsPerPOP: 12,
		Concurrency:    1, // one request at a time: HKG54-C1's cold count is exact
		Timeout:        5 * time.Second,
		Logger:         slog.New(slog.NewTextHandler(io.Discard, nil)),
	})
	if err != nil {
		t.Fatal(err)
	}
	var clk clock
	window := time.Minute
	e := promexport.New(window, promexport.WithClock(clk.now))
	base := serve(t, e)

	var runs []*warm.Result
	for range 2 {
		res := runner.Run(context.Background(), nil)
		e.Observe(res)
		runs = append(runs, res)
	}
	m := scrape(t, base)

	pop := func(code string) []string { return []string{promexport.LabelPOP, code} }
	kind := func(code, kind string) []string { return []string{promexport.LabelPOP, code, "kind", kind} }
	origin := func(code, state string) []string { return []string{promexport.LabelPOP, code, "origin", state} }

	// HKG54-C1: 24 answers, the very first cold.
	m.want(t, 24, "requests_total", pop("HKG54-C1")...)
	m.want(t, 0, "errors_total", kind("HKG54-C1", "dns")...)
	m.want(t, 23, "origin_requests_total", origin("HKG54-C1", "warm")...)
	m.want(t, 1, "origin_requests_total", origin("HKG54-C1", "cold")...)
	m.want(t, 0, "origin_requests_total", origin("HKG54-C1", "unknown")...)
	m.want(t, 0, "origin_cold_ratio", pop("HKG54-C1")...) // the last wave: all warm
	m.want(t, 1, "edge_hosts_seen", pop("HKG54-C1")...)

	// FRA56-P3: its four hosts, seen and estimated as the engine says.
	last := runs[1].Waves[0]
	fra := last.POPs[1]
	m.want(t, 24, "requests_total", pop("FRA56-P3")...)
	m.want(t, float64(fra.Sizing.EdgeHostsSeen), "edge_hosts_seen", pop("FRA56-P3")...)
	if fra.Sizing.EdgeHostsSeen != 4 {
		t.Errorf("FRA56-P3: the wave saw %d edge hosts, want 4 (12 requests, 4 hosts)", fra.Sizing.EdgeHostsSeen)
	}
	if fra.Sizing.EdgeHosts == nil {
		t.Errorf("FRA56-P3: no estimate after two waves: %s", fra.Sizing.EdgeHostsNote)
	} else {
		m.want(t, float64(fra.Sizing.EdgeHosts.Hosts), "edge_hosts_estimate", pop("FRA56-P3")...)
	}
	if r, ok := fra.Stats.OriginColdRatio().Value(); ok {
		m.want(t, r, "origin_cold_ratio", pop("FRA56-P3")...)
	} else {
		t.Error("FRA56-P3: the wave's answers said nothing of the origin")
	}

	// NRT57-P2: every request failed its lookup; nothing else is known.
	m.want(t, 24, "requests_total", pop("NRT57-P2")...)
	m.want(t, 24, "errors_total", kind("NRT57-P2", "dns")...)
	m.want(t, 0, "errors_total", kind("NRT57-P2", "timeout")...)
	m.absent(t, "origin_cold_ratio", pop("NRT57-P2")...)
	m.absent(t, "edge_hosts_estimate", pop("NRT57-P2")...)
	m.absent(t, "last_success_timestamp_seconds", pop("NRT57-P2")...)

	// SIN52-C1: answered, but 503: failures of kind status_5xx.
	m.want(t, 24, "errors_total", kind("SIN52-C1", "status_5xx")...)
	m.absent(t, "last_success_timestamp_seconds", pop("SIN52-C1")...)

	// Per POP: the last wave's time for it, within the wave; the last success.
	for i, p := range last.POPs {
		got, ok := m.value("pop_wave_duration_seconds", pop(p.POP)...)
		if !ok || got <= 0 || got > last.Duration.Float()+1e-6 {
			t.Errorf("%s: pop_wave_duration_seconds %v (present %v), want in (0, %v]", p.POP, got, ok, last.Duration.Float())
		}
		if i < 2 {
			end := last.Start.Add(time.Duration(last.Duration))
			m.want(t, float64(end.UnixNano())/1e9, "last_success_timestamp_seconds", pop(p.POP)...)
		}
	}

	// The daemon: two waves, both failed (two POPs failed them).
	m.want(t, 2, "wave_duration_seconds")
	m.want(t, 0, "waves_total", "result", "succeeded")
	m.want(t, 2, "waves_total", "result", "failed")
	m.absent(t, "last_successful_wave_timestamp_seconds")
	m.want(t, window.Seconds(), "healthz_window_seconds")
	m.want(t, 1, "healthy") // within the window of the start

	code, body := get(t, base+promexport.HealthPath)
	if code != http.StatusOK || !strings.Contains(body, "starting") || !strings.Contains(body, "NRT57-P2, SIN52-C1") {
		t.Errorf("/healthz within the window of the start: %d %q", code, body)
	}
	clk.advance(window + time.Second)
	code, body = get(t, base+promexport.HealthPath)
	if code != http.StatusServiceUnavailable || !strings.Contains(body, "no successful wave") || !strings.Contains(body, "NRT57-P2, SIN52-C1") {
		t.Errorf("/healthz after the window with no successful wave: %d %q, want 503 naming the failed POPs", code, body)
	}
	scrape(t, base).want(t, 0, "healthy")
}

// A wave in which every POP succeeds keeps /healthz at 200 for the window
// from the wave's end, and 503 after it.
func TestHealthzFollowsLastSuccessfulWave(t *testing.T) {
	specs := []loopback.POPSpec{{Code: "HKG54-C1"}, {Code: "FRA56-P3"}}
	cf := loopback.New(t, testHost, testDist, specs...)
	res, err := warm.Run(context.Background(), warm.Config{
		Distribution: cf.Distribution, Host: cf.Host, POPs: loopback.Codes(specs), Port: cf.Port,
		DNSServer: cf.DNSAddr, RootCAs: cf.CA.Pool(), RequestsPerPOP: 3,
		Logger: slog.New(slog.NewTextHandler(io.Discard, nil)),
	})
	if err != nil {
		t.Fatal(err)
	}
	var clk clock
	window := 3 * time.Minute
	e := promexport.New(window, promexport.WithClock(clk.now))
	e.Observe(res)
	base := serve(t, e)

	w := res.Waves[0]
	end := w.Start.Add(time.Duration(w.Duration))
	m := scrape(t, base)
	m.want(t, 1, "waves_total", "result", "succeeded")
	m.want(t, float64(end.UnixNano())/1e9, "last_successful_wave_timestamp_seconds")

	clk.advance(window - time.Since(end) - time.Second)
	if code, body := get(t, base+promexport.HealthPath); code != http.StatusOK || !strings.Contains(body, "last successful wave ended") {
		t.Errorf("/healthz a second before the window ends: %d %q", code, body)
	}
	clk.advance(2 * time.Second)
	if code, body := get(t, base+promexport.HealthPath); code != http.StatusServiceUnavailable {
		t.Errorf("/healthz a second after the window: %d %q, want 503", code, body)
	}
}
