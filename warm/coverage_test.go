package warm_test

import (
	"context"
	"io"
	"log/slog"
	"math"
	"net/netip"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/cfprewarm/cfprewarm/edgehosts"
	"github.com/cfprewarm/cfprewarm/internal/loopback"
	"github.com/cfprewarm/cfprewarm/internal/loopback/edge"
	"github.com/cfprewarm/cfprewarm/warm"
)

// startHosts starts POPs with the given edge host counts (and client
// subnets) and returns a Config aimed at them.
func startHosts(t *testing.T, subnets map[string]string, specs ...loopback.POPSpec) (*loopback.CloudFront, warm.Config) {
	t.Helper()
	cf, err := loopback.Start(context.Background(), loopback.Config{Distribution: testDist, Host: testHost, POPs: specs, Subnets: subnets, Seed: 11})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { cf.Close() })
	return cf, warm.Config{
		Distribution: testDist, Host: testHost, POPs: loopback.Codes(specs), Port: cf.Port,
		DNSServer: cf.DNSAddr, RootCAs: cf.CA.Pool(), Timeout: 5 * time.Second,
		Logger: slog.New(slog.NewTextHandler(io.Discard, nil)),
	}
}

// runAuto runs waves quickly one after the other with automatic sizing.
func runAuto(t *testing.T, cfg warm.Config, waves int) (*warm.Runner, *warm.Result) {
	t.Helper()
	cfg.Auto, cfg.Waves, cfg.WaveInterval = true, waves, 10*time.Millisecond
	r, err := warm.NewRunner(cfg)
	if err != nil {
		t.Fatal(err)
	}
	return r, r.Run(context.Background(), nil)
}

// TLS resumption does not pin a POP's requests to one edge host: each is
// still a new connection, assigned to a random host. 60 requests a wave to
// a POP of 8 hosts reach at least 7 of them on average over 20 waves, and
// the requests after the first resume TLS 1.2 sessions.
func TestResumptionStillSpreads(t *testing.T) {
	_, cfg := startHosts(t, nil, loopback.POPSpec{Code: "HKG62-C1", Hosts: 8})
	cfg.RequestsPerPOP = 60
	cfg.Waves = 20
	cfg.WaveInterval = 10 * time.Millisecond
	res, err := warm.Run(context.Background(), cfg)
	if err != nil {
		t.Fatal(err)
	}
	seen, resumed, tls12 := 0, 0, 0
	for _, w := range res.Waves {
		p := w.POPs[0]
		seen += p.Sizing.EdgeHostsSeen
		for _, r := range p.Requests {
			if r.TLSResumed {
				resumed++
			}
			if r.TLSVersion == "TLS 1.2" {
				tls12++
			}
		}
	}
	n := res.Total.Requests
	if res.Total.OK != 1200 || len(res.Waves) != 20 {
		t.Fatalf("%d of %d requests OK in %d waves: %v", res.Total.OK, n, len(res.Waves), res.Total.ErrorsByKind)
	}
	if mean := float64(seen) / 20; mean < 7 {
		t.Errorf("60 requests reached %.2f of 8 edge hosts on average, want at least 7", mean)
	}
	if resumed != n-1 || tls12 != n {
		t.Errorf("%d of %d requests resumed a TLS session (want all but the first), %d used TLS 1.2", resumed, n, tls12)
	}
}

