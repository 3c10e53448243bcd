package lab

import (
	"context"
	"fmt"
	"math"
	"math/rand/v2"
	"net"
	"slices"
	"strconv"
	"sync"
	"time"

	"github.com/cfprewarm/cfprewarm/cloudfront"
	"github.com/cfprewarm/cfprewarm/lab/report"
	"github.com/cfprewarm/cfprewarm/probe"
	"github.com/cfprewarm/cfprewarm/schedule"
	"github.com/cfprewarm/cfprewarm/warm"
)

// The scheduler scenario: the prewarm Lambda under the lab's
// EventBridge-like scheduler (scheduler.go), sending aligned waves (the
// grid slots each minute owns, as with EventBridge Scheduler) against 3
// waves 40 s apart per invocation (a plain rule), each sized by the
// schedule model for the same cold target on the POP with the most edge
// hosts, each in an environment of its own, both fed the same deliveries.
// Viewers probe every POP at random moments (uniform over --probes ×
// --interval, --probes of them per POP: one every --interval on average),
// each after the waves in flight; prewarming runs schedulerWarmUp before
// the first. The report gives per way the longest
// gap between planned waves, prewarm requests per POP-hour beside the
// model's, the viewers' warm ratio per POP and what the scheduler did.

// Cold target and warm-up of the scheduler scenario.
const (
	schedulerColdTarget = 0.002
	schedulerWarmUp     = 150 * time.Second
)

// schedulerBase is the virtual time the scenario starts at: a whole minute,
// so that the grid (aligned to the Unix epoch) and the minutes line up as
// they do in real life.
var schedulerBase = time.Date(2026, 1, 1, 0, 0, 0, 0, time.UTC)

func runScheduler(ctx context.Context, cfg Config, prof Profile, s Scenario, seed uint64) ([]report.Scenario, error) {
	keepAlive, margin := s.KeepAlive, schedule.DefaultMargin
	variants := []struct {
		suffix, title string
		opt           schedule.Option
	}{
		{"-aligned", "aligned waves (EventBridge Scheduler with the scheduled time)", schedule.AlignedFor(keepAlive, margin)},
		{"-waves", "3 waves 40 s apart per invocation (a plain rule)", schedule.Waves(3, 40*time.Second)},
	}
	faults := DefaultSchedulerFaults
	if cfg.SchedulerFaults != nil {
		faults = *cfg.SchedulerFaults
	}
	probes := time.Duration(cfg.Probes) * cfg.ProbeInterval
	minutes := int((schedulerWarmUp+probes)/schedule.DefaultRate) + 1
	ds := deliveries(rand.New(rand.NewPCG(seed, 21)), schedulerBase, minutes, faults)
	clk := clock{base: schedulerBase, start: time.Now().Add(100 * time.Millisecond), k: cfg.TimeScale}

	out := make([]report.Scenario, len(variants))
	errs := make([]error, len(variants))
	var wg sync.WaitGroup
	for i, v := range variants {
		wg.Go(func() {
			sc := report.Scenario{Name: s.Name + v.suffix, Title: v.title, KeepAlive: s.KeepAlive, OriginIdle: s.OriginIdle, Prewarm: true, Hosts: cfg.Hosts}
			out[i], errs[i] = runSchedulerVariant(ctx, cfg, prof, s, sc, v.opt, ds, clk, seed+uint64(i)*100)
		})
	}
	wg.Wait()
	// The variants ran at once: their probes are told one variant after
	// the other.
	for _, sc := range out {
		if cfg.OnProbe != nil {
			for _, r := range sc.Results {
				cfg.OnProbe(Scenario{Name: sc.Name, Title: sc.Title}, r)
			}
		}
	}
	for i, err := range errs {
		if err != nil {
			return out[:i], err
		}
	}
	return out, ctx.Err()
}

