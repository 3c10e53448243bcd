package format_test

import (
	"bytes"
	"encoding/json"
	"net/netip"
	"strings"
	"testing"
	"time"

	"github.com/cfprewarm/cfprewarm/doctor"
	"github.com/cfprewarm/cfprewarm/doctor/format"
	"github.com/cfprewarm/cfprewarm/edgehosts"
)

// sample is a report of two POPs, one with ids that name no host, an
// origin that closes first and an interrupted run.
func sample() *doctor.Report {
	holds := false
	return &doctor.Report{
		Distribution: "d111111abcdef8.cloudfront.net", Host: "api.example.com", Path: "/cfprewarm/host-id", Port: 443,
		Duration: 95 * time.Second, Budget: doctor.Budget{Limit: 5000, Planned: 2092, Sent: 811}, Interrupted: true,
		CloudFront: &doctor.Identity{CloudFront: true, Evidence: []string{"x-amz-cf-id", "via"}, POP: "HKG62-C1", Status: 200,
			ServerTiming: true, UpstreamLayer: "Origin Shield", Meaning: "Origin Shield: for dynamic requests the shield is always an extra layer"},
		POPs: []doctor.POPReport{
			{POP: "HKG62-C1", Name: "d111111abcdef8.HKG62-C1.cloudfront.net",
				DNS: &doctor.DNS{Lookups: 3, Count: 2, Addrs: []netip.Addr{netip.MustParseAddr("192.0.2.1"), netip.MustParseAddr("192.0.2.2")}, TTL: 60, Stable: true, Seen: 2},
				Census: &doctor.Census{Requests: 96, Answers: 96, IDs: 8, Hops: 2, Verdict: edgehosts.VerdictChained, Layout: edgehosts.LayoutDisjoint,
					Hosts: &doctor.Estimate{Hosts: 8, Low: 8, High: 9, Level: 0.95},
					ByAddr: []doctor.AddrCensus{{Addr: netip.MustParseAddr("192.0.2.1"), Answers: 48, IDs: 4, Hosts: &doctor.Estimate{Hosts: 4, Low: 4, High: 4}},
						{Addr: netip.MustParseAddr("192.0.2.2"), Answers: 48, IDs: 4, Hosts: &doctor.Estimate{Hosts: 4, Low: 4, High: 5}}},
					Kept:   &doctor.Kept{Answers: 3, IDs: 1},
					HostID: &doctor.HostIDCheck{Header: "X-Cfprewarm-Edge-Server-Ip", Answers: 96, Servers: 8, Hosts: &doctor.Estimate{Hosts: 8, Low: 8, High: 8, Level: 0.95}, Holds: &holds, Why: "not one to one"}},
				KeepAlive: &doctor.KeepAlive{Known: true, K: 20 * time.Second, WarmAt: 19 * time.Second, ColdAt: 22 * time.Second, Requests: 408,
					Trials: []doctor.Trial{{Gap: time.Second, Age: 1020 * time.Millisecond, Warm: true, WarmShare: 1, By: "hosts", Requests: 51}}},
				Penalty: &doctor.Penalty{Cold: 10, Warm: 90, ColdFirstByte: 580 * time.Millisecond, WarmFirstByte: 194 * time.Millisecond, Penalty: 386 * time.Millisecond,
					OriginRTT: 193 * time.Millisecond, UpstreamConnect: 390 * time.Millisecond, ConnectRTT: 195 * time.Millisecond}},
			{POP: "LHR61-C2", Name: "d111111abcdef8.LHR61-C2.cloudfront.net",
				Census: &doctor.Census{Requests: 96, Answers: 96, IDs: 1, Verdict: edgehosts.VerdictConstant, Why: "constant: one edge host id in 96 responses names no host (suspect)"},
				Error:  "interrupted"},
		},
		Origin: &doctor.OriginIdle{URL: "https://origin.example.com/healthz", Status: 403, Idle: 20 * time.Second, Closed: true, Waited: 20 * time.Second},
		Order:  &doctor.OrderCheck{Trap: true, Findings: []string{"the origin closes idle connections after 20s, before CloudFront's keep-alive of 1m0s ends"}},
	}
}

