package format_test

import (
	"bytes"
	"encoding/json"
	"strings"
	"testing"
	"time"

	"github.com/cfprewarm/cfprewarm/cloudfront"
	"github.com/cfprewarm/cfprewarm/edgehosts"
	"github.com/cfprewarm/cfprewarm/probe"
	"github.com/cfprewarm/cfprewarm/stats"
	"github.com/cfprewarm/cfprewarm/warm"
	"github.com/cfprewarm/cfprewarm/warm/format"
)

// sampleResult is a two-wave run stopped by the deadline after wave 2 of 3,
// with one healthy POP, one answered by another POP and one failing TLS.
func sampleResult() *warm.Result {
	start := time.Date(2025, 3, 1, 12, 0, 0, 0, time.UTC)
	mk := func(pop, answered string, origin cloudfront.OriginConn, ms int) warm.Record {
		return warm.Record{POP: pop, Result: probe.Result{Status: 200, CloudFront: cloudfront.Headers{POP: answered}, Origin: origin,
			UpstreamConnect: 12 * time.Millisecond, Timings: probe.Timings{Total: time.Duration(ms) * time.Millisecond}}}
	}
	tlsErr := warm.Record{POP: "LHR61-C2", Result: probe.Result{Error: "tls: certificate is valid for wrong.example, not api.example.com",
		Kind: cloudfront.KindTLS, Phase: probe.PhaseTLS}}
	res := &warm.Result{Distribution: "d111111abcdef8.cloudfront.net", Host: "api.example.com", Path: "/", Method: "GET",
		Port: 443, Start: start, Duration: stats.Seconds(21 * time.Second), WavesPlanned: 3, Stopped: warm.StopDeadline}
	for i := range 2 {
		cold := cloudfront.OriginWarm
		if i == 0 {
			cold = cloudfront.OriginCold
		}
		pops := []warm.POPResult{
			{POP: "HKG54-C1", Requests: []warm.Record{mk("HKG54-C1", "HKG54-C1", cold, 40), mk("HKG54-C1", "HKG54-C1", cloudfront.OriginWarm, 20)},
				Sizing: warm.Sizing{Mode: warm.SizingAuto, Requests: 2, Hosts: 2, HostsFrom: warm.HostsFromEstimate, PredictedCoverage: 0.75,
					EdgeHostsSeen: 2, EdgeHosts: &warm.HostEstimate{Hosts: 2, Low: 2, High: 3, Level: 0.95, Responses: 2, Waves: 1},
					EdgeHostsVerdict: edgehosts.VerdictPerHost, Reach: &edgehosts.Reach{Hosts: 2, Reached: 1, Missed: 1, ColdOfReached: 3}}},
			{POP: "CDG50-C1", Requests: []warm.Record{mk("CDG50-C1", "CDG52-P1", cloudfront.OriginWarm, 10)},
				Sizing: warm.Sizing{Mode: warm.SizingAuto, Requests: 72, Hosts: 16, HostsFrom: warm.HostsFromAssumed, PredictedCoverage: 0.99,
					EdgeHostsSeen: 1, EdgeHostsVerdict: edgehosts.VerdictConstant, EdgeHostsNote: "constant: one edge host id in 24 responses names no host (suspect)"}},
			{POP: "LHR61-C2", Requests: []warm.Record{tlsErr, {POP: "LHR61-C2", Unfinished: true}}},
		}
		var all []warm.Record
		for j := range pops {
			pops[j].Stats = warm.Summarize(pops[j].Requests)
			all = append(all, pops[j].Requests...)
		}
		res.Waves = append(res.Waves, warm.Wave{Index: i + 1, Start: start.Add(time.Duration(i) * 20 * time.Second),
			Duration: stats.Seconds(300 * time.Millisecond), POPs: pops, Total: warm.Summarize(all)})
	}
	var all []warm.Record
	for _, w := range res.Waves {
		for _, p := range w.POPs {
			all = append(all, p.Requests...)
		}
	}
	res.Total = warm.Summarize(all)
	return res
}

