package lab

import (
	"context"
	"math"
	"slices"
	"testing"
	"time"
)

// The coverage scenario on the mixed profile (POPs of 2, 4, 8 and 32 edge
// hosts): automatic sizing keeps every POP warm for viewers (warm ratio ≥
// 0.99, here every probe) with fewer prewarm requests in total than 60 per
// POP, and its estimates are within 20% of each POP's host count.
func TestCoverageScenario(t *testing.T) {
	if testing.Short() {
		t.Skip("-short: runs two lab environments, about 15 s")
	}
	rep, err := Run(context.Background(), Config{Profile: "mixed", Scenarios: []string{"coverage"}, Probes: 10, TimeScale: 40, Seed: 5})
	if err != nil {
		t.Fatal(err)
	}
	if len(rep.Scenarios) != 2 || rep.Scenarios[0].Name != "coverage-fixed" || rep.Scenarios[1].Name != "coverage-auto" {
		t.Fatalf("scenarios %v, want coverage-fixed and coverage-auto", rep.Scenarios)
	}
	total := func(i int) (n int) {
		for _, p := range rep.Scenarios[i].POPs {
			n += p.Requests
		}
		return n
	}
	fixed, auto := total(0), total(1)
	if auto >= fixed {
		t.Errorf("auto sent %d prewarm requests, fixed 60 %d: want fewer", auto, fixed)
	}
	for _, p := range rep.Scenarios[1].POPs {
		if r, ok := p.WarmRatio().Value(); !ok || r < 0.99 || p.Warm+p.Cold != 10 {
			t.Errorf("auto, %s (%d hosts): viewer warm ratio %v (%d/%d), want at least 0.99 of 10 probes", p.POP, p.Hosts, r, p.Warm, p.Warm+p.Cold)
		}
		if p.Estimate == 0 || math.Abs(float64(p.Estimate-p.Hosts)) > 0.2*float64(p.Hosts) {
			t.Errorf("auto, %s: estimated %d hosts, want within 20%% of %d", p.POP, p.Estimate, p.Hosts)
		}
		if p.PredictedCoverage < 0.99 || p.Waves != warmupWaves+10 {
			t.Errorf("auto, %s: last wave's predicted coverage %.3f over %d waves", p.POP, p.PredictedCoverage, p.Waves)
		}
	}
	// The waves keep their 20 s (0.5 s at time scale 40) and the timelines
	// mark each one. The bug this guards against ran them 73–90 s apart
	// (1.8–2.3 s here); a wave delayed by a loaded machine is late by a
	// fraction of the interval and the next one is back on the grid, so
	// the median gap is the interval and no gap reaches twice it.
	for _, sc := range rep.Scenarios {
		if len(sc.Waves) != warmupWaves+10 {
			t.Errorf("%s: %d waves in the report, want %d", sc.Name, len(sc.Waves), warmupWaves+10)
		}
		var gaps []time.Duration
		for i := 2; i < len(sc.Waves); i++ { // after the first (cold) waves
			gap := sc.Waves[i].Start.Sub(sc.Waves[i-1].Start)
			gaps = append(gaps, gap)
			if gap >= time.Second {
				t.Errorf("%s: waves %d and %d %v apart, want 0.5 s (20 s at time scale 40)", sc.Name, i, i+1, gap)
			}
		}
		slices.Sort(gaps)
		if len(gaps) > 0 {
			if m := gaps[len(gaps)/2]; m < 450*time.Millisecond || m > 550*time.Millisecond {
				t.Errorf("%s: median gap between waves %v, want 0.5 s (20 s at time scale 40): %v", sc.Name, m, gaps)
			}
		}
	}
	t.Logf("prewarm requests: fixed 60 %d, auto %d", fixed, auto)
}
