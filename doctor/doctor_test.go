package doctor_test

import (
	"context"
	"errors"
	"math"
	"path/filepath"
	"testing"
	"time"

	"github.com/cfprewarm/cfprewarm/doctor"
	"github.com/cfprewarm/cfprewarm/edgehosts"
	"github.com/cfprewarm/cfprewarm/internal/loopback"
	"github.com/cfprewarm/cfprewarm/internal/loopback/edge"
	"github.com/cfprewarm/cfprewarm/internal/loopback/link"
	"github.com/cfprewarm/cfprewarm/origin"
)

const testDist = "d111111abcdef8.cloudfront.net"

// originLink gives the POP↔origin link a round trip, so that a cold
// request takes longer than the scheduling noise of a loaded machine.
var originLink = link.Link{RTT: 10 * time.Millisecond}

// start starts a loopback CloudFront for a test.
func start(t *testing.T, cfg loopback.Config) *loopback.CloudFront {
	t.Helper()
	cfg.Distribution = testDist
	cfg.Aliases = map[string]string{testDist: cfg.POPs[0].Code}
	cf, err := loopback.Start(context.Background(), cfg)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { cf.Close() })
	return cf
}

// config aims a doctor at cf; scale divides the keep-alive search's
// range (1–180 s) as the lab divides time.
func config(cf *loopback.CloudFront, scale float64, pops ...string) doctor.Config {
	return doctor.Config{
		Distribution: testDist, POPs: pops, Port: cf.Port, DNSServer: cf.DNSAddr, RootCAs: cf.CA.Pool(),
		Timeout: 5 * time.Second, Lookups: 2, LookupGap: 10 * time.Millisecond,
		MinKeepAlive: time.Duration(float64(time.Second) / scale), MaxKeepAlive: time.Duration(float64(180*time.Second) / scale),
	}
}

func run(t *testing.T, cfg doctor.Config) *doctor.Report {
	t.Helper()
	r, err := doctor.Run(context.Background(), cfg)
	if err != nil {
		t.Fatal(err)
	}
	if r.Budget.Sent > r.Budget.Planned || r.Budget.Planned > r.Budget.Limit {
		t.Errorf("sent %d requests, planned at most %d, budget %d", r.Budget.Sent, r.Budget.Planned, r.Budget.Limit)
	}
	return r
}

func popOf(t *testing.T, r *doctor.Report, code string) doctor.POPReport {
	t.Helper()
	for _, p := range r.POPs {
		if p.POP == code {
			if p.Error != "" {
				t.Errorf("%s: %s", code, p.Error)
			}
			return p
		}
	}
	t.Fatalf("no report of %s", code)
	return doctor.POPReport{}
}

