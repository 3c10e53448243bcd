package main

import (
	"context"
	"encoding/json"
	"strings"
	"testing"

	"github.com/aws/aws-lambda-go/lambda"
	"github.com/cfprewarm/cfprewarm/internal/loopback"
)

// The environment is the ceiling: an event asking for more than it allows,
// for another target, or for 0 is refused with a message naming the field,
// and nothing is sent. So is a 0 in the environment.
func TestEventCeiling(t *testing.T) {
	tests := []struct {
		name    string
		env     map[string]string
		payload string
		want    string
	}{
		{"more requests", nil, `{"requestsPerPop":6}`, `event field "requestsPerPop": 6 is more than the environment allows (REQUESTS_PER_POP 5)`},
		{"more waves", nil, `{"waves":2}`, `event field "waves": 2 is more than the environment allows (WAVES 1)`},
		{"more concurrency", nil, `{"concurrency":121}`, `event field "concurrency": 121 is more than the environment allows (CONCURRENCY 120)`},
		{"another POP", nil, `{"pops":["HKG54-C1","NRT57-P2"]}`, `event field "pops": NRT57-P2 is not among the environment's POPS`},
		{"another subnet", map[string]string{"CLIENT_SUBNETS": "198.51.100.0/24"}, `{"clientSubnets":["203.0.113.0/24"]}`,
			`event field "clientSubnets": 203.0.113.0/24 is not among the environment's CLIENT_SUBNETS`},
		{"longer timeout", nil, `{"requestTimeout":"6s"}`, `event field "requestTimeout": 6s is more than the environment allows (REQUEST_TIMEOUT 5s)`},
		{"more than auto's maximum", map[string]string{"REQUESTS_PER_POP": "auto", "MAX_REQUESTS": "40"}, `{"maxRequests":41}`,
			`event field "maxRequests": 41 is more than the environment allows (MAX_REQUESTS 40)`},
		{"fixed more than auto's maximum", map[string]string{"REQUESTS_PER_POP": "auto"}, `{"requestsPerPop":201}`,
			`event field "requestsPerPop": 201 is more than the environment allows (MAX_REQUESTS 200)`},
		{"another host", nil, `{"host":"evil.example.com"}`, `event field "host": the target is the environment's; EVENT_OVERRIDES must name host`},
		{"another distribution", map[string]string{"EVENT_OVERRIDES": "host"}, `{"distributionDomain":"d2.cloudfront.net"}`,
			`event field "distributionDomain": the target is the environment's`},
		{"another port", nil, `{"port":8443}`, `event field "port": the target is the environment's`},
		{"other headers", nil, `{"headers":{"X-Admin":"1"}}`, `event field "headers": the target is the environment's`},
		{"zero waves", nil, `{"waves":0}`, `event field "waves": 0: want at least 1`},
		{"zero requests", nil, `{"requestsPerPop":0}`, `event field "requestsPerPop": 0: want at least 1`},
		{"zero timeout", nil, `{"requestTimeout":"0s"}`, `event field "requestTimeout": "0s": want more than 0`},
		{"coverage without auto", nil, `{"coverage":0.9}`, `event field "coverage": needs automatic requests per POP`},
		{"zero in the environment", map[string]string{"REQUESTS_PER_POP": "0", "WAVES": "0", "REQUEST_TIMEOUT": "0s"}, "",
			"REQUESTS_PER_POP 0: must not be 0"},
		{"zero waves in the environment", map[string]string{"WAVES": "0"}, "", "WAVES 0: must not be 0"},
		{"zero timeout in the environment", map[string]string{"REQUEST_TIMEOUT": "0s"}, "", "REQUEST_TIMEOUT 0s: must not be 0"},
		{"unknown override permission", map[string]string{"EVENT_OVERRIDES": "pops"}, "", `EVENT_OVERRIDES: "pops" is not a target field`},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			f := newFixture(t, loopback.POPSpec{Code: "HKG54-C1"})
			for k, v := range tt.env {
				f.env[k] = v
			}
			out, err := f.invoke(context.Background(), tt.payload)
			if err == nil || !strings.Contains(err.Error(), tt.want) {
				t.Fatalf("error %v (response %s), want it to say %q", err, out, tt.want)
			}
			if n := f.edge.Requests(); n != 0 {
				t.Errorf("%d requests sent with a refused configuration", n)
			}
		})
	}
}

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
