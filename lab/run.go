package lab

import (
	"context"
	"fmt"
	"math/rand/v2"
	"slices"
	"sync"
	"time"

	"github.com/cfprewarm/cfprewarm/cloudfront"
	"github.com/cfprewarm/cfprewarm/lab/report"
	"github.com/cfprewarm/cfprewarm/pace"
	"github.com/cfprewarm/cfprewarm/probe"
	"github.com/cfprewarm/cfprewarm/stats"
	"github.com/cfprewarm/cfprewarm/warm"
)

// Run runs the configured scenarios one after the other, each in a fresh
// environment, and returns their report. When ctx ends early it returns the
// scenarios that finished (and the probes of the one cut short) with
// ctx's error.
func Run(ctx context.Context, cfg Config) (rep report.Report, err error) {
	if err := cfg.Validate(); err != nil {
		return report.Report{}, err
	}
	cfg = cfg.withDefaults()
	prof, _ := LookupProfile(cfg.Profile)
	if cfg.Seed == 0 {
		cfg.Seed = rand.Int64N(1<<31) + 1
	}
	seed := uint64(cfg.Seed)
	cfg.status(fmt.Sprintf("profile %s, time scale %g, %d probes per scenario, seed %d", prof.Name, cfg.TimeScale, cfg.Probes, cfg.Seed))
	rep = report.Report{
		Profile:       prof.Name,
		ProfileDesc:   prof.Description,
		ViewerRTT:     prof.ViewerLink.RTT,
		EdgeTLS:       prof.EdgeTLS,
		OriginRTT:     prof.OriginLink.RTT,
		TimeScale:     cfg.TimeScale,
		ProbeInterval: cfg.ProbeInterval,
		Version:       cfg.Version,
		Command:       cfg.Command,
		Seed:          cfg.Seed,
		Start:         time.Now(),
	}
	defer func() { rep.Generated = time.Now() }() // the report is made when the run ends
	if slices.Contains(cfg.Scenarios, "ka5-noprewarm") && slices.Contains(cfg.Scenarios, "ka60-prewarm") {
		rep.Baseline, rep.Improved = "ka5-noprewarm", "ka60-prewarm"
	}
	for _, name := range cfg.Scenarios {
		if d, ok := prof.Reference[name]; ok {
			rep.Reference = append(rep.Reference, report.Reference{Scenario: name, TotalP50: d, Phases: prof.Phases[name], Source: prof.Source})
		}
	}
	for i, name := range cfg.Scenarios {
		s, _ := LookupScenario(name)
		cfg.status(fmt.Sprintf("scenario %d/%d: %s (%s): %s", i+1, len(cfg.Scenarios), s.Name, s.Title, s.Why))
		if s.Coverage || s.Scheduler {
			run := runCoverage
			if s.Scheduler {
				run = runScheduler
			}
			scs, err := run(ctx, cfg, prof, s, seed+uint64(i)*1000)
			rep.Scenarios = append(rep.Scenarios, scs...)
			if err != nil {
				return rep, err
			}
			continue
		}
		sc, err := runScenario(ctx, cfg, prof, s, seed+uint64(i)*1000)
		if len(sc.Results) > 0 || err == nil {
			rep.Scenarios = append(rep.Scenarios, sc)
		}
		if err != nil {
			return rep, err
		}
	}
	return rep, nil
}

func (c Config) status(msg string) {
	if c.OnStatus != nil {
		c.OnStatus(msg)
	}
}

