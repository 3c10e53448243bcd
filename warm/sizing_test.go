package warm

import (
	"fmt"
	"math"
	"testing"
	"time"

	"github.com/cfprewarm/cfprewarm/cloudfront"
	"github.com/cfprewarm/cfprewarm/edgehosts"
)

func TestOverlap(t *testing.T) {
	for _, c := range []struct {
		gaps []time.Duration
		want int
	}{
		{nil, 1}, // nothing known yet
		{[]time.Duration{20 * time.Second}, 2},
		{[]time.Duration{20 * time.Second, 20 * time.Second, 79 * time.Second}, 1}, // the Lambda's worst gap between invocations
		{[]time.Duration{10 * time.Second}, 5},
		{[]time.Duration{90 * time.Second}, 1},
	} {
		ps := popState{gaps: c.gaps}
		if got := ps.overlap(60 * time.Second); got != c.want {
			t.Errorf("gaps %v, keep-alive 60s: overlap %d, want %d", c.gaps, got, c.want)
		}
	}
}

// hostWave is the answers of a wave to a POP of 32 hosts, grouped by host:
// the first reached hosts answer warm once, coldOfReached more answers of
// theirs are cold (their idle origin connections were fewer than the
// requests), and the next missed hosts answer cold only.
func hostWave(reached, missed, coldOfReached int) []edgehosts.Observation {
	var obs []edgehosts.Observation
	add := func(h int, o cloudfront.OriginConn) {
		obs = append(obs, edgehosts.Observation{ID: fmt.Sprintf("%032x", h+1), Origin: o})
	}
	for h := range reached {
		add(h, cloudfront.OriginWarm)
	}
	for i := range coldOfReached {
		add(i%reached, cloudfront.OriginCold)
	}
	for h := range missed {
		add(reached+h, cloudfront.OriginCold)
	}
	return obs
}

// The adaptive steps, host by host: a wave within the keep-alive whose
// hosts were all reached never grows the factor, however many of its
// answers were cold (they measure the pool); one that missed
// significantly more hosts than 1 − Coverage grows it by the model (at
// most 2×); one that does not shrinks it by a fifth, down to 1/overlap;
// waves after a gap longer than the keep-alive say nothing.
func TestAdaptiveSteps(t *testing.T) {
	cfg := Config{Auto: true, Adapt: true, Coverage: 0.99, KeepAlive: 60 * time.Second, MinRequests: 8, MaxRequests: 400, Hosts: 16, RequestsPerPOP: 60}
	st := &NewState().hosts
	t0 := time.Unix(0, 0)
	learn := func(at time.Duration, obs []edgehosts.Observation) Sizing {
		s := st.plan("HKG62-C1", "HKG62-C1", cfg)
		st.learn("HKG62-C1", "HKG62-C1", obs, t0.Add(at), cfg).fill(&s)
		return s
	}
	factor := func() float64 { return st.pops["HKG62-C1"].factor }

	s := learn(0, hostWave(0, 32, 0)) // the first wave: cold by design, no gap known
	if factor() != 1 || s.Mode != SizingAdaptive || s.Hosts != 16 {
		t.Fatalf("after the first wave: factor %v, sizing %+v", factor(), s)
	}
	// Every host reached, but half the answers cold: an nginx-like pool
	// under a concurrent wave. Not a coverage problem.
	s = learn(20*time.Second, hostWave(32, 0, 30))
	if f := factor(); math.Abs(f-0.8) > 1e-9 {
		t.Errorf("a wave whose hosts were all reached (30 of 62 answers cold): factor %v, want 0.8", f)
	}
	if r := s.Reach; r == nil || r.Hosts != 32 || r.Reached != 32 || r.Missed != 0 || r.ColdOfReached != 30 {
		t.Errorf("reach %+v: want 32 hosts reached, 30 cold answers of reached hosts", r)
	}
	for i := range 5 {
		learn(time.Duration(40+20*i)*time.Second, hostWave(31, 1, 40)) // 1 missed of 32: not significant at 1%
	}
	if f := factor(); f != 0.5 { // overlap 2 with 20 s gaps and a 60 s keep-alive
		t.Errorf("after shrinking: factor %v, want the floor 1/2", f)
	}
	fit := st.pops["HKG62-C1"].fit
	s = st.plan("HKG62-C1", "HKG62-C1", cfg)
	if want := int(math.Ceil(float64(edgehosts.RequestsFor(fit.Best, 0.99)) * 0.5)); !fit.OK || s.Requests != want || s.Overlap != 2 || s.Hosts != fit.Best {
		t.Errorf("plan %+v: want %d requests (half of auto's for %d hosts) with overlap 2", s, want, fit.Best)
	}
	learn(140*time.Second, hostWave(12, 6, 0)) // 6 of 18 hosts missed: grow by the model, capped at 2×
	if f := factor(); f != 1 {
		t.Errorf("after a wave that missed many hosts: factor %v, want 0.5 × 2 = 1", f)
	}
	learn(160*time.Second, hostWave(29, 3, 0)) // 3 of 32 missed (9%): grow by ln(0.01)/ln(3/32) ≈ 1.95
	if f, want := factor(), math.Log(0.01)/math.Log(3.0/32); math.Abs(f-want) > 1e-9 {
		t.Errorf("factor %v, want %v", f, want)
	}
	before := factor()
	learn(300*time.Second, hostWave(0, 32, 0)) // two minutes later: beyond the keep-alive, cold by design
	if factor() != before {
		t.Errorf("a wave after a gap beyond the keep-alive changed the factor: %v → %v", before, factor())
	}
}