func runSchedulerVariant(ctx context.Context, cfg Config, prof Profile, s Scenario, sc report.Scenario, opt schedule.Option,
	ds []delivery, clk clock, seed uint64) (_ report.Scenario, err error) {
	k := cfg.TimeScale
	pops := prof.POPs()
	// Sized as a region's Lambda is: every POP the requests the one with
	// the most edge hosts needs.
	most := 0
	for _, code := range pops {
		most = max(most, prof.HostsOf(code, cfg.Hosts))
	}
	n, _ := opt.RequestsPerWave(s.KeepAlive, most, schedulerColdTarget, warm.MaxRequestsPerPOP)
	sc.PrewarmRequestsPerPOP = n
	st := &report.ScheduleStats{Option: opt.String(), AllowedGap: s.KeepAlive - schedule.DefaultMargin, ModelGap: opt.MaxGap(),
		RequestsPerWave: n, ColdTarget: schedulerColdTarget, Statuses: map[string]int{},
		ModelCold:               opt.ColdShare(s.KeepAlive, math.Pow(1-1/float64(most), float64(n))),
		ModelRequestsPerPOPHour: float64(n) * opt.WavesPerHour()}
	sc.Schedule = st

	env, err := startFor(ctx, cfg, prof, s, seed)
	if err != nil {
		return sc, err
	}
	defer closeInto(env, sc.Name, &err)
	wcfg := env.WarmConfig(pops)
	wcfg.RequestsPerPOP, wcfg.Waves, wcfg.KeepAlive = n, 1, scaled(s.KeepAlive, k)
	fl := &fleet{opt: opt, cfg: wcfg, clock: clk, statuses: st.Statuses}

	runCtx, cancel := context.WithCancel(ctx)
	defer cancel()
	var lambdas sync.WaitGroup
	go func() { // the scheduler
		for _, d := range ds {
			if d.Kind == deliveredNotAtAll {
				continue
			}
			if !clk.sleepUntil(runCtx, d.Arrival) {
				return
			}
			lambdas.Go(func() { fl.invoke(runCtx, d) })
		}
	}()

	from := schedulerBase.Add(schedulerWarmUp)
	to := from.Add(time.Duration(cfg.Probes) * cfg.ProbeInterval)
	popsOut, results, err := probeEveryPOP(runCtx, cfg, env, pops, fl, clk, from, to, seed)
	cancel()
	lambdas.Wait()
	if fl.err != nil {
		return sc, fmt.Errorf("lab: prewarm: %w", fl.err)
	}
	for i, code := range pops {
		popsOut[i].POP, popsOut[i].Hosts = code, prof.HostsOf(code, cfg.Hosts)
	}
	sc.Results, sc.POPs = results, popsOut
	if len(results) > 0 {
		sc.Start = results[0].Start
	}
	sc.Summary = probe.Summarize(results)
	fl.summarize(&sc, ds, from, to)
	return sc, err
}

// probeEveryPOP sends a viewer probe to every POP at random moments of
// [from, to) (virtual), one every cfg.ProbeInterval on average, cfg.Probes
// per POP, each after the waves in flight; it returns each POP's counts and
// every probe in order.
func probeEveryPOP(ctx context.Context, cfg Config, env *Env, pops []string, fl *fleet, clk clock, from, to time.Time,
	seed uint64) ([]report.POPCoverage, []probe.Result, error) {
	out := make([]report.POPCoverage, len(pops))
	var mu sync.Mutex
	var results []probe.Result
	var wg sync.WaitGroup
	errs := make([]error, len(pops))
	for i, code := range pops {
		pc := env.ProbeConfig()
		pc.Resolve = []string{net.JoinHostPort(Distribution, strconv.Itoa(env.Port)) + ":" + env.POPAddr(code).String()}
		p, err := probe.NewProber(pc)
		if err != nil {
			return nil, nil, fmt.Errorf("lab: %w", err)
		}
		defer p.Close()
		rng := rand.New(rand.NewPCG(seed, uint64(31+i)))
		// The probes' moments: uniform over the window, as many as asked.
		at := make([]time.Time, cfg.Probes)
		for j := range at {
			at[j] = from.Add(time.Duration(rng.Float64() * float64(to.Sub(from))))
		}
		slices.SortFunc(at, func(a, b time.Time) int { return a.Compare(b) })
		wg.Go(func() {
			for j, t := range at {
				if !clk.sleepUntil(ctx, t) || !fl.quiet.wait(ctx) {
					return
				}
				r := p.Probe(ctx, j+1)
				if ctx.Err() != nil && r.Kind == cloudfront.KindCanceled {
					errs[i] = ctx.Err()
					return
				}
				mu.Lock()
				results = append(results, r)
				switch r.Origin {
				case cloudfront.OriginWarm:
					out[i].Warm++
				case cloudfront.OriginCold:
					out[i].Cold++
				}
				mu.Unlock()
			}
		})
	}
	wg.Wait()
	slices.SortStableFunc(results, func(a, b probe.Result) int { return a.Start.Compare(b.Start) })
	for _, err := range errs {
		if err != nil {
			return out, results, err
		}
	}
	return out, results, ctx.Err()
}

