package report

import (
	"bytes"
	"encoding/json"
	"strings"
	"testing"
)

// A scenario with per-POP coverage gets its block in the table and its
// pops in summary.json.
func TestCoverageBlock(t *testing.T) {
	r := testReport()
	r.Scenarios[1].PrewarmAuto = true
	r.Scenarios[1].POPs = []POPCoverage{
		{POP: "LHR61-C2", Hosts: 32, Estimate: 31, Requests: 3307, Waves: 23, LastRequests: 146, PredictedCoverage: 0.99, Warm: 20},
		{POP: "FRA60-P1", Hosts: 2, Requests: 248, Waves: 23, LastRequests: 8, PredictedCoverage: 0.996, Warm: 19, Cold: 1},
	}
	var buf bytes.Buffer
	if err := WriteTable(&buf, r); err != nil {
		t.Fatal(err)
	}
	out := buf.String()
	for _, want := range []string{"ka60-prewarm: 3555 prewarm requests in total", "auto  ",
		"  LHR61-C2      32        31      3307     23        146         99.0%  1.00 (20/20)",
		"  FRA60-P1       2         -       248     23          8         99.6%  0.95 (19/20)"} {
		if !strings.Contains(out, want) {
			t.Errorf("the table lacks %q:\n%s", want, out)
		}
	}
	buf.Reset()
	if err := WriteSummaryJSON(&buf, r); err != nil {
		t.Fatal(err)
	}
	var doc struct {
		Scenarios []struct {
			POPs []struct {
				POP      string   `json:"pop"`
				Estimate *int     `json:"hosts_estimate"`
				Requests int      `json:"prewarm_requests"`
				Warm     *float64 `json:"origin_warm_ratio"`
			} `json:"pops"`
		} `json:"scenarios"`
	}
	if err := json.Unmarshal(buf.Bytes(), &doc); err != nil {
		t.Fatal(err)
	}
	pops := doc.Scenarios[1].POPs
	if len(doc.Scenarios[0].POPs) != 0 || len(pops) != 2 || *pops[0].Estimate != 31 || pops[1].Estimate != nil || *pops[1].Warm != 0.95 {
		t.Errorf("summary.json pops: %+v", doc.Scenarios)
	}
}