// Adapt scales at least MinRequests, so a POP whose base is tiny can
// grow past it when hosts really are missed; and it holds when the ids
// name no host (a constant id: nothing tells a missed host from a busy
// one), instead of reading a pool's cold answers as missed hosts.
func TestAdaptGrowsPastItsBaseAndHoldsOnSuspectIDs(t *testing.T) {
	cfg := Config{Auto: true, Adapt: true, Coverage: 0.99, KeepAlive: 60 * time.Second, MinRequests: 8, MaxRequests: 400, Hosts: 1, RequestsPerPOP: 60}
	st := &NewState().hosts
	t0 := time.Unix(0, 0)
	ps := st.get("HKG62-C1")
	ps.factor = 4
	if s := st.plan("HKG62-C1", "HKG62-C1", cfg); s.Requests != 32 {
		t.Errorf("base 1 (one host assumed), factor 4: %d requests, want 4 × the minimum 8 = 32", s.Requests)
	}
	constant := func(warm, cold int) []edgehosts.Observation {
		var obs []edgehosts.Observation
		for i := range warm + cold {
			o := cloudfront.OriginWarm
			if i >= warm {
				o = cloudfront.OriginCold
			}
			obs = append(obs, edgehosts.Observation{ID: fmt.Sprintf("%032x", 1), Origin: o})
		}
		return obs
	}
	for i := range 6 {
		s := st.plan("HKG62-C1", "HKG62-C1", cfg)
		st.learn("HKG62-C1", "HKG62-C1", constant(4, 4), t0.Add(time.Duration(i)*20*time.Second), cfg).fill(&s)
		if i >= 2 && (s.EdgeHostsVerdict != edgehosts.VerdictConstant || s.EdgeHosts != nil || s.Reach != nil) {
			t.Errorf("wave %d: verdict %q estimate %v reach %v: want constant, no estimate, no reach", i+1, s.EdgeHostsVerdict, s.EdgeHosts, s.Reach)
		}
	}
	if f := st.pops["HKG62-C1"].factor; f != 4 {
		t.Errorf("a constant id with half the answers cold: factor %v, want it held at 4", f)
	}
}

func TestBinomialTail(t *testing.T) {
	for _, c := range []struct {
		k, n int
		p    float64
		want float64
	}{{0, 10, 0.1, 1}, {1, 1, 0.5, 0.5}, {2, 2, 0.5, 0.25}, {1, 17, 0.01, 1 - math.Pow(0.99, 17)}, {3, 2, 0.5, 0}} {
		if got := binomialTail(c.k, c.n, c.p); math.Abs(got-c.want) > 1e-9 {
			t.Errorf("P(X ≥ %d | n=%d, p=%v) = %v, want %v", c.k, c.n, c.p, got, c.want)
		}
	}
}
