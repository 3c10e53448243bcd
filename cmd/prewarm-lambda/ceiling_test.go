package main

import (
	"context"
	"encoding/json"
	"strings"
	"testing"

	"github.com/aws/aws-lambda-go/lambda"
	"github.com/cfprewarm/cfprewarm/internal/loopback"
)

// An event may narrow: fewer POPs, fewer requests, auto sizing bounded by
// the environment's request count; and with EVENT_OVERRIDES a target field.
func TestEventNarrows(t *testing.T) {
	f := newFixture(t, loopback.POPSpec{Code: "HKG54-C1", Hosts: 8}, loopback.POPSpec{Code: "FRA56-P3"})
	f.env["EVENT_OVERRIDES"] = "path"
	out, err := f.invoke(context.Background(), `{"pops":["HKG54-C1"],"requestsPerPop":"auto","path":"/narrow","logRequests":true}`)
	if err != nil {
		t.Fatal(err)
	}
	s := decode(t, out)
	if len(s.POPs) != 1 || s.POPs[0].POP != "HKG54-C1" || s.POPs[0].Sizing != "auto" || s.POPs[0].Planned != 5 || s.Path != "/narrow" {
		t.Errorf("summary %+v: want HKG54-C1 alone, auto-sized within the environment's 5 requests, at /narrow", s)
	}
	if f.edge.POPs["FRA56-P3"].Requests() != 0 || f.edge.POPs["HKG54-C1"].Requests() != 5 {
		t.Errorf("requests: HKG54-C1 %d, FRA56-P3 %d", f.edge.POPs["HKG54-C1"].Requests(), f.edge.POPs["FRA56-P3"].Requests())
	}
	if n := strings.Count(f.logs.String(), `"msg":"prewarm request"`); n != 5 {
		t.Errorf("%d request records in the log, want 5 (logRequests)", n)
	}
}

// One process, several invocations: the second sizes its first wave with
// what the first learned, and resumes its TLS sessions.
func TestStateAcrossInvocations(t *testing.T) {
	f := newFixture(t, loopback.POPSpec{Code: "HKG54-C1", Hosts: 8})
	f.env["REQUESTS_PER_POP"] = "auto"
	f.env["ADAPT"] = "true"
	f.env["WAVES"] = "2"
	f.env["WAVE_INTERVAL"] = "20ms"
	f.env["LOG_REQUESTS"] = "true"
	h := &handler{getenv: func(k string) string { return f.env[k] }, metrics: &f.metrics, logs: &f.logs}
	invoke := func() summary {
		out, err := lambda.NewHandler(h).Invoke(context.Background(), nil)
		if err != nil {
			t.Fatal(err)
		}
		return decode(t, out)
	}
	first := invoke()
	if first.POPs[0].Estimate == nil || *first.POPs[0].Estimate != 8 {
		t.Fatalf("first invocation: %+v, want the 8 hosts estimated", first.POPs[0])
	}
	f.logs.Reset()
	second := invoke()
	p := second.POPs[0]
	if p.Sizing != "adaptive" || p.HostsFrom != "estimate" || p.Planned > 2*35 {
		t.Errorf("second invocation: %+v, want its waves sized from the estimate (at most 35 each)", p)
	}
	var resumed, records int
	for line := range strings.Lines(f.logs.String()) {
		var l struct {
			Record *struct {
				TLSResumed bool `json:"tls_resumed"`
			} `json:"record"`
		}
		if json.Unmarshal([]byte(line), &l) == nil && l.Record != nil {
			records++
			if l.Record.TLSResumed {
				resumed++
			}
		}
	}
	if records == 0 || resumed != records {
		t.Errorf("%d of %d requests of the second invocation resumed a TLS session, want all", resumed, records)
	}
}
