package main

import (
	"context"
	"encoding/json"
	"strconv"
	"testing"

	"github.com/cfprewarm/cfprewarm/cloudfront"
	"github.com/cfprewarm/cfprewarm/internal/loopback"
	"github.com/cfprewarm/cfprewarm/internal/loopback/edge"
	"github.com/cfprewarm/cfprewarm/origin"
)

// hostCount is the part of a POP's summary that says how its hosts were
// counted.
type hostCount struct {
	POP      string `json:"pop"`
	OK       int    `json:"ok"`
	Seen     int    `json:"edge_hosts_seen"`
	Estimate *int   `json:"edge_hosts_estimate"`
	Verdict  string `json:"edge_hosts_verdict"`
}

// HOST_ID_HEADER counts edge hosts by the documented identity the sample
// stack's CloudFront Function forwards on the prewarm path: a POP whose
// via id is one constant still has its 4 hosts counted (and estimated);
// without the variable the same POP's ids are judged constant and name no
// host.
func TestHostIDHeader(t *testing.T) {
	const hosts, requests = 4, 40
	specs := []loopback.POPSpec{{Code: "LHR61-C2", Hosts: hosts, Via: edge.ViaConstant}}
	cf, err := loopback.Start(context.Background(), loopback.Config{Distribution: testDist, Host: testHost, POPs: specs,
		HostID: true, OriginVerifySecret: "s3cret", Seed: 5})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { cf.Close() })
	f := fixtureAt(cf, specs)
	f.env["URL_PATH"] = origin.HostIDPath
	f.env["REQUESTS_PER_POP"] = strconv.Itoa(requests)

	run := func(t *testing.T) hostCount {
		t.Helper()
		out, err := f.invoke(context.Background(), "")
		if err != nil {
			t.Fatal(err)
		}
		var sum struct {
			POPs []hostCount `json:"pops"`
		}
		if err := json.Unmarshal(out, &sum); err != nil || len(sum.POPs) != 1 || sum.POPs[0].OK != requests {
			t.Fatalf("summary %s (%v): want %d answers from one POP", out, err, requests)
		}
		return sum.POPs[0]
	}

	t.Run("without", func(t *testing.T) {
		p := run(t)
		if p.Verdict != "constant" || p.Seen != 1 || p.Estimate != nil {
			t.Errorf("%+v: want the via ids judged constant (1 seen, no estimate)", p)
		}
	})
	t.Run("with", func(t *testing.T) {
		f.env["HOST_ID_HEADER"] = cloudfront.HeaderEdgeServerIP
		defer delete(f.env, "HOST_ID_HEADER")
		p := run(t)
		if p.Seen != hosts || p.Verdict == "constant" || p.Estimate == nil || *p.Estimate != hosts {
			t.Errorf("%+v: want the %d hosts counted by %s", p, hosts, cloudfront.HeaderEdgeServerIP)
		}
	})
}
