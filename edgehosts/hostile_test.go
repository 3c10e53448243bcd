package edgehosts

import (
	"fmt"
	"math/rand/v2"
	"net/http"
	"net/netip"
	"strings"
	"testing"

	"github.com/cfprewarm/cfprewarm/cloudfront"
)

// The hostile POPs of issue 18: each fooled the estimator into a confident
// wrong count. Each test fails with an estimator that reads only (n, d) of
// the first via entry.

// hostID is the id of host i, as CloudFront writes them.
func hostID(i int) string { return fmt.Sprintf("%032x", i+1) }

// A constant id (one id for every response) is "constant: suspect", never
// Ĥ = 1 with the interval [1–1] and OK.
func TestHostileConstantID(t *testing.T) {
	var tr Tracker
	for range 3 {
		tr.AddWave(slicesOf(hostID(0), 8))
	}
	f := tr.Fit(0)
	if f.OK || f.Verdict != VerdictConstant || !f.Verdict.Suspect() || !strings.Contains(f.Why, "constant") {
		t.Fatalf("one id in 24 responses: OK %v verdict %s Ĥ %d [%d–%d] %q; want constant, suspect, no estimate", f.OK, f.Verdict, f.Best, f.Low, f.High, f.Why)
	}
	e := f.Estimate("HKG62-C1", 16)
	if e.Hosts != 16 || e.Method != MethodConfigured || e.Verdict != VerdictConstant || e.Warning() == "" {
		t.Errorf("hosts file entry %+v: want the fallback 16, configured, verdict constant, with a warning", e)
	}
}

// A chained via (the origin is itself behind CloudFront): each proxy
// appends, so the POP that answered is the last entry, and a proxy may add
// its own via line. The upstream distribution's 2 hosts must not be taken
// for the POP's 16.
func TestHostileChainedVia(t *testing.T) {
	rng := rand.New(rand.NewPCG(3, 4))
	var obs []Observation
	for i := range 120 {
		h := http.Header{}
		h.Add("Via", cloudfront.Via(hostID(100+i%2))) // the upstream CloudFront, in the origin's response
		h.Add("Via", cloudfront.Via(hostID(rng.IntN(16))))
		cf := cloudfront.ReadHeaders(h)
		obs = append(obs, Observation{ID: cf.EdgeHost(), Hops: cf.ViaHops()})
	}
	f := Judge(obs, 0)
	if !f.OK || f.Verdict != VerdictChained || f.Best < 13 || f.Best > 20 {
		t.Errorf("chained via over 16 hosts: OK %v verdict %s Ĥ %d [%d–%d] %s; want about 16, chained", f.OK, f.Verdict, f.Best, f.Low, f.High, f.Why)
	}
}

// Ids per viewer address (the POP's 4 addresses, requests round robin
// over them) gave Ĥ = 4 with a zero-width interval. They are named
// per address, and suspect.
func TestHostilePerAddressIDs(t *testing.T) {
	addrs := []netip.Addr{netip.MustParseAddr("192.0.2.1"), netip.MustParseAddr("192.0.2.2"), netip.MustParseAddr("192.0.2.3"), netip.MustParseAddr("192.0.2.4")}
	var obs []Observation
	for i := range 40 {
		obs = append(obs, Observation{ID: hostID(i % 4), Addr: addrs[i%4], Conn: fmt.Sprintf("198.51.100.7:%d", 40000+i)})
	}
	f := Judge(obs, 0)
	if f.OK || f.Verdict != VerdictPerAddress || !f.Verdict.Suspect() {
		t.Errorf("ids per address: OK %v verdict %s Ĥ %d [%d–%d]; want per-address, suspect, no estimate", f.OK, f.Verdict, f.Best, f.Low, f.High)
	}
}

