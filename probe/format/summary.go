package format

import (
	"encoding/json"
	"fmt"
	"io"
	"sort"
	"strings"
	"text/tabwriter"

	"github.com/cfprewarm/cfprewarm/cloudfront"
	"github.com/cfprewarm/cfprewarm/probe"
	"github.com/cfprewarm/cfprewarm/stats"
)

// WriteSummaryJSON writes the summary as one JSON line tagged "summary".
func WriteSummaryJSON(w io.Writer, url string, s probe.Summary) error {
	return json.NewEncoder(w).Encode(struct {
		envelope
		URL string `json:"url"`
		probe.Summary
	}{envelope{probe.SchemaVersion, "summary"}, url, s})
}

// WriteSummary writes the statistics of a series for people: counts, a
// table of every phase, the origin warm/cold split with the latency of each
// group and the gain, and the POPs seen.
func WriteSummary(w io.Writer, url string, s probe.Summary) error {
	var b strings.Builder
	fmt.Fprintf(&b, "--- %s: %d probes, %d ok, %d errors", url, s.Requests, s.OK, s.Errors)
	if s.Errors > 0 {
		fmt.Fprintf(&b, " (%s)", kinds(s.ErrorsByKind))
	}
	fmt.Fprintf(&b, ", %d non-2xx\n", s.Non2xx)
	if s.OK == 0 {
		_, err := io.WriteString(w, b.String())
		return err
	}
	tw := tabwriter.NewWriter(&b, 0, 0, 2, ' ', tabwriter.AlignRight)
	fmt.Fprintln(tw, "phase (s)\tmin\tp50\tp90\tp99\tmax\tmean\t")
	rows := []struct {
		name string
		d    stats.Durations
	}{
		{"dns", s.Phases.DNS}, {"tcp", s.Phases.TCP}, {"tls", s.Phases.TLS},
		{"server", s.Phases.Server}, {"transfer", s.Phases.Transfer},
		{"first byte", s.Timings.StartTransfer}, {"total", s.Timings.Total},
	}
	for _, r := range rows {
		d := r.d
		fmt.Fprintf(tw, "%s\t%.6f\t%.6f\t%.6f\t%.6f\t%.6f\t%.6f\t\n", r.name,
			d.Min.Seconds(), d.P50.Seconds(), d.P90.Seconds(), d.P99.Seconds(), d.Max.Seconds(), d.Mean.Seconds())
	}
	tw.Flush()
	o := s.Origin
	fmt.Fprintf(&b, "origin connection: %d warm (reused), %d cold (new), %d unknown", o.Warm, o.Cold, o.Unknown)
	if v, ok := o.WarmRatio().Value(); ok {
		fmt.Fprintf(&b, "; warm ratio %.2f", v)
	}
	b.WriteString("\n")
	if o.Warm > 0 {
		fmt.Fprintf(&b, "  warm: total p50 %.6f s, mean %.6f s\n", o.WarmTotal.P50.Seconds(), o.WarmTotal.Mean.Seconds())
	}
	if o.Cold > 0 {
		fmt.Fprintf(&b, "  cold: total p50 %.6f s, mean %.6f s\n", o.ColdTotal.P50.Seconds(), o.ColdTotal.Mean.Seconds())
	}
	if o.Warm > 0 && o.Cold > 0 {
		fmt.Fprintf(&b, "  latency gain of a reused origin connection: %.6f s (%.1f%%)\n", o.Gain.Seconds(), o.GainPercent)
	}
	if s.Mismatched > 0 {
		fmt.Fprintf(&b, "  %d answered by another POP than the one targeted (left out of the origin counts)\n", s.Mismatched)
	}
	if o.Unknown == s.OK {
		b.WriteString("  (no cdn-upstream-connect metric: no Server-Timing header, or not sent through CloudFront)\n")
	}
	if len(s.POPs) > 0 {
		var pops []string
		for _, p := range s.SortedPOPs() {
			pops = append(pops, fmt.Sprintf("%s (%d)", p, s.POPs[p]))
		}
		fmt.Fprintf(&b, "POPs: %s\n", strings.Join(pops, ", "))
	}
	_, err := io.WriteString(w, b.String())
	return err
}

func kinds(m map[cloudfront.ErrorKind]int) string {
	ks := make([]string, 0, len(m))
	for k := range m {
		ks = append(ks, string(k))
	}
	sort.Strings(ks)
	for i, k := range ks {
		ks[i] = fmt.Sprintf("%s %d", k, m[cloudfront.ErrorKind(k)])
	}
	return strings.Join(ks, ", ")
}
