package warm

import (
	"crypto/tls"
	"errors"
	"net/netip"
	"strings"
)

// The parsers of the settings every front end reads as text (the CLI's
// flags, the Lambda's environment and event): one reading, one message.

// ParseTLSVersion reads a TLS version as Config.TLSVersion takes it:
// "1.2" or "1.3".
func ParseTLSVersion(s string) (uint16, error) {
	switch strings.TrimSpace(s) {
	case "1.2":
		return tls.VersionTLS12, nil
	case "1.3":
		return tls.VersionTLS13, nil
	}
	return 0, errors.New("want 1.2 or 1.3")
}

// ParseClientSubnet reads a client subnet as Config.ClientSubnets takes it:
// a CIDR prefix, masked (198.51.100.7/24 is 198.51.100.0/24, the network
// the option names), or a bare address, which is the network of that one
// address (/32 or /128).
func ParseClientSubnet(s string) (netip.Prefix, error) {
	s = strings.TrimSpace(s)
	if p, err := netip.ParsePrefix(s); err == nil {
		return p.Masked(), nil
	}
	if ip, err := netip.ParseAddr(s); err == nil && ip.Zone() == "" {
		return netip.PrefixFrom(ip, ip.BitLen()), nil
	}
	return netip.Prefix{}, errors.New("want a CIDR prefix such as 198.51.100.0/24, or an address")
}

// MetricLevel is which CloudWatch metrics the prewarm reports' EMF lines
// create (warm/format.WriteEMF); the CLI's --emf-metrics and the Lambda's
// METRICS read it. Each distinct metric name and dimension set is a custom
// metric, billed by the month (warm/format.CustomMetrics counts them).
type MetricLevel string

// The metric levels.
const (
	// MetricsLean (the default): per POP only OriginColdRatio, which the
	// cold-ratio alarm reads; Requests, Errors, OriginColdRatio and the
	// latencies per distribution (the error-rate alarm and the dashboard).
	// The per-POP values stay in each line as log properties.
	MetricsLean MetricLevel = "lean"
	// MetricsFull: every metric per POP as well as per distribution, and
	// the edge host counts per POP.
	MetricsFull MetricLevel = "full"
)

// MetricLevels lists the levels, the default first.
var MetricLevels = []MetricLevel{MetricsLean, MetricsFull}

// ParseMetricLevel reads a metric level's name: lean or full.
func ParseMetricLevel(s string) (MetricLevel, error) {
	for _, l := range MetricLevels {
		if strings.TrimSpace(s) == string(l) {
			return l, nil
		}
	}
	return "", errors.New("want lean or full")
}
