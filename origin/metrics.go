package origin

import (
	"fmt"
	"io"
	"slices"
	"strings"
	"sync/atomic"
)

// MetricsPrefix starts the name of every metric /metrics exposes.
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

// WriteMetrics writes st in the Prometheus text exposition format
// (version 0.0.4), every name starting with MetricsPrefix.
func WriteMetrics(w io.Writer, st Stats) error {
	var b strings.Builder
	family := func(name, typ, help string) {
		fmt.Fprintf(&b, "# HELP %s%s %s\n# TYPE %s%s %s\n", MetricsPrefix, name, help, MetricsPrefix, name, typ)
	}

	family("requests_total", "counter", "HTTP requests answered, by status code.")
	codes := make([]int, 0, len(st.Requests))
	for code := range st.Requests {
		codes = append(codes, code)
	}
	slices.Sort(codes)
	for _, code := range codes {
		fmt.Fprintf(&b, "%srequests_total{code=\"%d\"} %d\n", MetricsPrefix, code, st.Requests[code])
	}

	for _, m := range []struct {
		name, typ, help string
		value           any // an integer
	}{
		{"requests_reused_connection_total", "counter",
			"HTTP requests that arrived on a connection which had carried a request before.", st.ReusedConnectionRequests},
		{"connections_accepted_total", "counter",
			"Client connections accepted.", st.ConnectionsAccepted},
		{"tls_handshakes_total", "counter",
			"TLS handshakes completed.", st.TLSHandshakes},
		{"connections_open", "gauge",
			"Client connections currently open.", st.ConnectionsOpen},
		{"connections_idle", "gauge",
			"Open client connections currently idle, waiting for the next request.", st.ConnectionsIdle},
	} {
		family(m.name, m.typ, m.help)
		fmt.Fprintf(&b, "%s%s %d\n", MetricsPrefix, m.name, m.value)
	}
	_, err := io.WriteString(w, b.String())
	return err
}