// Ids of 800 KB are unknown, not kept: a POP answering them leaves the
// tracker empty however many waves it answers.
func TestHostileHugeIDs(t *testing.T) {
	huge := strings.Repeat("ab", 400_000)
	var tr Tracker
	for range 5 {
		tr.Add(slicesOfObs(Observation{ID: huge}, 50))
	}
	if n, d := tr.Counts(); n != 0 || d != 0 || tr.Waves() != 0 {
		t.Errorf("800 KB ids: %d answers, %d ids, %d waves kept; want none", n, d, tr.Waves())
	}
	if f := Judge(slicesOfObs(Observation{ID: huge}, 50), 0); f.OK || f.Responses != 0 {
		t.Errorf("800 KB ids judged: %+v", f)
	}
}

// Unique ids per client connection plus one client port the system
// reused: one repeat among 95 answers gave Ĥ ≈ 4,546, OK. The only repeat
// is on one connection: the ids follow the connection.
func TestHostilePerConnectionIDs(t *testing.T) {
	var obs []Observation
	for i := range 94 {
		conn := fmt.Sprintf("198.51.100.7:%d", 40000+i)
		obs = append(obs, Observation{ID: fmt.Sprintf("%032x", 7000+i), Conn: conn})
	}
	obs = append(obs, Observation{ID: obs[10].ID, Conn: obs[10].Conn}) // the port came back
	if f := EstimateHosts(95, 94, 0); !f.OK || f.Best < 1000 {
		t.Fatalf("premise: (n, d) alone gives a confident Ĥ of thousands, got %+v", f)
	}
	f := Judge(obs, 0)
	if f.OK || f.Verdict != VerdictPerConnection || !f.Verdict.Suspect() {
		t.Errorf("per-connection ids: OK %v verdict %s Ĥ %d [%d–%d]; want per-connection, suspect", f.OK, f.Verdict, f.Best, f.Low, f.High)
	}
}

// Per-host ids over addresses that share the hosts, and over addresses
// with hosts of their own: the verdict is per host, the layout is told,
// and the estimate is right either way (the per-address sum for split
// hosts).
func TestLayouts(t *testing.T) {
	addrs := []netip.Addr{netip.MustParseAddr("192.0.2.1"), netip.MustParseAddr("192.0.2.2"), netip.MustParseAddr("192.0.2.3"), netip.MustParseAddr("192.0.2.4")}
	for _, tc := range []struct {
		name  string
		split bool
		want  Layout
	}{{"shared", false, LayoutShared}, {"disjoint", true, LayoutDisjoint}} {
		rng := rand.New(rand.NewPCG(5, 6))
		var obs []Observation
		for i := range 240 {
			a := i % 4
			h := rng.IntN(16)
			if tc.split {
				h = a*4 + rng.IntN(4)
			}
			obs = append(obs, Observation{ID: hostID(h), Addr: addrs[a], Conn: fmt.Sprintf("198.51.100.7:%d", 30000+i)})
		}
		f := Judge(obs, 0)
		if !f.OK || f.Verdict != VerdictPerHost || f.Layout != tc.want || f.Best < 14 || f.Best > 18 || len(f.Addrs) != 4 {
			t.Errorf("%s: OK %v verdict %s layout %q Ĥ %d [%d–%d], %d addresses; want per-host, %s, about 16", tc.name, f.OK, f.Verdict, f.Layout, f.Best, f.Low, f.High, len(f.Addrs), tc.want)
		}
		for _, af := range f.Addrs {
			want := 16
			if tc.split {
				want = 4
			}
			if !af.OK || af.Best < want*3/4 || af.Best > want*5/4 {
				t.Errorf("%s: address %s: Ĥ %d, want about %d", tc.name, af.Addr, af.Best, want)
			}
		}
	}
}

func slicesOf(id string, n int) []string {
	out := make([]string, n)
	for i := range out {
		out[i] = id
	}
	return out
}

func slicesOfObs(o Observation, n int) []Observation {
	out := make([]Observation, n)
	for i := range out {
		out[i] = o
	}
	return out
}
