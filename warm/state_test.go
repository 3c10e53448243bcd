package warm_test

import (
	"testing"

	"github.com/cfprewarm/cfprewarm/internal/loopback"
	"github.com/cfprewarm/cfprewarm/warm"
)

// A State shared by Runners (the Lambda's invocations) carries both of its
// parts: a new Runner's first wave sizes from the host model the earlier
// Runner's waves built and resumes the TLS sessions they stored, at every
// request; a Runner with a State of its own starts from the assumed host
// count and a full handshake.
func TestSharedStateCarriesHostsAndSessions(t *testing.T) {
	_, cfg := startHosts(t, nil, loopback.POPSpec{Code: "HKG62-C1", Hosts: 8})
	cfg.State = warm.NewState()
	runAuto(t, cfg, 2)

	first := func(cfg warm.Config) warm.POPResult {
		t.Helper()
		_, res := runAuto(t, cfg, 1)
		if res.Total.Errors != 0 || len(res.Waves) != 1 {
			t.Fatalf("%d waves, errors %v", len(res.Waves), res.Total.ErrorsByKind)
		}
		return res.Waves[0].POPs[0]
	}
	resumed := func(p warm.POPResult) (n int) {
		for _, r := range p.Requests {
			if r.TLSResumed {
				n++
			}
		}
		return n
	}

	shared := first(cfg)
	if s := shared.Sizing; s.HostsFrom != warm.HostsFromEstimate || s.Hosts < 6 || s.Hosts > 10 {
		t.Errorf("shared State: sizing %+v, want the estimate of 8 hosts the earlier waves made", s)
	}
	if n := resumed(shared); n != len(shared.Requests) {
		t.Errorf("shared State: %d of %d requests resumed a TLS session, want all", n, len(shared.Requests))
	}

	cfg.State = nil
	own := first(cfg)
	if s := own.Sizing; s.HostsFrom != warm.HostsFromAssumed || s.Hosts != warm.DefaultHosts {
		t.Errorf("own State: sizing %+v, want the assumed %d hosts", s, warm.DefaultHosts)
	}
	if n := resumed(own); n != len(own.Requests)-1 {
		t.Errorf("own State: %d of %d requests resumed a TLS session, want all but the first", n, len(own.Requests))
	}
}
