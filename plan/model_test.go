package plan

import (
	"math"
	"testing"
	"time"
)

// TestModelMatchesSimulation: the model, from per-second counts, predicts
// the cold share of an exact continuous-time simulation of the host model
// (simulate: a connection of its own per request, no time held), for
// traffic from always-warm to always-cold, whatever the keep-alive.
func TestModelMatchesSimulation(t *testing.T) {
	for _, tc := range []struct {
		name      string
		p         process
		hosts     int
		keepAlive float64
	}{
		{"rare", poisson(1.0 / 300), 16, 60},
		{"mid", poisson(0.1), 8, 60},
		{"mid, short keep-alive", poisson(0.5), 4, 5},
		{"busy", poisson(2), 16, 60},
		{"bursty", bursts(1.0/120, 8, 4), 8, 60},
		{"one host", poisson(0.05), 1, 30},
		{"keep-alive 7.5 s", poisson(0.3), 4, 7.5},
	} {
		t.Run(tc.name, func(t *testing.T) {
			as := simulate(1, "HKG62-C1", tc.p, 200_000, tc.hosts, tc.keepAlive, 0.2, 0.4)
			c := counts(as)
			run := runPools("HKG62-C1", c.pops["HKG62-C1"].seconds(), tc.keepAlive, tc.hosts, 0)
			got, want := run.colds()/float64(len(as)), coldShare(as)
			if math.Abs(got-want) > 0.015 {
				t.Errorf("%d requests: model %.4f, simulation %.4f", len(as), got, want)
			}
		})
	}
}

// TestPenaltyFromLogs: the cold penalty comes back from the logs' own
// time-to-first-byte when the POP's traffic mixes cold and warm requests,
// and not from a POP that is always cold.
func TestPenaltyFromLogs(t *testing.T) {
	as := simulate(3, "NRT57-P2", poisson(0.5), 50_000, 4, 5, 0.15, 0.38)
	as = append(as, simulate(4, "FRA56-P3", poisson(1.0/600), 100_000, 8, 5, 0.02, 0.05)...)
	p, err := planFrom(counts(as), func(c *Config) { c.KeepAlive, c.Hosts = 5*time.Second, 4 })
	if err != nil {
		t.Fatal(err)
	}
	for _, pop := range p.POPs {
		switch pop.Code {
		case "NRT57-P2":
			if pop.PenaltyFrom != "logs" || math.Abs(pop.Penalty.Float()-0.38) > 0.03 {
				t.Errorf("NRT: penalty %.3f from %q, want 0.38 from the logs", pop.Penalty.Float(), pop.PenaltyFrom)
			}
		case "FRA56-P3":
			if pop.PenaltyFrom == "logs" {
				t.Errorf("FRA is always cold: its logs cannot tell a penalty, got %.3f", pop.Penalty.Float())
			}
		}
	}
}

// TestPenaltyNotFromConstantTTFB: a POP whose time-to-first-byte never
// varies tells no penalty, however its cold share varies: the fit's slope
// is rounding noise (about 1e-14 s) with a standard error of 0. Such a POP
// falls back to --origin-rtt like any other POP its logs cannot tell.
func TestPenaltyNotFromConstantTTFB(t *testing.T) {
	for seed := uint64(20); seed < 30; seed++ {
		as := simulate(seed, "NRT57-P2", poisson(0.5), 20_000, 8, 5, 0.03, 0)
		for i := range as {
			as[i].ttfb = 0.03
		}
		p, err := planFrom(counts(as), func(c *Config) { c.KeepAlive, c.Hosts, c.OriginRTT = 5*time.Second, 8, 50*time.Millisecond })
		if err != nil {
			t.Fatal(err)
		}
		if pop := p.POPs[0]; pop.PenaltyFrom != "origin-rtt" || pop.Penalty.Float() != 0.1 {
			t.Errorf("seed %d: constant time-to-first-byte gave penalty %g from %q, want 0.1 from origin-rtt", seed, pop.Penalty.Float(), pop.PenaltyFrom)
		}
	}
	for _, tc := range []struct {
		slope, se float64
		ok        bool
	}{
		{5.9e-14, 0, false}, {0.3, 0, false}, {0.0005, 0.00001, false}, {0.3, 0.1, false}, {0.3, 0.05, true}, {0.002, 0.0001, true},
	} {
		if got := trusted(tc.slope, tc.se, 100); got != tc.ok {
			t.Errorf("trusted(slope %g, se %g) = %v", tc.slope, tc.se, got)
		}
	}
}

// TestPenaltyRobust: a few cold requests that took 20 s more (an origin
// stalled, a machine that froze) do not make the penalty: Huber's weights
// keep the fit near the 0.38 s the other cold requests cost, where plain
// least squares doubles it.
func TestPenaltyRobust(t *testing.T) {
	as := simulate(3, "NRT57-P2", poisson(0.5), 50_000, 4, 5, 0.15, 0.38)
	for i := range as {
		if as[i].cold && i%50 == 0 {
			as[i].ttfb += 20
		}
	}
	p, err := planFrom(counts(as), func(c *Config) { c.KeepAlive, c.Hosts = 5*time.Second, 4 })
	if err != nil {
		t.Fatal(err)
	}
	if pop := p.POPs[0]; pop.PenaltyFrom != "logs" || math.Abs(pop.Penalty.Float()-0.38) > 0.04 {
		t.Errorf("penalty %.3f from %q, want 0.38 from the logs", pop.Penalty.Float(), pop.PenaltyFrom)
	}
	// The same seconds by plain least squares.
	c := counts(as)
	secs := c.pops["NRT57-P2"].seconds()
	run := runPools("NRT57-P2", secs, 5, 4, 0)
	var f penaltyFit
	for i, sec := range secs {
		f.add(run.cold[i]/float64(sec.n), float64(sec.ttfbUS)/float64(sec.ttfbN)/1e6, float64(sec.ttfbN))
	}
	if slope, _, _, _ := f.solve(); slope < 0.6 {
		t.Errorf("plain least squares gives %.3f: the stalls are too few to test the robust fit", slope)
	}
}