// Auto sizing: the first wave assumes Hosts, later waves use each POP's
// estimate, which is within 20% of the true count after 3 waves; the hosts
// file holds the estimates.
func TestAutoRequestsFollowTheEstimate(t *testing.T) {
	_, cfg := startHosts(t, nil, loopback.POPSpec{Code: "HKG62-C1", Hosts: 4}, loopback.POPSpec{Code: "FRA56-P3", Hosts: 32})
	r, res := runAuto(t, cfg, 3)
	if res.Total.Errors != 0 || len(res.Waves) != 3 {
		t.Fatalf("%d waves, errors %v", len(res.Waves), res.Total.ErrorsByKind)
	}
	first := res.Waves[0].POPs[0].Sizing
	if first.Mode != warm.SizingAuto || first.HostsFrom != warm.HostsFromAssumed || first.Hosts != warm.DefaultHosts ||
		first.Requests != edgehosts.RequestsFor(warm.DefaultHosts, 0.99) {
		t.Errorf("first wave %+v: want %d requests for the assumed %d hosts", first, edgehosts.RequestsFor(warm.DefaultHosts, 0.99), warm.DefaultHosts)
	}
	for i, truth := range []int{4, 32} {
		last := res.Waves[2].POPs[i]
		s := last.Sizing
		if s.EdgeHosts == nil || math.Abs(float64(s.EdgeHosts.Hosts-truth)) > 0.2*float64(truth) {
			t.Errorf("%s: estimate %+v after 3 waves (%s), want within 20%% of %d", last.POP, s.EdgeHosts, s.EdgeHostsNote, truth)
			continue
		}
		if s.EdgeHosts.Low > truth || s.EdgeHosts.High < truth || s.EdgeHosts.Waves != 3 {
			t.Errorf("%s: interval [%d, %d] over %d waves, want it to hold %d", last.POP, s.EdgeHosts.Low, s.EdgeHosts.High, s.EdgeHosts.Waves, truth)
		}
		second := res.Waves[1].POPs[i].Sizing
		want := min(max(edgehosts.RequestsFor(second.Hosts, 0.99), warm.DefaultMinRequests), warm.DefaultMaxRequests)
		if second.HostsFrom != warm.HostsFromEstimate || second.Requests != want || second.Requests != len(res.Waves[1].POPs[i].Requests) ||
			second.PredictedCoverage < 0.99 {
			t.Errorf("%s wave 2: %+v, want %d requests (coverage ≥ 0.99) for the estimated hosts", last.POP, second, want)
		}
	}
	f := r.HostsFile()
	if len(f.POPs) != 2 || f.POPs[0].POP != "FRA56-P3" || f.POPs[0].Method != edgehosts.Method || f.POPs[1].Requests == 0 {
		t.Fatalf("hosts file %+v", f)
	}
	path := filepath.Join(t.TempDir(), "hosts.json")
	if err := edgehosts.WriteFile(path, f); err != nil {
		t.Fatal(err)
	}
	back, err := edgehosts.ReadFile(path)
	if err != nil || back["HKG62-C1"].Hosts != 4 {
		t.Errorf("hosts file read back: %v %v", back, err)
	}
}

// Ids that never repeat: the estimate is unavailable and auto sizing falls
// back to the hosts file's count, then to Hosts.
func TestPerRequestIDsFallBack(t *testing.T) {
	_, cfg := startHosts(t, nil, loopback.POPSpec{Code: "HKG62-C1", Hosts: 4, Via: edge.ViaRequest}, loopback.POPSpec{Code: "NRT57-P2", Via: edge.ViaRequest})
	cfg.Hosts = 6
	cfg.KnownHosts = map[string]edgehosts.Estimate{"NRT57-P2": {POP: "NRT57-P2", Hosts: 3}}
	r, res := runAuto(t, cfg, 2)
	for i, want := range []struct {
		from  edgehosts.HostsFrom
		hosts int
	}{{warm.HostsFromAssumed, 6}, {warm.HostsFromHostsFile, 3}} {
		s := res.Waves[1].POPs[i].Sizing
		if s.EdgeHosts != nil || !strings.Contains(s.EdgeHostsNote, "per request") || s.HostsFrom != want.from || s.Hosts != want.hosts ||
			s.Requests != max(edgehosts.RequestsFor(want.hosts, 0.99), warm.DefaultMinRequests) {
			t.Errorf("%s wave 2: %+v, want no estimate and %d hosts from %s", res.Waves[1].POPs[i].POP, s, want.hosts, want.from)
		}
	}
	for _, e := range r.HostsFile().POPs {
		if e.Method != edgehosts.MethodConfigured || e.Note == "" {
			t.Errorf("hosts file entry %+v: want the configured count and the reason", e)
		}
	}
}