// Each id behavior and address layout gets its verdict: ids per host over
// four addresses that share the hosts or split them, a constant id, ids
// per address, per request, per connection, chained; and the host counts
// are the POPs' within 20%.
func TestVerdictsAndLayouts(t *testing.T) {
	cf := start(t, loopback.Config{Seed: 21, POPs: []loopback.POPSpec{
		{Code: "FRA56-P3", AddrCount: 4, Hosts: 16},
		{Code: "AMS54-C1", AddrCount: 4, Hosts: 8, Split: true},
		{Code: "LHR61-C2", Hosts: 8, Via: edge.ViaConstant},
		{Code: "CDG50-C1", AddrCount: 4, Hosts: 8, Via: edge.ViaAddress},
		{Code: "MAD53-P1", Hosts: 8, Via: edge.ViaRequest},
		{Code: "MUC50-P1", Hosts: 8, Via: edge.ViaConnection},
		{Code: "ARN54-C1", Hosts: 8, Via: edge.ViaChained},
	}})
	cfg := config(cf, 1, "FRA56-P3", "AMS54-C1", "LHR61-C2", "CDG50-C1", "MAD53-P1", "MUC50-P1", "ARN54-C1")
	cfg.SkipKeepAlive = true
	r := run(t, cfg)
	if id := r.CloudFront; id == nil || !id.CloudFront || !id.ServerTiming || id.UpstreamLayer != "EDGE" || id.POP != "FRA56-P3" {
		t.Errorf("identity %+v: want CloudFront with Server-Timing, EDGE, answered by FRA56-P3", id)
	}
	for _, tc := range []struct {
		pop     string
		verdict edgehosts.Verdict
		layout  edgehosts.Layout
		addrs   int
		hosts   int // 0: no estimate
	}{
		{"FRA56-P3", edgehosts.VerdictPerHost, edgehosts.LayoutShared, 4, 16},
		{"AMS54-C1", edgehosts.VerdictPerHost, edgehosts.LayoutDisjoint, 4, 8},
		{"LHR61-C2", edgehosts.VerdictConstant, "", 1, 0},
		{"CDG50-C1", edgehosts.VerdictPerAddress, "", 4, 0},
		{"MAD53-P1", edgehosts.VerdictPerRequest, "", 1, 0},
		{"MUC50-P1", edgehosts.VerdictPerConnection, "", 1, 0},
		{"ARN54-C1", edgehosts.VerdictChained, edgehosts.LayoutOneAddress, 1, 8},
	} {
		p := popOf(t, r, tc.pop)
		c := p.Census
		if c == nil || p.DNS == nil {
			t.Errorf("%s: no census or DNS", tc.pop)
			continue
		}
		if p.DNS.Count != tc.addrs || p.DNS.TTL != 60 || !p.DNS.Stable {
			t.Errorf("%s: DNS %+v: want %d addresses, TTL 60, stable", tc.pop, p.DNS, tc.addrs)
		}
		if c.Verdict != tc.verdict || c.Layout != tc.layout {
			t.Errorf("%s: verdict %s layout %q (%s); want %s, %q", tc.pop, c.Verdict, c.Layout, c.Why, tc.verdict, tc.layout)
		}
		switch {
		case tc.hosts == 0 && c.Hosts != nil:
			t.Errorf("%s: an estimate %+v from ids that name no host", tc.pop, c.Hosts)
		case tc.hosts > 0 && (c.Hosts == nil || math.Abs(float64(c.Hosts.Hosts-tc.hosts)) > 0.2*float64(tc.hosts)):
			t.Errorf("%s: hosts %+v, want %d within 20%%", tc.pop, c.Hosts, tc.hosts)
		}
		if tc.addrs > 1 && len(c.ByAddr) != tc.addrs {
			t.Errorf("%s: %d per-address estimates, want %d", tc.pop, len(c.ByAddr), tc.addrs)
		}
	}
	if k := popOf(t, r, "MAD53-P1").Census.Kept; k == nil || k.IDs != 3 {
		t.Errorf("per-request ids: kept connection %+v, want 3 ids on one connection", k)
	}
	for _, a := range popOf(t, r, "AMS54-C1").Census.ByAddr {
		if a.Hosts == nil || a.Hosts.Hosts != 2 {
			t.Errorf("split hosts: address %s: %+v, want 2 hosts", a.Addr, a.Hosts)
		}
	}
	f := r.HostsFile(16)
	byPOP := map[string]edgehosts.Estimate{}
	for _, e := range f.POPs {
		byPOP[e.POP] = e
	}
	if e := byPOP["LHR61-C2"]; e.Hosts != 16 || e.Method != edgehosts.MethodConfigured || e.Verdict != edgehosts.VerdictConstant {
		t.Errorf("hosts file entry of the constant id: %+v", e)
	}
	if e := byPOP["AMS54-C1"]; e.Hosts != 8 || e.Layout != edgehosts.LayoutDisjoint || e.Addresses != 4 {
		t.Errorf("hosts file entry of the split POP: %+v", e)
	}
}

// The census counts 4, 8 and 32 hosts within 20%.
func TestHostCounts(t *testing.T) {
	cf := start(t, loopback.Config{Seed: 5, POPs: []loopback.POPSpec{{Code: "HKG62-C1", Hosts: 4}, {Code: "NRT57-P2", Hosts: 8}, {Code: "SIN52-C1", Hosts: 32}}})
	cfg := config(cf, 1, "HKG62-C1", "NRT57-P2", "SIN52-C1")
	cfg.SkipKeepAlive = true
	r := run(t, cfg)
	for code, h := range map[string]int{"HKG62-C1": 4, "NRT57-P2": 8, "SIN52-C1": 32} {
		c := popOf(t, r, code).Census
		if c == nil || c.Hosts == nil || math.Abs(float64(c.Hosts.Hosts-h)) > 0.2*float64(h) {
			t.Errorf("%s of %d hosts: census %+v", code, h, c)
		}
	}
}

