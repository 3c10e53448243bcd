package format

import (
	"bytes"
	"slices"
	"testing"
	"time"

	"github.com/cfprewarm/cfprewarm/cloudfront"
	"github.com/cfprewarm/cfprewarm/plan"
	"github.com/cfprewarm/cfprewarm/probe"
	"github.com/cfprewarm/cfprewarm/warm"
	warmformat "github.com/cfprewarm/cfprewarm/warm/format"
)

// TestMetricLevelsMatchEMF ties the plan's CloudWatch bill to what the
// prewarm Lambda writes: the same metric levels by name, the same custom
// metrics per POP and per region at each (warm/format's CustomMetrics,
// which its own tests count against the EMF lines), and EMF lines no
// longer than the plan's log estimate, even for a POP whose line carries
// every optional field.
func TestMetricLevelsMatchEMF(t *testing.T) {
	var names []string
	for _, l := range warm.MetricLevels {
		names = append(names, string(l))
		if _, err := plan.ParseMetricLevel(string(l)); err != nil {
			t.Errorf("the Lambda's level %q is not the plan's: %v", l, err)
		}
	}
	for _, l := range []plan.MetricLevel{plan.MetricsLean, plan.MetricsFull} {
		if !slices.Contains(names, string(l)) {
			t.Errorf("the plan's level %q is not the Lambda's (%v)", l, names)
		}
		perPOP, perRegion := l.MetricsPer()
		for pops := 1; pops <= 12; pops++ {
			if want := warmformat.CustomMetrics(warm.MetricLevel(l), pops); perRegion+perPOP*pops != want {
				t.Errorf("%s, %d POPs: the plan bills %d + %d × %d custom metrics, the Lambda's lines create %d", l, pops, perRegion, perPOP, pops, want)
			}
		}

		// The longest line: every metric, an adaptive sizing with an
		// estimate, error kinds, a client subnet, a resolve error, a
		// long custom domain (the Lambda adds no dimension).
		var recs []warm.Record
		for i := range 60 {
			r := warm.Record{POP: "HKG54-C1", Result: probe.Result{Status: 200, CloudFront: cloudfront.Headers{POP: "HKG54-C1"},
				Origin: cloudfront.OriginWarm, Timings: probe.Timings{Total: time.Duration(200+i) * time.Millisecond}}}
			if i%10 == 0 {
				r.Result = probe.Result{Kind: cloudfront.KindTimeout}
			}
			recs = append(recs, r)
		}
		res := &warm.Result{Distribution: "d111111abcdef8.cloudfront.net", Host: "api.some-long-custom-domain.example.com", Waves: []warm.Wave{{Index: 12, Start: time.Now(),
			POPs: []warm.POPResult{{POP: "HKG54-C1", ClientSubnet: "198.51.100.0/24", ResolveError: "lookup d111111abcdef8.HKG54-C1.cloudfront.net: i/o timeout", Requests: recs, Stats: warm.Summarize(recs),
				Sizing: warm.Sizing{Mode: warm.SizingAdaptive, Requests: 477, Hosts: 64, HostsFrom: warm.HostsFromEstimate, PredictedCoverage: 0.999512,
					Factor: 0.512345, EdgeHostsSeen: 61, EdgeHosts: &warm.HostEstimate{Hosts: 64, Low: 58, High: 73}}}}}}}
		var buf bytes.Buffer
		if err := warmformat.WriteEMF(&buf, res, warmformat.Options{Metrics: warm.MetricLevel(l)}); err != nil {
			t.Fatal(err)
		}
		if n := buf.Len(); n > l.EMFLineBytes() || n < l.EMFLineBytes()/2 {
			t.Errorf("%s: an EMF line of %d bytes, the plan bills %d", l, n, l.EMFLineBytes())
		}
		t.Logf("%s: the longest EMF line %d bytes (billed as %d)", l, buf.Len(), l.EMFLineBytes())
	}
}
