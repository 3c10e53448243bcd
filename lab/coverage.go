package lab

import (
	"context"
	"fmt"
	"math/rand/v2"
	"net"
	"strconv"
	"sync"
	"time"

	"github.com/cfprewarm/cfprewarm/cloudfront"
	"github.com/cfprewarm/cfprewarm/lab/report"
	"github.com/cfprewarm/cfprewarm/pace"
	"github.com/cfprewarm/cfprewarm/probe"
	"github.com/cfprewarm/cfprewarm/warm"
)

// The coverage scenario: the same prewarming with a fixed number of
// requests per POP and with automatic sizing (warm.Config.Auto), each in an
// environment of its own, with viewer probes at every POP of the profile.
//
// Prewarming has been running long before the viewers arrive: three waves
// go first (enough for the estimates), then one cycle per probe: a wave,
// and at a random moment before the next wave a viewer probe at every POP,
// all POPs at once. Waves and probes take turns, as in the other scenarios,
// so a cycle (a wave, then the probes) must fit in the wave interval:
// Validate refuses a time scale at which it cannot (maxTimeScale), and the
// report's timelines mark every wave.

// warmupWaves run before the first probe.
const warmupWaves = 3

// coverageVariant is one side of the comparison.
type coverageVariant struct {
	suffix, title string
	auto          bool
}

func runCoverage(ctx context.Context, cfg Config, prof Profile, s Scenario, seed uint64) ([]report.Scenario, error) {
	var out []report.Scenario
	for i, v := range []coverageVariant{
		{"-fixed", fmt.Sprintf("%d requests per POP", s.RequestsPerPOP), false},
		{"-auto", "--requests auto", true},
	} {
		sc, err := runCoverageVariant(ctx, cfg, prof, s, v, seed+uint64(i)*100)
		if len(sc.Results) > 0 || err == nil {
			out = append(out, sc)
		}
		if err != nil {
			return out, err
		}
	}
	return out, nil
}

func runCoverageVariant(ctx context.Context, cfg Config, prof Profile, s Scenario, v coverageVariant, seed uint64) (_ report.Scenario, err error) {
	k := cfg.TimeScale
	sc := report.Scenario{
		Name: s.Name + v.suffix, Title: "prewarm with " + v.title + ", viewers at every POP",
		KeepAlive: s.KeepAlive, OriginIdle: s.OriginIdle, Prewarm: true, Hosts: cfg.Hosts,
	}
	shown := s // what OnProbe is told
	shown.Name, shown.Title = sc.Name, sc.Title
	if sc.PrewarmAuto = v.auto; !v.auto {
		sc.PrewarmRequestsPerPOP = s.RequestsPerPOP
	}
	env, err := startFor(ctx, cfg, prof, s, seed)
	if err != nil {
		return sc, err
	}
	defer closeInto(env, sc.Name, &err)
	pops := prof.POPs()
	wcfg := env.WarmConfig(pops)
	wcfg.RequestsPerPOP, wcfg.Auto = s.RequestsPerPOP, v.auto
	wcfg.KeepAlive = scaled(s.KeepAlive, k)
	runner, err := warm.NewRunner(wcfg)
	if err != nil {
		return sc, fmt.Errorf("lab: prewarm: %w", err)
	}
	probers := make([]*probe.Prober, len(pops))
	for i, code := range pops {
		pc := env.ProbeConfig()
		pc.Resolve = []string{net.JoinHostPort(Distribution, strconv.Itoa(env.Port)) + ":" + env.POPAddr(code).String()}
		if probers[i], err = probe.NewProber(pc); err != nil {
			return sc, fmt.Errorf("lab: %w", err)
		}
		defer probers[i].Close()
	}
	popsOut := make([]report.POPCoverage, len(pops))
	for i, code := range pops {
		popsOut[i] = report.POPCoverage{POP: code, Hosts: prof.HostsOf(code, cfg.Hosts)}
	}
	wave := func(measured bool) {
		res := runner.Run(ctx, nil)
		if ctx.Err() == nil {
			sc.Waves = append(sc.Waves, reportWave(res))
		}
		if measured && ctx.Err() == nil {
			sc.PrewarmColdRatio = sc.PrewarmColdRatio.Add(res.Total.OriginColdRatio())
		}
		for _, w := range res.Waves {
			for i, p := range w.POPs {
				c := &popsOut[i]
				c.Requests += p.Stats.Requests
				c.Waves++
				c.LastRequests, c.PredictedCoverage = p.Sizing.Requests, p.Sizing.PredictedCoverage
				c.Estimate = 0
				if e := p.Sizing.EdgeHosts; e != nil {
					c.Estimate = e.Hosts
				}
			}
		}
	}
	interval := scaled(s.WaveInterval, k)
	rng := rand.New(rand.NewPCG(seed, 11))
	// One grid of waves: the warm-up waves, then a wave and the probes per
	// cycle.
	pace.Run(ctx, pace.Constant{Interval: interval, Count: warmupWaves + cfg.Probes}, func(w int) bool {
		start := time.Now()
		wave(w > 1)
		n := w - warmupWaves // the probe's number
		if n < 1 {
			return true
		}
		// A viewer arrives at a random moment before the next wave.
		at := time.Duration(float64(interval) * (0.1 + 0.8*rng.Float64()))
		if wait := at - time.Since(start); wait > 0 {
			select {
			case <-time.After(wait):
			case <-ctx.Done():
				return false
			}
		}
		// Every POP's viewer at once: the cycle lasts one probe, not one per POP.
		results := make([]probe.Result, len(probers))
		var wg sync.WaitGroup
		for i, p := range probers {
			wg.Go(func() { results[i] = p.Probe(ctx, n) })
		}
		wg.Wait()
		for i, r := range results {
			if ctx.Err() != nil && r.Kind == cloudfront.KindCanceled {
				return false
			}
			if n == 1 && i == 0 {
				sc.Start = r.Start
			}
			sc.Results = append(sc.Results, r)
			switch r.Origin {
			case cloudfront.OriginWarm:
				popsOut[i].Warm++
			case cloudfront.OriginCold:
				popsOut[i].Cold++
			}
			if cfg.OnProbe != nil {
				cfg.OnProbe(shown, r)
			}
		}
		return true
	})
	sc.POPs = popsOut
	sc.Summary = probe.Summarize(sc.Results)
	return sc, ctx.Err()
}