// The effective keep-alive K of 5, 20 and 60 s, time-scaled, is found
// within 10% or within the last search step, with no more requests than
// printed.
func TestKeepAliveSearch(t *testing.T) {
	for _, tc := range []struct {
		k     time.Duration
		scale float64
	}{{5 * time.Second, 5}, {20 * time.Second, 10}, {60 * time.Second, 30}} {
		k := time.Duration(float64(tc.k) / tc.scale)
		cf := start(t, loopback.Config{Seed: 3, KeepAlive: k, OriginLink: originLink, POPs: []loopback.POPSpec{{Code: "HKG62-C1", Hosts: 4}}})
		r := run(t, config(cf, tc.scale))
		ka := popOf(t, r, "HKG62-C1").KeepAlive
		if ka == nil || !ka.Known {
			t.Errorf("K %v (scaled %v): %+v", tc.k, k, ka)
			continue
		}
		if err := math.Abs(float64(ka.K-k)) / float64(k); err > 0.10 && !(ka.WarmAt <= k && k <= ka.ColdAt) {
			t.Errorf("K %v (scaled %v): found %v in [%v, %v], %.0f%% off", tc.k, k, ka.K, ka.WarmAt, ka.ColdAt, 100*err)
		}
		t.Logf("K %v scaled %v: found %v (warm at %v, cold at %v) in %d trials, %d of at most %d requests",
			tc.k, k, ka.K.Round(time.Millisecond), ka.WarmAt.Round(time.Millisecond), ka.ColdAt.Round(time.Millisecond), len(ka.Trials), r.Budget.Sent, r.Budget.Planned)
	}
}

// The origin-idle trap, found from outside: CloudFront keeps idle origin
// connections 60 s, but the origin closes them after 20 s. The effective
// keep-alive is the origin's idle timeout, measured directly too, and the
// timeout order check says so.
func TestOriginIdleTrap(t *testing.T) {
	const scale = 20
	keep, idle := 60*time.Second/scale, 20*time.Second/scale
	cf := start(t, loopback.Config{Seed: 9, KeepAlive: keep, OriginIdle: idle, OriginLink: originLink, POPs: []loopback.POPSpec{{Code: "HKG62-C1", Hosts: 4}}})
	cfg := config(cf, scale)
	cfg.Origin = "https://" + cf.OriginAddr + "/"
	cfg.OriginWait = 400 * time.Second / scale
	cfg.ConfiguredKeepAlive = keep
	r := run(t, cfg)
	o := r.Origin
	if o == nil || !o.Closed || math.Abs(float64(o.Idle-idle)) > 0.1*float64(idle) {
		t.Fatalf("origin idle %+v: want closed after about %v", o, idle)
	}
	ka := popOf(t, r, "HKG62-C1").KeepAlive
	if ka == nil || !ka.Known || math.Abs(float64(ka.K-idle)) > 0.15*float64(idle) {
		t.Errorf("effective keep-alive %+v: want about the origin's %v, not the configured %v", ka, idle, keep)
	}
	if c := r.Order; c == nil || !c.Trap || c.OK {
		t.Errorf("timeout order %+v: want the trap", c)
	}
}

// The host identity: through the prewarm path the origin echoes the edge
// server's address; the via hypothesis holds for via ids per host and does
// not for a constant via id, whose POP the identity counts all the same.
func TestHostIdentity(t *testing.T) {
	cf := start(t, loopback.Config{Seed: 13, HostID: true, OriginVerifySecret: "s3cret", POPs: []loopback.POPSpec{
		{Code: "HKG62-C1", Hosts: 8}, {Code: "LHR61-C2", Hosts: 8, Via: edge.ViaConstant}}})
	cfg := config(cf, 1, "HKG62-C1", "LHR61-C2")
	cfg.SkipKeepAlive, cfg.Path, cfg.HostIDHeader = true, origin.HostIDPath, "X-Cfprewarm-Edge-Server-Ip"
	r := run(t, cfg)
	for code, holds := range map[string]bool{"HKG62-C1": true, "LHR61-C2": false} {
		h := popOf(t, r, code).Census.HostID
		if h == nil || h.Holds == nil || *h.Holds != holds || h.Hosts == nil || h.Hosts.Hosts != 8 {
			t.Errorf("%s: host identity %+v: want the via hypothesis holding %v, 8 servers", code, h, holds)
		}
	}
}