// A client subnet is resolved with EDNS Client Subnet through the lab's
// DNS and warms the POP that network's viewers get.
func TestClientSubnetTarget(t *testing.T) {
	cf, cfg := startHosts(t, map[string]string{"198.51.100.0/24": "FRA56-P3", "203.0.113.0/24": "HKG62-C1"},
		loopback.POPSpec{Code: "HKG62-C1"}, loopback.POPSpec{Code: "FRA56-P3"})
	cfg.POPs = []string{"HKG62-C1"}
	cfg.ClientSubnets = []netip.Prefix{netip.MustParsePrefix("198.51.100.77/24"), netip.MustParsePrefix("192.0.2.0/24")}
	cfg.RequestsPerPOP = 5
	res, err := warm.Run(context.Background(), cfg)
	if err != nil {
		t.Fatal(err)
	}
	pops := res.Waves[0].POPs
	if len(pops) != 3 {
		t.Fatalf("%d targets, want the POP and two subnets", len(pops))
	}
	fra := pops[1]
	if fra.ClientSubnet != "198.51.100.0/24" || fra.POP != "FRA56-P3" || fra.Stats.OK != 5 || fra.Stats.Mismatched != 0 ||
		cf.POPs["FRA56-P3"].Requests() != 5 || fra.Name != testDist {
		t.Errorf("subnet target %+v: want 5 requests answered by FRA56-P3", fra)
	}
	if miss := pops[2]; miss.ResolveError == "" || miss.Stats.Errors != 5 || miss.POP != "192.0.2.0/24" {
		t.Errorf("a subnet the DNS does not know: %+v, want a resolve error", miss)
	}
	if cf.POPs["HKG62-C1"].Requests() != 5 {
		t.Errorf("HKG62-C1 got %d requests, want 5", cf.POPs["HKG62-C1"].Requests())
	}
}

// A client-subnet target's sizing uses the hosts file's count of the POP
// that answered it, once one has: the first wave cannot know the POP.
func TestClientSubnetUsesHostsFile(t *testing.T) {
	_, cfg := startHosts(t, map[string]string{"198.51.100.0/24": "FRA56-P3"}, loopback.POPSpec{Code: "FRA56-P3", Via: edge.ViaRequest})
	cfg.POPs = nil
	cfg.ClientSubnets = []netip.Prefix{netip.MustParsePrefix("198.51.100.0/24")}
	cfg.KnownHosts = map[string]edgehosts.Estimate{"FRA56-P3": {POP: "FRA56-P3", Hosts: 3}}
	_, res := runAuto(t, cfg, 2)
	if len(res.Waves) != 2 || res.Total.Errors != 0 {
		t.Fatalf("%d waves, errors %v", len(res.Waves), res.Total.ErrorsByKind)
	}
	first, second := res.Waves[0].POPs[0], res.Waves[1].POPs[0]
	if first.POP != "FRA56-P3" || first.Sizing.HostsFrom != warm.HostsFromAssumed {
		t.Errorf("wave 1: %s sized from %s, want FRA56-P3 answering and the assumed count", first.POP, first.Sizing.HostsFrom)
	}
	if s := second.Sizing; s.HostsFrom != warm.HostsFromHostsFile || s.Hosts != 3 || s.Requests != max(edgehosts.RequestsFor(3, 0.99), warm.DefaultMinRequests) {
		t.Errorf("wave 2: %+v, want the hosts file's 3 hosts of FRA56-P3", s)
	}
}

func TestValidateSizing(t *testing.T) {
	base := warm.Config{Distribution: testDist, POPs: []string{"HKG62-C1"}}
	for _, c := range []struct {
		mod  func(*warm.Config)
		want string
	}{
		{func(c *warm.Config) { c.Auto, c.MinRequests, c.MaxRequests = true, 50, 20 }, "min requests 50: more than max requests 20"},
		{func(c *warm.Config) { c.Auto, c.MaxRequests = true, 5000 }, "max requests 5000"},
		{func(c *warm.Config) { c.Coverage = 1 }, "coverage 1"},
		{func(c *warm.Config) { c.Adapt = true }, "adapt: needs automatic requests"},
		{func(c *warm.Config) { c.TLSVersion = 0x0301 }, "TLS version"},
		{func(c *warm.Config) {
			c.Auto, c.MaxRequests, c.Waves, c.POPs = true, 1000, 60, []string{"HKG62-C1", "FRA56-P3"}
		}, "requests per run"},
		{func(c *warm.Config) { c.POPs = nil }, "or client subnet is required"},
		// One network twice, however spelled, would be warmed (and billed) twice.
		{func(c *warm.Config) {
			c.ClientSubnets = []netip.Prefix{netip.MustParsePrefix("203.0.113.0/24"), netip.MustParsePrefix("203.0.113.1/24")}
		}, "client subnet 203.0.113.0/24: listed twice"},
	} {
		cfg := base
		c.mod(&cfg)
		if err := cfg.Validate(); err == nil || !strings.Contains(err.Error(), c.want) {
			t.Errorf("Validate = %v, want it to say %q", err, c.want)
		}
	}
	ok := base
	ok.POPs, ok.ClientSubnets = nil, []netip.Prefix{netip.MustParsePrefix("198.51.100.0/24")}
	if err := ok.Validate(); err != nil {
		t.Errorf("a client subnet alone: %v", err)
	}
}
