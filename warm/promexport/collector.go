package promexport

import (
	"maps"
	"slices"
	"time"

	"github.com/prometheus/client_golang/prometheus"
)

// Prefix starts the name of every metric of the daemon's own (the Go
// runtime's and the process's are go_* and process_*).
const Prefix = "cfprewarm_warm_"

// LabelPOP is the label of the per-POP metrics: the POP code, or for a
// --client-subnet target the subnet (the POP answering it may change from
// wave to wave; the target does not).
const LabelPOP = "pop"

var (
	descRequests   = newDesc("requests_total", "Prewarm requests that finished (answered or failed), by target POP.", LabelPOP)
	descErrors     = newDesc("errors_total", "Prewarm requests that failed, by target POP and kind (dns, refused, timeout, tls, canceled, protocol, other, status_5xx).", LabelPOP, "kind")
	descOrigin     = newDesc("origin_requests_total", "Answers from the target POP by what it did with its origin connection (Server-Timing cdn-upstream-connect): warm (reused), cold (new), unknown.", LabelPOP, "origin")
	descColdRatio  = newDesc("origin_cold_ratio", "The last wave's origin-cold ratio: cold / (warm + cold) of the target POP's answers; absent when no answer said.", LabelPOP)
	descHostsSeen  = newDesc("edge_hosts_seen", "Distinct edge host ids among the last wave's answers from the POP.", LabelPOP)
	descEstimate   = newDesc("edge_hosts_estimate", "The POP's estimated edge host count after the last wave (pooled over its recent waves); absent when unavailable.", LabelPOP)
	descPOPWave    = newDesc("pop_wave_duration_seconds", "The last wave's time for the POP: from the wave's start to the end of the POP's last request.", LabelPOP)
	descPOPSuccess = newDesc("last_success_timestamp_seconds", "Unix time at which the last wave in which the POP succeeded (an answer from the POP itself, below 500) ended; absent until then.", LabelPOP)
	descWaves      = newDesc("waves_total", "Prewarm waves, by result: succeeded (every POP succeeded) or failed.", "result")
	descLastWave   = newDesc("last_successful_wave_timestamp_seconds", "Unix time at which the last wave in which every POP succeeded ended; absent until then.")
	descWindow     = newDesc("healthz_window_seconds", "/healthz answers 503 when no wave succeeded for this long.")
	descHealthy    = newDesc("healthy", "1 when /healthz answers 200, else 0.")
)

func newDesc(name, help string, labels ...string) *prometheus.Desc {
	return prometheus.NewDesc(Prefix+name, help, labels, nil)
}

// collector reads the Exporter's state at scrape time.
type collector struct{ e *Exporter }

func (collector) Describe(ch chan<- *prometheus.Desc) {
	for _, d := range []*prometheus.Desc{descRequests, descErrors, descOrigin, descColdRatio, descHostsSeen,
		descEstimate, descPOPWave, descPOPSuccess, descWaves, descLastWave, descWindow, descHealthy} {
		ch <- d
	}
}

func (c collector) Collect(ch chan<- prometheus.Metric) {
	e := c.e
	healthy, _ := e.Health()
	e.mu.Lock()
	defer e.mu.Unlock()
	counter := func(d *prometheus.Desc, v uint64, labels ...string) {
		ch <- prometheus.MustNewConstMetric(d, prometheus.CounterValue, float64(v), labels...)
	}
	gauge := func(d *prometheus.Desc, v float64, labels ...string) {
		ch <- prometheus.MustNewConstMetric(d, prometheus.GaugeValue, v, labels...)
	}
	for _, target := range slices.Sorted(maps.Keys(e.pops)) {
		ps := e.pops[target]
		counter(descRequests, ps.requests, target)
		for _, k := range slices.Sorted(maps.Keys(ps.errors)) {
			counter(descErrors, ps.errors[k], target, string(k))
		}
		for i, origin := range []string{"warm", "cold", "unknown"} {
			counter(descOrigin, ps.origin[i], target, origin)
		}
		if ps.coldKnown {
			gauge(descColdRatio, ps.coldRatio, target)
		}
		gauge(descHostsSeen, float64(ps.hostsSeen), target)
		if ps.estimateOK {
			gauge(descEstimate, float64(ps.estimate), target)
		}
		gauge(descPOPWave, ps.waveSeconds, target)
		if !ps.lastSuccess.IsZero() {
			gauge(descPOPSuccess, unixSeconds(ps.lastSuccess), target)
		}
	}
	counter(descWaves, e.succeeded, "succeeded")
	counter(descWaves, e.failed, "failed")
	if !e.lastSuccess.IsZero() {
		gauge(descLastWave, unixSeconds(e.lastSuccess))
	}
	gauge(descWindow, e.window.Seconds())
	gauge(descHealthy, boolValue(healthy))
}

func unixSeconds(t time.Time) float64 { return float64(t.UnixNano()) / 1e9 }

func boolValue(b bool) float64 {
	if b {
		return 1
	}
	return 0
}
