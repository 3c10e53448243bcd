package warm

import (
	"fmt"
	"math"
	"testing"
	"time"

	"github.com/cfprewarm/cfprewarm/edgehosts"
	"github.com/cfprewarm/cfprewarm/probe"
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

// waveStats is a wave's origin counts.
func waveStats(warm, cold int) probe.Summary {
	var s probe.Summary
	s.Origin.Warm, s.Origin.Cold = warm, cold
	return s
}

// The adaptive steps: a wave within the keep-alive that finds
// significantly more cold requests than 1 − Coverage grows the factor by
// the model (at most 2×); one that does not shrinks it by a fifth, down to
// 1/overlap; waves after a gap longer than the keep-alive say nothing.
func TestAdaptiveSteps(t *testing.T) {
	cfg := Config{Auto: true, Adapt: true, Coverage: 0.99, KeepAlive: 60 * time.Second, MinRequests: 8, MaxRequests: 200, Hosts: 16, RequestsPerPOP: 60}
	st := &NewState().hosts
	t0 := time.Unix(0, 0)
	ids := make([]string, 60)
	for i := range ids {
		ids[i] = fmt.Sprintf("%032x", i%8) // a POP of 8 hosts
	}
	learn := func(at time.Duration, warm, cold int) Sizing {
		s := st.plan("HKG62-C1", "HKG62-C1", cfg)
		st.learn("HKG62-C1", "HKG62-C1", ids[:s.Requests%61], waveStats(warm, cold), t0.Add(at), cfg)
		return s
	}
	factor := func() float64 { return st.pops["HKG62-C1"].factor }

	s := learn(0, 0, 60) // the first wave: cold by design, no gap known
	if factor() != 1 || s.Mode != SizingAdaptive || s.Hosts != 16 {
		t.Fatalf("after the first wave: factor %v, sizing %+v", factor(), s)
	}
	learn(20*time.Second, 34, 1) // 1 cold in 35: not significant at 1%
	if f := factor(); math.Abs(f-0.8) > 1e-9 {
		t.Errorf("a wave without significant cold requests: factor %v, want 0.8", f)
	}
	for i := range 5 {
		learn(time.Duration(40+20*i)*time.Second, 35, 0)
	}
	if f := factor(); f != 0.5 { // overlap 2 with 20 s gaps and a 60 s keep-alive
		t.Errorf("after shrinking: factor %v, want the floor 1/2", f)
	}
	s = st.plan("HKG62-C1", "HKG62-C1", cfg)
	if want := int(math.Ceil(float64(edgehosts.RequestsFor(8, 0.99)) * 0.5)); s.Requests != want || s.Overlap != 2 || s.Hosts != 8 {
		t.Errorf("plan %+v: want %d requests (half of auto's for 8 hosts) with overlap 2", s, want)
	}
	learn(140*time.Second, 12, 6) // 6 cold of 18: grow by the model, capped at 2×
	if f := factor(); f != 1 {
		t.Errorf("after a wave with many cold requests: factor %v, want 0.5 × 2 = 1", f)
	}
	learn(160*time.Second, 33, 3) // 3 of 36 cold (8%): grow by ln(0.01)/ln(0.083) ≈ 1.86
	if f, want := factor(), math.Log(0.01)/math.Log(3.0/36); math.Abs(f-want) > 1e-9 {
		t.Errorf("factor %v, want %v", f, want)
	}
	before := factor()
	learn(300*time.Second, 0, 60) // two minutes later: beyond the keep-alive, cold by design
	if factor() != before {
		t.Errorf("a wave after a gap beyond the keep-alive changed the factor: %v → %v", before, factor())
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
