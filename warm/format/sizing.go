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
// "suspect: constant" when the ids name no host, or "-" when unavailable.
func hostsText(s warm.Sizing) string {
	e := s.EdgeHosts
	switch {
	case e == nil && s.EdgeHostsVerdict.Suspect():
		return "suspect: " + string(s.EdgeHostsVerdict)
	case e == nil:
		return "-"
	}
	return fmt.Sprintf("%d [%d–%d]", e.Hosts, e.Low, e.High)
}

// missedText is the wave's hosts missed of those it heard from, e.g.
// "0/8", or "-" when the ids do not name hosts.
func missedText(s warm.Sizing) string {
	if s.Reach == nil {
		return "-"
	}
	return fmt.Sprintf("%d/%d", s.Reach.Missed, s.Reach.Hosts)
}

// poolColdText is the number of cold answers from reached hosts.
func poolColdText(s warm.Sizing) string {
	if s.Reach == nil {
		return "-"
	}
	return fmt.Sprint(s.Reach.ColdOfReached)
}

// suspectNote says why a POP's ids gave no estimate and what the plan used
// instead, or "" when its ids are not suspect.
func suspectNote(p warm.POPResult) string {
	s := p.Sizing
	if !s.EdgeHostsVerdict.Suspect() {
		return ""
	}
	return fmt.Sprintf("%s: %s; the waves plan with %d hosts (%s)", popText(p), s.EdgeHostsNote, s.Hosts, s.HostsFrom)
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
	if s.EdgeHostsVerdict != "" {
		root["EdgeHostsVerdict"] = string(s.EdgeHostsVerdict)
	}
	if r := s.Reach; r != nil {
		root["HostsReached"], root["HostsMissed"], root["ColdOfReached"] = r.Reached, r.Missed, r.ColdOfReached
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