func TestWriteTable(t *testing.T) {
	var buf bytes.Buffer
	if err := format.WriteTable(&buf, sampleResult()); err != nil {
		t.Fatal(err)
	}
	out := buf.String()
	for _, want := range []string{
		"prewarm d111111abcdef8.cloudfront.net  host api.example.com  GET /  port 443",
		"wave 1/3  started 12:00:00.000Z  took 300ms  4 requests: 3 ok, 1 errors, 1 unfinished, origin cold 50.0%",
		"wave 2/3  started 12:00:20.000Z",
		"origin cold 0.0%",
		"all 2 waves  took 21s  8 requests: 6 ok, 2 errors, 2 unfinished, origin cold 25.0%",
		"CDG52-P1 1 (mismatch)",
		"tls 1, unfinished 1",
		"stopped after 2 of 3 waves: the deadline left too little time for the next wave",
		"errors (the first of each kind):\n  LHR61-C2: tls: certificate is valid for wrong.example",
	} {
		if !strings.Contains(out, want) {
			t.Errorf("table lacks %q:\n%s", want, out)
		}
	}
	// The row of a healthy POP: address count, planned, finished, OK, cold
	// ratio, predicted coverage, hosts seen, estimate, hosts missed of those
	// heard from, cold answers of reached hosts, p50, p99.
	if !strings.Contains(out, "HKG54-C1  0      2  2     2   50.0%  75.0%  2     2 [2–3]            1/2     3          30.0ms  39.8ms  -") {
		t.Errorf("HKG54-C1 row of wave 1 not as expected:\n%s", out)
	}
	// A POP whose ids name no host says so in its row and below the table,
	// with the host count the waves planned with instead.
	if !strings.Contains(out, "CDG50-C1  0      1  1     1   -      99.0%  1     suspect: constant  -") ||
		!strings.Contains(out, "edge host ids that name no host (no estimate from them):\n  CDG50-C1: constant: one edge host id in 24 responses names no host (suspect); the waves plan with 16 hosts (assumed)") {
		t.Errorf("the suspect POP is not shown as such:\n%s", out)
	}
}

func TestWriteJSON(t *testing.T) {
	for _, withRequests := range []bool{false, true} {
		var buf bytes.Buffer
		if err := format.WriteJSON(&buf, sampleResult(), withRequests); err != nil {
			t.Fatal(err)
		}
		if n := strings.Count(buf.String(), "\n"); n != 1 {
			t.Errorf("JSON is %d lines, want one", n)
		}
		var doc struct {
			Schema   int     `json:"schema"`
			Type     string  `json:"type"`
			Duration float64 `json:"duration_s"`
			Stopped  string  `json:"stopped"`
			Waves    []struct {
				Wave     int     `json:"wave"`
				Duration float64 `json:"duration_s"`
				POPs     []struct {
					POP      string            `json:"pop"`
					Sizing   map[string]any    `json:"sizing"`
					Stats    map[string]any    `json:"stats"`
					Requests []json.RawMessage `json:"requests"`
				} `json:"pops"`
			} `json:"waves"`
			Total map[string]any `json:"total"`
		}
		if err := json.Unmarshal(buf.Bytes(), &doc); err != nil {
			t.Fatal(err)
		}
		if doc.Schema != warm.SchemaVersion || doc.Type != "warm" || doc.Duration != 21 || doc.Stopped != "deadline" {
			t.Errorf("header: %+v", doc)
		}
		w1 := doc.Waves[0]
		if w1.Wave != 1 || w1.Duration != 0.3 || w1.POPs[0].Stats["origin_cold_ratio"] != 0.5 {
			t.Errorf("wave 1: %+v", w1)
		}
		if r, ok := w1.POPs[2].Stats["origin_cold_ratio"]; !ok || r != nil {
			t.Errorf("a POP with no origin information must have origin_cold_ratio null, got %v", r)
		}
		if lat := w1.POPs[0].Stats["timings"].(map[string]any)["total"].(map[string]any); lat["p50_s"] != 0.03 {
			t.Errorf("latency in seconds: %v", lat)
		}
		sz := w1.POPs[0].Sizing
		if sz["predicted_coverage"] != 0.75 || sz["edge_hosts_seen"] != 2.0 || sz["requests"] != 2.0 ||
			sz["edge_hosts_estimate"].(map[string]any)["ci_high"] != 3.0 {
			t.Errorf("sizing: %v", sz)
		}
		if got := len(w1.POPs[0].Requests); withRequests != (got == 2) {
			t.Errorf("with requests %v: %d request records", withRequests, got)
		}
		if withRequests && !strings.Contains(string(w1.POPs[0].Requests[0]), `"upstream_connect_s":0.012`) {
			t.Errorf("request record: %s", w1.POPs[0].Requests[0])
		}
	}
}

func TestParseNameAndNew(t *testing.T) {
	for _, n := range format.Names {
		got, err := format.ParseName(string(n))
		if err != nil || got != n {
			t.Errorf("ParseName(%q) = %q, %v", n, got, err)
		}
		if rep, err := format.New(n, format.Options{}); err != nil || rep == nil {
			t.Errorf("New(%q): %v", n, err)
		}
		var buf bytes.Buffer
		if rep, _ := format.New(n, format.Options{}); rep(&buf, sampleResult()) != nil || buf.Len() == 0 {
			t.Errorf("%s reporter wrote nothing", n)
		}
	}
	if _, err := format.ParseName("yaml"); err == nil || !strings.Contains(err.Error(), "table, json, emf") {
		t.Errorf("ParseName(yaml): %v", err)
	}
}