// Origin Shield as an extra layer: cdn-upstream-layer says so, and the
// report says what it means.
func TestOriginShieldLayer(t *testing.T) {
	cf := start(t, loopback.Config{OriginShield: true, POPs: []loopback.POPSpec{{Code: "HKG62-C1", Hosts: 2}}})
	cfg := config(cf, 1)
	cfg.SkipKeepAlive, cfg.Samples = true, 20
	r := run(t, cfg)
	if id := r.CloudFront; id.UpstreamLayer != edge.LayerOriginShield || id.Meaning == "" || len(r.POPs) != 1 {
		t.Errorf("identity %+v, %d POPs: want Origin Shield and the POP that answered", id, len(r.POPs))
	}
}

// A plan over the budget is refused before any request.
func TestOverBudgetRefusedBeforeAnyRequest(t *testing.T) {
	cf := start(t, loopback.Config{POPs: []loopback.POPSpec{{Code: "HKG62-C1"}}})
	cfg := config(cf, 1, "HKG62-C1")
	cfg.Budget = 100
	_, err := doctor.Run(context.Background(), cfg)
	var over *doctor.OverBudgetError
	if !errors.As(err, &over) || over.Plan.Requests != doctor.PlanOf(cfg).Requests {
		t.Fatalf("err %v: want the plan refused", err)
	}
	if n := cf.Requests(); n != 0 {
		t.Errorf("%d requests sent by a refused run", n)
	}
}

// Interrupted in the keep-alive search, the run returns what it knew:
// the census, the trials so far.
func TestInterruptedRunKeepsWhatItKnew(t *testing.T) {
	cf := start(t, loopback.Config{Seed: 3, KeepAlive: time.Minute, POPs: []loopback.POPSpec{{Code: "HKG62-C1", Hosts: 4}}})
	cfg := config(cf, 1, "HKG62-C1")
	ctx, cancel := context.WithCancel(context.Background())
	cfg.Progress = func(msg string) {
		if len(msg) > 0 && msg[len(msg)-1] == ')' { // a trial's line: stop during the next wait
			cancel()
		}
	}
	r, err := doctor.Run(ctx, cfg)
	if err != nil {
		t.Fatal(err)
	}
	p := r.POPs[0]
	if !r.Interrupted || p.Census == nil || p.Census.Hosts == nil || p.KeepAlive == nil || len(p.KeepAlive.Trials) != 1 || p.KeepAlive.Known {
		t.Errorf("interrupted: %v, census %+v, keep-alive %+v", r.Interrupted, p.Census, p.KeepAlive)
	}
}

// The hosts file the run writes is the one plan and warm read: the
// measured hosts and keep-alive.
func TestHostsFileFeedsPlanAndWarm(t *testing.T) {
	cf := start(t, loopback.Config{Seed: 3, KeepAlive: time.Second, OriginLink: originLink,
		POPs: []loopback.POPSpec{{Code: "FRA2", Hosts: 4}}})
	r := run(t, config(cf, 5, "fra2"))
	path := filepath.Join(t.TempDir(), "hosts.json")
	if err := edgehosts.WriteFile(path, r.HostsFile(16)); err != nil {
		t.Fatal(err)
	}
	m, err := edgehosts.ReadFile(path)
	if err != nil {
		t.Fatal(err)
	}
	e := m["FRA2"]
	k, ok := edgehosts.KeepAliveOf(m)
	if e.Hosts != 4 || e.Verdict != edgehosts.VerdictPerHost || !ok || (k-r.POPs[0].KeepAlive.K).Abs() > time.Microsecond {
		t.Errorf("hosts file %+v, keep-alive %v %v: want 4 hosts and the measured %v", e, k, ok, r.POPs[0].KeepAlive.K)
	}
}