// runScenario brings up an environment with the scenario's settings, keeps
// prewarm waves going if it has them, and probes as the viewer.
//
// A probe and a prewarm wave never overlap: at real time scale a wave takes
// about a quarter of a second of every 20 s, so a viewer request rarely
// meets one; with time scaling the waves would fill much of the (shortened)
// time and viewers would keep landing on busy hosts. The lab takes turns:
// a probe waits for a wave in flight and a wave waits for a probe.
func runScenario(ctx context.Context, cfg Config, prof Profile, s Scenario, seed uint64) (_ report.Scenario, err error) {
	k := cfg.TimeScale
	sc := report.Scenario{
		Name: s.Name, Title: s.Title, KeepAlive: s.KeepAlive, OriginIdle: s.OriginIdle,
		Prewarm: s.Prewarm, PrewarmRequestsPerPOP: s.RequestsPerPOP, Hosts: cfg.Hosts,
	}
	env, err := startFor(ctx, cfg, prof, s, seed)
	if err != nil {
		return sc, err
	}
	defer closeInto(env, s.Name, &err)

	prober, err := probe.NewProber(env.ProbeConfig())
	if err != nil {
		return sc, fmt.Errorf("lab: %w", err)
	}
	defer prober.Close()

	var turn sync.Mutex // a probe or a wave, never both
	stopWarm := func() ([]report.Wave, stats.Ratio) { return nil, stats.Ratio{} }
	if s.Prewarm {
		cfg.status(fmt.Sprintf("%s: the first prewarm wave (%d requests to %s) before the first probe", s.Name, s.RequestsPerPOP, prof.ViewerPOP))
		w, err := startPrewarm(ctx, env, prof, s, k, &turn)
		if err != nil {
			return sc, err
		}
		stopWarm = w
	}

	pace.Run(ctx, pace.Constant{Interval: scaled(cfg.ProbeInterval, k), Count: cfg.Probes}, func(i int) bool {
		turn.Lock()
		defer turn.Unlock()
		r := prober.Probe(ctx, i)
		if ctx.Err() != nil && r.Kind == cloudfront.KindCanceled {
			return false
		}
		if i == 1 {
			sc.Start = r.Start
		}
		sc.Results = append(sc.Results, r)
		if cfg.OnProbe != nil {
			cfg.OnProbe(s, r)
		}
		return true
	})
	sc.Waves, sc.PrewarmColdRatio = stopWarm()
	sc.Summary = probe.Summarize(sc.Results)
	return sc, ctx.Err()
}

// startPrewarm runs one wave right away (prewarming has been running long
// before the viewer arrives) and then one wave every WaveInterval/k, each a
// warm.Runner run of one wave: the engine the Lambda runs. It returns a
// function that stops the waves and returns every wave (for the report's
// timelines) and the origin-cold share of the requests of every wave after
// the first. An interrupt during the first wave returns ctx's error.
func startPrewarm(ctx context.Context, env *Env, prof Profile, s Scenario, k float64, turn *sync.Mutex) (func() ([]report.Wave, stats.Ratio), error) {
	wcfg := env.WarmConfig([]string{prof.ViewerPOP})
	wcfg.RequestsPerPOP = s.RequestsPerPOP
	wcfg.Waves = 1
	wcfg.KeepAlive = scaled(s.KeepAlive, k)
	runner, err := warm.NewRunner(wcfg)
	if err != nil {
		return nil, fmt.Errorf("lab: prewarm: %w", err)
	}
	first := runner.Run(ctx, nil)
	if err := ctx.Err(); err != nil {
		return nil, fmt.Errorf("lab: %s: interrupted during the first prewarm wave: %w", s.Name, err)
	}
	if first.Total.OK == 0 {
		return nil, fmt.Errorf("lab: the first prewarm wave got no answer (%d errors)", first.Total.Errors)
	}
	waves := []report.Wave{reportWave(first)}
	ctx, cancel := context.WithCancel(ctx)
	var cold stats.Ratio
	done := make(chan struct{})
	go func() {
		defer close(done)
		interval := scaled(s.WaveInterval, k)
		pace.Run(ctx, pace.Constant{Interval: interval, Offset: interval}, func(int) bool {
			turn.Lock()
			defer turn.Unlock()
			if res := runner.Run(ctx, nil); ctx.Err() == nil {
				cold = cold.Add(res.Total.OriginColdRatio())
				waves = append(waves, reportWave(res))
			}
			return true
		})
	}()
	return func() ([]report.Wave, stats.Ratio) {
		cancel()
		<-done
		return waves, cold
	}, nil
}

// reportWave is what the report shows of a one-wave prewarm run.
func reportWave(res *warm.Result) report.Wave {
	return report.Wave{Start: res.Start, Duration: time.Duration(res.Duration), Requests: res.Total.Requests,
		OK: res.Total.OK, Cold: res.Total.OriginColdRatio()}
}
