package report

import (
	"fmt"
	"strings"

	"github.com/cfprewarm/cfprewarm/stats"
)

// POPCoverage is what one POP got in a scenario that probes every POP
// (coverage): the prewarm requests sent to it and what viewers found there.
type POPCoverage struct {
	POP   string
	Hosts int // the POP's edge hosts (the emulator's, the truth)
	// Estimate is the prewarmer's estimate of Hosts at the end; 0 when it
	// had none.
	Estimate int
	// Requests are the prewarm requests sent to the POP over Waves waves;
	// LastRequests those of the last wave, whose predicted coverage of the
	// POP's hosts is PredictedCoverage.
	Requests, Waves, LastRequests int
	PredictedCoverage             float64
	// Warm and Cold count the viewer probes at the POP by what they found.
	Warm, Cold int
}

// WarmRatio is the share of viewer probes that found a warm origin
// connection.
func (p POPCoverage) WarmRatio() stats.Ratio {
	return stats.Ratio{Part: p.Warm, Whole: p.Warm + p.Cold}
}

// coverageLines is the per-POP block of the scenarios that have one: for
// each, its POPs' hosts, prewarm requests and the viewers' warm ratio.
func coverageLines(r Report) string {
	var b strings.Builder
	for _, s := range r.Scenarios {
		if len(s.POPs) == 0 {
			continue
		}
		total := 0
		for _, p := range s.POPs {
			total += p.Requests
		}
		fmt.Fprintf(&b, "\n%s: %d prewarm requests in total\n", s.Name, total)
		rows := [][]string{{"POP", "hosts", "estimate", "requests", "waves", "last wave", "its coverage", "viewer warm"}}
		for _, p := range s.POPs {
			est := "-"
			if p.Estimate > 0 {
				est = fmt.Sprint(p.Estimate)
			}
			rows = append(rows, []string{p.POP, fmt.Sprint(p.Hosts), est, fmt.Sprint(p.Requests), fmt.Sprint(p.Waves),
				fmt.Sprint(p.LastRequests), fmt.Sprintf("%.1f%%", 100*p.PredictedCoverage), ratioCell(p.WarmRatio())})
		}
		for _, row := range rows {
			fmt.Fprintf(&b, "  %-9s %6s %9s %9s %6s %10s %13s  %s\n", row[0], row[1], row[2], row[3], row[4], row[5], row[6], row[7])
		}
	}
	return b.String()
}

// ratioCell is "1.00 (12/12)", or "-" when unknown.
func ratioCell(r stats.Ratio) string {
	v, ok := r.Value()
	if !ok {
		return "-"
	}
	return fmt.Sprintf("%.2f (%d/%d)", v, r.Part, r.Whole)
}
