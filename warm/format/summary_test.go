package format_test

import (
	"bytes"
	"encoding/json"
	"fmt"
	"strings"
	"testing"
	"time"

	"github.com/cfprewarm/cfprewarm/cloudfront"
	"github.com/cfprewarm/cfprewarm/probe"
	"github.com/cfprewarm/cfprewarm/warm"
	"github.com/cfprewarm/cfprewarm/warm/format"
)

func TestSummary(t *testing.T) {
	var buf bytes.Buffer
	if err := format.WriteSummary(&buf, sampleResult()); err != nil {
		t.Fatal(err)
	}
	var doc struct {
		Schema int    `json:"schema"`
		Type   string `json:"type"`
		Waves  []struct {
			Wave     int `json:"wave"`
			Requests int `json:"requests"`
		} `json:"waves"`
		POPs []struct {
			POP               string   `json:"pop"`
			Planned           int      `json:"planned"`
			Requests          int      `json:"requests"`
			OK                int      `json:"ok"`
			Cold              *float64 `json:"origin_cold_ratio"`
			RequestsPerWave   int      `json:"requests_per_wave"`
			PredictedCoverage float64  `json:"predicted_coverage"`
			EdgeHostsSeen     int      `json:"edge_hosts_seen"`
			EdgeHostsEstimate *int     `json:"edge_hosts_estimate"`
			FirstError        string   `json:"first_error"`
		} `json:"pops"`
	}
	if err := json.Unmarshal(buf.Bytes(), &doc); err != nil {
		t.Fatal(err)
	}
	if doc.Schema != format.SummarySchemaVersion || doc.Type != "warm-summary" || len(doc.Waves) != 2 || len(doc.POPs) != 3 {
		t.Fatalf("summary %s", buf.String())
	}
	hkg, lhr := doc.POPs[0], doc.POPs[2]
	if hkg.POP != "HKG54-C1" || hkg.Planned != 4 || hkg.OK != 4 || hkg.Cold == nil || *hkg.Cold != 0.25 || hkg.RequestsPerWave != 2 ||
		hkg.PredictedCoverage != 0.75 || hkg.EdgeHostsEstimate == nil || *hkg.EdgeHostsEstimate != 2 {
		t.Errorf("HKG54-C1 totals %+v", hkg)
	}
	if lhr.Cold != nil || !strings.HasPrefix(lhr.FirstError, "tls: certificate") || lhr.EdgeHostsEstimate != nil {
		t.Errorf("LHR61-C2 totals %+v", lhr)
	}
	if strings.Contains(buf.String(), `"requests":[`) {
		t.Error("the summary carries per-request records")
	}
}

// The summary of the largest run a Config allows, with every text as long
// as can be, stays far below Lambda's 6 MB response limit.
func TestSummaryBound(t *testing.T) {
	long := strings.Repeat("x", 10_000)
	kinds := []cloudfront.ErrorKind{cloudfront.KindDNS, cloudfront.KindRefused, cloudfront.KindTimeout, cloudfront.KindTLS,
		cloudfront.KindCanceled, cloudfront.KindProtocol, cloudfront.KindOther, cloudfront.KindStatus5xx}
	res := &warm.Result{Distribution: "d111111abcdef8.cloudfront.net", Host: strings.Repeat("h", 253), Path: "/" + long,
		Method: "GET", WavesPlanned: warm.MaxWaves}
	pops := make([]warm.POPResult, warm.MaxPOPs)
	for i := range pops {
		pop := fmt.Sprintf("XYZ%02d-C%d", i%100, i/100)
		var recs []warm.Record
		for k, kind := range kinds {
			recs = append(recs, warm.Record{POP: pop, Result: probe.Result{Seq: k + 1, Status: 500 + k, Kind: kind, Error: long}})
		}
		pops[i] = warm.POPResult{POP: pop, ClientSubnet: fmt.Sprintf("2001:db8:ffff:ffff:ffff:ffff:%x:0/112", i),
			ResolveError: long, Requests: recs, Stats: warm.Summarize(recs),
			Sizing: warm.Sizing{Mode: warm.SizingAdaptive, Requests: warm.MaxRequestsPerPOP, EdgeHostsNote: long, HostsFrom: warm.HostsFromHostsFile}}
	}
	for w := range warm.MaxWaves {
		res.Waves = append(res.Waves, warm.Wave{Index: w + 1, Start: time.Now(), POPs: pops, Total: warm.Summarize(pops[0].Requests)})
	}
	var buf bytes.Buffer
	if err := format.WriteSummary(&buf, res); err != nil {
		t.Fatal(err)
	}
	if n := buf.Len(); n > 1<<20 {
		t.Errorf("the largest summary is %d bytes, want at most 1 MiB (Lambda allows 6 MB)", n)
	} else {
		t.Logf("the largest summary: %d bytes", n)
	}
}