// The text report says each finding and what it means: the layer, the
// verdicts (suspect ones as such), the host identity, the keep-alive with
// its bounds, the penalty, the trap, what was sent, an interruption.
func TestWriteText(t *testing.T) {
	var b bytes.Buffer
	if err := format.WriteText(&b, sample()); err != nil {
		t.Fatal(err)
	}
	out := b.String()
	for _, want := range []string{
		"cfprewarm doctor  d111111abcdef8.cloudfront.net  host api.example.com  /cfprewarm/host-id  port 443",
		"  CloudFront       yes (x-amz-cf-id, via), status 200, answered by HKG62-C1",
		"  upstream layer   Origin Shield: for dynamic requests the shield is always an extra layer",
		"  DNS              2 address(es), TTL 60 s, stable over 3 lookups: 192.0.2.1 192.0.2.2",
		"  edge host ids    chained (8 ids in 96 answers with one; via holds 2 CloudFront entries",
		"layout disjoint: each address has hosts of its own",
		"  hosts            8 [8–9] (95% interval)",
		"  per address      192.0.2.1 4 [4–4]; 192.0.2.2 4 [4–5]",
		"  host identity    X-Cfprewarm-Edge-Server-Ip: 8 servers in 96 answers, 8 [8–8] (95% interval); not one to one",
		"  keep-alive       20 s (warm after 19 s, cold after 22 s; 1 trials, 408 requests)",
		"  cold penalty     386.0 ms (median first byte cold 580.0 ms − warm 194.0 ms, of 10 cold and 90 warm answers): origin RTT ≈ 193.0 ms",
		"  edge host ids    constant (1 ids in 96 answers with one); suspect: the ids name no host",
		"  hosts            no estimate: constant: one edge host id in 96 responses names no host (suspect)",
		"  stopped          interrupted",
		"  idle timeout     20 s (status 403; the server closed an idle kept-alive connection)",
		"timeout order  TRAP: the origin closes first",
		"requests sent: 811 of at most 2092 (budget 5000); took 1m35s",
		"interrupted: the report holds what was measured until then",
	} {
		if !strings.Contains(out, want) {
			t.Errorf("text lacks %q:\n%s", want, out)
		}
	}
}

// The JSON document: one line, the schema, durations in seconds.
func TestWriteJSON(t *testing.T) {
	var b bytes.Buffer
	if err := format.WriteJSON(&b, sample()); err != nil {
		t.Fatal(err)
	}
	if strings.Count(b.String(), "\n") != 1 {
		t.Errorf("JSON is not one line:\n%s", b.String())
	}
	var doc struct {
		Schema   int     `json:"schema"`
		Type     string  `json:"type"`
		Duration float64 `json:"duration_s"`
		POPs     []struct {
			KeepAlive struct {
				K      float64 `json:"k_s"`
				ColdAt float64 `json:"cold_at_s"`
				Trials []struct {
					Age float64 `json:"age_s"`
				} `json:"trials"`
			} `json:"keepalive"`
			Penalty struct {
				Penalty float64 `json:"penalty_s"`
			} `json:"cold_penalty"`
		} `json:"pops"`
		Origin struct {
			Idle float64 `json:"idle_s"`
		} `json:"origin"`
		Order struct {
			Trap bool `json:"origin_idle_trap"`
		} `json:"timeout_order"`
	}
	if err := json.Unmarshal(b.Bytes(), &doc); err != nil {
		t.Fatal(err)
	}
	p := doc.POPs[0]
	if doc.Schema != doctor.SchemaVersion || doc.Type != "doctor" || doc.Duration != 95 || p.KeepAlive.K != 20 || p.KeepAlive.ColdAt != 22 ||
		len(p.KeepAlive.Trials) != 1 || p.KeepAlive.Trials[0].Age != 1.02 || p.Penalty.Penalty != 0.386 || doc.Origin.Idle != 20 || !doc.Order.Trap {
		t.Errorf("JSON %+v\n%s", doc, b.String())
	}
	if _, err := format.ParseName("yaml"); err == nil {
		t.Error("format yaml accepted")
	}
}
