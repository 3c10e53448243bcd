package origin

import (
	"net/http"
	"strconv"
	"sync/atomic"
	"time"

	"github.com/prometheus/client_golang/prometheus"
	"github.com/prometheus/client_golang/prometheus/collectors"
	"github.com/prometheus/client_golang/prometheus/promhttp"
)

// MetricsPrefix starts the name of every metric of the server's own
// (the Go runtime's and the process's are go_* and process_*).
const MetricsPrefix = "current_time_app_"

// Stats is a snapshot of the server's counters: the origin's own view of
// prewarming. When prewarming works, ConnectionsAccepted (and TLSHandshakes)
// grow slowly while ReusedConnectionRequests follows the request count.
type Stats struct {
	// Requests counts answered requests by HTTP status code. Requests
	// net/http rejects itself (malformed, headers too large) are not seen.
	Requests map[int]uint64
	// ReusedConnectionRequests counts requests that arrived on a connection
	// that had carried a request before (HTTP/1.1 keep-alive or HTTP/2).
	ReusedConnectionRequests uint64
	ConnectionsAccepted      uint64
	TLSHandshakes            uint64 // completed successfully
	ConnectionsOpen          int
	ConnectionsIdle          int // open and waiting for the next request
	// ConnectionLimit is Config.MaxConnections; ConnectionLimitReached
	// counts the times that many were open and the server stopped
	// accepting until one closed (new connections meanwhile wait in the
	// kernel's accept queue).
	ConnectionLimit        int
	ConnectionLimitReached uint64
	// Draining is true from the start of the drain period on.
	Draining bool
}

// TotalRequests is the sum of Requests over all codes.
func (s Stats) TotalRequests() uint64 {
	var n uint64
	for _, v := range s.Requests {
		n += v
	}
	return n
}

// codeCounts counts responses by status code without locks. net/http only
// allows codes from 100 to 999.
type codeCounts struct {
	n [1000]atomic.Uint64
}

func (c *codeCounts) add(code int) {
	if code < 0 || code >= len(c.n) {
		code = 0 // cannot happen through net/http; kept countable anyway
	}
	c.n[code].Add(1)
}

func (c *codeCounts) snapshot() map[int]uint64 {
	m := make(map[int]uint64)
	for code := range c.n {
		if v := c.n[code].Load(); v > 0 {
			m[code] = v
		}
	}
	return m
}

// durationBuckets span the handler's own time (tens of microseconds) to
// the write timeout, in seconds.
var durationBuckets = []float64{.0001, .00025, .0005, .001, .0025, .005, .01, .025, .05, .1, .25, .5, 1, 2.5, 5, 10}

// metrics is a Server's Prometheus registry: the server's counters (read
// from Stats at scrape time), a request duration histogram, and the Go
// runtime and process collectors.
type metrics struct {
	reg      *prometheus.Registry
	duration *prometheus.HistogramVec
}

func newMetrics(s *Server) *metrics {
	m := &metrics{
		reg: prometheus.NewRegistry(),
		duration: prometheus.NewHistogramVec(prometheus.HistogramOpts{
			Name:    MetricsPrefix + "request_duration_seconds",
			Help:    "Time from the request's headers to the end of the response, by route.",
			Buckets: durationBuckets,
		}, []string{"route"}),
	}
	m.reg.MustRegister(
		collectors.NewGoCollector(),
		collectors.NewProcessCollector(collectors.ProcessCollectorOpts{}),
		statsCollector{s},
		m.duration,
	)
	return m
}

// observe records one request's duration under its route: the ServeMux
// pattern it matched without the method ("/", "/healthz", "/metrics"), or
// "other" (404, 405, 403).
func (m *metrics) observe(r *http.Request, d time.Duration) {
	route := "other"
	switch r.Pattern {
	case "GET /{$}":
		route = "/"
	case "GET " + HealthPath:
		route = HealthPath
	case "GET " + MetricsPath:
		route = MetricsPath
	}
	m.duration.WithLabelValues(route).Observe(d.Seconds())
}

// handler serves the registry (Prometheus text format, or what the
// scraper's Accept header asks for), never cached.
func (m *metrics) handler() http.Handler {
	h := promhttp.HandlerFor(m.reg, promhttp.HandlerOpts{})
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		w.Header().Set("Cache-Control", "no-store")
		h.ServeHTTP(w, r)
	})
}

// statsCollector exposes a Server's Stats under the metric names
// current-time-app has always had.
type statsCollector struct{ s *Server }

var (
	descRequests  = newDesc("requests_total", "HTTP requests answered, by status code.", "code")
	descReused    = newDesc("requests_reused_connection_total", "HTTP requests that arrived on a connection which had carried a request before.")
	descAccepted  = newDesc("connections_accepted_total", "Client connections accepted.")
	descHandshake = newDesc("tls_handshakes_total", "TLS handshakes completed.")
	descOpen      = newDesc("connections_open", "Client connections currently open.")
	descIdle      = newDesc("connections_idle", "Open client connections currently idle, waiting for the next request.")
	descLimit     = newDesc("connections_limit", "Maximum of open client connections; beyond it new connections wait.")
	descReached   = newDesc("connection_limit_reached_total", "Times the maximum of open connections was reached: new connections then wait in the accept queue until one closes.")
	descDraining  = newDesc("draining", "1 from the start of the drain period on (SIGTERM), else 0.")
)

func newDesc(name, help string, labels ...string) *prometheus.Desc {
	return prometheus.NewDesc(MetricsPrefix+name, help, labels, nil)
}

func (statsCollector) Describe(ch chan<- *prometheus.Desc) {
	for _, d := range []*prometheus.Desc{descRequests, descReused, descAccepted, descHandshake, descOpen, descIdle, descLimit, descReached, descDraining} {
		ch <- d
	}
}

func (c statsCollector) Collect(ch chan<- prometheus.Metric) {
	st := c.s.Stats()
	for code, n := range st.Requests {
		ch <- prometheus.MustNewConstMetric(descRequests, prometheus.CounterValue, float64(n), strconv.Itoa(code))
	}
	draining := 0.0
	if st.Draining {
		draining = 1
	}
	for _, m := range []struct {
		desc *prometheus.Desc
		typ  prometheus.ValueType
		v    float64
	}{
		{descReused, prometheus.CounterValue, float64(st.ReusedConnectionRequests)},
		{descAccepted, prometheus.CounterValue, float64(st.ConnectionsAccepted)},
		{descHandshake, prometheus.CounterValue, float64(st.TLSHandshakes)},
		{descOpen, prometheus.GaugeValue, float64(st.ConnectionsOpen)},
		{descIdle, prometheus.GaugeValue, float64(st.ConnectionsIdle)},
		{descLimit, prometheus.GaugeValue, float64(st.ConnectionLimit)},
		{descReached, prometheus.CounterValue, float64(st.ConnectionLimitReached)},
		{descDraining, prometheus.GaugeValue, draining},
	} {
		ch <- prometheus.MustNewConstMetric(m.desc, m.typ, m.v)
	}
}
