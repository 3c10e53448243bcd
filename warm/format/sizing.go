package format

import (
	"fmt"

	"github.com/cfprewarm/cfprewarm/warm"
)

// The coverage columns of the table and the summary: how a POP's requests
// were sized and what they reached.

// popText names a target: the POP code, and the client subnet it was
// reached through.
func popText(p warm.POPResult) string {
	if p.ClientSubnet != "" && p.POP != p.ClientSubnet {
		return p.POP + " via " + p.ClientSubnet
	}
	return p.POP
}

// coverText is the predicted coverage, e.g. "99.2%"; "-" for a POP whose
// name resolved to no address: none of its requests could reach a host.
func coverText(p warm.POPResult) string {
	if p.Sizing.Mode == "" || p.ResolveError != "" && len(p.IPs) == 0 {
		return "-"
	}
	return percent(p.Sizing.PredictedCoverage)
}

// seenText is the number of distinct edge hosts seen.
func seenText(s warm.Sizing) string {
	if s.Mode == "" {
		return "-"
	}
	return fmt.Sprint(s.EdgeHostsSeen)
}

// hostsText is the host-count estimate with its interval, e.g. "8 [7–10]",
// or "-" when unavailable.
func hostsText(s warm.Sizing) string {
	e := s.EdgeHosts
	if e == nil {
		return "-"
	}
	return fmt.Sprintf("%d [%d–%d]", e.Hosts, e.Low, e.High)
}

func percent(v float64) string { return fmt.Sprintf("%.1f%%", 100*v) }

// emfSizing adds a POP's sizing to an EMF line's root and returns the
// per-POP host metrics it added (none for a result without sizing).
func emfSizing(root map[string]any, p warm.POPResult) []emfMetric {
	s := p.Sizing
	if p.ClientSubnet != "" {
		root["ClientSubnet"] = p.ClientSubnet
	}
	if s.Mode == "" {
		return nil
	}
	root["RequestsPlanned"] = s.Requests
	root["PredictedCoverage"] = s.PredictedCoverage
	root["SizingMode"] = s.Mode
	root["HostsPlanned"] = s.Hosts
	root["HostsFrom"] = s.HostsFrom
	if s.Factor != 0 {
		root["AdaptFactor"] = s.Factor
	}
	root[MetricEdgeHostsSeen] = s.EdgeHostsSeen
	metrics := []emfMetric{{MetricEdgeHostsSeen, "Count"}}
	if e := s.EdgeHosts; e != nil {
		root[MetricEdgeHostsEstimate] = e.Hosts
		root["EdgeHostsLow"], root["EdgeHostsHigh"] = e.Low, e.High
		metrics = append(metrics, emfMetric{MetricEdgeHostsEstimate, "Count"})
	}
	return metrics
}
