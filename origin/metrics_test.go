package origin

import (
	"bufio"
	"strconv"
	"strings"
	"testing"
)

func TestWriteMetrics(t *testing.T) {
	var b strings.Builder
	err := WriteMetrics(&b, Stats{
		Requests:                 map[int]uint64{403: 2, 200: 10},
		ReusedConnectionRequests: 7,
		ConnectionsAccepted:      5,
		TLSHandshakes:            4,
		ConnectionsOpen:          3,
		ConnectionsIdle:          1,
	})
	if err != nil {
		t.Fatal(err)
	}
	want := `# HELP current_time_app_requests_total HTTP requests answered, by status code.
# TYPE current_time_app_requests_total counter
current_time_app_requests_total{code="200"} 10
current_time_app_requests_total{code="403"} 2
# HELP current_time_app_requests_reused_connection_total HTTP requests that arrived on a connection which had carried a request before.
# TYPE current_time_app_requests_reused_connection_total counter
current_time_app_requests_reused_connection_total 7
# HELP current_time_app_connections_accepted_total Client connections accepted.
# TYPE current_time_app_connections_accepted_total counter
current_time_app_connections_accepted_total 5
# HELP current_time_app_tls_handshakes_total TLS handshakes completed.
# TYPE current_time_app_tls_handshakes_total counter
current_time_app_tls_handshakes_total 4
# HELP current_time_app_connections_open Client connections currently open.
# TYPE current_time_app_connections_open gauge
current_time_app_connections_open 3
# HELP current_time_app_connections_idle Open client connections currently idle, waiting for the next request.
# TYPE current_time_app_connections_idle gauge
current_time_app_connections_idle 1
`
	if b.String() != want {
		t.Errorf("got:\n%s\nwant:\n%s", b.String(), want)
	}
}

// parseMetrics reads samples of the text exposition format into
// name{labels} → value, checking that every family is declared first.
func parseMetrics(t *testing.T, text string) map[string]float64 {
	t.Helper()
	samples := map[string]float64{}
	typed := map[string]bool{}
	sc := bufio.NewScanner(strings.NewReader(text))
	for sc.Scan() {
		line := sc.Text()
		if name, ok := strings.CutPrefix(line, "# TYPE "); ok {
			typed[strings.Fields(name)[0]] = true
			continue
		}
		if strings.HasPrefix(line, "#") || line == "" {
			continue
		}
		key, value, ok := strings.Cut(line, " ")
		if !ok {
			t.Fatalf("bad sample line %q", line)
		}
		family, _, _ := strings.Cut(key, "{")
		if !typed[family] || !strings.HasPrefix(family, MetricsPrefix) {
			t.Errorf("sample %q without # TYPE or prefix", line)
		}
		v, err := strconv.ParseFloat(value, 64)
		if err != nil {
			t.Fatalf("bad value in %q: %v", line, err)
		}
		samples[key] = v
	}
	return samples
}