// summarize puts the fleet's waves into the report: the waves (timeline
// ticks), each POP's prewarm requests, the prewarm cold share of the waves
// after the first, the gaps between the planned waves, the requests per
// POP-hour of the waves planned within the probes' window [from, end),
// and the scheduler's counts.
func (f *fleet) summarize(sc *report.Scenario, ds []delivery, from, end time.Time) {
	st := sc.Schedule
	slices.SortFunc(f.waves, func(a, b fleetWave) int { return a.Planned.Compare(b.Planned) })
	index := map[string]int{}
	for i, p := range sc.POPs {
		index[p.POP] = i
	}
	inWindow := 0
	for i, w := range f.waves {
		sc.Waves = append(sc.Waves, report.Wave{Start: w.Result.Start, Duration: time.Duration(w.Result.Duration),
			Requests: w.Result.Total.Requests, OK: w.Result.Total.OK, Cold: w.Result.Total.OriginColdRatio()})
		for _, wv := range w.Result.Waves {
			for _, p := range wv.POPs {
				if j, ok := index[p.POP]; ok {
					c := &sc.POPs[j]
					c.Requests += p.Stats.Requests
					c.Waves++
					c.LastRequests = p.Stats.Requests
				}
			}
		}
		if !w.Planned.Before(from) && w.Planned.Before(end) {
			inWindow += w.Result.Total.Requests
		}
		st.StartLag = max(st.StartLag, w.Started.Sub(w.Planned))
		if i == 0 {
			continue
		}
		sc.PrewarmColdRatio = sc.PrewarmColdRatio.Add(w.Result.Total.OriginColdRatio())
		prev := f.waves[i-1].Planned
		gap := w.Planned.Sub(prev)
		st.LongestGap = max(st.LongestGap, gap)
		if gap > st.AllowedGap {
			st.GapsOver++
			for _, d := range ds {
				if d.explains(f.opt, prev, w.Planned) {
					st.GapsExplained++
					break
				}
			}
		}
	}
	seen := map[time.Time]bool{}
	for _, d := range ds {
		if !seen[d.Scheduled] {
			seen[d.Scheduled] = true
			st.Scheduled++
		}
		switch d.Kind {
		case deliveredNotAtAll:
			st.Missing++
			continue
		case deliveredLate:
			st.Late++
		case deliveredTwice:
			st.Duplicates++
		}
		if d.Arrival.Before(end) {
			st.Delivered++
		}
	}
	if hours := end.Sub(from).Hours(); hours > 0 && len(sc.POPs) > 0 {
		st.RequestsPerPOPHour = float64(inWindow) / float64(len(sc.POPs)) / hours
	}
	st.Environments = f.envs
	for i := range sc.POPs {
		sc.POPs[i].PredictedCoverage = 1 - math.Pow(1-1/float64(sc.POPs[i].Hosts), float64(st.RequestsPerWave))
	}
}
