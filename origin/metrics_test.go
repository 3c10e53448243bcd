package origin

import (
	"fmt"
	"strings"
	"testing"

	dto "github.com/prometheus/client_model/go"
	"github.com/prometheus/common/expfmt"
	"github.com/prometheus/common/model"
)

// scrape GETs /metrics at addr on a new connection and parses it with the
// Prometheus client library's text parser.
func scrape(t *testing.T, addr string) map[string]*dto.MetricFamily {
	t.Helper()
	resp, text := dialRaw(t, addr).get(t, MetricsPath)
	if resp.StatusCode != 200 {
		t.Fatalf("GET %s = %d %q", MetricsPath, resp.StatusCode, text)
	}
	if ct := resp.Header.Get("Content-Type"); !strings.HasPrefix(ct, "text/plain; version=0.0.4") {
		t.Errorf("Content-Type %q, want the text format", ct)
	}
	if cc := resp.Header.Get("Cache-Control"); cc != "no-store" {
		t.Errorf("Cache-Control %q, want no-store", cc)
	}
	parser := expfmt.NewTextParser(model.UTF8Validation)
	families, err := parser.TextToMetricFamilies(strings.NewReader(text))
	if err != nil {
		t.Fatalf("parse /metrics: %v\n%s", err, text)
	}
	return families
}

// parseMetrics reads the text format with the client library's parser
// into name{labels} → value for counters and gauges, and name_count{labels}
// and name_sum{labels} for histograms.
func parseMetrics(t *testing.T, text string) map[string]float64 {
	t.Helper()
	parser := expfmt.NewTextParser(model.UTF8Validation)
	families, err := parser.TextToMetricFamilies(strings.NewReader(text))
	if err != nil {
		t.Fatalf("parse: %v\n%s", err, text)
	}
	return samples(families)
}

func samples(families map[string]*dto.MetricFamily) map[string]float64 {
	out := map[string]float64{}
	for name, f := range families {
		for _, m := range f.GetMetric() {
			var labels []string
			for _, l := range m.GetLabel() {
				labels = append(labels, fmt.Sprintf("%s=%q", l.GetName(), l.GetValue()))
			}
			suffix := ""
			if len(labels) > 0 {
				suffix = "{" + strings.Join(labels, ",") + "}"
			}
			switch f.GetType() {
			case dto.MetricType_COUNTER:
				out[name+suffix] = m.GetCounter().GetValue()
			case dto.MetricType_GAUGE:
				out[name+suffix] = m.GetGauge().GetValue()
			case dto.MetricType_HISTOGRAM:
				out[name+"_count"+suffix] = float64(m.GetHistogram().GetSampleCount())
				out[name+"_sum"+suffix] = m.GetHistogram().GetSampleSum()
			}
		}
	}
	return out
}

// TestMetricsScrape scrapes /metrics over a socket and parses it with the
// client library's text parser: the server's own families keep their
// names and types, the Go runtime and process collectors are there, and
// the duration histogram counts every request by route.
func TestMetricsScrape(t *testing.T) {
	cfg := testConfig()
	cfg.MaxConnections = 123
	r := start(t, cfg, nil)
	c := dialRaw(t, r.addr)
	for range 3 {
		c.get(t, "/")
	}
	c.get(t, "/healthz")
	c.get(t, "/nope")

	families := scrape(t, r.addr)
	for name, typ := range map[string]dto.MetricType{
		"current_time_app_requests_total":                   dto.MetricType_COUNTER,
		"current_time_app_requests_reused_connection_total": dto.MetricType_COUNTER,
		"current_time_app_connections_accepted_total":       dto.MetricType_COUNTER,
		"current_time_app_tls_handshakes_total":             dto.MetricType_COUNTER,
		"current_time_app_connections_open":                 dto.MetricType_GAUGE,
		"current_time_app_connections_idle":                 dto.MetricType_GAUGE,
		"current_time_app_connections_limit":                dto.MetricType_GAUGE,
		"current_time_app_connection_limit_reached_total":   dto.MetricType_COUNTER,
		"current_time_app_draining":                         dto.MetricType_GAUGE,
		"current_time_app_request_duration_seconds":         dto.MetricType_HISTOGRAM,
		"go_goroutines":                 dto.MetricType_GAUGE,
		"go_memstats_heap_alloc_bytes":  dto.MetricType_GAUGE,
		"process_resident_memory_bytes": dto.MetricType_GAUGE,
		"process_open_fds":              dto.MetricType_GAUGE,
	} {
		f, ok := families[name]
		if !ok {
			t.Errorf("no %s", name)
			continue
		}
		if f.GetType() != typ || f.GetHelp() == "" {
			t.Errorf("%s: type %v help %q, want %v with help", name, f.GetType(), f.GetHelp(), typ)
		}
	}
	m := samples(families)
	for key, want := range map[string]float64{
		`current_time_app_requests_total{code="200"}`:                       4,
		`current_time_app_requests_total{code="404"}`:                       1,
		"current_time_app_requests_reused_connection_total":                 4,
		"current_time_app_connections_limit":                                123,
		"current_time_app_draining":                                         0,
		`current_time_app_request_duration_seconds_count{route="/"}`:        3,
		`current_time_app_request_duration_seconds_count{route="/healthz"}`: 1,
		`current_time_app_request_duration_seconds_count{route="other"}`:    1,
	} {
		if got, ok := m[key]; !ok || got != want {
			t.Errorf("%s = %v (present %v), want %v", key, got, ok, want)
		}
	}
	if sum := m[`current_time_app_request_duration_seconds_sum{route="/"}`]; sum <= 0 || sum > 10 {
		t.Errorf("duration sum for / = %v s, want a small positive number", sum)
	}
	if rss := m["process_resident_memory_bytes"]; rss < 1<<20 {
		t.Errorf("process_resident_memory_bytes = %v, want this process's RSS", rss)
	}
}

// TestMetricsOnTheirOwnPort: with MetricsAddr the main listener has no
// /metrics (so CloudFront, which reaches only the main port, cannot read
// them) and the metrics port serves them without the origin-verify secret.
func TestMetricsOnTheirOwnPort(t *testing.T) {
	cfg := testConfig()
	cfg.VerifySecret = "s3cret"
	cfg.MetricsAddr = "127.0.0.1:0"
	r := start(t, cfg, nil)
	main := dialRaw(t, r.addr)
	if resp, _ := main.get(t, MetricsPath, DefaultVerifyHeader+": s3cret"); resp.StatusCode != 404 {
		t.Errorf("main port GET /metrics with the secret = %d, want 404", resp.StatusCode)
	}
	if resp, _ := main.get(t, "/", DefaultVerifyHeader+": s3cret"); resp.StatusCode != 200 {
		t.Errorf("main port GET / = %d", resp.StatusCode)
	}
	addr := r.metricsAddr(t)
	if addr == r.addr {
		t.Fatal("metrics on the main address")
	}
	m := samples(scrape(t, addr))
	if got := m[`current_time_app_requests_total{code="404"}`]; got != 1 {
		t.Errorf("404s counted on the metrics port: %v, want 1", got)
	}
	if _, ok := m[`current_time_app_request_duration_seconds_count{route="/metrics"}`]; ok {
		t.Error("scrapes on the metrics port are counted as requests of the app")
	}
}
